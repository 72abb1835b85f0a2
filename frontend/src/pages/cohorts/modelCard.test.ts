import type { FirstPurchaseModelInfo, ModelInfo } from "../../api/types";
import { formattersFor } from "../../state/useFormat";
import { earlyAgeSentence, firstPurchaseCard, ltvAgeSentence, ltvCard } from "./modelCard";

const f = formattersFor("en-US", "USD");

const ltv: ModelInfo = {
  id: 1,
  kind: "ltv",
  algorithm: "hgb_poisson",
  trained_at: "2026-12-07T11:08:59Z",
  training_start: "2025-11-01",
  scored_as_of: "2026-12-06",
  horizon_days: 365,
  churn_version_id: 2,
  by_age: [
    { horizon_days: 365, age_bucket: "D7", error_p50: 1.0606, error_p80: 2.2062, bias: -0.1375, cohorts: 15, customers: 227, origin: "2025-12-06" },
    { horizon_days: 90, age_bucket: "D90", error_p50: 0.2, error_p80: 0.35, bias: 0.01, cohorts: 40, customers: 900, origin: "2026-09-07" },
  ],
  metrics: {},
};

const firstPurchase: FirstPurchaseModelInfo = {
  id: 3,
  scored_as_of: "2026-12-06",
  horizon_days: 30,
  early_age_days: 7,
  value_per_payer: 15.09,
  by_age: {},
  trained_at: "2026-12-07T11:09:23Z",
  training_start: "2025-11-01",
  backtest_origin: "2026-11-07",
  judged_days: 28,
  accuracy: [
    { age_bucket: "D1", horizon_days: 30, expected_payers_err_pct: 32.0, predicted_roas_err_pct: 54.2, auc: 0.8724, brier: 0.0389, weeks: 5 },
    { age_bucket: "D3", horizon_days: 30, expected_payers_err_pct: 16.7, predicted_roas_err_pct: 34.4, auc: 0.9478, brier: 0.0219, weeks: 5 },
  ],
};

describe("model card", () => {
  it("says what the LTV version predicts, on which customers, and its backtest's report origins", () => {
    const card = ltvCard(ltv, { horizon_days: 90, auc: 0.9833 }, f);
    expect(card.what).toContain("revenue (net of refunds) over their first 365 days");
    expect(card.what).toContain("no purchase for 90 days");
    expect(card.trained).toContain("customers acquired Nov 1, 2025 – Dec 6, 2026 (hgb_poisson)");
    expect(card.backtest).toContain("fitted on the data up to Dec 6, 2025 / Sep 7, 2026 only");
    expect(card.churn).toBe(
      "Churn: AUC 0.98: shown a customer who stopped buying and one who did not, it ranks the first higher 98% of the time (0.5 = a coin toss, 1 = always).",
    );
  });

  it("gives the stored error of each cohort age, saying when a shorter horizon stands in", () => {
    const [d7, d90] = ltv.by_age!;
    expect(ltvAgeSentence(d7, 365, f)).toBe(
      "Cohorts predicted at D7: 365-day revenue off by ±106% for the typical day's cohort of a channel, 8 in 10 within ±221%; in total under-predicted by 14% (15 cohorts, 227 customers).",
    );
    expect(ltvAgeSentence(d90, 365, f)).toContain("90-day revenue off by ±20%");
    expect(ltvAgeSentence(d90, 365, f)).toContain("the 365-day prediction has too little history to be backtested yet");
  });

  it("says what the first-purchase version predicts and its error at D1 and D3 as stored", () => {
    const card = firstPurchaseCard(firstPurchase, f);
    expect(card.what).toContain("first purchase within 7 and 30 days of install");
    expect(card.backtest).toBe(
      "Backtest: fitted on the data up to Nov 7, 2026 only, judged on the customers acquired in the 28 days before it by whether they paid within 30 days.",
    );
    const [d1, d3] = firstPurchase.accuracy!.map((a) => earlyAgeSentence(a, f));
    expect(d1).toContain("At D1: expected payers were off by 32% (median per weekly cohort), the early predicted revenue (hence early ROAS) by 54.2%");
    expect(d1).toContain("AUC 0.87: shown a customer who went on to pay and one who did not, it ranks the first higher 87% of the time");
    expect(d3).toContain("At D3: expected payers were off by 16.7%");
  });
});
