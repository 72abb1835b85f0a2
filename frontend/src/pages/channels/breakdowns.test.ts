import { describe, expect, it } from "vitest";
import * as echarts from "echarts";
import type { RoiRow } from "../../api/types";
import { type Formatters, formattersFor } from "../../state/useFormat";
import { breakdownOption } from "./Breakdowns";

const f = { ...formattersFor("en-US", "USD"), money: (v: number | null | undefined) => String(v) } as Formatters;

const row = (key: string, spend: number, roas: number) => ({ key, label: key, spend, roas }) as unknown as RoiRow;

/** The tick labels ECharts draws on the ROAS axis (rendered to SVG, as on the page). */
function roasTickLabels(rows: RoiRow[]): string[] {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width: 900, height: 300 });
  chart.setOption(breakdownOption("country", rows, f));
  const svg = chart.renderToSVGString();
  chart.dispose();
  const texts = Array.from(svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g), (m) => m[1]);
  return texts.filter((t) => /%$/.test(t));
}

describe("breakdown chart", () => {
  it("never repeats a ROAS tick label when ROAS stays within a few percent", () => {
    const labels = roasTickLabels([row("US", 900, 0.004), row("DE", 400, 0.013), row("FR", 200, 0.021)]);
    expect(labels.length).toBeGreaterThan(1);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it("never repeats a ROAS tick label at ordinary ROAS either", () => {
    const labels = roasTickLabels([row("US", 900, 0.35), row("DE", 400, 1.2), row("FR", 200, 0.8)]);
    expect(labels.length).toBeGreaterThan(1);
    expect(new Set(labels).size).toBe(labels.length);
  });
});
