/** The one predicted ROAS of a row (API field `prediction`), in the words a marketer reads beside
 * it: its horizon, which model it comes from, the age its backtested error is read at, and why
 * that model was chosen for a young row (backend.services.predictions.shown_roas). */
import type { Prediction } from "../api/types";
import type { Formatters } from "../state/useFormat";

/** The predicted figure of a row: the API's `prediction`, or the LTV model's from an API without it. */
export function shownRoas(p: Prediction | null | undefined, ltvRoas: number | string | null | undefined): number | null {
  if (p) return p.roas;
  return ltvRoas == null ? null : Number(ltvRoas);
}

function source(p: Prediction): string {
  return p.source === "early" ? "early signals" : "the LTV model";
}

/** "typical error ±13% (median, backtested at D1)": what the error beside a predicted figure
 * is — the median error of backtested cohorts at that age, not an interval (`intervalText`). */
export function typicalError(errorPct: number, ageBucket: string | null | undefined): string {
  return `typical error ±${Math.round(errorPct)}% (median, backtested${ageBucket ? ` at ${ageBucket}` : ""})`;
}

/** "30d · early signals · typical error ±13% (median, backtested at D1)": what is shown under
 * the figure. */
export function predictionShort(p: Prediction | null | undefined): string | null {
  if (!p) return null;
  const from = p.source === "early" ? "early signals" : "LTV model";
  const error = p.error_pct == null ? ", not backtested at this age" : ` · ${typicalError(p.error_pct, p.age_bucket)}`;
  return `${p.horizon_days}d · ${from}${error}`;
}

/** "Predicted ROAS (30d): 56.0%, from early signals, typical error ±13% (median, backtested at D1)". */
export function predictionTitle(p: Prediction | null | undefined, f: Formatters): string | null {
  if (!p || p.roas == null) return null;
  const error = p.error_pct == null ? ", not backtested at this age" : `, ${typicalError(p.error_pct, p.age_bucket)}`;
  return `Predicted ROAS (${p.horizon_days}d): ${f.roas(p.roas)}, from ${source(p)}${error}`;
}

/** Why this model's figure is the one shown, from the two stored backtests; null for a row only
 * one model predicts. */
export function predictionWhy(p: Prediction | null | undefined, f: Formatters): string | null {
  const c = p?.compared;
  if (!p || !c) return null;
  const size = c.cohort_customers != null ? ` (cohorts of about ${f.integer(c.cohort_customers)} customers)` : "";
  const early = c.early_error_pct == null ? "not judged" : `±${f.number(c.early_error_pct, 1)}% (median per weekly cohort)`;
  const ltv = c.ltv_error_pct == null ? `not judged at this age` : `±${f.number(c.ltv_error_pct, 1)}% (median per cohort)`;
  const judged = `Both models were backtested on ${c.horizon_days}-day revenue at the age early signals were judged at${size}: early signals (at ${c.early_age_bucket ?? "—"}) ${early}, the LTV model${c.ltv_age_bucket ? ` (at ${c.ltv_age_bucket})` : ""} ${ltv}.`;
  const chosen =
    p.source === "early"
      ? ` Early signals were the closer, so this row shows their ${p.horizon_days}-day figure rather than the LTV model's longer-horizon one.`
      : ` The LTV model was the closer, so this row shows its ${p.horizon_days}-day figure.`;
  return judged + chosen;
}

/** The title and why, in sentences (a tooltip). */
export function predictionSentence(p: Prediction | null | undefined, f: Formatters): string | null {
  const title = predictionTitle(p, f);
  if (!title) return null;
  const why = predictionWhy(p, f);
  return why ? `${title}. ${why}` : `${title}.`;
}
