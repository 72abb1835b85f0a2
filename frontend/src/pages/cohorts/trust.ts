/** How far to trust the cohort page's predicted figures: the backtested error beside each
 * predicted ROAS, its 80% interval, and the churn drivers as plain sentences. */
import type { ChurnDriver, Cohort } from "../../api/types";
import { platformLabel } from "../../lib/platforms";
import type { Formatters } from "../../state/useFormat";
import { errorSentence, intervalText } from "../../lib/trust";
import { predictionSentence } from "../../lib/prediction";

/** Cohorts drawn at once on the charts (one color each). */
export const MAX_SHOWN = 8;

/** The horizon of the cohort table's predicted ROAS (backend.services.cohort_report). */
export const PREDICTED_HORIZON_DAYS = 365;

/** Days without a purchase after which a customer counts as churned in the survival curves
 * (analytics.cohorts.CHURN_INACTIVITY_DAYS). */
export const CHURN_INACTIVITY_DAYS = 90;

/** "±18% at 7 days old (D14)": the median backtested error of the prediction at the cohort's age,
 * for a cohort of its size when the version measured that (`accuracy.sized`). */
export function accuracyCell(c: Cohort, f: Formatters): string {
  const p = c.prediction;
  // the error of the figure shown: early signals' where their figure is the cohort's prediction
  if (p?.source === "early") return p.error_pct == null ? "early signals, not backtested at this age" : `±${Math.round(p.error_pct)}% at ${p.age_bucket} (early signals)`;
  const a = c.accuracy;
  if (!a || a.error_p50 == null) return "not backtested at this age";
  // the backtest's age bucket too, as the Predicted ROAS label names it (D3 holds 1-2 days old)
  const bucket = a.age_bucket ? ` (${a.age_bucket})` : "";
  const age = c.age_days == null ? "" : ` at ${f.days(c.age_days)} old${bucket}`;
  return `±${f.ratioPercent(a.sized?.error_p50 ?? a.error_p50, 0)}${age}`;
}

/** "D365 ROAS predicted at age 7 days: backtested error ±18% ...", or null when not judged;
 * with the error of a cohort of this one's size first when the version measured it. */
export function accuracySentence(c: Cohort, f: Formatters): string | null {
  if (c.prediction?.source === "early") return predictionSentence(c.prediction, f);
  const text = errorSentence("D{h} ROAS", c.accuracy, c.age_days, f, PREDICTED_HORIZON_DAYS);
  const sized = c.accuracy?.sized;
  if (!text || !sized || sized.error_p50 == null) return text;
  const small = c.accuracy?.cohort_customers;
  const day = small != null ? ` (of about ${f.integer(small)} customers each)` : "";
  return `For a cohort of ${f.integer(sized.customers)} customers: typically ±${f.ratioPercent(sized.error_p50, 0)}. The backtest's own cohorts, one day of one channel${day}: ${text.replace(/^D\d+ ROAS predicted/, "predicted")}`;
}

/** "80% interval 61%–104%": the predicted ROAS's interval, or null without one. */
export function roasInterval(c: Cohort, f: Formatters): string | null {
  return intervalText(c.roas_predicted_interval, f);
}

/** Fewer customers than this make a cohort's revenue a matter of a few payers. */
export const FEW_CUSTOMERS = 100;
/** Younger than this (days), a cohort's 365-day revenue is mostly still to come. */
export const YOUNG_DAYS = 30;

/** Why a predicted ROAS's likely range is wide (its high end at least twice its low end), in
 * words ("wide: 37 customers, 4 days old"); null when it is not wide or has no range. */
export function intervalReason(c: Cohort, f: Formatters): string | null {
  const i = c.roas_predicted_interval;
  if (!i || i.high < 2 * i.low) return null;
  const reasons: string[] = [];
  const customers = Number(c.customers ?? 0);
  if (customers < FEW_CUSTOMERS) reasons.push(`only ${f.integer(customers)} customers`);
  if (c.age_days != null && c.age_days < YOUNG_DAYS) reasons.push(`${f.days(c.age_days)} old`);
  if (c.accuracy?.cohorts != null && c.accuracy.cohorts < 10) reasons.push(`${f.integer(c.accuracy.cohorts)} past cohorts to learn from`);
  if (c.early?.predicted_roas != null) reasons.push("too young for its own purchases to count");
  return `wide: ${reasons.length ? reasons.join(", ") : "the backtest was far off at this age"}`;
}

/** The range and why, in a sentence (a tooltip). */
export function intervalSentence(c: Cohort, f: Formatters): string | null {
  const i = c.roas_predicted_interval;
  if (!i) return null;
  const sized = c.accuracy?.sized;
  const who = sized ? `cohorts of ${f.integer(sized.customers)} customers` : "past cohorts";
  const age = c.age_days == null ? "" : ` predicted at ${f.days(c.age_days)} old`;
  let text = `In the backtest, 8 in 10 ${who}${age} ended within this range of the prediction.`;
  const customers = Number(c.customers ?? 0);
  if (customers < FEW_CUSTOMERS) text += ` With ${f.integer(customers)} customers, a few payers more or less move the cohort's revenue a lot.`;
  if (c.age_days != null && c.age_days < YOUNG_DAYS) text += ` At ${f.days(c.age_days)} old, most of its ${PREDICTED_HORIZON_DAYS}-day revenue is still to come.`;
  return text;
}

/** One sentence per driver, channel by channel, with the channel's name (not its code). */
export function churnDriverLines(drivers: Record<string, ChurnDriver[]>): { platform: string; text: string }[] {
  return Object.entries(drivers).flatMap(([platform, list]) =>
    (list ?? []).map((d) => ({
      platform,
      text: d.sentence
        .replace(`from ${platform} `, `from ${platformLabel(platform)} `)
        .replace(/(\d)x as often/, "$1× as often")
        .replace(/\.?$/, "."),
    })),
  );
}

/** One sentence per driver of each cohort ("Week of Nov 9 · Meta Ads" and what its customers
 * with a trait are predicted to do), in the order of `cohorts`. */
export function cohortDriverLines(cohorts: readonly Cohort[], name: (c: Cohort) => string): { cohort: string; text: string }[] {
  return cohorts.flatMap((c) =>
    (c.churn_drivers ?? []).map((d) => ({ cohort: name(c), text: d.sentence.replace(/\.?$/, ".") })),
  );
}
