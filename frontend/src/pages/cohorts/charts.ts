/** Chart options of the cohort page: LTV curves, actual vs predicted ROAS, survival. */
import type { Cohort } from "../../api/types";
import { toNumber } from "../../lib/format";
import { predictionShort, shownRoas } from "../../lib/prediction";
import { PALETTE, platformLabel } from "../../lib/platforms";
import { intervalText } from "../../lib/trust";
import { AXIS, type EChartsOption } from "../../components/charts/EChart";
import type { Formatters } from "../../state/useFormat";
import { NET_REVENUE } from "../channels/columns";

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

/** The key of a cohort row: cohort start and channel, as the table's row keys. */
export function cohortKey(c: Cohort): string {
  return `${c.cohort}|${c.platform ?? ""}`;
}

/** The largest cohorts (most customers, then the most recent), at most `limit`: the cohorts the
 * charts show until the marketer picks others. */
export function topCohorts(cohorts: readonly Cohort[], limit: number): Cohort[] {
  return [...cohorts]
    .sort((a, b) => (toNumber(b.customers) ?? 0) - (toNumber(a.customers) ?? 0) || (a.cohort < b.cohort ? 1 : a.cohort > b.cohort ? -1 : 0))
    .slice(0, limit);
}

/** The color of the i-th shown cohort, the same on every chart and in the selector. */
export function cohortColor(index: number): string {
  return PALETTE[index % PALETTE.length];
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

interface TooltipParam {
  seriesName?: string;
  seriesId?: string;
  color?: string;
  value?: unknown;
  axisValue?: unknown;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** What a cohort's dashed line is, when it is not the LTV model's projection: the figure its bar
 * and the table show (early signals' 30-day figure of a young cohort), which the API's curve
 * reaches at that horizon and does not extend; null for the LTV model's. */
export function curveSource(c: Cohort): string | null {
  const p = c.prediction;
  return p && p.source === "early" ? `early signals' ${p.horizon_days}-day figure` : null;
}

/** One line per cohort: "Week of Nov 2: actual 45.0% · predicted 81.2%", under "Day 30";
 * `sources`: per cohort name, what its predicted line is when not the LTV model's. */
export function ltvTooltipLines(
  params: TooltipParam[],
  tip: (v: number) => string,
  sources: ReadonlyMap<string, string> = new Map(),
): { day: string; lines: { name: string; color: string; text: string }[] } {
  const byName = new Map<string, { color: string; actual: string; predicted: string }>();
  for (const p of params) {
    const name = p.seriesName ?? "";
    const entry = byName.get(name) ?? { color: p.color ?? "", actual: "—", predicted: "—" };
    const raw = Array.isArray(p.value) ? p.value[1] : p.value;
    const text = raw == null || Number.isNaN(raw) ? "—" : tip(raw as number);
    if (String(p.seriesId ?? "").endsWith("-predicted")) entry.predicted = text;
    else entry.actual = text;
    byName.set(name, entry);
  }
  const first = params[0];
  const dayValue = first ? (Array.isArray(first.value) ? first.value[0] : first.axisValue) : "";
  return {
    day: `Day ${dayValue}`,
    lines: [...byName.entries()].map(([name, e]) => ({
      name,
      color: e.color,
      text: `actual ${e.actual} · predicted ${e.predicted}${sources.has(name) ? ` (${sources.get(name)})` : ""}`,
    })),
  };
}

function ltvTooltip(params: TooltipParam[], tip: (v: number) => string, sources: ReadonlyMap<string, string>): string {
  const { day, lines } = ltvTooltipLines(params, tip, sources);
  const rows = lines.map(
    (l) =>
      `<div><span style="display:inline-block;width:8px;height:8px;border-radius:4px;margin-right:6px;background:${escapeHtml(l.color)}"></span>${escapeHtml(l.name)}: <b>${escapeHtml(l.text)}</b></div>`,
  );
  const note = `<div style="color:#868e96;font-size:11px;margin-top:4px">${escapeHtml(NET_REVENUE)}</div>`;
  return `<div style="font-weight:600;margin-bottom:4px">${escapeHtml(day)} since acquisition</div>${rows.join("")}${note}`;
}

export function ltvCurveOption(cohorts: Cohort[], metric: CurveMetric, labels: CohortLabels, f: Formatters): EChartsOption {
  const fmt = (v: number) => (metric === "roas" ? f.ratioPercent(v, 0) : f.moneyAxis(v));
  const tip = (v: number) => (metric === "roas" ? f.roas(v) : f.money(v));
  const sources = new Map<string, string>();
  for (const c of cohorts) {
    const source = curveSource(c);
    if (source) sources.set(cohortName(c, labels.withPlatform, labels.grain, f), source);
  }
  const series = cohorts.flatMap((c, i) => {
    const color = cohortColor(i);
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
    // the cohort selector above the chart is its legend (colored tags): no paged legend here
    legend: { show: false },
    tooltip: { trigger: "axis", formatter: (params: unknown) => ltvTooltip(params as TooltipParam[], tip, sources) },
    grid: { top: 16, bottom: 28 },
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

/** Height (px) of the actual-vs-predicted chart: a row per cohort, so every bar is labelled. */
export function roasBarsHeight(count: number): number {
  return Math.max(220, 70 + count * 34);
}

/** Horizontal bars, one row per cohort (newest on top), each row labelled with its cohort. */
export function roasBarsOption(cohorts: Cohort[], labels: CohortLabels, f: Formatters): EChartsOption {
  const ordered = [...cohorts].sort((a, b) => (a.cohort < b.cohort ? -1 : a.cohort > b.cohort ? 1 : 0));
  // the table's one predicted ROAS (its interval only when it is the LTV model's)
  const predicted = ordered.map((c) => shownRoas(c.prediction, c.roas_predicted));
  const intervals = ordered.map((c) => (c.prediction?.source === "early" ? null : (c.roas_predicted_interval ?? null)));
  // each predicted bar says its horizon: a young cohort's (early signals, 30 days) is not the others'
  const horizons = ordered.map((c) => c.prediction?.horizon_days ?? null);
  return {
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      formatter: (params: unknown) => {
        const list = params as { dataIndex: number; seriesName: string; value: unknown; color: string }[];
        if (!list.length) return "";
        const c = ordered[list[0].dataIndex];
        const interval = intervals[list[0].dataIndex];
        const rows = list.map((p) => {
          let text = p.value == null ? "—" : f.roas(p.value as number);
          if (p.seriesName === PREDICTED_ROAS && interval) text += ` (${intervalText(interval, f)})`;
          if (p.seriesName === PREDICTED_ROAS && c.prediction) text += ` · ${predictionShort(c.prediction)}`;
          return `<div>${escapeHtml(p.seriesName)}: <b>${escapeHtml(text)}</b></div>`;
        });
        return `<div style="font-weight:600;margin-bottom:4px">${escapeHtml(cohortName(c, labels.withPlatform, labels.grain, f))}</div>${rows.join("")}`;
      },
    },
    legend: { top: 0, left: 0, type: "plain" },
    grid: { top: 32, bottom: 8, right: 84 },
    yAxis: {
      type: "category",
      data: ordered.map((c) => cohortName(c, labels.withPlatform, labels.grain, f)),
      ...AXIS,
      // every row keeps its label
      axisLabel: { ...AXIS.axisLabel, interval: 0, color: "#495057" },
    },
    xAxis: {
      type: "value",
      max: roasAxisMax([...ordered.map((c) => toNumber(c.roas_actual)), ...predicted]),
      ...AXIS,
      axisLabel: { ...AXIS.axisLabel, formatter: (v: number) => f.ratioPercent(v, 0) },
    },
    series: [
      {
        name: ACTUAL_ROAS,
        type: "bar",
        data: ordered.map((c) => toNumber(c.roas_actual)),
        itemStyle: { color: "#3b5bdb", borderRadius: [0, 3, 3, 0] },
        barMaxWidth: 12,
        label: { show: true, position: "right", fontSize: 11, color: "#495057", formatter: (p: { value: unknown }) => (p.value == null ? "" : f.ratioPercent(p.value as number, 0)) },
        markLine: { ...BREAK_EVEN, data: [{ xAxis: 1 }], label: { ...BREAK_EVEN.label, position: "end" as const } },
      },
      {
        name: PREDICTED_ROAS,
        type: "bar",
        data: predicted,
        itemStyle: { color: "#91a7ff", borderRadius: [0, 3, 3, 0] },
        barMaxWidth: 12,
        label: {
          show: true,
          position: "right",
          fontSize: 11,
          color: "#495057",
          formatter: (p: { value: unknown; dataIndex: number }) => predictedBarLabel(p.value as number | null, horizons[p.dataIndex], f),
        },
      },
    ],
  };
}

/** "49% · 365d": a predicted bar's figure and its horizon. */
export function predictedBarLabel(value: number | null | undefined, horizon: number | null | undefined, f: Formatters): string {
  if (value == null) return "";
  return horizon ? `${f.ratioPercent(value, 0)} · ${horizon}d` : f.ratioPercent(value, 0);
}

export const ACTUAL_ROAS = "Actual ROAS so far";
export const PREDICTED_ROAS = "Predicted ROAS";

/** Whether a cohort has survival points to draw. */
export function hasSurvival(c: Cohort): boolean {
  return c.survival.length > 1;
}

/** The last day a cohort's survival is known (its observed life). */
export function observedDays(c: Cohort): number {
  return Math.max(0, ...c.survival.map((p) => p.day));
}

/** A cohort's survival as [day, share] pairs split where observed churn ends: `seen` rests on
 * observed churn alone, `predicted` (from the last seen day on, so the lines meet) includes the
 * churn model's prediction for the customers whose inactivity has not lasted long enough. */
export function survivalParts(c: Cohort): { seen: [number, number | null][]; predicted: [number, number | null][] } {
  // day 0 is everyone (100%), left out so the axis can show the curves' detail
  const points = [...c.survival].filter((p) => p.day > 0).sort((a, b) => a.day - b.day);
  const seen = points.filter((p) => p.observed !== false);
  const lastSeen = seen.length ? seen[seen.length - 1].day : -1;
  const predicted = points.filter((p) => p.observed === false || (p.day === lastSeen && points.some((q) => q.observed === false)));
  const pair = (p: (typeof points)[number]): [number, number | null] => [p.day, toNumber(p.p)];
  return { seen: seen.map(pair), predicted: predicted.map(pair) };
}

/** "Week of Nov 9 · Meta Ads: 38% still buying (includes predicted churn)", per cohort, on a day. */
function survivalTooltip(params: TooltipParam[], f: Formatters): string {
  const byName = new Map<string, { color: string; text: string }>();
  for (const p of params) {
    const raw = Array.isArray(p.value) ? p.value[1] : p.value;
    if (raw == null) continue;
    const predicted = String(p.seriesId ?? "").endsWith("-predicted");
    const name = p.seriesName ?? "";
    if (byName.has(name) && !predicted) continue;
    byName.set(name, {
      color: p.color ?? "",
      text: `${f.ratioPercent(raw as number, 0)} still buying${predicted ? " (includes predicted churn)" : ""}`,
    });
  }
  const first = params[0];
  const day = first ? (Array.isArray(first.value) ? first.value[0] : first.axisValue) : "";
  const rows = [...byName.entries()].map(
    ([name, e]) =>
      `<div><span style="display:inline-block;width:8px;height:8px;border-radius:4px;margin-right:6px;background:${escapeHtml(e.color)}"></span>${escapeHtml(name)}: <b>${escapeHtml(e.text)}</b></div>`,
  );
  return `<div style="font-weight:600;margin-bottom:4px">Day ${escapeHtml(String(day))} since acquisition</div>${rows.join("")}`;
}

/** The last known point of a cohort's survival: how many are still buying on the day it has
 * reached, and whether that rests on observed churn alone; null without points. */
export function survivalEnd(c: Cohort): { day: number; p: number; observed: boolean } | null {
  const points = [...c.survival].sort((a, b) => a.day - b.day);
  const last = points[points.length - 1];
  const p = last ? toNumber(last.p) : null;
  return last && p !== null ? { day: last.day, p, observed: last.observed !== false } : null;
}

/** The top of the survival axis: the highest share after day 0 (everyone on day 0, not drawn)
 * rounded up to a tenth, so that curves that fall to 10% in a day are not drawn flat. */
export function survivalAxisMax(cohorts: Cohort[]): number {
  const after = cohorts.flatMap((c) => c.survival.filter((p) => p.day > 0).map((p) => toNumber(p.p) ?? 0));
  const top = Math.max(0, ...after);
  return Math.min(1, Math.ceil((top + 0.02) * 10) / 10);
}

/** Kaplan-Meier survival of each cohort over its observed life: solid where churn is observed,
 * dashed where it includes the churn model's prediction; `colorIndex` keeps each cohort's color
 * from the selector. */
export function survivalOption(cohorts: Cohort[], labels: CohortLabels, f: Formatters, colorIndex: (c: Cohort) => number = () => 0): EChartsOption {
  return {
    legend: { show: false },
    tooltip: { trigger: "axis", formatter: (params: unknown) => survivalTooltip(params as TooltipParam[], f) },
    grid: { top: 16, bottom: 40, left: 48, right: 16 },
    xAxis: { type: "value", name: "Days since acquisition", nameLocation: "middle", nameGap: 28, min: 0, max: "dataMax", ...AXIS },
    yAxis: {
      type: "value",
      min: 0,
      max: survivalAxisMax(cohorts),
      ...AXIS,
      axisLabel: { ...AXIS.axisLabel, formatter: (v: number) => f.ratioPercent(v, 0) },
    },
    series: cohorts.flatMap((c) => {
      const name = cohortName(c, labels.withPlatform, labels.grain, f);
      const color = cohortColor(colorIndex(c));
      const { seen, predicted } = survivalParts(c);
      const line = (id: string, data: [number, number | null][], dashed: boolean) => ({
        id: `${cohortKey(c)}-${id}`,
        name,
        type: "line" as const,
        step: "end" as const,
        showSymbol: false,
        data,
        lineStyle: { width: 2, color, type: dashed ? ("dashed" as const) : ("solid" as const) },
        itemStyle: { color },
      });
      return [line("seen", seen, false), ...(predicted.length ? [line("predicted", predicted, true)] : [])];
    }),
  };
}
