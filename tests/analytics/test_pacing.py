"""Pacing figures, both forecasts, their bands and the backtest, against hand-computed values."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from analytics import pacing

MONDAY = dt.date(2024, 1, 1)


def weekly_pattern(days: int, weekday: float = 100.0, weekend: float = 40.0) -> pacing.DailySpend:
    """Spend of `weekday` Monday to Friday and `weekend` on Saturday and Sunday, from a Monday."""
    values = [weekday if (MONDAY + dt.timedelta(i)).weekday() < 5 else weekend for i in range(days)]
    return pacing.DailySpend(MONDAY, np.array(values))


@pytest.mark.parametrize(
    ("start", "period", "last"),
    [
        (dt.date(2026, 2, 1), "month", dt.date(2026, 2, 28)),
        (dt.date(2024, 2, 1), "month", dt.date(2024, 2, 29)),
        (dt.date(2026, 12, 1), "month", dt.date(2026, 12, 31)),
        (dt.date(2026, 10, 1), "quarter", dt.date(2026, 12, 31)),
        (dt.date(2026, 1, 1), "quarter", dt.date(2026, 3, 31)),
    ],
)
def test_period_end_is_the_last_day_of_the_month_or_quarter(start, period, last):
    assert pacing.period_end(start, period) == last


def test_expected_spend_is_the_budget_prorated_over_elapsed_days():
    assert pacing.expected_to_date(3100, 10, 31) == pytest.approx(1000)
    assert pacing.expected_to_date(3100, 40, 31) == pytest.approx(3100)
    assert pacing.expected_to_date(3100, 0, 31) == 0


def test_pace_is_actual_over_expected_in_percent():
    assert pacing.pace_pct(1200, 1000) == pytest.approx(120)
    assert pacing.pace_pct(1200, 0) is None


def test_required_daily_spend_spreads_what_is_left_over_the_days_left():
    assert pacing.required_daily(3100, 1200, 21) == pytest.approx(1900 / 21)
    assert pacing.required_daily(3100, 3500, 5) == 0
    assert pacing.required_daily(3100, 1200, 0) is None


def test_linear_projection_is_the_run_rate():
    assert pacing.project_linear(1000, 10, 30) == pytest.approx(3000)
    assert pacing.project_linear(1000, 0, 30) is None


def test_weekday_factors_are_each_weekday_mean_over_the_mean_of_means():
    factors = pacing.weekday_factors(weekly_pattern(14).values, first_weekday=0)
    # mean of the weekday means = (5 * 100 + 2 * 40) / 7 = 82.857...
    np.testing.assert_allclose(factors, [700 / 580] * 5 + [280 / 580] * 2)


def test_weekday_factors_need_two_weeks():
    np.testing.assert_allclose(pacing.weekday_factors(weekly_pattern(13).values, 0), np.ones(7))


def test_seasonal_forecast_of_a_weekly_pattern_is_exact_and_the_linear_one_is_not():
    series = weekly_pattern(200)
    june, end, as_of = dt.date(2024, 6, 1), dt.date(2024, 6, 30), dt.date(2024, 6, 10)
    # June 2024 starts on a Saturday: 20 weekdays and 10 weekend days = 2400.
    assert series.total(june, end) == 2400
    seasonal = pacing.project(series, june, end, as_of, pacing.SEASONAL)
    assert (seasonal.point, seasonal.low, seasonal.high) == pytest.approx((2400, 2400, 2400))
    # June 1-10: 4 weekend days (160) and 6 weekdays (600) = 760 → 76 a day × 30.
    assert pacing.project(series, june, end, as_of, pacing.LINEAR).point == pytest.approx(2280)


def test_linear_band_widens_with_the_spread_of_the_days_so_far():
    series = pacing.DailySpend(dt.date(2024, 1, 1), np.array([10.0, 20.0]))
    # spent 30, level 15, sample variance 50; 2 days left:
    # 50 × 2 + 50 / 2 × 2² = 200 → half width 1.96 × √200
    half = 1.96 * np.sqrt(200)
    projection = pacing.project(
        series, dt.date(2024, 1, 1), dt.date(2024, 1, 4), dt.date(2024, 1, 2), pacing.LINEAR
    )
    assert (projection.point, projection.low, projection.high) == pytest.approx(
        (60, 60 - half, 60 + half)
    )


def test_the_band_never_goes_below_what_is_already_spent():
    series = pacing.DailySpend(dt.date(2024, 1, 1), np.array([1.0, 100.0]))
    projection = pacing.project(
        series, dt.date(2024, 1, 1), dt.date(2024, 1, 30), dt.date(2024, 1, 2), pacing.LINEAR
    )
    assert projection.low == 101


def test_the_seasonal_level_reaches_back_before_a_young_period():
    series = pacing.DailySpend(dt.date(2024, 5, 1), np.full(32, 50.0))  # May 1 .. June 1
    projection = pacing.project(
        series, dt.date(2024, 6, 1), dt.date(2024, 6, 30), dt.date(2024, 6, 1), pacing.SEASONAL
    )
    assert projection.point == pytest.approx(30 * 50)


def test_without_a_day_of_the_period_the_linear_forecast_has_nothing_to_say():
    series = pacing.DailySpend(dt.date(2024, 5, 1), np.full(31, 50.0))
    assert (
        pacing.project(
            series, dt.date(2024, 6, 1), dt.date(2024, 6, 30), dt.date(2024, 5, 31), pacing.LINEAR
        )
        is None
    )


def test_backtest_replays_both_forecasts_on_days_5_10_and_20_of_past_months():
    result = pacing.backtest(weekly_pattern(200), before=dt.date(2024, 7, 1), months=1)
    assert result.months == 1  # June 2024, actual 2400
    # linear: June 1-5 = 380 → 2280; June 1-10 = 760 → 2280; June 1-20 = 1640 → 2460
    assert result.linear == pytest.approx({"d5": 0.05, "d10": 0.05, "d20": 0.025})
    assert result.seasonal == pytest.approx({"d5": 0.0, "d10": 0.0, "d20": 0.0})
    assert pacing.better_method(result) == pacing.SEASONAL


def test_backtest_uses_only_whole_months_before_the_period_and_skips_months_without_spend():
    values = np.concatenate([np.zeros(31), np.full(29 + 31, 10.0)])  # Jan 0, Feb and Mar 10/day
    series = pacing.DailySpend(dt.date(2024, 1, 1), values)
    result = pacing.backtest(series, before=dt.date(2024, 4, 1))
    assert result.months == 2
    assert result.linear == pytest.approx({"d5": 0.0, "d10": 0.0, "d20": 0.0})


def test_backtest_without_a_past_month_measures_nothing():
    series = pacing.DailySpend(dt.date(2024, 1, 10), np.full(40, 10.0))
    result = pacing.backtest(series, before=dt.date(2024, 2, 15))
    assert result.months == 0
    assert result.seasonal == {"d5": None, "d10": None, "d20": None}
    assert pacing.better_method(result) == pacing.SEASONAL


def test_the_linear_forecast_wins_when_its_error_is_lower():
    result = pacing.Backtest(
        {"d5": 0.2, "d10": 0.1, "d20": 0.05}, {"d5": 0.1, "d10": 0.05, "d20": 0.05}, 3
    )
    assert pacing.better_method(result) == pacing.LINEAR


def test_measure_pacing_gathers_every_figure():
    series = weekly_pattern(200)
    figures = pacing.measure_pacing(
        3000, dt.date(2024, 6, 1), dt.date(2024, 6, 30), series, dt.date(2024, 6, 10)
    )
    assert figures.spend_to_date == 760
    assert figures.expected_to_date == pytest.approx(1000)
    assert figures.pace_pct == pytest.approx(76)
    assert figures.required_daily == pytest.approx((3000 - 760) / 20)
    assert (figures.elapsed_days, figures.period_days) == (10, 30)
    assert figures.projection.point == pytest.approx(2400)


def test_a_finished_period_projects_what_was_spent():
    series = weekly_pattern(200)
    figures = pacing.measure_pacing(
        3000, dt.date(2024, 6, 1), dt.date(2024, 6, 30), series, dt.date(2024, 7, 5)
    )
    assert figures.spend_to_date == 2400
    assert figures.projection == pacing.Projection(2400, 2400, 2400)
    assert figures.required_daily is None
