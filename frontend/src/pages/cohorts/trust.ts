/** How far to trust the cohort page's predicted figures: the backtested error beside each
 * predicted ROAS, its likely range, and the churn drivers as plain sentences. */
import type { ChurnDriver, Cohort } from "../../api/types";
import { platformLabel } from "../../lib/platforms";
import type { Formatters } from "../../state/useFormat";

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
  const a = c.accuracy;
  if (!a || a.error_p50 == null) return null;
  const age = c.age_days == null ? a.age_bucket : `age ${f.days(c.age_days)}`;
  let text = `D${a.horizon_days} ROAS predicted at ${age}: backtested error ±${f.ratioPercent(a.error_p50, 0)}`;
  if (a.error_p80 != null) text += ` (8 in 10 cohorts within ±${f.ratioPercent(a.error_p80, 0)})`;
  if (a.bias != null && Math.abs(a.bias) >= 0.05) {
    text += `; in total the model ${a.bias < 0 ? "under" : "over"}-predicted by ${f.ratioPercent(Math.abs(a.bias), 0)}`;
  }
  text += a.cohorts ? `. Judged on ${f.integer(a.cohorts)} past cohorts of that age.` : ".";
  if (a.horizon_days < PREDICTED_HORIZON_DAYS) {
    text += ` The ${PREDICTED_HORIZON_DAYS}-day prediction itself has too little history to be backtested yet.`;
  }
  return text;
}

/** "likely 61%–104%": the predicted ROAS's interval, or null without one. */
export function roasInterval(c: Cohort, f: Formatters): string | null {
  const i = c.roas_predicted_interval;
  if (!i) return null;
  return `likely ${f.roas(i.low)}–${f.roas(i.high)}`;
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
