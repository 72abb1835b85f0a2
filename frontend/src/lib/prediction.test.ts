import { describe, expect, it } from "vitest";
import type { Prediction } from "../api/types";
import { formattersFor } from "../state/useFormat";
import { predictionSentence, predictionShort, predictionTitle, predictionWhy, shownRoas } from "./prediction";

const f = formattersFor("en-US", "USD");

const compared = {
  horizon_days: 30,
  cohort_customers: 50,
  ltv_age_bucket: "D1",
  ltv_error_pct: 58.4,
  early_age_bucket: "D1",
  early_error_pct: 31.6,
};
const early: Prediction = { roas: 0.62, horizon_days: 30, source: "early", age_bucket: "D1", error_pct: 31.6, interval: null, compared };
const ltv: Prediction = {
  roas: 2.31,
  horizon_days: 365,
  source: "ltv",
  age_bucket: "D3",
  error_pct: 60,
  interval: { low: 0.61, high: 3.71 },
  compared: { ...compared, ltv_error_pct: 12.5 },
};

describe("the one predicted ROAS of a row", () => {
  it("names its horizon, its source and its backtested error at the age it was judged", () => {
    expect(predictionTitle(early, f)).toBe("Predicted ROAS (30d): 62.0%, from early signals, typical error ±32% (median, backtested at D1)");
    expect(predictionTitle(ltv, f)).toBe("Predicted ROAS (365d): 231.0%, from the LTV model, typical error ±60% (median, backtested at D3)");
    expect(predictionShort(early)).toBe("30d · early signals · typical error ±32% (median, backtested at D1)");
    expect(predictionShort(ltv)).toBe("365d · LTV model · typical error ±60% (median, backtested at D3)");
  });

  it("says when the figure shown was not backtested at this age", () => {
    const unjudged = { ...ltv, error_pct: null, age_bucket: null, compared: null };
    expect(predictionShort(unjudged)).toBe("365d · LTV model, not backtested at this age");
    expect(predictionTitle(unjudged, f)).toBe("Predicted ROAS (365d): 231.0%, from the LTV model, not backtested at this age");
    expect(predictionShort(null)).toBeNull();
  });

  it("says why early signals were chosen: their backtest on the same horizon and age was the closer", () => {
    expect(predictionWhy(early, f)).toBe(
      "Both models were backtested on 30-day revenue at the age early signals were judged at (cohorts of about 50 customers): early signals (at D1) ±31.6% (median per weekly cohort), the LTV model (at D1) ±58.4% (median per cohort). " +
        "Early signals were the closer, so this row shows their 30-day figure rather than the LTV model's longer-horizon one.",
    );
    expect(predictionWhy(ltv, f)).toContain("The LTV model was the closer, so this row shows its 365-day figure.");
    expect(predictionSentence(early, f)).toMatch(/^Predicted ROAS \(30d\): 62\.0%, from early signals, typical error ±32% \(median, backtested at D1\)\. Both models/);
  });

  it("has no why for a row only one model predicts", () => {
    expect(predictionWhy({ ...ltv, compared: null }, f)).toBeNull();
    expect(predictionSentence({ ...ltv, compared: null }, f)).toBe("Predicted ROAS (365d): 231.0%, from the LTV model, typical error ±60% (median, backtested at D3).");
  });

  it("reads the LTV figure from an API without the field", () => {
    expect(shownRoas(undefined, "1.25")).toBe(1.25);
    expect(shownRoas(early, 2.31)).toBe(0.62);
    expect(shownRoas(null, null)).toBeNull();
  });
});
