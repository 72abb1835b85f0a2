/** How far to trust the cohort page's predicted figures: the backtested error beside each
 * predicted ROAS, its likely range, and the churn drivers as plain sentences. */
import type { ChurnDriver, Cohort } from "../../api/types";
import { platformLabel } from "../../lib/platforms";
import type { Formatters } from "../../state/useFormat";
import { errorSentence, intervalText } from "../../lib/trust";

/** Cohorts drawn at once on the charts (one color each). */
export const MAX_SHOWN = 8;

/** The horizon of the cohort table's predicted ROAS (backend.services.cohort_report). */
export const PREDICTED_HORIZON_DAYS = 365;

/** Days without a purchase after which a customer counts as churned in the survival curves
 * (analytics.cohorts.CHURN_INACTIVITY_DAYS). */
export const CHURN_INACTIVITY_DAYS = 90;

/** "±18% at 7 days old": the median backtested error of the prediction at the cohort's age. */
export function accuracyCell(c: Cohort, f: Formatters): string {
  const a = c.accuracy;
  if (!a || a.error_p50 == null) return "not backtested at this age";
  const age = c.age_days == null ? "" : ` at ${f.days(c.age_days)} old`;
  return `±${f.ratioPercent(a.error_p50, 0)}${age}`;
}

/** "D365 ROAS predicted at age 7 days: backtested error ±18% ...", or null when not judged. */
export function accuracySentence(c: Cohort, f: Formatters): string | null {
  return errorSentence("D{h} ROAS", c.accuracy, c.age_days, f, PREDICTED_HORIZON_DAYS);
}

/** "likely 61%–104%": the predicted ROAS's interval, or null without one. */
export function roasInterval(c: Cohort, f: Formatters): string | null {
  return intervalText(c.roas_predicted_interval, f);
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
