"""Response curves and the allocator against the sandbox World's known truth: two years of the
demo accounts' spend, each campaign answering it through its own true curve
(connectors/sandbox/response.py), the outcome its installs' expected revenue at a year."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from analytics.response import (
    CHANNEL,
    DATE,
    AllocationItem,
    allocate,
    backtest_response,
    fit_response,
)
from connectors.sandbox.generator import World

from .response_world import true_curves, world_frame

pytestmark = pytest.mark.slow

TODAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def world() -> World:
    return World(today=TODAY)


@pytest.fixture(scope="module")
def frame(world: World) -> pd.DataFrame:
    return world_frame(world, TODAY - dt.timedelta(days=730), TODAY - dt.timedelta(days=1))


@pytest.fixture(scope="module")
def fitted(frame: pd.DataFrame):
    return fit_response(frame)


def test_fitted_marginal_roas_at_current_spend_is_within_20_percent_of_the_truth(
    world, frame, fitted
):
    truth = true_curves(world, frame, CHANNEL)
    assert set(fitted.channels) == {a.platform for a in world.demo_accounts}
    for channel, item in fitted.channels.items():
        estimate = item.curve.marginal(item.current_spend)[0]
        true = truth[channel].marginal(item.current_spend)[0]
        assert estimate == pytest.approx(true, rel=0.2), channel


@pytest.mark.parametrize("max_change", [None, 0.3])
def test_recommendation_earns_95_percent_of_the_true_optimum(world, frame, fitted, max_change):
    truth = true_curves(world, frame, CHANNEL)
    channels = list(fitted.channels.values())
    budget = sum(item.current_spend for item in channels)

    def run(curve_of):
        items = [
            AllocationItem(i.key, curve_of(i), i.current_spend, i.highest_spend) for i in channels
        ]
        return allocate(items, total_budget=budget, max_change=max_change)

    recommended = run(lambda item: item.curve)
    optimum = run(lambda item: truth[item.key])

    def true_revenue(spend: np.ndarray) -> float:
        return sum(truth[key].revenue(spend[i])[0] for i, key in enumerate(optimum.keys))

    best = true_revenue(optimum.recommended)
    assert true_revenue(recommended.recommended) >= 0.95 * best
    # and it is a real move: the current allocation is further from the optimum
    assert true_revenue(recommended.current) < true_revenue(recommended.recommended)


def test_80_percent_intervals_cover_the_realized_outcome_in_75_percent_of_windows(frame):
    dates = pd.to_datetime(frame[DATE])
    windows = []
    for k in range(6):  # rolling origins, 28 days apart
        cut = dates.max() - pd.Timedelta(days=28 * k)
        windows += backtest_response(frame[dates <= cut], seed=k).items
    covered = np.mean([w.covered for w in windows])
    assert len(windows) == 6 * len({a.platform for a in World(today=TODAY).demo_accounts})
    assert covered >= 0.75
