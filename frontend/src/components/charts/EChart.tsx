/**
 * ECharts, tree-shaken: only the chart types and components the dashboard draws are bundled.
 */
import ReactEChartsCore from "echarts-for-react/esm/core";
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import type { EChartsOption } from "echarts";
import { PALETTE } from "../../lib/platforms";

echarts.use([
  BarChart,
  LineChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  MarkLineComponent,
  MarkAreaComponent,
  CanvasRenderer,
]);

export type { EChartsOption };

const BASE: EChartsOption = {
  color: PALETTE,
  textStyle: { fontFamily: "inherit", color: "#495057" },
  grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
  tooltip: {
    trigger: "axis",
    backgroundColor: "rgba(255,255,255,0.97)",
    borderColor: "#dee2e6",
    textStyle: { color: "#212529", fontSize: 12 },
  },
  legend: { top: 0, left: 0, type: "scroll", icon: "roundRect", itemWidth: 12, itemHeight: 8 },
};

export function EChart({
  option,
  height = 320,
  ariaLabel,
}: {
  option: EChartsOption;
  height?: number;
  ariaLabel: string;
}) {
  return (
    <div role="img" aria-label={ariaLabel} className="chart">
      <ReactEChartsCore
        echarts={echarts}
        option={{ ...BASE, ...option, grid: { ...(BASE.grid as object), ...((option.grid as object) ?? {}) } }}
        notMerge
        lazyUpdate
        style={{ height, width: "100%" }}
        opts={{ renderer: "canvas" }}
      />
    </div>
  );
}

/** Axis label style shared by the charts. */
export const AXIS = {
  axisLine: { lineStyle: { color: "#ced4da" } },
  axisTick: { show: false },
  axisLabel: { color: "#868e96" },
  splitLine: { lineStyle: { color: "#f1f3f5" } },
};
