import type { Cohort } from "../../api/types";
import { formattersFor } from "../../state/useFormat";
import { ltvCurveOption, ltvTooltipLines, predictedBarLabel, roasBarsOption, survivalAxisMax, survivalOption, survivalParts, topCohorts, PREDICTED_ROAS } from "./charts";
import { platformLabel } from "../../lib/platforms";
import { accuracyCell, accuracySentence, churnDriverLines, cohortDriverLines, intervalReason, intervalSentence, roasInterval } from "./trust";

const f = formattersFor("en-US", "USD");

function cohort(day: string, customers: number, extra: Partial<Cohort> = {}): Cohort {
  return {
    cohort: day,
    platform: "meta",
    customers,
    spend: 100,
    curve: [
      { day: 1, revenue: 20, predicted: 30 },
      { day: 7, revenue: 40, predicted: 60 },
    ],
    roas_actual: 0.4,
    roas_predicted: 0.9,
    payback_days: null,
    churn_rate: 0.5,
    survival: [
      { day: 0, p: 1 },
      { day: 7, p: 1 },
    ],
    ...extra,
  };
}

const labels = { withPlatform: false, grain: "week" as const };

describe("cohort charts", () => {
  const cohorts = Array.from({ length: 12 }, (_, i) => cohort(`2026-0${1 + (i % 9)}-1${i % 10}`, 10 * (i + 1)));

  it("shows the largest cohorts first, at most the limit", () => {
    const top = topCohorts(cohorts, 8);
    expect(top).toHaveLength(8);
    expect(top.map((c) => c.customers)).toEqual([120, 110, 100, 90, 80, 70, 60, 50]);
  });

  it("draws LTV curves without a paged legend and a tooltip naming actual and predicted once per cohort", () => {
    const shown = topCohorts(cohorts, 3);
    const option = ltvCurveOption(shown, "roas", labels, f);
    expect(option.legend).toEqual({ show: false });
    const series = option.series as { name: string; id?: string; data: [number, number][] }[];
    // a cohort's two series (actual, predicted) at day 7
    const params = series.map((s, i) => ({ seriesName: s.name, seriesId: s.id, color: `c${i}`, value: s.data[1] }));
    const { day, lines } = ltvTooltipLines(params, (v) => f.roas(v));
    expect(day).toBe("Day 7");
    expect(lines).toHaveLength(shown.length);
    for (const [i, c] of shown.entries()) {
      const spend = Number(c.spend);
      expect(lines[i].text).toBe(`actual ${f.roas(40 / spend)} · predicted ${f.roas(60 / spend)}`);
    }
  });

  it("says in the curves' tooltip when a young cohort's dashed line is early signals' 30-day figure, as its bar", () => {
    const prediction = { roas: 0.49, horizon_days: 30, source: "early" as const, age_bucket: "D1", error_pct: 10, interval: null, compared: null };
    // the API's curve of such a cohort reaches the bar's figure on day 30 and stops there
    const young = cohort("2026-12-06", 40, {
      roas_predicted: 1.8,
      prediction,
      curve: [
        { day: 1, revenue: 10, predicted: 10 },
        { day: 30, revenue: null, predicted: 49 },
        { day: 180, revenue: null, predicted: null },
      ],
    });
    const option = ltvCurveOption([young], "roas", { withPlatform: false, grain: "day" }, f);
    const series = option.series as { name: string; id?: string; data: [number, number | null][] }[];
    const at = (i: number) => series.map((s) => ({ seriesName: s.name, seriesId: s.id, color: "c", value: s.data[i] }));
    const formatter = (option.tooltip as { formatter: (p: unknown) => string }).formatter;
    expect(formatter(at(1))).toContain(`predicted ${f.roas(0.49)} (early signals&#39; 30-day figure)`);
    expect(formatter(at(2))).toContain("predicted — (early signals&#39; 30-day figure)");
    const bars = roasBarsOption([young], labels, f);
    const predicted = (bars.series as { name: string; label: { formatter: (p: unknown) => string } }[]).find((s) => s.name === PREDICTED_ROAS);
    expect(predicted?.label.formatter({ value: 0.49, dataIndex: 0 })).toBe("49% · 30d");
    expect(predictedBarLabel(1.8, 365, f)).toBe("180% · 365d");
  });

  it("says in the curves' tooltip that revenue is net of refunds, so a falling line reads as refunds", () => {
    const refunded = cohort("2026-03-02", 50, {
      curve: [
        { day: 1, revenue: 40, predicted: null },
        { day: 7, revenue: 25, predicted: null },
      ],
    });
    const option = ltvCurveOption([refunded], "revenue", labels, f);
    const series = option.series as { name: string; id?: string; data: [number, number | null][] }[];
    expect(series[0].data.map((p) => p[1])).toEqual([40, 25]);
    const formatter = (option.tooltip as { formatter: (p: unknown) => string }).formatter;
    const html = formatter(series.map((s) => ({ seriesName: s.name, seriesId: s.id, color: "", value: s.data[1] })));
    expect(html).toContain("actual $25.00");
    expect(html).toContain("net of refunds");
    expect(html).toContain("can dip");
  });

  it("says why a predicted ROAS's range is wide: few customers, a young cohort", () => {
    const sized = { customers: 37, error_p50: 0.6, error_p80: 1.5, low_ratio: 0.2, high_ratio: 2.0 };
    const young = cohort("2026-11-30", 37, {
      age_days: 4,
      roas_predicted: 2.14,
      roas_predicted_interval: { low: 0.43, high: 4.28 },
      accuracy: { horizon_days: 365, age_bucket: "D7", error_p50: 1.06, error_p80: 2.2, bias: -0.14, cohorts: 15, sized },
    });
    expect(intervalReason(young, f)).toBe("wide: only 37 customers, 4 days old");
    // the error beside it is that of a cohort of its size, the backtest's day cohorts' in the tooltip
    expect(accuracyCell(young, f)).toBe("±60% at 4 days old (D7)");
    expect(accuracySentence(young, f)).toMatch(/^For a cohort of 37 customers: typically ±60%\. The backtest's own cohorts, one day of one channel: predicted at age 4 days: backtested error ±106%/);
    expect(intervalSentence(young, f)).toBe(
      "In the backtest, 8 in 10 cohorts of 37 customers predicted at 4 days old ended within this range of the prediction. With 37 customers, a few payers more or less move the cohort's revenue a lot. At 4 days old, most of its 365-day revenue is still to come.",
    );
    const large = { ...young, customers: 900, age_days: 60, roas_predicted_interval: { low: 0.8, high: 1.1 } };
    expect(intervalReason(large, f)).toBeNull();
    const farOff = { ...large, roas_predicted_interval: { low: 0.3, high: 1.1 } };
    expect(intervalReason(farOff, f)).toBe("wide: the backtest was far off at this age");
  });

  it("says a young cohort's wide range comes of its age, without pointing at a second ROAS", () => {
    const young = cohort("2026-12-06", 400, {
      age_days: 1,
      roas_predicted: 2.31,
      roas_predicted_interval: { low: 0.61, high: 3.71 },
      accuracy: { horizon_days: 365, age_bucket: "D1", error_p50: 0.9, error_p80: 1.6, bias: 0.1, cohorts: 40 },
      early: {
        from: "2026-12-06",
        to: "2026-12-06",
        customers: 400,
        scored: 400,
        expected_payers_7: 20,
        expected_payers_30: 31.5,
        value_per_payer: 7.1,
        spend: 400,
        predicted_roas: 0.56,
        horizon_days: 30,
        accuracy: null,
      },
    });
    expect(intervalReason(young, f)).toBe("wide: 1 day old, too young for its own purchases to count");
    expect(intervalSentence(young, f)).not.toContain("Early ROAS");
  });

  it("labels every bar of actual vs predicted ROAS, with the predicted interval in the tooltip", () => {
    const shown = topCohorts(cohorts, 8).map((c, i) => (i === 0 ? { ...c, roas_predicted_interval: { low: 0.6, high: 1.2 } } : c));
    const option = roasBarsOption(shown, labels, f);
    const yAxis = option.yAxis as { data: string[]; axisLabel: { interval: number } };
    expect(yAxis.data).toHaveLength(shown.length);
    expect(new Set(yAxis.data).size).toBe(shown.length);
    expect(yAxis.axisLabel.interval).toBe(0);
    const series = option.series as { name: string; label: { show: boolean } }[];
    expect(series.every((s) => s.label.show)).toBe(true);
    const formatter = (option.tooltip as { formatter: (p: unknown) => string }).formatter;
    const newest = [...shown].sort((a, b) => (a.cohort < b.cohort ? -1 : 1)).findIndex((c) => c.roas_predicted_interval);
    const html = formatter([
      { dataIndex: newest, seriesName: PREDICTED_ROAS, value: 0.9, color: "" },
    ]);
    expect(html).toContain(`80% interval ${f.roas(0.6)}–${f.roas(1.2)}`);
  });

  it("gives the backtested error of the figure shown: early signals' where theirs is the cohort's prediction", () => {
    const prediction = { roas: 0.56, horizon_days: 30, source: "early" as const, age_bucket: "D1", error_pct: 24.4, interval: null, compared: null };
    const young = cohort("2026-12-06", 400, {
      age_days: 1,
      accuracy: { horizon_days: 365, age_bucket: "D1", error_p50: 0.9, error_p80: 1.6, bias: 0.1, cohorts: 40 },
      prediction,
    });
    expect(accuracyCell(young, f)).toBe("±24% at D1 (early signals)");
    expect(accuracySentence(young, f)).toBe("Predicted ROAS (30d): 56.0%, from early signals, typical error ±24% (median, backtested at D1).");
    expect(accuracyCell({ ...young, prediction: { ...prediction, source: "ltv", horizon_days: 365 } }, f)).toBe("±90% at 1 day old (D1)");
  });

  it("draws the table's one predicted ROAS: a young cohort's early figure, labelled, without the LTV interval", () => {
    const young = cohort("2026-12-06", 400, {
      roas_predicted: 2.31,
      roas_predicted_interval: { low: 0.61, high: 3.71 },
      prediction: { roas: 0.56, horizon_days: 30, source: "early", age_bucket: "D1", error_pct: 24.4, interval: null, compared: null },
    });
    const option = roasBarsOption([young], labels, f);
    const series = option.series as { name: string; data: (number | null)[] }[];
    expect(series.find((s) => s.name === PREDICTED_ROAS)?.data).toEqual([0.56]);
    const formatter = (option.tooltip as { formatter: (p: unknown) => string }).formatter;
    const html = formatter([{ dataIndex: 0, seriesName: PREDICTED_ROAS, value: 0.56, color: "" }]);
    expect(html).toContain("30d · early signals · typical error ±24% (median, backtested at D1)");
    expect(html).not.toContain("80% interval");
  });

  it("draws survival solid where churn is observed and dashed where it includes the prediction", () => {
    const old = cohort("2025-06-01", 5, {
      survival: [
        { day: 0, p: 1, observed: true },
        { day: 90, p: 0.4, observed: true },
        { day: 180, p: 0.3, observed: false },
        { day: 200, p: 0.25, observed: false },
      ],
    });
    // day 0 (everyone) is left out: the axis shows the curves' detail
    expect(survivalParts(old)).toEqual({
      seen: [[90, 0.4]],
      predicted: [[90, 0.4], [180, 0.3], [200, 0.25]],
    });
    expect(survivalAxisMax([old])).toBe(0.5);
    const option = survivalOption([old], labels, f, () => 2);
    expect(option.legend).toEqual({ show: false });
    const series = option.series as { id: string; lineStyle: { type: string } }[];
    expect(series.map((s) => s.lineStyle.type)).toEqual(["solid", "dashed"]);
    const formatter = (option.tooltip as { formatter: (p: unknown) => string }).formatter;
    const html = formatter([
      { seriesId: series[1].id, seriesName: "Jun 2025", value: [180, 0.3], color: "#000" },
    ]);
    expect(html).toContain("Day 180 since acquisition");
    expect(html).toContain("30% still buying (includes predicted churn)");
    const young = cohort("2026-01-01", 5, { survival: [{ day: 0, p: 1, observed: false }, { day: 10, p: 0.3, observed: false }] });
    expect(survivalParts(young).seen).toEqual([]);
  });
});

describe("trust in predictions", () => {
  const judged = cohort("2026-01-01", 50, {
    age_days: 7,
    accuracy: { horizon_days: 365, age_bucket: "D7", error_p50: 0.18, error_p80: 0.31, bias: -0.12, cohorts: 40 },
    roas_predicted_interval: { low: 0.62, high: 1.18 },
  });

  it("says how far the prediction was off in the backtest at the cohort's age", () => {
    expect(accuracyCell(judged, f)).toBe(`±18% at ${f.days(7)} old (D7)`);
    expect(accuracySentence(judged, f)).toBe(
      `D365 ROAS predicted at age ${f.days(7)}: backtested error ±18% (8 in 10 cohorts within ±31%); in total the model under-predicted by 12%. Judged on 40 past cohorts of that age.`,
    );
    const shorter = { ...judged, accuracy: { ...judged.accuracy!, horizon_days: 90, bias: 0, cohorts: 0 } };
    expect(accuracySentence(shorter, f)).toBe(
      `D90 ROAS predicted at age ${f.days(7)}: backtested error ±18% (8 in 10 cohorts within ±31%). The 365-day prediction itself has too little history to be backtested yet.`,
    );
    expect(roasInterval(judged, f)).toBe(`80% interval ${f.roas(0.62)}–${f.roas(1.18)}`);
  });

  it("claims nothing when the backtest did not judge that age", () => {
    const young = { ...judged, accuracy: null, roas_predicted_interval: null };
    expect(accuracyCell(young, f)).toBe("not backtested at this age");
    expect(accuracySentence(young, f)).toBeNull();
    expect(roasInterval(young, f)).toBeNull();
  });

  it("writes each churn driver as one sentence with the channel's name", () => {
    const lines = churnDriverLines({
      meta: [{ churn_ratio: 2.3, sentence: "Customers from meta without a purchase in week 1 churn 2.3x as often as the others" }],
      google_ads: [],
    });
    expect(lines).toEqual([{ platform: "meta", text: `Customers from ${platformLabel("meta")} without a purchase in week 1 churn 2.3× as often as the others.` }]);
  });

  it("writes each cohort's churn drivers with the cohort's name", () => {
    const c = cohort("2026-01-05", 40, {
      churn_drivers: [{ churn_ratio: 2.3, sentence: "Customers without a purchase in their first week are predicted to churn 2.3× as often as the cohort's others (92% vs 40%)" }],
    });
    expect(cohortDriverLines([c, cohort("2026-01-12", 3)], () => "Week of Jan 5")).toEqual([
      { cohort: "Week of Jan 5", text: "Customers without a purchase in their first week are predicted to churn 2.3× as often as the cohort's others (92% vs 40%)." },
    ]);
  });
});
