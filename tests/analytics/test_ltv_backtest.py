"""The deployed LTV procedure and its rolling-origin backtest: on two simulated channels with
different true LTV, selection happens on earlier origins than the ones reported, the reported
metrics cover every horizon and cohort age, the deployed procedure predicts the reported totals
closely, and the candidates rank the channels right."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from analytics.ltv import (
    AGE_BUCKETS,
    BLEND,
    BOOSTING,
    BTYD,
    backtest_ltv,
    build_calibration_holdout,
    fit_candidates,
    predict_windows,
    score_ltv,
    selection_score,
    train_ltv_model,
)
from analytics.ltv.backtest import LTVBacktest, _drop_disagreeing_calibration
from analytics.ltv.churn_traits import MIN_RATIO
from analytics.ltv.cohort_error import MIN_COHORTS
from analytics.ltv.rfm import purchase_periods
from analytics.ltv.selection import fit_boosting

from .channels import CALIBRATION_END, HOLDOUT_END

HORIZONS = (30, 90)


@pytest.fixture(scope="module")
def backtest(two_channels):
    customers, transactions = two_channels
    return backtest_ltv(transactions, customers, HOLDOUT_END, HORIZONS)


@pytest.fixture(scope="module")
def holdout(two_channels):
    """Every candidate fitted through the calibration end, its 90-day predictions beside the
    revenue that followed, and each customer's channel."""
    customers, transactions = two_channels
    model, summary = fit_candidates(transactions, customers, CALIBRATION_END, (30, 90))
    split = build_calibration_holdout(transactions, CALIBRATION_END, HOLDOUT_END, customers)
    windows = predict_windows(model, summary, customers, [90])
    frame = pd.DataFrame({kind: w["clv_90"] for kind, w in windows.items()})
    frame["actual"] = split["revenue_holdout"].reindex(frame.index)
    frame["platform"] = customers.set_index("customer_id")["platform"].reindex(frame.index)
    return frame


def test_the_backtest_reports_every_metric_by_horizon_and_cohort_age(backtest):
    metrics = backtest.as_metrics()
    assert set(metrics["horizons"]) == {"30", "90"}
    for report in metrics["horizons"].values():
        assert {"mae", "total_error", "normalized_gini", "decile_mape", "spearman"} <= set(report)
        assert set(report["candidates"]) == {BTYD, BOOSTING, BLEND}
    ages = metrics["by_age"]["90"]
    assert {"D3", "D7", "D14", "D30"} <= set(ages)
    for age in ages.values():
        assert {"total_error", "normalized_gini", "decile_mape", "spearman", "mae"} <= set(age)
        assert age["customers"] >= 20
    assert {"auc", "pr_auc", "brier", "reliability"} <= set(metrics["churn"])
    json.dumps(metrics)


def test_each_cohort_age_keeps_how_its_error_shrinks_with_the_cohorts_size(backtest):
    """The band of actual ÷ predicted measured on the backtest's customers at each size: a
    week's or a month's cohort is known better than the day cohorts the backtest judged."""
    ages = backtest.as_metrics()["by_age"]["90"]
    judged = [age for age in ages.values() if age["cohorts"] >= MIN_COHORTS]
    assert len(judged) >= 3
    for age in ages.values():
        if age["cohorts"] < MIN_COHORTS:  # e.g. D1: one day of each channel
            continue
        model = age["size_model"]
        assert model is not None and model["cohorts"] >= MIN_COHORTS
        widths = [step["high"] - step["low"] for step in model["ladder"]]
        # each size's band is no wider than the smaller one's (within the bootstrap's noise)
        assert all(b <= 1.1 * a for a, b in zip(widths, widths[1:], strict=False)), widths
        assert widths[-1] < 0.6 * widths[0]
        assert 0 <= model["ladder"][-1]["low"] <= model["center"] <= model["ladder"][-1]["high"]


def test_selection_is_made_on_origins_whose_outcomes_end_before_the_reported_origin(backtest):
    for horizon in HORIZONS:
        selected = pd.Timestamp(backtest.selection[horizon]["origin"])
        reported = pd.Timestamp(backtest.report[horizon]["origin"])
        assert selected + pd.Timedelta(days=horizon) <= reported
        assert reported + pd.Timedelta(days=horizon) == pd.Timestamp(HOLDOUT_END)


def test_the_deployed_procedure_predicts_each_reported_total_within_ten_percent(backtest):
    for horizon in HORIZONS:
        assert backtest.report[horizon]["total_error"] == pytest.approx(0.0, abs=0.10)


