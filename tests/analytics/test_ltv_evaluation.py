"""Holdout metrics against values computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.ltv import churn_metrics, revenue_metrics
from analytics.ltv.evaluation import (
    decile_mape,
    mean_absolute_error,
    normalized_gini,
    spearman,
    total_ratio,
)

ACTUAL = [1.0, 0.0, 3.0, 0.0]
PREDICTED = [0.1, 0.2, 0.9, 0.4]


def test_normalized_gini_of_a_perfect_ranking_is_one():
    assert normalized_gini([0, 1, 2, 3], [10, 20, 30, 40]) == pytest.approx(1.0)


def test_normalized_gini_of_a_reversed_ranking_is_minus_one():
    assert normalized_gini([0, 1, 2, 3], [40, 30, 20, 10]) == pytest.approx(-1.0)


def test_normalized_gini_matches_hand_computation():
    # by prediction: actual 3, 0, 0, 1 -> shares .75 .75 .75 1 -> 3.25/4 - 5/8 = 0.1875;
    # perfect order 3, 1, 0, 0 -> .75 1 1 1 -> 3.75/4 - 5/8 = 0.3125; ratio 0.6
    assert normalized_gini(ACTUAL, PREDICTED) == pytest.approx(0.6)


def test_normalized_gini_of_constant_predictions_is_zero_whatever_the_row_order():
    assert normalized_gini(ACTUAL, [5.0] * 4) == pytest.approx(0.0)
    assert normalized_gini(ACTUAL[::-1], [5.0] * 4) == pytest.approx(0.0)


def test_mean_absolute_error_and_total_ratio_match_hand_computation():
    assert mean_absolute_error(ACTUAL, [2.0, 0.0, 1.0, 1.0]) == pytest.approx(1.0)
    assert total_ratio(ACTUAL, [2.0, 0.0, 1.0, 2.0]) == pytest.approx(5.0 / 4.0)


def test_decile_mape_matches_hand_computation_with_two_groups():
    # top half by prediction: predicted 1.3 vs actual 3; bottom: 0.3 vs 1
    expected = (abs(1.3 - 3) / 3 + abs(0.3 - 1) / 1) / 2
    assert decile_mape(ACTUAL, PREDICTED, groups=2) == pytest.approx(expected)


def test_decile_mape_is_zero_for_exact_predictions():
    actual = np.arange(1, 101, dtype=float)
    assert decile_mape(actual, actual) == pytest.approx(0.0)


def test_spearman_of_a_monotone_prediction_is_one():
    assert spearman([1, 5, 2, 8], [0.1, 0.9, 0.2, 3.0]) == pytest.approx(1.0)


def test_revenue_metrics_report_every_metric_together():
    metrics = revenue_metrics(ACTUAL, PREDICTED)
    assert set(metrics) == {
        "mae",
        "total_actual",
        "total_predicted",
        "total_ratio",
        "normalized_gini",
        "decile_mape",
        "spearman",
    }
    assert metrics["total_actual"] == pytest.approx(4.0)


def test_churn_metrics_match_hand_computation():
    metrics = churn_metrics([1, 0, 1, 0], [0.9, 0.7, 0.6, 0.4])
    assert metrics["auc"] == pytest.approx(0.75)  # 3 of 4 (churner, stayer) pairs ordered right
    assert metrics["brier"] == pytest.approx((0.01 + 0.49 + 0.16 + 0.16) / 4)
    assert metrics["pr_auc"] == pytest.approx((1.0 + 2.0 / 3.0) / 2)
    assert metrics["churn_rate"] == pytest.approx(0.5)
