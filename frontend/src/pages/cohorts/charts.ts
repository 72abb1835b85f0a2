/** Chart options of the cohort page: LTV curves, actual vs predicted ROAS, survival. */
import type { Cohort } from "../../api/types";
import { toNumber } from "../../lib/format";
import { PALETTE, platformLabel } from "../../lib/platforms";
import { AXIS, type EChartsOption } from "../../components/charts/EChart";
import type { Formatters } from "../../state/useFormat";

export type CurveMetric = "roas" | "per_customer" | "revenue";

export type CohortGrain = "day" | "week" | "month";

/** "Week of Nov 20" / "Nov 2026" / "Nov 20, 2026", with the channel when cohorts mix channels. */
export function cohortName(c: Cohort, withPlatform: boolean, grain: CohortGrain = "day", f?: Formatters): string {
  let name = c.cohort;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(c.cohort) ? new Date(`${c.cohort}T00:00:00`) : null;
  if (day && f) {
    if (grain === "week") name = `Week of ${f.shortDate(c.cohort)}`;
    else if (grain === "month") name = new Intl.DateTimeFormat(f.locale, { month: "short", year: "numeric" }).format(day);
    else name = f.date(c.cohort);
  }
  return withPlatform && c.platform ? `${name} · ${platformLabel(c.platform)}` : name;
}

export interface CohortLabels {
  withPlatform: boolean;
  grain: CohortGrain;
}

/** Most recent cohorts first, at most `limit`. */
export function latestCohorts(cohorts: readonly Cohort[], limit: number): Cohort[] {
  return [...cohorts].sort((a, b) => (a.cohort < b.cohort ? 1 : a.cohort > b.cohort ? -1 : 0)).slice(0, limit);
}

/** A curve point in the chosen unit; null when the value is missing (the cohort is too young). */
export function curveValue(c: Cohort, value: unknown, metric: CurveMetric): number | null {
  const v = toNumber(value as never);
  if (v === null) return null;
  if (metric === "revenue") return v;
  const denominator = toNumber(metric === "roas" ? c.spend : c.customers);
  return denominator ? v / denominator : null;
}

const BREAK_EVEN = {
  silent: true,
  symbol: "none",
  lineStyle: { color: "#adb5bd", type: "dotted" as const },
  label: { formatter: "break-even", color: "#868e96", position: "insideEndTop" as const },
  data: [{ yAxis: 1 }],
};

/** Room for the break-even line when every value stays under it; otherwise the axis's own max. */
function roasAxisMax(values: (number | null)[]): number | undefined {
  const top = Math.max(0, ...values.filter((v): v is number => v !== null));
  return top < 1.1 ? 1.2 : undefined;
}

export function ltvCurveOption(cohorts: Cohort[], metric: CurveMetric, labels: CohortLabels, f: Formatters): EChartsOption {
  const fmt = (v: number) => (metric === "roas" ? f.ratioPercent(v, 0) : f.moneyAxis(v));
  const tip = (v: number) => (metric === "roas" ? f.roas(v) : f.money(v));
  const series = cohorts.flatMap((c, i) => {
    const color = PALETTE[i % PALETTE.length];
    const name = cohortName(c, labels.withPlatform, labels.grain, f);
    const points = [...c.curve].sort((a, b) => a.day - b.day);
    return [
      {
        name,
        type: "line" as const,
        data: points.map((p) => [p.day, curveValue(c, p.revenue, metric)]),
        showSymbol: false,
        lineStyle: { width: 2, color },
        itemStyle: { color },
        connectNulls: false,
        markLine: metric === "roas" && i === 0 ? BREAK_EVEN : undefined,
      },
      {
        name,
        id: `${name}-predicted`,
        type: "line" as const,
        data: points.map((p) => [p.day, curveValue(c, p.predicted, metric)]),
        showSymbol: false,
        lineStyle: { width: 1.5, type: "dashed" as const, color },
        itemStyle: { color },
        connectNulls: false,
      },
    ];
  });
  return {
    tooltip: {
      trigger: "axis",
      valueFormatter: (v) => (Array.isArray(v) ? (v[1] == null ? "—" : tip(v[1] as number)) : v == null ? "—" : tip(v as number)),
    },
    grid: { top: 48, bottom: 28 },
    xAxis: { type: "value", name: "Days since acquisition", nameLocation: "middle", nameGap: 28, min: 0, max: "dataMax", ...AXIS },
    yAxis: {
      type: "value",
      // ROAS curves always show the break-even line
      max:
        metric === "roas"
          ? roasAxisMax(series.flatMap((x) => (x.data as [number, number | null][]).map((p) => p[1])))
          : undefined,
      ...AXIS,
      axisLabel: { ...AXIS.axisLabel, formatter: fmt },
    },
    series,
  };
}

export function roasBarsOption(cohorts: Cohort[], labels: CohortLabels, f: Formatters): EChartsOption {
  const ordered = [...cohorts].sort((a, b) => (a.cohort < b.cohort ? -1 : 1));
  return {
    tooltip: { trigger: "axis", valueFormatter: (v) => (v == null ? "—" : f.roas(v as number)) },
    legend: { top: 0, left: 0 },
    grid: { top: 40 },
    xAxis: {
      type: "category",
      data: ordered.map((c) => cohortName(c, labels.withPlatform, labels.grain, f)),
      ...AXIS,
      axisLabel: { ...AXIS.axisLabel, rotate: ordered.length > 8 ? 40 : 0 },
    },
    yAxis: {
      type: "value",
      max: roasAxisMax(ordered.flatMap((c) => [toNumber(c.roas_actual), toNumber(c.roas_predicted)])),
      ...AXIS,
      axisLabel: { ...AXIS.axisLabel, formatter: (v: number) => f.ratioPercent(v, 0) },
    },
    series: [
      {
        name: "Actual ROAS",
        type: "bar",
        data: ordered.map((c) => toNumber(c.roas_actual)),
        itemStyle: { color: "#3b5bdb", borderRadius: [3, 3, 0, 0] },
        barMaxWidth: 22,
        markLine: BREAK_EVEN,
      },
      {
        name: "Predicted ROAS",
        type: "bar",
        data: ordered.map((c) => toNumber(c.roas_predicted)),
        itemStyle: { color: "#91a7ff", borderRadius: [3, 3, 0, 0] },
        barMaxWidth: 22,
      },
    ],
  };
}

export function survivalOption(cohorts: Cohort[], labels: CohortLabels, f: Formatters): EChartsOption {
  return {
    tooltip: {
      trigger: "axis",
      valueFormatter: (v) => (Array.isArray(v) ? f.ratioPercent(v[1] as number) : v == null ? "—" : f.ratioPercent(v as number)),
    },
    grid: { top: 48, bottom: 28 },
    xAxis: { type: "value", name: "Days since acquisition", nameLocation: "middle", nameGap: 28, min: 0, max: "dataMax", ...AXIS },
    yAxis: {
      type: "value",
      min: 0,
      max: 1,
      ...AXIS,
      axisLabel: { ...AXIS.axisLabel, formatter: (v: number) => f.ratioPercent(v, 0) },
    },
    series: cohorts.map((c, i) => ({
      name: cohortName(c, labels.withPlatform, labels.grain, f),
      type: "line" as const,
      step: "end" as const,
      showSymbol: false,
      data: [...c.survival].sort((a, b) => a.day - b.day).map((p) => [p.day, toNumber(p.p)]),
      lineStyle: { width: 2, color: PALETTE[i % PALETTE.length] },
      itemStyle: { color: PALETTE[i % PALETTE.length] },
    })),
  };
}
