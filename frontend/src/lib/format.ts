/**
 * Number and date formatting for the whole dashboard: one place, Intl only.
 *
 * Missing values are shown as "—" and values that are not final yet (a cohort that has not
 * reached day n) as "incomplete" — never as 0, which would read as a real measurement.
 */

/** Numbers arrive as JSON numbers or as decimal strings (exact money from the API). */
export type Numeric = number | string | null | undefined;

export const MISSING = "—";
export const INCOMPLETE = "incomplete";

export type MetricKind =
  | "money"
  | "integer"
  | "number"
  | "ratioPercent"
  | "percent"
  | "roas"
  | "multiple"
  | "days"
  | "text";

export interface FormatOptions {
  locale?: string;
  currency?: string;
  /** Short notation for cards and chart axes: $1.2M. */
  compact?: boolean;
  /** false marks a value that is not final: it is shown as "incomplete". */
  complete?: boolean | null;
}

const cache = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string | undefined, options: Intl.NumberFormatOptions) {
  const key = `${locale ?? ""}|${JSON.stringify(options)}`;
  let fmt = cache.get(key);
  if (!fmt) {
    fmt = new Intl.NumberFormat(locale, options);
    cache.set(key, fmt);
  }
  return fmt;
}

/** The number behind a value, or null when there is none (null, "", NaN, Infinity). */
export function toNumber(value: Numeric): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" && value.trim() === "") return null;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

export function defaultLocale(): string | undefined {
  if (typeof navigator !== "undefined" && navigator.language) return navigator.language;
  return undefined;
}

/** Money in `currency` with that currency's own minor units (JPY has none, USD two). */
export function formatMoney(value: Numeric, currency: string | undefined, opts: FormatOptions = {}) {
  const n = toNumber(value);
  if (n === null) return MISSING;
  const locale = opts.locale ?? defaultLocale();
  if (!currency) return formatNumber(n, { ...opts, locale });
  const options: Intl.NumberFormatOptions = { style: "currency", currency };
  if (opts.compact && Math.abs(n) >= 10_000) {
    options.notation = "compact";
    options.maximumFractionDigits = 1;
  }
  try {
    return numberFormat(locale, options).format(n);
  } catch {
    // An unknown currency code: still show the amount, with the code beside it.
    return `${formatNumber(n, { ...opts, locale })} ${currency}`;
  }
}

/** The symbol a currency is written with in the locale ("$", "€", "CHF"); the code if unknown. */
export function currencySymbol(currency: string, locale?: string): string {
  try {
    const parts = numberFormat(locale ?? defaultLocale(), { style: "currency", currency }).formatToParts(0);
    return parts.find((p) => p.type === "currency")?.value ?? currency;
  } catch {
    return currency;
  }
}

/** Money without minor units once it is large (cards, budgets): $136,210 rather than $136,210.34. */
export function formatMoneyWhole(value: Numeric, currency: string | undefined, opts: FormatOptions = {}) {
  const n = toNumber(value);
  if (n === null) return MISSING;
  if (!currency || Math.abs(n) < 1000) return formatMoney(n, currency, opts);
  try {
    return numberFormat(opts.locale ?? defaultLocale(), {
      style: "currency",
      currency,
      minimumFractionDigits: 0,
      maximumFractionDigits: 0,
    }).format(n);
  } catch {
    return formatMoney(n, currency, opts);
  }
}

/** Chart axis ticks: always short ($8K, $1.2M, ¥350K). */
export function formatMoneyAxis(value: Numeric, currency: string | undefined, opts: FormatOptions = {}) {
  const n = toNumber(value);
  if (n === null) return MISSING;
  const options: Intl.NumberFormatOptions = { notation: "compact", maximumFractionDigits: 1 };
  if (currency) Object.assign(options, { style: "currency", currency });
  try {
    return numberFormat(opts.locale ?? defaultLocale(), options).format(n);
  } catch {
    return formatNumber(n, { ...opts, compact: true });
  }
}

export function formatInteger(value: Numeric, opts: FormatOptions = {}) {
  const n = toNumber(value);
  if (n === null) return MISSING;
  const options: Intl.NumberFormatOptions = { maximumFractionDigits: 0 };
  if (opts.compact && Math.abs(n) >= 10_000) {
    options.notation = "compact";
    options.maximumFractionDigits = 1;
  }
  return numberFormat(opts.locale ?? defaultLocale(), options).format(n);
}

export function formatNumber(value: Numeric, opts: FormatOptions & { digits?: number } = {}) {
  const n = toNumber(value);
  if (n === null) return MISSING;
  const digits = opts.digits ?? 2;
  return numberFormat(opts.locale ?? defaultLocale(), {
    maximumFractionDigits: digits,
    ...(opts.compact && Math.abs(n) >= 10_000 ? { notation: "compact" as const } : {}),
  }).format(n);
}

/** A ratio as a percentage with exactly `digits` decimals, so that a column reads in one format:
 * 0.123 → "12.3%", 0.37 → "37.0%". */
