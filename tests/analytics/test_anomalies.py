"""Daily spend anomalies against hand-computed expectations and scores."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.anomalies import DROP, SPIKE, ZERO, detect_anomalies, expected_spend


def flat(days: int, value: float = 100.0) -> np.ndarray:
    return np.full(days, value)


def weekly(days: int, weekday: float, weekend: float) -> np.ndarray:
    """From a Monday: `weekday` Monday to Friday, `weekend` on Saturday and Sunday."""
    return np.array([weekday if i % 7 < 5 else weekend for i in range(days)])


def test_a_flat_line_has_no_anomaly():
    assert detect_anomalies(flat(60), first_weekday=0, judge_from=0) == []


def test_a_day_at_twice_the_usual_spend_is_a_spike():
    values = flat(40)
    values[30] = 200
    # expected 100; no deviation in the window, so the scale is its floor: 10% of 100
    (found,) = detect_anomalies(values, 0, 0)
    assert (found.index, found.kind, found.expected, found.score) == (30, SPIKE, 100, 10)


def test_a_day_without_spend_is_a_drop_to_zero():
    values = flat(40)
    values[35] = 0
    (found,) = detect_anomalies(values, 0, 0)
    assert (found.index, found.kind, found.actual, found.expected) == (35, ZERO, 0, 100)


def test_small_moves_stay_under_the_threshold():
    values = flat(40)
    values[30], values[32] = 130, 60  # scores 3 and -4: only the second is flagged
    found = detect_anomalies(values, 0, 0)
    assert [(a.index, a.kind, a.score) for a in found] == [(32, DROP, -4)]


def test_days_before_judge_from_or_without_four_weeks_of_history_are_not_judged():
    values = flat(50)
    values[5], values[27], values[40] = 0, 0, 0  # a Saturday, a Sunday, a Friday
    assert detect_anomalies(values, 0, judge_from=41) == []
    assert [a.index for a in detect_anomalies(values, 0, judge_from=0)] == [40]


def test_one_odd_day_in_the_window_moves_neither_the_level_nor_the_weekday_factor():
    values = flat(60)
    values[30] = 0  # a Wednesday: the next three Wednesdays' windows hold it
    assert [a.index for a in detect_anomalies(values, 0, 0)] == [30]


def test_weekends_without_spend_are_the_line_s_habit_not_an_anomaly():
    values = weekly(42, 100, 0)
    assert detect_anomalies(values, first_weekday=0, judge_from=0) == []
    values[30] = 0  # a Wednesday without spend
    (found,) = detect_anomalies(values, 0, 0)
    assert (found.index, found.kind, found.expected) == (30, ZERO, pytest.approx(100))


def test_the_expectation_follows_the_weekday():
    window = weekly(28, 100, 40)
    # factors 700/580 (weekdays) and 280/580 (weekends); the deseasonalized level is 580/7
    assert expected_spend(window, 0, weekday=5).expected == pytest.approx(40)
    assert expected_spend(window, 0, weekday=1).expected == pytest.approx(100)


def test_the_scale_is_the_robust_spread_of_ordinary_days():
    window = np.array([90.0, 110.0] * 14)
    seen = expected_spend(window, 0, 0)
    # residuals around the expectation are ±10 (up to the weekday factors): MAD ≈ 10
    assert seen.scale == pytest.approx(1.4826 * 10, rel=0.1)


def test_a_window_of_another_length_is_refused():
    with pytest.raises(ValueError, match="28 days"):
        expected_spend(flat(21), 0, 0)
