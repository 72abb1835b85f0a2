/** Formatters bound to the user's locale and a currency, for pages and charts. */
import { useMemo } from "react";
import {
  formatAge,
  formatDate,
  formatDateTime,
  formatDays,
  formatInteger,
  formatMetric,
  formatMoney,
  formatMoneyAxis,
  formatMoneyWhole,
  formatMultiple,
  formatNumber,
  formatPercent,
  formatRatioPercent,
  formatRoas,
  formatShortDate,
  formatZonedDateTime,
  type MetricKind,
  type Numeric,
} from "../lib/format";
import { useReport } from "./report";

/** The formatters of `locale` and `currency` (the reporting currency unless a call names one). */
export function formattersFor(locale: string | undefined, cur: string | undefined) {
  return {
    locale,
    currency: cur,
    money: (v: Numeric, c?: string) => formatMoney(v, c ?? cur, { locale }),
    moneyCompact: (v: Numeric, c?: string) => formatMoney(v, c ?? cur, { locale, compact: true }),
    moneyWhole: (v: Numeric, c?: string) => formatMoneyWhole(v, c ?? cur, { locale }),
    moneyAxis: (v: Numeric, c?: string) => formatMoneyAxis(v, c ?? cur, { locale }),
    integer: (v: Numeric) => formatInteger(v, { locale }),
    integerCompact: (v: Numeric) => formatInteger(v, { locale, compact: true }),
    number: (v: Numeric, digits = 2) => formatNumber(v, { locale, digits }),
    ratioPercent: (v: Numeric, digits = 1) => formatRatioPercent(v, { locale, digits }),
    percent: (v: Numeric, digits = 1) => formatPercent(v, { locale, digits }),
    roas: (v: Numeric) => formatRoas(v, { locale }),
    multiple: (v: Numeric) => formatMultiple(v, { locale }),
    days: (v: Numeric) => formatDays(v, { locale }),
    age: (v: Numeric) => formatAge(v, { locale }),
    date: (v: string | null | undefined) => formatDate(v, { locale }),
    shortDate: (v: string | null | undefined) => formatShortDate(v, { locale }),
    dateTime: (v: string | null | undefined) => formatDateTime(v, { locale }),
    /** With the time zone named, in the user's own zone. */
    zonedDateTime: (v: string | null | undefined) => formatZonedDateTime(v, { locale }),
    metric: (kind: MetricKind, v: unknown, complete?: boolean | null) =>
      formatMetric(kind, v, { locale, currency: cur, complete }),
  };
}

export function useFormat(currency?: string | null) {
  const { locale, currency: reporting } = useReport();
  const cur = currency ?? reporting ?? undefined;
  return useMemo(() => formattersFor(locale, cur), [locale, cur]);
}

export type Formatters = ReturnType<typeof useFormat>;
