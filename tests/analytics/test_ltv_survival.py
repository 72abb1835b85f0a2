"""Kaplan-Meier survival against a hand-computed example, per cohort, and on a daily grid."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.ltv import (
    kaplan_meier,
    kaplan_meier_by_cohort,
    lifetimes_from_summary,
    survival_on_grid,
)

DURATIONS = [1, 2, 2, 3, 4, 5]
OBSERVED = [1, 1, 0, 1, 0, 1]


def test_kaplan_meier_matches_hand_computation_with_censoring():
    curve = kaplan_meier(DURATIONS, OBSERVED)
    # t=1: 5/6; t=2: x 4/5 (one censored at 2 leaves 3 at risk); t=3: x 2/3; t=4 censored; t=5: 0
    expected = [1.0, 5 / 6, 2 / 3, 4 / 9, 4 / 9, 0.0]
    np.testing.assert_allclose(curve["survival"], expected)
    assert curve["time"].tolist() == [0, 1, 2, 3, 4, 5]
    assert curve["at_risk"].tolist() == [6, 6, 5, 3, 2, 1]
    assert curve["censored"].tolist() == [0, 0, 1, 0, 1, 0]


def test_survival_on_grid_is_a_step_function_unknown_after_follow_up():
    grid = survival_on_grid(kaplan_meier(DURATIONS, OBSERVED), 7)
    np.testing.assert_allclose(grid[:6], [1.0, 5 / 6, 2 / 3, 4 / 9, 4 / 9, 0.0])
    assert np.isnan(grid[6:]).all()


def test_kaplan_meier_without_censoring_is_the_empirical_survival():
    curve = kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])
    np.testing.assert_allclose(curve["survival"], [1.0, 0.75, 0.5, 0.25, 0.0])


def test_curves_are_estimated_separately_per_cohort():
    lifetimes = pd.DataFrame(
        {"duration": [1, 2, 3, 1, 1], "observed": [True, True, True, True, False]},
        index=["a", "b", "c", "d", "e"],
    )
    cohorts = pd.Series(
        ["2024-01", "2024-01", "2024-01", "2024-02", "2024-02"], index=lifetimes.index
    )
    curves = kaplan_meier_by_cohort(lifetimes, cohorts)
    january = curves[curves["cohort"] == "2024-01"]
    february = curves[curves["cohort"] == "2024-02"]
    np.testing.assert_allclose(january["survival"], [1.0, 2 / 3, 1 / 3, 0.0])
    np.testing.assert_allclose(february["survival"], [1.0, 0.5])


def test_lifetimes_are_observed_after_the_inactivity_period_and_censored_before():
    summary = pd.DataFrame({"recency": [10.0, 95.0, 0.0], "T": [100.0, 100.0, 20.0]})
    lifetimes = lifetimes_from_summary(summary, inactivity_days=30)
    assert lifetimes["observed"].tolist() == [True, False, False]
    assert lifetimes["duration"].tolist() == pytest.approx([10.0, 100.0, 20.0])
