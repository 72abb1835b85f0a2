/** One channel's response curve: expected daily revenue against daily spend, its 80% band, and
 * the current and recommended points. */
import type { ChannelCurve } from "../../api/recommendations";
import { AXIS, EChart, type EChartsOption } from "../../components/charts/EChart";
import type { Formatters } from "../../state/useFormat";

/** One marked point of the curve (today's spend, the recommended one). */
function point(name: string, x: number, y: number, symbol: string, color: string) {
  return { name, type: "line" as const, data: [[x, y]], symbol, symbolSize: 12, itemStyle: { color } };
}

export function curveOption(curve: ChannelCurve, f: Formatters): EChartsOption {
  const pairs = (ys: number[]) => curve.spend.map((x, i) => [x, ys[i]]);
  const money = (v: unknown) => f.money(Array.isArray(v) ? (v[1] as number) : (v as number));
  return {
    tooltip: {
      trigger: "axis",
      valueFormatter: (v) => money(v),
      axisPointer: { type: "line" },
    },
    legend: { top: 0, left: 0, data: ["Expected revenue", "Current", "Recommended"] },
    xAxis: {
      type: "value",
      name: "Daily spend",
      nameLocation: "middle",
      nameGap: 26,
      ...AXIS,
      axisLabel: { ...AXIS.axisLabel, formatter: (v: number) => f.moneyAxis(v) },
    },
    yAxis: {
      type: "value",
      ...AXIS,
      axisLabel: { ...AXIS.axisLabel, formatter: (v: number) => f.moneyAxis(v) },
    },
    grid: { bottom: 30 },
    series: [
      {
        name: "80% band",
        type: "line",
        stack: "band",
        data: pairs(curve.low),
        lineStyle: { opacity: 0 },
        showSymbol: false,
        tooltip: { show: false },
      },
      {
        name: "80% band",
        type: "line",
        stack: "band",
        data: curve.spend.map((x, i) => [x, curve.high[i] - curve.low[i]]),
        lineStyle: { opacity: 0 },
        areaStyle: { color: "#4c6ef5", opacity: 0.15 },
        showSymbol: false,
        tooltip: { show: false },
      },
      {
        name: "Expected revenue",
        type: "line",
        data: pairs(curve.outcome),
        showSymbol: false,
        lineStyle: { width: 2.5, color: "#3b5bdb" },
        itemStyle: { color: "#3b5bdb" },
      },
      point("Current", curve.current_spend, curve.current_outcome, "circle", "#868e96"),
      point("Recommended", curve.recommended_spend, curve.recommended_outcome, "diamond", "#f59f00"),
    ],
  };
}

export function CurveChart({ curve, f }: { curve: ChannelCurve; f: Formatters }) {
  return (
    <EChart
      option={curveOption(curve, f)}
      height={240}
      ariaLabel={`Response curve of ${curve.label}: expected daily revenue against daily spend`}
    />
  );
}
