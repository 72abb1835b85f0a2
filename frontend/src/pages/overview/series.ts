/** Turns the overview's long series ({date, platform, spend, revenue}) into chart series. */
import type { SeriesPoint } from "../../api/types";
import { toNumber } from "../../lib/format";

export type SeriesMetric = "spend" | "revenue" | "roas";

export interface ChannelSeries {
  dates: string[];
  platforms: string[];
  /** values[platform][i] for dates[i]; null where the platform has no row that day. */
  values: Record<string, (number | null)[]>;
}

export function channelSeries(points: readonly SeriesPoint[], metric: SeriesMetric): ChannelSeries {
  const dates = Array.from(new Set(points.map((p) => p.date))).sort();
  const platforms = Array.from(new Set(points.map((p) => String(p.platform)))).sort();
  const index = new Map(dates.map((d, i) => [d, i]));
  const values: Record<string, (number | null)[]> = {};
  const spend: Record<string, (number | null)[]> = {};
  const revenue: Record<string, (number | null)[]> = {};
  for (const p of platforms) {
    spend[p] = dates.map(() => null);
    revenue[p] = dates.map(() => null);
  }
  for (const point of points) {
    const i = index.get(point.date)!;
    const p = String(point.platform);
    const s = toNumber(point.spend);
    const r = toNumber(point.revenue);
    if (s !== null) spend[p][i] = (spend[p][i] ?? 0) + s;
    if (r !== null) revenue[p][i] = (revenue[p][i] ?? 0) + r;
  }
  for (const p of platforms) {
    if (metric === "spend") values[p] = spend[p];
    else if (metric === "revenue") values[p] = revenue[p];
    else
      values[p] = dates.map((_, i) => {
        const s = spend[p][i];
        const r = revenue[p][i];
        return s && r !== null ? r / s : null;
      });
  }
  return { dates, platforms, values };
}
