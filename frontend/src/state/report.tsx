/**
 * The report context shared by every page: the date range (kept in the URL's `start`/`end` so a
 * link shows the same numbers), the reporting currency (as the API reports it) and the locale.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { useSearchParams } from "react-router";
import { defaultRange, parseRange, type DateRange } from "../lib/dates";
import { defaultLocale } from "../lib/format";

export const RANGE_KEYS = ["start", "end"] as const;

export function useDateRange(): [DateRange, (range: DateRange) => void] {
  const [params, setParams] = useSearchParams();
  const start = params.get("start");
  const end = params.get("end");
  const range = useMemo(() => parseRange(start, end) ?? defaultRange(), [start, end]);
  const setRange = useCallback(
    (next: DateRange) =>
      setParams((prev) => {
        const p = new URLSearchParams(prev);
        p.set("start", next.start);
        p.set("end", next.end);
        return p;
      }),
    [setParams],
  );
  return [range, setRange];
}

/** The range part of the current search ("?start=…&end=…"), carried along by the navigation. */
export function useRangeSearch(): string {
  const [params] = useSearchParams();
  const kept = new URLSearchParams();
  for (const key of RANGE_KEYS) {
    const v = params.get(key);
    if (v) kept.set(key, v);
  }
  const s = kept.toString();
  return s ? `?${s}` : "";
}

interface ReportSettings {
  currency: string | null;
  setCurrency: (currency: string | null) => void;
  locale: string | undefined;
}

const ReportContext = createContext<ReportSettings>({
  currency: null,
  setCurrency: () => {},
  locale: undefined,
});

const CURRENCY_KEY = "spendlens.currency";

function storedCurrency(): string | null {
  try {
    return sessionStorage.getItem(CURRENCY_KEY);
  } catch {
    return null;
  }
}

export function ReportProvider({ children, locale }: { children: ReactNode; locale?: string }) {
  const [currency, setCurrencyState] = useState<string | null>(storedCurrency);
  const setCurrency = useCallback((c: string | null) => {
    setCurrencyState(c);
    try {
      if (c) sessionStorage.setItem(CURRENCY_KEY, c);
    } catch {
      /* private mode: the header just shows the currency of the page */
    }
  }, []);
  const value = useMemo(
    () => ({ currency, setCurrency, locale: locale ?? defaultLocale() }),
    [currency, setCurrency, locale],
  );
  return <ReportContext.Provider value={value}>{children}</ReportContext.Provider>;
}

export function useReport(): ReportSettings {
  return useContext(ReportContext);
}

/** Pages call this with the `currency` of their API answer; the header then shows it. */
export function useReportedCurrency(currency: string | null | undefined): void {
  const { currency: current, setCurrency } = useReport();
  useEffect(() => {
    if (currency && currency !== current) setCurrency(currency);
  }, [currency, current, setCurrency]);
}
