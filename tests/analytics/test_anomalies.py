"""Daily spend anomalies against hand-computed expectations and scores."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.anomalies import DROP, SPIKE, ZERO, detect_anomalies, expected_spend


def flat(days: int, value: float = 100.0) -> np.ndarray:
    return np.full(days, value)


def test_a_flat_line_has_no_anomaly():
    assert detect_anomalies(flat(40), first_weekday=0, judge_from=0) == []


def test_a_day_at_twice_the_usual_spend_is_a_spike():
    values = flat(30)
    values[22] = 200
    # expected 100; no deviation in the window, so the scale is its floor: 10% of 100
    (found,) = detect_anomalies(values, 0, 0)
    assert (found.index, found.kind, found.expected, found.score) == (22, SPIKE, 100, 10)


def test_a_day_without_spend_is_a_drop_to_zero():
    values = flat(30)
    values[25] = 0
    (found,) = detect_anomalies(values, 0, 0)
    assert (found.index, found.kind, found.actual, found.expected) == (25, ZERO, 0, 100)


def test_small_moves_stay_under_the_threshold():
    values = flat(30)
    values[22], values[24] = 130, 60  # scores 3 and -4: only the second is flagged
    found = detect_anomalies(values, 0, 0)
    assert [(a.index, a.kind, a.score) for a in found] == [(24, DROP, -4)]


def test_days_before_judge_from_or_without_three_weeks_of_history_are_not_judged():
    values = flat(40)
    values[5], values[17], values[27] = 0, 0, 0  # a Saturday, a Thursday, a Sunday
    assert detect_anomalies(values, 0, judge_from=28) == []
    assert [a.index for a in detect_anomalies(values, 0, judge_from=0)] == [27]


def test_weekends_without_spend_are_the_line_s_habit_not_an_anomaly():
    days = 35  # from a Monday: weekdays 100, weekends nothing
    values = np.array([100.0 if i % 7 < 5 else 0.0 for i in range(days)])
    assert detect_anomalies(values, first_weekday=0, judge_from=0) == []
    values[29] = 0  # a Wednesday without spend
    (found,) = detect_anomalies(values, 0, 0)
    assert (found.index, found.kind, found.expected) == (29, ZERO, pytest.approx(100))


def test_the_expectation_follows_the_weekday():
    days = 28  # from a Monday: weekdays 100, weekends 40
    window = np.array([100.0 if i % 7 < 5 else 40.0 for i in range(days)])
    # factors 700/580 (weekdays) and 280/580 (weekends); the deseasonalized level is 580/7
    assert expected_spend(window, 0, weekday=5).expected == pytest.approx(40)
    assert expected_spend(window, 0, weekday=1).expected == pytest.approx(100)


def test_the_scale_is_the_robust_spread_of_ordinary_days():
    window = np.array([90.0, 110.0] * 14)
    seen = expected_spend(window, 0, 0)
    # residuals around the median level are ±10 (up to the weekday factors): MAD ≈ 10
    assert seen.scale == pytest.approx(1.4826 * 10, rel=0.1)
