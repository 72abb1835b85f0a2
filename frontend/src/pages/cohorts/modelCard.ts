/** The model card of the cohorts page in words a marketer reads: what each active version
 * predicts, on which customers it was trained, and how far off its backtest was at each cohort
 * age. Every figure is the API's (the version's stored backtest at its report origins). */
import type { ChurnAccuracy, EarlyAccuracy, FirstPurchaseModelInfo, ModelInfo, PredictionAccuracy } from "../../api/types";
import type { Formatters } from "../../state/useFormat";
import { CHURN_INACTIVITY_DAYS } from "./trust";

/** "Nov 1, 2025 – Dec 6, 2026", or null without a start. */
function span(start: string | null | undefined, end: string | null | undefined, f: Formatters): string | null {
  return start ? `${f.date(start)} – ${end ? f.date(end) : "today"}` : null;
}

/** AUC as ranking quality, in a sentence: `who` did it, `other` did not. */
export function aucSentence(auc: number, who: string, other: string, f: Formatters): string {
  return `AUC ${f.number(auc, 2)}: shown ${who} and ${other}, it ranks the first higher ${f.ratioPercent(auc, 0)} of the time (0.5 = a coin toss, 1 = always)`;
}

export interface LtvCard {
  what: string;
  trained: string;
  backtest: string | null;
  churn: string | null;
}

export function ltvCard(model: ModelInfo, churn: ChurnAccuracy | null | undefined, f: Formatters): LtvCard {
  const horizon = model.horizon_days ?? 365;
  const churnDays = churn?.horizon_days ?? CHURN_INACTIVITY_DAYS;
  const on = span(model.training_start, model.scored_as_of, f);
  const origins = [...new Set((model.by_age ?? []).map((a) => a.origin).filter((o): o is string => !!o))];
  return {
    what: `Predicts each customer's revenue (net of refunds) over their first ${horizon} days, hence every cohort's predicted ROAS and payback, and the chance a customer stops buying (no purchase for ${churnDays} days).`,
    trained: `Trained ${f.dateTime(model.trained_at)}${on ? ` on the purchases of the customers acquired ${on}` : ""}${model.algorithm ? ` (${model.algorithm})` : ""}.`,
    backtest: origins.length
      ? `Backtest: the same procedure fitted on the data up to ${origins.map((o) => f.date(o)).join(" / ")} only, its predictions then compared with what each channel's daily cohorts went on to earn.`
      : null,
    churn: churn?.auc != null ? `Churn: ${aucSentence(churn.auc, "a customer who stopped buying", "one who did not", f)}.` : null,
  };
}

/** One row of the LTV backtest by cohort age, in words. */
export function ltvAgeSentence(a: PredictionAccuracy, askedHorizon: number, f: Formatters): string {
  if (a.error_p50 == null) return `${a.age_bucket}: not judged.`;
  let text = `Cohorts predicted at ${a.age_bucket}: ${a.horizon_days}-day revenue off by ±${f.ratioPercent(a.error_p50, 0)} for the typical day's cohort of a channel`;
  if (a.error_p80 != null) text += `, 8 in 10 within ±${f.ratioPercent(a.error_p80, 0)}`;
  if (a.bias != null && Math.abs(a.bias) >= 0.05) text += `; in total ${a.bias < 0 ? "under" : "over"}-predicted by ${f.ratioPercent(Math.abs(a.bias), 0)}`;
  if (a.cohorts) text += ` (${f.integer(a.cohorts)} cohorts, ${f.integer(a.customers ?? 0)} customers)`;
  if (a.horizon_days < askedHorizon) text += `; the ${askedHorizon}-day prediction has too little history to be backtested yet`;
  return `${text}.`;
}

export interface FirstPurchaseCard {
  what: string;
  trained: string;
  backtest: string | null;
}

export function firstPurchaseCard(model: FirstPurchaseModelInfo, f: Formatters): FirstPurchaseCard {
  const on = span(model.training_start, model.scored_as_of, f);
  const trained = model.trained_at ? `Trained ${f.dateTime(model.trained_at)}` : `Scored ${f.date(model.scored_as_of)}`;
  return {
    what: `Predicts, for each customer who has not paid yet, the chance of a first purchase within 7 and ${model.horizon_days} days of install, from what they did in the app in their first days. Cohorts under ${model.early_age_days} days old get their expected payers and early predicted ROAS from it.`,
    trained: `${trained}${on ? ` on the customers acquired ${on}` : ""}.`,
    backtest: model.backtest_origin
      ? `Backtest: fitted on the data up to ${f.date(model.backtest_origin)} only, judged on the customers acquired in the ${model.judged_days ?? 28} days before it by whether they paid within ${model.horizon_days} days.`
      : null,
  };
}

/** "At D1: expected payers were off by 32.0% (median per weekly cohort), ...". */
export function earlyAgeSentence(a: EarlyAccuracy, f: Formatters): string {
  const parts: string[] = [];
  if (a.expected_payers_err_pct != null) parts.push(`expected payers were off by ${f.number(a.expected_payers_err_pct, 1)}% (median per weekly cohort)`);
  if (a.predicted_roas_err_pct != null) parts.push(`the early predicted revenue (hence early ROAS) by ${f.number(a.predicted_roas_err_pct, 1)}%`);
  let text = `At ${a.age_bucket}: ${parts.length ? parts.join(", ") : "not judged"}`;
  if (a.weeks) text += ` (${f.integer(a.weeks)} weeks judged)`;
  if (a.auc != null) text += `. ${aucSentence(a.auc, "a customer who went on to pay", "one who did not", f)}`;
  return `${text}.`;
}
