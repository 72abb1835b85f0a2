/** Reporting date ranges: ISO calendar days (YYYY-MM-DD), inclusive at both ends. */
import dayjs, { type Dayjs } from "dayjs";

export interface DateRange {
  start: string;
  end: string;
}

export const ISO_DAY = "YYYY-MM-DD";
const ISO_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDay(value: string | null | undefined): value is string {
  return Boolean(value && ISO_RE.test(value) && dayjs(value, ISO_DAY).isValid());
}

export function toIsoDay(d: Dayjs | Date): string {
  return dayjs(d).format(ISO_DAY);
}

/** The last `days` complete days: today is still being spent, so the range ends yesterday. */
export function lastDays(days: number, today: Dayjs = dayjs()): DateRange {
  const end = today.startOf("day").subtract(1, "day");
  return { start: toIsoDay(end.subtract(days - 1, "day")), end: toIsoDay(end) };
}

export function defaultRange(today: Dayjs = dayjs()): DateRange {
  return lastDays(30, today);
}

export function rangeDays(range: DateRange): number {
  return dayjs(range.end).diff(dayjs(range.start), "day") + 1;
}

/** The range of the same length just before `range` (what the KPI deltas compare with). */
export function previousRange(range: DateRange): DateRange {
  const days = rangeDays(range);
  const end = dayjs(range.start).subtract(1, "day");
  return { start: toIsoDay(end.subtract(days - 1, "day")), end: toIsoDay(end) };
}

/** A range read from the URL, or null when it is absent or malformed (start after end). */
export function parseRange(start: string | null, end: string | null): DateRange | null {
  if (!isIsoDay(start) || !isIsoDay(end)) return null;
  if (start > end) return null;
  return { start, end };
}

export interface RangePreset {
  label: string;
  range: () => DateRange;
}

export function rangePresets(today: Dayjs = dayjs()): RangePreset[] {
  const t = today.startOf("day");
  return [
    { label: "Last 7 days", range: () => lastDays(7, t) },
    { label: "Last 14 days", range: () => lastDays(14, t) },
    { label: "Last 30 days", range: () => lastDays(30, t) },
    { label: "Last 90 days", range: () => lastDays(90, t) },
    {
      label: "Month to date",
      range: () => ({ start: toIsoDay(t.startOf("month")), end: toIsoDay(t) }),
    },
    {
      label: "Last month",
      range: () => {
        const m = t.subtract(1, "month");
        return { start: toIsoDay(m.startOf("month")), end: toIsoDay(m.endOf("month")) };
      },
    },
    {
      label: "Year to date",
      range: () => ({ start: toIsoDay(t.startOf("year")), end: toIsoDay(t) }),
    },
  ];
}

/** The days of a cohort period (its first day, day/week/month) that fall within a range. */
export function cohortDays(cohort: string, grain: "day" | "week" | "month", range: DateRange): DateRange {
  const first = dayjs(cohort);
  const last = grain === "day" ? first : grain === "week" ? first.add(6, "day") : first.endOf("month");
  const start = first.format(ISO_DAY) < range.start ? range.start : first.format(ISO_DAY);
  const end = last.format(ISO_DAY) > range.end ? range.end : last.format(ISO_DAY);
  return { start, end };
}
