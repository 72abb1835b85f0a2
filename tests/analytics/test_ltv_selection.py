"""Model selection on a time split, training and scoring: on two simulated channels with
different true LTV the models rank the channels right and predict the holdout total closely."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analytics.ltv import BOOSTING, BTYD, choose_model, score_ltv, select_model, train_ltv_model

from .channels import CALIBRATION_END, HOLDOUT_END


@pytest.fixture(scope="module")
def selection(two_channels):
    customers, transactions = two_channels
    return select_model(transactions, customers, CALIBRATION_END, HOLDOUT_END)


def _by_channel(selection, customers) -> pd.DataFrame:
    platform = customers.set_index("customer_id")["platform"]
    return selection.holdout.join(platform).groupby("platform").sum(numeric_only=True)


def test_selection_reports_every_metric_for_both_models_and_churn(selection):
    assert selection.chosen in (BTYD, BOOSTING)
    assert {"mae", "normalized_gini", "decile_mape", "spearman", "total_ratio"} <= set(
        selection.metrics[BTYD]
    )
    assert set(selection.metrics[BOOSTING]) == set(selection.metrics[BTYD])
    assert {"auc", "pr_auc", "brier"} <= set(selection.metrics["churn"])
    json.dumps(selection.metrics)


def test_chosen_model_predicts_the_holdout_total_within_ten_percent(selection):
    assert selection.metrics[selection.chosen]["total_ratio"] == pytest.approx(1.0, abs=0.10)


@pytest.mark.parametrize("model", [BTYD, BOOSTING])
def test_both_models_rank_the_stronger_channel_first(selection, two_channels, model):
    totals = _by_channel(selection, two_channels[0])
    assert totals.loc["meta", "actual"] > 3 * totals.loc["google", "actual"]
    assert totals.loc["meta", model] > 3 * totals.loc["google", model]


def test_btyd_fitted_per_channel_predicts_each_channel_total_within_ten_percent(
    selection, two_channels
):
    totals = _by_channel(selection, two_channels[0])
    ratio = totals[BTYD] / totals["actual"]
    np.testing.assert_allclose(ratio, 1.0, atol=0.10)


def test_btyd_churn_probability_separates_churners(selection):
    assert selection.metrics["churn"]["auc"] > 0.75


def test_models_rank_customers_far_better_than_chance(selection):
    assert selection.metrics[BTYD]["normalized_gini"] > 0.5
    assert selection.metrics[BOOSTING]["normalized_gini"] > 0.5


def test_lowest_mae_wins():
    metrics = {
        BTYD: {"mae": 10.0, "total_ratio": 1.0, "normalized_gini": 0.9},
        BOOSTING: {"mae": 9.0, "total_ratio": 1.0, "normalized_gini": 0.5},
    }
    assert choose_model(metrics) == BOOSTING


def test_higher_gini_breaks_a_near_tie_in_mae():
    metrics = {
        BTYD: {"mae": 10.0, "total_ratio": 1.0, "normalized_gini": 0.5},
        BOOSTING: {"mae": 10.05, "total_ratio": 1.0, "normalized_gini": 0.6},
    }
    assert choose_model(metrics) == BOOSTING


def test_a_model_far_off_the_total_loses_despite_a_lower_mae():
    metrics = {
        BTYD: {"mae": 10.0, "total_ratio": 1.05, "normalized_gini": 0.5},
        BOOSTING: {"mae": 8.0, "total_ratio": 0.6, "normalized_gini": 0.6},
    }
    assert choose_model(metrics) == BTYD


def test_boosting_model_falls_back_to_btyd_for_horizons_without_enough_history(two_channels):
    customers, transactions = two_channels
    model = train_ltv_model(
        transactions, customers, HOLDOUT_END, BOOSTING, (30, 90, 365), min_history_days=120
    )
    # acquisitions start 2024-01-01; 365 + 120 days before 2025-03-31 is before that
    assert model.source(30) == BOOSTING and model.source(365) == BTYD
    assert model.algorithm == "hgb_poisson"
    json.dumps(model.parameters())


def test_scores_have_ltv_at_each_horizon_and_churn_probabilities(two_channels):
    customers, transactions = two_channels
    model = train_ltv_model(transactions, customers, HOLDOUT_END, BTYD)
    scores = score_ltv(model, transactions, customers, HOLDOUT_END, daily_discount_rate=0.0005)
    assert len(scores) == len(customers)
    assert (scores["clv_30"] <= scores["clv_90"]).all()
    assert (scores["clv_90"] <= scores["clv_365"]).all()
    for column in ("p_alive", "churn_30", "churn_90"):
        assert scores[column].between(0.0, 1.0).all()
    assert (scores["churn_30"] >= scores["churn_90"]).all()
