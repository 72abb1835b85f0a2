"""Benchmark: response curves and the allocator on 500 campaigns with 2 years of daily data.

The data are sandbox-style (connectors/sandbox/response.py): each campaign has a known Hill
curve with geometric carryover and a weekend factor, calibrated to its channel's cost per install
(connectors/sandbox/economics.py) at its budget; its spend follows account and campaign budget
plans, the season, its weekday pattern and a daily wobble; installs are Poisson around the curve
and the outcome is their expected revenue within a year (the channel's true customer value times
the campaign's quality), as a perfect LTV model would predict it.

Measured: `fit_s` (channels and campaigns: shared-shape fits with bootstrap draws, own fits of
the identifiable campaigns), `optimize_s` (the allocator at campaign level, the total budget
held at current spend), `optimum_share` (true revenue of the recommendation ÷ true revenue of
the allocation the true curves give under the same constraints; the reference, the current
allocation's share, is `current_share`), and `interval_coverage` (share of campaigns whose
realized outcome over a 28-day holdout lies in the 80% interval of a fit made before it).
The last line printed is one JSON object.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import time

import numpy as np
import pandas as pd

from analytics.response import (
    CAMPAIGN,
    CHANNEL,
    DATE,
    OUTCOME,
    SPEND,
    AllocationItem,
    ResponseCurve,
    allocate,
    backtest_response,
    fit_response,
)
from connectors.sandbox.customers import CHANNELS
from connectors.sandbox.economics import CHANNEL_COSTS, CPI_SPREAD, QUALITY_SPREAD
from connectors.sandbox.response import draw_response, plan_level

CAMPAIGNS = int(os.environ.get("ALLOCATOR_BENCH_CAMPAIGNS", "500"))
DAYS = int(os.environ.get("ALLOCATOR_BENCH_DAYS", "730"))
PER_ACCOUNT = 20
#: Daily budgets (USD) of the benchmark's campaigns: larger than the demo's, as a real
#: advertiser's 500 campaigns would be.
BUDGET_USD = (40.0, 400.0)
HORIZON_DAYS = 365
SEED = 11


def simulate(campaigns: int, days: int, seed: int = SEED) -> tuple[pd.DataFrame, dict]:
    """The daily frame and each campaign's true steady-state curve (a one-draw ResponseCurve)."""
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    end = dt.date(2026, 11, 30)
    dates = [end - dt.timedelta(days=days - 1 - i) for i in range(days)]
    weekdays = np.array([d.weekday() for d in dates])
    frames, truths = [], {}
    platforms = list(CHANNEL_COSTS)
    for n in range(campaigns):
        platform = platforms[n % len(platforms)]
        account, key = f"acct{n // PER_ACCOUNT}-{platform}", f"c{n:04d}"
        budget = rng.uniform(*BUDGET_USD) * 100  # cents
        cpi = CHANNEL_COSTS[platform].cpi * rng.uniform(*CPI_SPREAD) * 100
        quality = rng.uniform(*QUALITY_SPREAD)
        weekend = rng.choice((0.7, 0.85, 1.15, 1.3))
        response = draw_response(seed, key, int(budget), cpi)
        season = np.array([1.0 + 0.15 * ((d.timetuple().tm_yday % 91) / 91.0) for d in dates])
        plan = np.array([plan_level(seed, account, key, d) for d in dates])
        spend = budget * np.where(weekdays >= 5, weekend, 1.0) * season * plan
        spend = np.floor(spend * noise.uniform(0.75, 1.05, days))
        kernel = (1 - response.decay) * response.decay ** np.arange(30)
        stock = np.convolve(spend, kernel)[:days]
        expected = response.peak_installs * response.hill(stock)
        expected *= np.where(weekdays >= 5, response.weekend_response, 1.0)
        truth = CHANNELS[platform]
        value = truth.customer_share * quality * truth.expected_ltv(HORIZON_DAYS)
        installs = noise.poisson(expected)
        frames.append(
            pd.DataFrame(
                {
                    DATE: dates,
                    CHANNEL: platform,
                    CAMPAIGN: key,
                    SPEND: spend / 100,
                    OUTCOME: installs * value,
                }
            )
        )
        week = (5 + 2 * response.weekend_response) / 7
        truths[key] = ResponseCurve(
            beta=np.array([response.peak_installs * week * value]),
            half=np.array([response.half_minor / 100]),
            shape=np.array([response.shape]),
            decay=np.array([response.decay]),
        )
    return pd.concat(frames, ignore_index=True), truths


def main() -> None:
    started = time.perf_counter()
    frame, truths = simulate(CAMPAIGNS, DAYS)
    simulate_s = time.perf_counter() - started

    started = time.perf_counter()
    fitted = fit_response(frame)
    fit_s = time.perf_counter() - started

    items = list(fitted.campaigns.values())
    budget = sum(item.current_spend for item in items)
    started = time.perf_counter()
    recommended = allocate(
        [AllocationItem(i.key, i.curve, i.current_spend, i.highest_spend) for i in items],
        total_budget=budget,
    )
    optimize_s = time.perf_counter() - started
    optimum = allocate(
        [AllocationItem(i.key, truths[i.key], i.current_spend, i.highest_spend) for i in items],
        total_budget=budget,
    )

    def true_revenue(spend: np.ndarray) -> float:
        return float(sum(truths[k].revenue(spend[j])[0] for j, k in enumerate(optimum.keys)))

    best = true_revenue(optimum.recommended)
    started = time.perf_counter()
    backtest = backtest_response(frame, level=CAMPAIGN)
    backtest_s = time.perf_counter() - started
    pooled = sum(item.pooled for item in items)
    print(
        f"simulate {simulate_s:.1f}s, fit {fit_s:.1f}s, optimize {optimize_s:.2f}s, "
        f"backtest {backtest_s:.1f}s; {pooled} of {len(items)} campaigns pooled"
    )
    print(
        json.dumps(
            {
                "campaigns": len(items),
                "days": DAYS,
                "fit_s": round(fit_s, 2),
                "optimize_s": round(optimize_s, 2),
                "optimum_share": round(true_revenue(recommended.recommended) / best, 4),
                "current_share": round(true_revenue(recommended.current) / best, 4),
                "interval_coverage": round(backtest.coverage, 4),
                "backtest_windows": len(backtest.items),
                "pooled_campaigns": pooled,
                "backtest_s": round(backtest_s, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