def test_the_calibration_comes_from_the_selection_origin(backtest):
    assert backtest.calibration_note == ""
    for horizon in HORIZONS:
        chosen = backtest.chosen[horizon]
        ratio = backtest.selection[horizon]["candidates"][chosen]["total_ratio"]
        assert backtest.calibration[horizon] == pytest.approx(np.clip(1 / ratio, 0.5, 2.0))


def test_a_bias_the_selection_origins_disagree_on_is_not_corrected():
    disagreeing = LTVBacktest(pd.Timestamp("2025-03-31"))
    disagreeing.selection = {30: {}, 90: {}}
    disagreeing.calibration = {30: 0.9, 90: 1.25, 365: 1.25}
    disagreeing.segment_calibration = {30: {"meta": 0.95}, 90: {"meta": 1.3}}
    _drop_disagreeing_calibration(disagreeing)
    assert disagreeing.calibration == {30: 1.0, 90: 1.0, 365: 1.0}
    assert disagreeing.segment_calibration == {}
    assert "disagree" in disagreeing.as_metrics()["calibration_note"]
    agreeing = LTVBacktest(pd.Timestamp("2025-03-31"))
    agreeing.selection = {30: {}, 90: {}}
    agreeing.calibration = {30: 1.1, 90: 1.25, 365: 1.25}
    _drop_disagreeing_calibration(agreeing)
    assert agreeing.calibration == {30: 1.1, 90: 1.25, 365: 1.25}
    assert agreeing.calibration_note == ""


def test_predicting_zero_can_never_be_chosen():
    zero = {"total_ratio": 0.0, "normalized_gini": math.nan, "decile_mape": 1.0}
    assert selection_score(zero) == math.inf


def test_a_model_far_off_the_total_loses_despite_a_better_ranking():
    close = {"total_ratio": 1.02, "normalized_gini": 0.60, "decile_mape": 0.10}
    far = {"total_ratio": 0.60, "normalized_gini": 0.70, "decile_mape": 0.10}
    assert selection_score(close) < selection_score(far)


@pytest.mark.parametrize("kind", [BTYD, BOOSTING, BLEND])
def test_every_candidate_ranks_the_stronger_channel_first(holdout, kind):
    totals = holdout.groupby("platform").sum(numeric_only=True)
    assert totals.loc["meta", "actual"] > 3 * totals.loc["google", "actual"]
    assert totals.loc["meta", kind] > 3 * totals.loc["google", kind]


def test_the_deployed_procedure_predicts_each_channel_total_within_ten_percent(backtest):
    for horizon in HORIZONS:
        for channel in backtest.by_platform[horizon].values():
            assert channel["predicted"] == pytest.approx(channel["actual"], rel=0.10)


def test_btyd_fitted_per_channel_predicts_each_channel_total_within_ten_percent(holdout):
    totals = holdout.groupby("platform").sum(numeric_only=True)
    np.testing.assert_allclose(totals[BTYD] / totals["actual"], 1.0, atol=0.10)


def test_candidates_rank_customers_far_better_than_chance(backtest):
    for kind in (BTYD, BOOSTING):
        assert backtest.report[90]["candidates"][kind]["normalized_gini"] > 0.5


def test_btyd_churn_probability_separates_churners(backtest):
    assert backtest.churn["auc"] > 0.75
    assert backtest.churn["horizon_days"] == 90


def test_boosting_learns_several_origins_and_every_window_the_history_allows(two_channels):
    customers, transactions = two_channels
    periods = purchase_periods(transactions, customers)
    regressor = fit_boosting(periods, customers, pd.Timestamp(HOLDOUT_END), (30, 90, 480))
    # acquisitions start 2024-01-01: 480 + 30 days before 2025-03-31 is before that
    assert regressor.windows == (30, 90)
    assert regressor.n_train > 2 * len(customers)  # several origins per window


def test_a_horizon_without_history_is_extended_along_the_btyd_curve(two_channels):
    customers, transactions = two_channels
    model, summary = fit_candidates(transactions, customers, HOLDOUT_END, (30, 90, 480))
    assert 480 not in model.boosting.windows
    windows = predict_windows(model, summary, customers)
    boosted = windows[BOOSTING]
    assert (boosted["clv_480"] >= boosted["clv_90"] - 1e-9).all()
    assert boosted["clv_480"].sum() > 1.2 * boosted["clv_90"].sum()


