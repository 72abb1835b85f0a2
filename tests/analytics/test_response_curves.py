"""Response curves: carryover, saturation, weekday effects, bootstrap draws and pooling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.response import (
    CAMPAIGN,
    CHANNEL,
    DATE,
    OUTCOME,
    SPEND,
    FittedItem,
    ResponseCurve,
    adstock,
    fit_response,
    fit_response_curve,
    hill,
)
from analytics.response.allocator import interval

DAYS = 600


def simulate(half=150.0, shape=1.0, decay=0.4, beta=400.0, saturday=1.3, seed=1, steady=False):
    """Daily spend moving in 4-week plans (or held steady) and a Poisson-noisy outcome."""
    rng = np.random.default_rng(seed)
    plans = np.repeat(rng.uniform(0.5, 1.6, DAYS // 28 + 1), 28)[:DAYS]
    spend = 100.0 * (1.0 if steady else plans) * rng.uniform(0.9, 1.1, DAYS)
    weekdays = np.arange(DAYS) % 7
    factor = np.where(weekdays == 5, saturday, 1.0)
    factor = factor / factor.mean()
    expected = beta * hill(adstock(spend, decay), half, shape) * factor
    outcome = rng.poisson(expected / 2.0) * 2.0
    return (
        spend,
        outcome,
        weekdays,
        ResponseCurve(*(np.array([v]) for v in (beta, half, shape, decay))),
    )


def test_adstock_of_a_held_spend_reaches_that_spend():
    stock = adstock(np.full(200, 50.0), 0.6)
    assert stock[0] == pytest.approx(20.0)
    assert stock[-1] == pytest.approx(50.0, rel=1e-6)


def test_hill_is_half_at_half_saturation():
    assert hill(np.array([80.0]), 80.0, 1.7)[0] == pytest.approx(0.5)


def test_fit_recovers_the_marginal_return_at_current_spend():
    spend, outcome, weekdays, truth = simulate()
    curve = fit_response_curve(spend, outcome, weekdays)
    current = spend[-28:].mean()
    assert curve.marginal(current)[0] == pytest.approx(truth.marginal(current)[0], rel=0.15)
    assert curve.revenue(current)[0] == pytest.approx(truth.revenue(current)[0], rel=0.05)


def test_fit_finds_the_carryover():
    spend, outcome, weekdays, _ = simulate(decay=0.6)
    assert fit_response_curve(spend, outcome, weekdays).decay[0] == pytest.approx(0.6, abs=0.15)


def test_fit_separates_the_weekday_effect_from_spend():
    spend, outcome, weekdays, _ = simulate(saturday=1.5)
    curve = fit_response_curve(spend, outcome, weekdays)
    expected = 1.5 / ((6 + 1.5) / 7)
    assert curve.weekday[5] == pytest.approx(expected, rel=0.08)
    assert curve.weekday.mean() == pytest.approx(1.0)


def test_bootstrap_interval_holds_the_estimate_and_has_width():
    spend, outcome, weekdays, _ = simulate()
    curve = fit_response_curve(spend, outcome, weekdays, draws=40)
    assert curve.draws == 41
    revenue = curve.revenue(120.0)
    low, high = interval(revenue)
    assert low < revenue[0] < high


def test_curve_round_trips_through_its_dict():
    spend, outcome, weekdays, _ = simulate()
    curve = fit_response_curve(spend, outcome, weekdays, draws=5)
    again = ResponseCurve.from_dict(curve.to_dict())
    np.testing.assert_allclose(again.revenue(np.array([50.0, 90.0])), curve.revenue([50.0, 90.0]))


def _frame(*campaigns) -> pd.DataFrame:
    dates = pd.date_range("2025-01-01", periods=DAYS, freq="D")
    parts = []
    for channel, key, (spend, outcome, *_rest) in campaigns:
        parts.append(
            pd.DataFrame(
                {DATE: dates, CHANNEL: channel, CAMPAIGN: key, SPEND: spend, OUTCOME: outcome}
            )
        )
    return pd.concat(parts, ignore_index=True)


def test_a_campaign_with_steady_spend_is_pooled_into_its_channel_and_says_why():
    frame = _frame(
        ("meta", "moving", simulate(seed=2)),
        ("meta", "steady", simulate(seed=3, steady=True)),
    )
    fitted = fit_response(frame, draws=20)
    steady, moving = fitted.campaigns["steady"], fitted.campaigns["moving"]
    assert steady.pooled and "weekly spend varied only" in steady.reason
    assert not moving.pooled and moving.reason == ""
    # the pooled campaign keeps the channel's carryover and saturation shape
    assert steady.curve.decay[0] == fitted.channels["meta"].curve.parts[0].decay[0]


def test_a_channel_curve_is_the_sum_of_its_campaigns_at_their_current_shares():
    frame = _frame(("meta", "a", simulate(seed=4)), ("meta", "b", simulate(seed=5, half=300)))
    fitted = fit_response(frame, draws=10)
    channel = fitted.channels["meta"]
    a, b = fitted.campaigns["a"], fitted.campaigns["b"]
    total = a.current_spend + b.current_spend
    assert channel.current_spend == pytest.approx(total)
    parts = channel.curve.parts
    expected = parts[0].revenue(a.current_spend)[0] + parts[1].revenue(b.current_spend)[0]
    assert channel.curve.revenue(total)[0] == pytest.approx(expected, rel=1e-9)


def test_fitted_items_round_trip_through_their_dicts():
    frame = _frame(("meta", "a", simulate(seed=4)), ("meta", "b", simulate(seed=5)))
    fitted = fit_response(frame, draws=5)
    channel = FittedItem.from_dict(fitted.channels["meta"].to_dict())
    np.testing.assert_allclose(
        channel.curve.revenue(150.0), fitted.channels["meta"].curve.revenue(150.0)
    )
