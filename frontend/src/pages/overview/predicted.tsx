/** The Overview's predicted cards: the one predicted ROAS of the range (API field `prediction`,
 * as the Channels totals and the Cohorts rows show it: its horizon, source and backtested error)
 * and the expected payers of its customers too young for revenue history. */
import type { ReactNode } from "react";
import type { Overview, PredictedRoasTrust } from "../../api/types";
import type { Numeric } from "../../lib/format";
import { payersSentence, payersShort } from "../../lib/early";
import { predictionSentence, predictionShort, shownRoas } from "../../lib/prediction";
import { errorSentence, intervalText } from "../../lib/trust";
import { TrustNote } from "../../components/TrustNote";
import type { KpiComparison } from "../../components/KpiCard";
import type { Formatters } from "../../state/useFormat";

export interface KpiCardSpec {
  title: string;
  key: string;
  /** The card's figure when it is not `current[key]`. */
  value?: number | null;
  /** The previous range's figure when `value` is given (none: not compared). */
  previous?: number | null;
  format: (v: Numeric) => string;
  good: "up" | "down" | "neutral";
  help?: string;
  comparison?: KpiComparison;
  note?: ReactNode;
}

type Kpis = Overview["current"];
const trustOf = (kpis: Kpis) => kpis as unknown as PredictedRoasTrust & { age_days?: number };

/** The range's one predicted ROAS: the LTV model's 365-day figure, or early signals' 30-day one
 * where the API chose it; below it its horizon, source and backtested error and, for the LTV
 * model's, its 80% interval. Compared with the previous range's only at the same horizon. */
export function predictedRoasCard(current: Kpis, previous: Kpis, f: Formatters): KpiCardSpec {
  const now = trustOf(current);
  const before = trustOf(previous);
  const p = now.prediction;
  const value = shownRoas(p, current.predicted_roas);
  const beforeValue = shownRoas(before.prediction, previous.predicted_roas);
  const sameHorizon = !p || !before.prediction || before.prediction.horizon_days === p.horizon_days;
  // the LTV model's 80% interval (an API without `prediction`: the range's, as before it)
  const range = p
    ? p.source === "ltv"
      ? intervalText(p.interval, f)
      : null
    : value == null || !("accuracy" in now)
      ? null
      : (intervalText(now.predicted_roas_interval, f) ?? "not backtested at this age");
  // the backtest behind the range, when it was read at the range's age (a range whose customers
  // are all young is judged at theirs: `prediction` says which)
  const atRangeAge = !p || p.age_bucket === now.accuracy?.age_bucket;
  return {
    title: "Predicted ROAS",
    key: "predicted_roas",
    value,
    previous: sameHorizon ? beforeValue : null,
    format: f.roas,
    good: "up",
    help:
      "One predicted ROAS of the customers acquired: the LTV model's predicted 365-day revenue ÷ spend, or, when all of them are too young for revenue history, early signals' 30-day figure where their stored backtest at that age was closer than the LTV model's on the same 30-day revenue. Below it: its horizon, source and typical error (the median error of backtested cohorts at that age) and, for the LTV model's, its 80% interval (8 in 10 backtested cohorts of that size and age fell inside)",
    comparison: sameHorizon
      ? undefined
      : {
          current: null,
          previous: null,
          label: `not compared: the previous range's is ${before.prediction?.horizon_days}-day`,
          tooltip: `This range's predicted ROAS is ${p?.horizon_days}-day revenue ÷ spend, the previous range's ${before.prediction?.horizon_days}-day: two horizons are not compared.`,
        },
    note: (
      <>
        <TrustNote text={predictionShort(p)} tooltip={predictionSentence(p, f)} wrap />
        <TrustNote
          wrap
          text={range}
          tooltip={atRangeAge ? errorSentence("D{h} ROAS", now.accuracy, now.age_days, f, 365) : predictionSentence(p, f)}
        />
      </>
    ),
  };
}

/** Expected payers of the range's customers too young for revenue history (none without them). */
export function expectedPayersCard(current: Kpis, f: Formatters): KpiCardSpec[] {
  const early = trustOf(current).early;
  if (!early || early.expected_payers_30 == null) return [];
  const who = `${f.shortDate(early.from)}–${f.shortDate(early.to)}`;
  return [
    {
      title: "Expected payers",
      key: "expected_payers",
      value: early.expected_payers_30,
      format: (v) => f.number(v, 1),
      good: "up",
      help: `Customers acquired ${who}, too young for revenue history, expected to make a first purchase within ${early.horizon_days} days of acquisition. Below it: of how many customers, the age it was predicted at and its backtested error`,
      note: (
        <TrustNote
          wrap
          text={[`of ${f.integer(early.customers)}`, payersShort(early)].filter(Boolean).join(" · ")}
          tooltip={payersSentence(early, f)}
        />
      ),
      // only the range's newest customers have them: say whose they are instead of a comparison
      comparison: {
        current: null,
        previous: null,
        label: `customers of ${who} only`,
        tooltip: "Only customers too young for revenue history have expected payers, so they are not compared with the previous range.",
      },
    },
  ];
}