export function formatRatioPercent(value: Numeric, opts: FormatOptions & { digits?: number } = {}) {
  const n = toNumber(value);
  if (n === null) return MISSING;
  const digits = opts.digits ?? 1;
  return numberFormat(opts.locale ?? defaultLocale(), {
    style: "percent",
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(n);
}

/** A value that is already in percent: 95.2 → "95.2%". */
export function formatPercent(value: Numeric, opts: FormatOptions & { digits?: number } = {}) {
  const n = toNumber(value);
  if (n === null) return MISSING;
  return formatRatioPercent(n / 100, opts);
}

/** ROAS is a ratio (revenue ÷ spend) shown as a percentage: 1.234 → "123.4%". */
export function formatRoas(value: Numeric, opts: FormatOptions = {}) {
  return formatRatioPercent(value, { ...opts, digits: 1 });
}

/** A multiple such as LTV:CAC: 3.24 → "3.2×". */
export function formatMultiple(value: Numeric, opts: FormatOptions = {}) {
  const n = toNumber(value);
  if (n === null) return MISSING;
  const text = numberFormat(opts.locale ?? defaultLocale(), {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(n);
  return `${text}×`;
}

export function formatDays(value: Numeric, opts: FormatOptions = {}) {
  const n = toNumber(value);
  if (n === null) return MISSING;
  return numberFormat(opts.locale ?? defaultLocale(), {
    style: "unit",
    unit: "day",
    unitDisplay: "short",
    maximumFractionDigits: 0,
  }).format(n);
}

/** One entry point for table cells and cards. */
export function formatMetric(kind: MetricKind, value: unknown, opts: FormatOptions = {}): string {
  if (opts.complete === false) return INCOMPLETE;
  if (kind === "text") {
    return value === null || value === undefined || value === "" ? MISSING : String(value);
  }
  const v = value as Numeric;
  switch (kind) {
    case "money":
      return formatMoney(v, opts.currency, opts);
    case "integer":
      return formatInteger(v, opts);
    case "number":
      return formatNumber(v, opts);
    case "ratioPercent":
      return formatRatioPercent(v, opts);
    case "percent":
      return formatPercent(v, opts);
    case "roas":
      return formatRoas(v, opts);
    case "multiple":
      return formatMultiple(v, opts);
    case "days":
      return formatDays(v, opts);
  }
}

export interface Delta {
  /** (current − previous) ÷ |previous|; null when there is nothing to compare with. */
  ratio: number | null;
  text: string;
  direction: "up" | "down" | "flat" | "none";
}

/** Change of `current` against `previous` as a signed percentage: "+12.3%". */
export function formatDelta(current: Numeric, previous: Numeric, opts: FormatOptions = {}): Delta {
  const cur = toNumber(current);
  const prev = toNumber(previous);
  if (cur === null || prev === null || prev === 0) {
    return { ratio: null, text: MISSING, direction: "none" };
  }
  const ratio = (cur - prev) / Math.abs(prev);
  const text = numberFormat(opts.locale ?? defaultLocale(), {
    style: "percent",
    maximumFractionDigits: 1,
    signDisplay: "exceptZero",
  }).format(ratio);
  const rounded = Math.round(ratio * 1000) / 1000;
  return { ratio, text, direction: rounded > 0 ? "up" : rounded < 0 ? "down" : "flat" };
}

/** Age of data in hours: "< 1m", "23m", "5h", "3d". */
export function formatAge(hours: Numeric, opts: FormatOptions = {}) {
  const h = toNumber(hours);
  if (h === null) return MISSING;
  const locale = opts.locale ?? defaultLocale();
  const minute = (n: number) =>
    numberFormat(locale, { style: "unit", unit: "minute", unitDisplay: "narrow", maximumFractionDigits: 0 }).format(n);
  if (h < 1 / 60) return `< ${minute(1)}`;
  if (h < 1) return minute(Math.floor(h * 60));
  if (h < 48) {
    return numberFormat(locale, {
      style: "unit",
      unit: "hour",
      unitDisplay: "narrow",
      maximumFractionDigits: 0,
    }).format(h);
  }
  return numberFormat(locale, {
    style: "unit",
    unit: "day",
    unitDisplay: "narrow",
    maximumFractionDigits: 0,
  }).format(h / 24);
}

/** A calendar date "YYYY-MM-DD" is a day, not an instant: read it in local time. */
function parseDate(value: string): Date | null {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day) return new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

const dateCache = new Map<string, Intl.DateTimeFormat>();

function dateFormat(locale: string | undefined, options: Intl.DateTimeFormatOptions) {
  const key = `${locale ?? ""}|${JSON.stringify(options)}`;
  let fmt = dateCache.get(key);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat(locale, options);
    dateCache.set(key, fmt);
  }
  return fmt;
}

export function formatDate(value: string | null | undefined, opts: FormatOptions = {}) {
  if (!value) return MISSING;
  const d = parseDate(value);
  if (!d) return MISSING;
  return dateFormat(opts.locale ?? defaultLocale(), { dateStyle: "medium" }).format(d);
}

export function formatShortDate(value: string | null | undefined, opts: FormatOptions = {}) {
  if (!value) return MISSING;
  const d = parseDate(value);
  if (!d) return MISSING;
  return dateFormat(opts.locale ?? defaultLocale(), { month: "short", day: "numeric" }).format(d);
}

/** A moment with its time zone named ("Dec 7, 2026, 11:05 AM GMT+1"): in `timeZone` (an IANA
 * name), else the user's own. */
export function formatZonedDateTime(value: string | null | undefined, opts: FormatOptions & { timeZone?: string } = {}) {
  if (!value) return MISSING;
  const d = parseDate(value);
  if (!d) return MISSING;
  return dateFormat(opts.locale ?? defaultLocale(), {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "short",
    ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
  }).format(d);
}

/** The user's time zone as an IANA name ("Europe/Berlin"). */
export function userTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function formatDateTime(value: string | null | undefined, opts: FormatOptions = {}) {
  if (!value) return MISSING;
  const d = parseDate(value);
  if (!d) return MISSING;
  return dateFormat(opts.locale ?? defaultLocale(), {
    dateStyle: "medium",
    timeStyle: "short",
  }).format(d);
}
