"""The error of a cohort's predicted revenue by the cohort's size (analytics.ltv.cohort_error),
on simulated cohorts whose truth is known: customers pay at random (most nothing, a few much),
each acquisition day has a shock of its own that no number of customers averages out, and the
model's predictions are the expected revenue, 10% too high. Fitted on day cohorts of about 15
customers (what the backtest judges), the 80% band must hold the actual revenue of about 8 in 10
fresh cohorts of a day, a week (about 100 customers) and a month (about 450), where the day
cohorts' own error, applied unscaled, holds nearly all of a week's (a misleadingly wide range)."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.ltv.cohort_error import abs_error_for_size, fit_size_model, interval_for_size

MEAN_REVENUE = 4.0
PAYER_SHARE = 0.2
DAY_SHOCK = 0.08  # sd of log(revenue) every cohort of a day shares
OVER_PREDICTION = 1.1


def cohorts(rng: np.random.Generator, count: int, days: int, per_day: float, *, each=False):
    """(actual, predicted, customers) of `count` cohorts, each `days` acquisition days, or with
    `each` every customer's (actual, predicted, cohort)."""
    actual, predicted, customers, mine, cohort = [], [], [], [], []
    for k in range(count):
        total, n = 0.0, 0
        for _ in range(days):
            size = max(int(rng.poisson(per_day)), 1)
            shock = np.exp(rng.normal(0.0, DAY_SHOCK) - DAY_SHOCK**2 / 2)
            paid = rng.random(size) < PAYER_SHARE
            amounts = shock * rng.lognormal(np.log(MEAN_REVENUE / PAYER_SHARE) - 0.5, 1.0, size)
            total += float((amounts * paid).sum())
            n += size
            mine.extend(amounts * paid)
            cohort.extend([k] * size)
        actual.append(total)
        predicted.append(n * MEAN_REVENUE * OVER_PREDICTION)
        customers.append(n)
    if each:
        return np.array(mine), np.full(len(mine), MEAN_REVENUE * OVER_PREDICTION), np.array(cohort)
    return np.array(actual), np.array(predicted), np.array(customers)


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(11)
    model = fit_size_model(*cohorts(rng, 120, 1, 15.0, each=True))
    assert model is not None
    return model, rng


def coverage(model: dict, actual, predicted, customers) -> float:
    bands = [interval_for_size(model, n) for n in customers]
    low = predicted * np.array([b[0] for b in bands])
    high = predicted * np.array([b[1] for b in bands])
    return float(np.mean((actual >= low) & (actual <= high)))


@pytest.mark.parametrize(("days", "per_day"), [(1, 15.0), (7, 15.0), (30, 15.0)])
def test_the_band_holds_about_eight_in_ten_cohorts_of_any_size(fitted, days, per_day):
    model, rng = fitted
    held = coverage(model, *cohorts(rng, 300, days, per_day))
    assert 0.68 <= held <= 0.95, held


def test_the_day_cohorts_error_unscaled_is_far_too_wide_for_a_week(fitted):
    model, rng = fitted
    actual, predicted, customers = cohorts(rng, 300, 7, 15.0)
    _, day_p80 = abs_error_for_size(model, 15.0)
    unscaled = (actual >= predicted * (1 - day_p80)) & (actual <= predicted * (1 + day_p80))
    assert unscaled.mean() >= 0.97
    week = interval_for_size(model, 105.0)
    day = interval_for_size(model, 15.0)
    assert week[1] - week[0] < 0.6 * (day[1] - day[0])


def test_the_bias_moves_the_band_and_what_is_known_of_it_does_not_average_out(fitted):
    model, _ = fitted
    # predictions 10% too high: actual / predicted centres near 1 / 1.1, even for huge cohorts,
    # whose band keeps the uncertainty of that bias (1,800 customers measured it)
    low, high = interval_for_size(model, 1e6)
    assert low < 1 / OVER_PREDICTION < high
    thousand = interval_for_size(model, 1_000)
    assert 0.02 < high - low < thousand[1] - thousand[0]


def test_a_model_needs_a_few_cohorts_with_revenue():
    three_cohorts = np.repeat([0, 1, 2], 5)
    assert fit_size_model(np.ones(15), np.ones(15), three_cohorts) is None
