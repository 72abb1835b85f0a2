import type { EarlyFigures } from "../api/types";
import { formattersFor } from "../state/useFormat";
import { earlySentence, earlyShort, payersSentence, payersShort } from "./early";

const f = formattersFor("en-US", "USD");

const early: EarlyFigures = {
  from: "2026-12-01",
  to: "2026-12-07",
  customers: 40,
  scored: 30,
  expected_payers_7: 2.5,
  expected_payers_30: 4.2,
  value_per_payer: 50,
  spend: 300,
  predicted_roas: 0.7,
  horizon_days: 30,
  accuracy: { age_bucket: "D3", horizon_days: 30, expected_payers_err_pct: 4.6, predicted_roas_err_pct: 8.4, auc: 0.96, weeks: 4 },
};

describe("early figures", () => {
  it("say the age they were predicted at and their backtested error", () => {
    expect(earlyShort(early)).toBe("D3 ±8% backtested");
    expect(earlyShort({ ...early, accuracy: { ...early.accuracy!, predicted_roas_err_pct: null } })).toBe("D3, not judged");
    expect(earlyShort({ ...early, accuracy: null })).toBeNull();
  });

  it("give expected payers their own backtested error at that age, as stored", () => {
    const d1 = { ...early, accuracy: { ...early.accuracy!, age_bucket: "D1", expected_payers_err_pct: 32.0, predicted_roas_err_pct: 54.2 } };
    expect(payersShort(d1)).toBe("D1 ±32% backtested");
    expect(payersShort({ ...d1, accuracy: { ...d1.accuracy, expected_payers_err_pct: 29.6 } })).toBe("D1 ±30% backtested");
    expect(payersShort({ ...d1, accuracy: { ...d1.accuracy, expected_payers_err_pct: null } })).toBe("D1, not judged");
    const text = payersSentence({ ...d1, accuracy: { ...d1.accuracy, expected_payers_err_pct: 31.8 } }, f)!;
    expect(text).toContain("4.2 of 40 customers acquired");
    expect(text).toContain("predicted at D1, expected payers were off by ±31.8% (median per weekly cohort)");
    expect(text).not.toContain("54");
  });

  it("spell out the definition and the backtest", () => {
    const text = earlySentence(early, f, "USD")!;
    expect(text).toContain("4.2 expected first-time payers of 40 customers × $50.00 per payer ÷ $300.00 spend");
    expect(text).toContain("the median cohort's early predicted revenue was off by ±8.4% and its expected payers by ±4.6% (AUC 0.96)");
    expect(text).toContain("10 customers acquired since the last scoring");
    expect(earlySentence({ ...early, predicted_roas: null }, f)).toBeNull();
  });
});
