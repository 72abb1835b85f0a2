/** How far to trust a predicted figure, in words a marketer reads beside it: the active model's
 * backtest at the customers' age (API field `accuracy` and its kin), never invented here. */
import type { ChurnAccuracy, ChurnAgeAccuracy, PredictionAccuracy } from "../api/types";
import type { Formatters } from "../state/useFormat";

/** "±18%": the median backtested error, or null when the backtest did not judge that age. */
export function errorShort(a: PredictionAccuracy | null | undefined, f: Formatters): string | null {
  if (!a || a.error_p50 == null) return null;
  return `±${f.ratioPercent(a.error_p50, 0)}`;
}

/** "D365 ROAS predicted at age 7 days: backtested error ±18% (8 in 10 cohorts within ±31%) ...".
 * `what` names the figure with `{h}` for the horizon judged, e.g. "D{h} ROAS". */
export function errorSentence(
  what: string,
  a: PredictionAccuracy | null | undefined,
  ageDays: number | null | undefined,
  f: Formatters,
  askedHorizon?: number,
): string | null {
  if (!a || a.error_p50 == null) return null;
  const age = ageDays == null ? a.age_bucket : `age ${f.days(ageDays)}`;
  let text = `${what.replace("{h}", String(a.horizon_days))} predicted at ${age}: backtested error ±${f.ratioPercent(a.error_p50, 0)}`;
  if (a.error_p80 != null) text += ` (8 in 10 cohorts within ±${f.ratioPercent(a.error_p80, 0)})`;
  if (a.bias != null && Math.abs(a.bias) >= 0.05) {
    text += `; in total the model ${a.bias < 0 ? "under" : "over"}-predicted by ${f.ratioPercent(Math.abs(a.bias), 0)}`;
  }
  text += a.cohorts ? `. Judged on ${f.integer(a.cohorts)} past cohorts of that age.` : ".";
  if (askedHorizon != null && a.horizon_days < askedHorizon) {
    text += ` The ${askedHorizon}-day prediction itself has too little history to be backtested yet.`;
  }
  return text;
}

/** "80% interval 61%–104%": a predicted ROAS's interval (8 in 10 backtested cohorts of its size
 * and age fell inside), or null without one. */
export function intervalText(i: { low: number; high: number } | null | undefined, f: Formatters): string | null {
  return i ? `80% interval ${f.roas(i.low)}–${f.roas(i.high)}` : null;
}

/** "AUC 0.81": the churn model's backtested ranking (at the customers' age when the backtest
 * judged it: "AUC 0.77 at D90"), or null without a backtest. */
export function churnShort(c: ChurnAccuracy | null | undefined, f: Formatters): string | null {
  return churnAgeShort(c?.at_age, f) ?? (c?.auc != null ? `AUC ${f.number(c.auc, 2)}` : null);
}

/** "AUC 0.77 at D90" (or "Brier 0.20 at D7" where AUC is undefined), or null. */
export function churnAgeShort(a: ChurnAgeAccuracy | null | undefined, f: Formatters): string | null {
  if (!a) return null;
  if (a.auc != null) return `AUC ${f.number(a.auc, 2)} at ${a.age_bucket}`;
  return a.brier != null ? `Brier ${f.number(a.brier, 2)} at ${a.age_bucket}` : null;
}

/** The churn backtest among customers of one age, in a sentence. */
export function churnAgeSentence(a: ChurnAgeAccuracy | null | undefined, f: Formatters): string | null {
  if (!a) return null;
  const parts: string[] = [];
  if (a.auc != null) parts.push(`AUC ${f.number(a.auc, 2)}`);
  if (a.pr_auc != null) parts.push(`PR-AUC ${f.number(a.pr_auc, 2)}`);
  if (a.brier != null) parts.push(`Brier ${f.number(a.brier, 2)}`);
  if (!parts.length) return null;
  let text = `Predicted at cohort age ${a.age_bucket}: backtested ${parts.join(", ")}`;
  if (a.auc == null) text += " (AUC undefined: all or none of them churned)";
  if (a.predicted_rate != null && a.observed_rate != null) {
    text += `; it predicted ${f.ratioPercent(a.predicted_rate, 0)} churn where ${f.ratioPercent(a.observed_rate, 0)} churned`;
  }
  return a.customers ? `${text} (${f.integer(a.customers)} customers of that age).` : `${text}.`;
}

/** The churn backtest in a sentence: what churn means, how well it ranks, how calibrated, and
 * how well at the customers' age (`atAge`, by default the report's `at_age`). */
export function churnSentence(
  c: ChurnAccuracy | null | undefined,
  f: Formatters,
  atAge?: ChurnAgeAccuracy | null,
): string | null {
  if (!c || c.auc == null) return null;
  let text = `Churn = no purchase within ${c.horizon_days ?? "the model's"} days. Backtested AUC ${f.number(c.auc, 2)} (0.5 = guessing, 1 = perfect)`;
  if (c.predicted_rate != null && c.observed_rate != null) {
    text += `; in the backtest it predicted ${f.ratioPercent(c.predicted_rate, 0)} churn where ${f.ratioPercent(c.observed_rate, 0)} churned`;
  }
  const age = churnAgeSentence(atAge === undefined ? c.at_age : atAge, f);
  return age ? `${text}. ${age}` : `${text}.`;
}
