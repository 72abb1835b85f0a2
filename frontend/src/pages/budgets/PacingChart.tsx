/** Cumulative spend against the expected path and the budget, with the period-end projection
 * and its band. */
import type { Budget, Pacing } from "../../api/types";
import { EChart, AXIS, type EChartsOption } from "../../components/charts/EChart";
import { toNumber } from "../../lib/format";
import type { Formatters } from "../../state/useFormat";
import { periodEnd } from "./model";

export function pacingOption(budget: Budget, pacing: Pacing, f: Formatters): EChartsOption {
  const series = [...(pacing.series ?? [])].sort((a, b) => (a.date < b.date ? -1 : 1));
  const actual = series.filter((p) => toNumber(p.cumulative) !== null);
  const last = actual[actual.length - 1];
  const end = periodEnd(budget.period_start, budget.period);
  const lastCum = last ? toNumber(last.cumulative)! : 0;
  const lastDate = last?.date ?? budget.period_start;
  const projected = toNumber(pacing.projected);
  const low = toNumber(pacing.projected_low);
  const high = toNumber(pacing.projected_high);
  const amount = toNumber(budget.amount);
  const money = (v: unknown) => (v === null || v === undefined ? "—" : f.money(Array.isArray(v) ? (v[1] as number) : (v as number)));

  const out: EChartsOption["series"] = [
    {
      name: "Actual spend",
      type: "line",
      data: actual.map((p) => [p.date, toNumber(p.cumulative)]),
      showSymbol: false,
      lineStyle: { width: 2.5, color: "#3b5bdb" },
      itemStyle: { color: "#3b5bdb" },
      areaStyle: { color: "#3b5bdb", opacity: 0.08 },
      markLine:
        amount !== null
          ? {
              silent: true,
              symbol: "none",
              lineStyle: { color: "#e03131", type: "solid", width: 1 },
              label: { formatter: `Budget ${f.moneyCompact(amount)}`, color: "#e03131", position: "insideEndTop" },
              data: [{ yAxis: amount }],
            }
          : undefined,
    },
    {
      name: "Expected",
      type: "line",
      data: series.filter((p) => toNumber(p.expected) !== null).map((p) => [p.date, toNumber(p.expected)]),
      showSymbol: false,
      lineStyle: { width: 1.5, type: "dashed", color: "#868e96" },
      itemStyle: { color: "#868e96" },
    },
  ];
  if (projected !== null && last) {
    out.push({
      name: "Projection",
      type: "line",
      data: [
        [lastDate, lastCum],
        [end, projected],
      ],
      symbol: "circle",
      symbolSize: 6,
      lineStyle: { width: 2, type: "dotted", color: "#f59f00" },
      itemStyle: { color: "#f59f00" },
    });
    if (low !== null && high !== null) {
      out.push(
        {
          name: "Projection band",
          type: "line",
          stack: "band",
          data: [
            [lastDate, lastCum],
            [end, low],
          ],
          lineStyle: { opacity: 0 },
          showSymbol: false,
          tooltip: { show: false },
        },
        {
          name: "Projection band",
          type: "line",
          stack: "band",
          data: [
            [lastDate, 0],
            [end, high - low],
          ],
          lineStyle: { opacity: 0 },
          areaStyle: { color: "#f59f00", opacity: 0.15 },
          showSymbol: false,
          tooltip: { show: false },
        },
      );
    }
  }
  return {
    tooltip: { trigger: "axis", valueFormatter: money },
    legend: { top: 0, left: 0, data: ["Actual spend", "Expected", "Projection"] },
    grid: { top: 40 },
    xAxis: {
      type: "time",
      min: budget.period_start,
      max: end,
      ...AXIS,
      axisLabel: { ...AXIS.axisLabel, formatter: (v: number) => f.shortDate(new Date(v).toISOString().slice(0, 10)) },
    },
    yAxis: { type: "value", ...AXIS, axisLabel: { ...AXIS.axisLabel, formatter: (v: number) => f.moneyAxis(v) } },
    series: out,
  };
}

export function PacingChart({ budget, pacing, f }: { budget: Budget; pacing: Pacing; f: Formatters }) {
  return <EChart ariaLabel={`Pacing of ${budget.name}`} option={pacingOption(budget, pacing, f)} height={300} />;
}