def test_scores_have_ltv_at_each_horizon_and_churn_probabilities(two_channels):
    customers, transactions = two_channels
    model = train_ltv_model(
        transactions, customers, HOLDOUT_END, {30: BTYD, 90: BLEND, 365: BOOSTING}
    )
    scores = score_ltv(model, transactions, customers, HOLDOUT_END, daily_discount_rate=0.0005)
    assert len(scores) == len(customers)
    assert (scores["clv_30"] <= scores["clv_90"]).all()
    assert (scores["clv_90"] <= scores["clv_365"]).all()
    for column in ("p_alive", "churn_30", "churn_90"):
        assert scores[column].between(0.0, 1.0).all()
    assert (scores["churn_30"] >= scores["churn_90"]).all()
    assert model.source(365) == BOOSTING and model.algorithm == "hgb_poisson"
    json.dumps(model.parameters())


def test_discounting_lowers_every_kind_alike(two_channels):
    customers, transactions = two_channels
    model, summary = fit_candidates(transactions, customers, HOLDOUT_END, (365,))
    plain = predict_windows(model, summary, customers)
    discounted = predict_windows(model, summary, customers, daily_discount_rate=0.001)
    ratios = {
        kind: discounted[kind]["clv_365"].sum() / plain[kind]["clv_365"].sum() for kind in plain
    }
    assert 0.8 < ratios[BTYD] < 0.95
    assert ratios[BOOSTING] == pytest.approx(ratios[BTYD], abs=0.03)


def test_day0_purchases_keep_the_purchase_model_identified_and_totals_close(day0_channels):
    customers, transactions = day0_channels
    summary = build_calibration_holdout(transactions, CALIBRATION_END, HOLDOUT_END, customers)
    payers = summary[summary["paid"]]
    assert (payers["first_purchase_age"] == 0).mean() > 0.5
    backtest = backtest_ltv(transactions, customers, HOLDOUT_END, (90,))
    assert not backtest.refused
    assert backtest.report[90]["total_error"] == pytest.approx(0.0, abs=0.10)
    channels = backtest.by_platform[90]
    assert channels["meta"]["predicted"] > 3 * channels["google"]["predicted"]
    assert channels["meta"]["actual"] > 3 * channels["google"]["actual"]
    for channel in channels.values():
        assert channel["predicted"] == pytest.approx(channel["actual"], rel=0.15)


def test_churn_is_chosen_by_log_loss_on_an_origin_before_the_reported_one(backtest):
    churn = backtest.churn
    assert set(churn["candidates"]) == {"btyd", "hgb", "logistic"}
    selection = churn["selection"]
    losses = selection["log_loss"]
    assert churn["chosen"] == selection["chosen"] == min(losses, key=losses.get)
    selected = pd.Timestamp(selection["origin"])
    assert selected + pd.Timedelta(days=90) <= pd.Timestamp(churn["origin"])
    assert churn["auc"] == churn["candidates"][churn["chosen"]]["auc"]
    assert sum(row["customers"] for row in churn["reliability"]) == churn["customers"]


def test_churn_accuracy_is_kept_by_cohort_age_at_the_report_origin(backtest, two_channels):
    customers, transactions = two_channels
    churn = backtest.churn
    by_age = churn["by_age"]
    assert {"D3", "D7", "D14", "D30"} <= set(by_age)
    origin = pd.Timestamp(churn["origin"])
    acquired = pd.to_datetime(customers["acquired_at"])
    ages = (origin.normalize() - acquired.dt.normalize()).dt.days
    for label, figures in by_age.items():
        low, high = AGE_BUCKETS[label]
        assert figures["customers"] == int(((ages >= low) & (ages <= high)).sum())
        assert {"auc", "pr_auc", "brier", "churn_rate", "predicted_rate"} <= set(figures)
        assert 0.0 <= figures["brier"] <= 1.0
    assert sum(f["customers"] for f in by_age.values()) <= churn["customers"]
    judged = [f for f in by_age.values() if not math.isnan(f["auc"])]
    assert judged and all(0.5 < f["auc"] <= 1.0 for f in judged)


def test_churn_drivers_say_per_channel_which_customers_churn_more_often(backtest):
    drivers = backtest.churn["drivers"]
    assert set(drivers) == {"meta", "google"}
    for channel, found in drivers.items():
        assert found
        for driver in found:
            assert driver["churn_rate_with"] >= MIN_RATIO * driver["churn_rate_without"]
            assert driver["churn_ratio"] == pytest.approx(
                driver["churn_rate_with"] / driver["churn_rate_without"], abs=0.01
            )
            assert driver["sentence"].startswith(f"Customers from {channel} ")
            assert f"churn {driver['churn_ratio']:.1f}× as often" in driver["sentence"]
