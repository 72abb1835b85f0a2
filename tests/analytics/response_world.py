"""The sandbox World as response-curve data: each campaign's daily spend (USD) and outcome (its
installs' expected revenue within a horizon, as a perfect LTV model would predict it), and the
true curves of its campaigns and channels to compare fits with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.response import CAMPAIGN, CHANNEL, DATE, OUTCOME, SPEND
from connectors.sandbox.customers import CHANNELS
from connectors.sandbox.economics import UNITS_PER_USD
from connectors.sandbox.generator import CURRENCY_EXPONENT, SandboxCampaign, World
from connectors.sandbox.response import true_revenue

HORIZON_DAYS = 365


def minor_per_usd(currency: str) -> float:
    return 10 ** CURRENCY_EXPONENT.get(currency, 2) * UNITS_PER_USD[currency]


def world_frame(world: World, start: dt.date, end: dt.date) -> pd.DataFrame:
    """One row per campaign-day of the demo accounts from start to end."""
    rows = []
    for account in world.demo_accounts:
        scale = minor_per_usd(account.currency)
        truth = CHANNELS[account.platform]
        value = truth.customer_share * truth.expected_ltv(HORIZON_DAYS)
        sums: dict[tuple, list[float]] = {}
        for cell in world.ad_cells(account, start, end):
            entry = sums.setdefault((cell.date, cell.campaign.campaign_id), [0.0, 0.0])
            entry[0] += cell.spend_minor / scale
            entry[1] += cell.installs * value * cell.campaign.quality
        for (day, campaign), (spend, outcome) in sums.items():
            rows.append((day, account.platform, campaign, spend, outcome))
    return pd.DataFrame(rows, columns=[DATE, CHANNEL, CAMPAIGN, SPEND, OUTCOME])


@dataclass
class TrueCurve:
    """A true steady-state curve (one 'draw'): a campaign's, or a channel's when its campaigns
    move in proportion to their current spend."""

    campaigns: list[SandboxCampaign]
    weights: np.ndarray

    def revenue(self, spend) -> np.ndarray:
        x = np.asarray(spend, dtype=float)
        total = sum(
            true_revenue(c, x * w, HORIZON_DAYS)
            for c, w in zip(self.campaigns, self.weights, strict=True)
        )
        return np.asarray(total)[None, ...]

    def marginal(self, spend: float) -> np.ndarray:
        h = spend * 1e-3
        return (self.revenue(spend + h) - self.revenue(spend - h)) / (2 * h)


def true_curves(world: World, frame: pd.DataFrame, key: str) -> dict[str, TrueCurve]:
    """The true curve of each channel or campaign in `frame` (weights: current spend shares)."""
    by_id = {c.campaign_id: c for a in world.demo_accounts for c in world.campaigns(a)}
    last = pd.to_datetime(frame[DATE]).max()
    recent = frame[pd.to_datetime(frame[DATE]) > last - pd.Timedelta(days=28)]
    current = recent.groupby(CAMPAIGN)[SPEND].sum()
    out = {}
    for item, group in frame.groupby(key):
        ids = [c for c in group[CAMPAIGN].unique() if c in current.index and current[c] > 0]
        weights = current[ids].to_numpy() / current[ids].sum()
        out[str(item)] = TrueCurve([by_id[c] for c in ids], weights)
    return out
