/** The early predicted ROAS and expected payers of customers too young for revenue history, in
 * words a marketer reads beside them, with their backtested error (API field `early`). */
import type { EarlyFigures } from "../api/types";
import type { Formatters } from "../state/useFormat";

/** "D1 ±12% backtested": the age the figures were predicted at and their backtested error. */
export function earlyShort(e: EarlyFigures | null | undefined): string | null {
  if (!e?.accuracy) return null;
  const error = e.accuracy.predicted_roas_err_pct;
  return error == null ? `${e.accuracy.age_bucket}, not judged` : `${e.accuracy.age_bucket} ±${Math.round(error)}% backtested`;
}

/** "D1 ±32% backtested": the backtested error of expected payers at the age they were predicted
 * at (the median error per weekly cohort, as stored: not the early ROAS's, nor rounded to a better one). */
export function payersShort(e: EarlyFigures | null | undefined): string | null {
  if (!e?.accuracy) return null;
  const error = e.accuracy.expected_payers_err_pct;
  return error == null ? `${e.accuracy.age_bucket}, not judged` : `${e.accuracy.age_bucket} ±${Math.round(error)}% backtested`;
}

/** Expected payers and their backtest at that age in a sentence (a tooltip). */
export function payersSentence(e: EarlyFigures | null | undefined, f: Formatters): string | null {
  if (!e || e.expected_payers_30 == null) return null;
  let text = `${f.number(e.expected_payers_30, 1)} of ${f.integer(e.customers)} customers acquired ${f.shortDate(e.from)}–${f.shortDate(e.to)} are expected to make a first purchase within ${e.horizon_days} days.`;
  const a = e.accuracy;
  if (a?.expected_payers_err_pct != null) {
    text += ` Predicted at ${a.age_bucket} (the age of the youngest of them when scored): in a backtest over ${f.integer(a.weeks ?? 0)} weekly cohorts predicted at ${a.age_bucket}, expected payers were off by ±${f.number(a.expected_payers_err_pct, 1)}% (median per weekly cohort).`;
  }
  return text;
}

/** The whole definition and its backtest in sentences (a tooltip). */
export function earlySentence(e: EarlyFigures | null | undefined, f: Formatters, currency?: string | null): string | null {
  if (!e || e.predicted_roas == null) return null;
  const money = (v: EarlyFigures["spend"]) => f.money(v, currency ?? undefined);
  let text =
    `Early predicted ${e.horizon_days}-day ROAS of the customers acquired ${f.shortDate(e.from)}–${f.shortDate(e.to)}, too young for revenue history: ` +
    `${f.number(e.expected_payers_30 ?? 0, 1)} expected first-time payers of ${f.integer(e.customers)} customers ` +
    `× ${money(e.value_per_payer)} per payer ÷ ${money(e.spend)} spend.`;
  const a = e.accuracy;
  if (a) {
    text += ` Predicted at ${a.age_bucket} (the age of the youngest of these customers when scored) from in-app events; in a backtest over ${f.integer(a.weeks ?? 0)} weekly cohorts the median cohort's early predicted revenue was off by ±${f.number(a.predicted_roas_err_pct ?? 0, 1)}% and its expected payers by ±${f.number(a.expected_payers_err_pct ?? 0, 1)}%`;
    text += a.auc != null ? ` (AUC ${f.number(a.auc, 2)}).` : ".";
  }
  if (e.scored < e.customers) text += ` ${f.integer(e.customers - e.scored)} customers acquired since the last scoring count at the scored ones' rate.`;
  return text;
}
