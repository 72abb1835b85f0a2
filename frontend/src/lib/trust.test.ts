import { describe, expect, it } from "vitest";
import type { ChurnAccuracy } from "../api/types";
import { formattersFor } from "../state/useFormat";
import { churnAgeSentence, churnAgeShort, churnSentence, churnShort } from "./trust";

const f = formattersFor("en-US", "USD");

const d90 = { age_bucket: "D90", auc: 0.77, pr_auc: 0.8, brier: 0.18, predicted_rate: 0.63, observed_rate: 0.6, customers: 250 };
const d7 = { age_bucket: "D7", auc: null, pr_auc: null, brier: 0.2, predicted_rate: 0.9, observed_rate: 1, customers: 30 };
const overall: ChurnAccuracy = { horizon_days: 90, auc: 0.81, predicted_rate: 0.675, observed_rate: 0.65, by_age: [d7, d90] };

describe("churn accuracy by cohort age", () => {
  it("names the age the backtest was read at", () => {
    expect(churnAgeShort(d90, f)).toBe("AUC 0.77 at D90");
    expect(churnShort({ ...overall, at_age: d90 }, f)).toBe("AUC 0.77 at D90");
  });

  it("falls back to the overall AUC when the age was not judged", () => {
    expect(churnShort({ ...overall, at_age: null }, f)).toBe("AUC 0.81");
    expect(churnAgeShort(null, f)).toBeNull();
  });

  it("shows the Brier score where every customer of that age churned", () => {
    expect(churnAgeShort(d7, f)).toBe("Brier 0.2 at D7");
    expect(churnAgeSentence(d7, f)).toContain("AUC undefined: all or none of them churned");
  });

  it("says in one sentence how well churn was predicted at that age", () => {
    const text = churnSentence({ ...overall, at_age: d90 }, f);
    expect(text).toContain("Backtested AUC 0.81");
    expect(text).toContain("Predicted at cohort age D90: backtested AUC 0.77, PR-AUC 0.8, Brier 0.18");
    expect(text).toContain("it predicted 63% churn where 60% churned (250 customers of that age)");
  });

  it("reads a cohort's own age before the report's", () => {
    expect(churnSentence({ ...overall, at_age: d90 }, f, d7)).toContain("cohort age D7");
    expect(churnSentence(overall, f, null)).not.toContain("cohort age");
  });
});
