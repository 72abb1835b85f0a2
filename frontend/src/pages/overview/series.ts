/** Turns the overview's long series ({date, platform, spend, revenue, revenue_at_age}) into
 * chart series. Revenue and ROAS are those of each day's customers at the same age (their first
 * `comparable.days` days), so that no day is judged on less time to earn than another. */
import type { SeriesPoint } from "../../api/types";
import { toNumber } from "../../lib/format";

export type SeriesMetric = "spend" | "revenue" | "roas";

export interface ChannelSeries {
  dates: string[];
  platforms: string[];
  /** values[platform][i] for dates[i]; null where the platform has no row that day, or where the
   * day's customers are too young for revenue and ROAS at age. */
  values: Record<string, (number | null)[]>;
  /** The dates whose customers are too young for revenue and ROAS at age (the last ones). */
  young: string[];
}

export function channelSeries(points: readonly SeriesPoint[], metric: SeriesMetric, through?: string | null): ChannelSeries {
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
    const r = toNumber(point.revenue_at_age);
    if (s !== null) spend[p][i] = (spend[p][i] ?? 0) + s;
    if (r !== null) revenue[p][i] = (revenue[p][i] ?? 0) + r;
  }
  const young = dates.filter((d) => !through || d > through);
  const old = (i: number) => !young.includes(dates[i]);
  for (const p of platforms) {
    if (metric === "spend") values[p] = spend[p];
    else if (metric === "revenue") values[p] = revenue[p].map((r, i) => (old(i) ? r : null));
    else
      values[p] = dates.map((_, i) => {
        const s = spend[p][i];
        const r = revenue[p][i];
        return old(i) && s && r !== null ? r / s : null;
      });
  }
  return { dates, platforms, values, young };
}

/** Days an account may lag the others for its time zone (one behind UTC finishes a day later). */
const TIME_ZONE_LAG_DAYS = 2;

/** The dates of the chart some account has not reported yet: after the earliest "data through"
 * of the accounts that have data, so that a low last day reads as not yet reported, not as a
 * fall in spend. An account further behind than a time zone explains is stale, not partial
 * (the freshness list says so) and does not shade the chart. */
export function partialDays(dates: readonly string[], dataThrough: readonly (string | null | undefined)[]): string[] {
  const known = dataThrough.filter((d): d is string => Boolean(d)).sort();
  if (!known.length) return [];
  const latest = new Date(`${known[known.length - 1]}T00:00:00Z`);
  latest.setUTCDate(latest.getUTCDate() - TIME_ZONE_LAG_DAYS);
  const floor = latest.toISOString().slice(0, 10);
  const lagging = known.filter((d) => d >= floor);
  return dates.filter((d) => d > lagging[0]);
}
