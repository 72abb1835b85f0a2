"""Fitting the response curves of channels and of the campaigns that can carry their own.

Input is one row per (channel, campaign, date) with that day's spend and outcome (the acquired
cohorts' predicted revenue, installs, or revenue to date). Within a channel, the campaigns are
fitted together: one carryover and saturation shape for the channel (per bootstrap draw), each
campaign its own level and weekday factors (`fit_shared_curves`). The channel's curve is the sum
of its campaigns' when its spend is shared among them as it is now; fitting the campaigns rather
than the channel's daily total keeps a shift of spend between a cheap and a dear campaign from
passing for saturation.

A campaign gets a curve of its own (its own shape too) only when its data can identify one:
enough days with spend, weekly spend that moved, and an own fit whose marginal ROAS is not too
uncertain. Otherwise it is *pooled*: it keeps the channel's shape with its own level, and its
`reason` says why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.response.curves import (
    BOOTSTRAP_DRAWS,
    KEEP_DESIGNS,
    CompositeCurve,
    ResponseCurve,
    SeriesDesign,
    curve_from_dict,
    fit_designs,
)

DATE, CHANNEL, CAMPAIGN, SPEND, OUTCOME = "date", "channel", "campaign", "spend", "outcome"
#: "Current" spend is the mean daily spend of this many last days (four whole weeks).
CURRENT_DAYS = 28
#: A campaign needs this many days with spend for a curve of its own.
MIN_ACTIVE_DAYS = 90
#: ... and weekly spend that moved at least this much (coefficient of variation) ...
MIN_SPEND_VARIATION = 0.10
#: ... and an 80% interval of its marginal ROAS no wider than this share of its median.
MAX_MARGINAL_SPREAD = 0.5


@dataclass
class FittedItem:
    key: str
    channel: str
    curve: ResponseCurve | CompositeCurve
    #: Mean daily spend of the last CURRENT_DAYS days, and the highest such 28-day mean seen.
    current_spend: float
    highest_spend: float
    pooled: bool = False
    reason: str = ""

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "channel": self.channel,
            "curve": self.curve.to_dict(),
            "current_spend": self.current_spend,
            "highest_spend": self.highest_spend,
            "pooled": self.pooled,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: dict) -> FittedItem:
        return cls(**{**data, "curve": curve_from_dict(data["curve"])})


@dataclass
class FittedResponse:
    """The channels' curves and the campaigns' (own or pooled), with the days they were fit on."""

    channels: dict[str, FittedItem]
    campaigns: dict[str, FittedItem]
    first_day: pd.Timestamp
    last_day: pd.Timestamp

    def items(self, level: str) -> dict[str, FittedItem]:
        return self.campaigns if level == CAMPAIGN else self.channels


def daily_matrix(
    frame: pd.DataFrame, key: str
) -> tuple[pd.DatetimeIndex, pd.DataFrame, pd.DataFrame]:
    """Spend and outcome per day (rows, every day of the window) and `key` (columns)."""
    dated = frame.assign(**{DATE: pd.to_datetime(frame[DATE])})
    days = pd.date_range(dated[DATE].min(), dated[DATE].max(), freq="D")
    tables = [
        dated.pivot_table(index=DATE, columns=key, values=v, aggfunc="sum", fill_value=0.0).reindex(
            days, fill_value=0.0
        )
        for v in (SPEND, OUTCOME)
    ]
    return days, tables[0], tables[1]


def fit_response(
    frame: pd.DataFrame, *, draws: int = BOOTSTRAP_DRAWS, seed: int = 0
) -> FittedResponse:
    """Fit every channel (its campaigns together) and every campaign (own or pooled)."""
    days, spend, outcome = daily_matrix(frame, CAMPAIGN)
    weekdays = days.weekday.to_numpy()
    channel_of = frame.drop_duplicates(CAMPAIGN).set_index(CAMPAIGN)[CHANNEL].to_dict()
    channels, campaigns = {}, {}
    for n, channel in enumerate(sorted(set(channel_of.values()))):
        keys = [c for c in spend.columns if channel_of[c] == channel and spend[c].sum() > 0]
        firsts = [int(np.argmax(spend[c].to_numpy() > 0)) for c in keys]
        series = [
            (spend[c].to_numpy()[f:], outcome[c].to_numpy()[f:], weekdays[f:])
            for c, f in zip(keys, firsts, strict=True)
        ]
        designs = [SeriesDesign(*one, keep=len(series) <= KEEP_DESIGNS) for one in series]
        shared = fit_designs(designs, draws=draws, seed=seed + 1000 * n)
        levels = [_spend_levels(spend[c].to_numpy()) for c in keys]
        for i, c in enumerate(keys):
            campaigns[str(c)] = _campaign_item(
                str(c), channel, designs[i], shared[i], levels[i], draws, seed + 1000 * n + i + 1
            )
        parts = [campaigns[str(c)].curve for c in keys]
        residuals = np.zeros(len(days))
        for f, curve in zip(firsts, parts, strict=True):
            residuals[f:] += curve.residuals
        current = np.array([lv[0] for lv in levels])
        weights = current / current.sum() if current.sum() > 0 else current
        composite = CompositeCurve([str(c) for c in keys], parts, weights, residuals)
        total = spend[keys].sum(axis=1).to_numpy()
        channels[channel] = FittedItem(channel, channel, composite, *_spend_levels(total))
    return FittedResponse(channels, campaigns, days[0], days[-1])


def _campaign_item(
    key: str,
    channel: str,
    design: SeriesDesign,
    pooled: ResponseCurve,
    levels: tuple[float, float],
    draws: int,
    seed: int,
) -> FittedItem:
    reason = _unidentified(design.spend)
    if reason is None:
        own = fit_designs([design], draws=draws, seed=seed)[0]
        reason = _uncertain(own, levels[0])
        if reason is None:
            return FittedItem(key, channel, own, *levels)
    return FittedItem(key, channel, pooled, *levels, pooled=True, reason=reason)


def _spend_levels(spend: np.ndarray) -> tuple[float, float]:
    current = float(spend[-CURRENT_DAYS:].mean())
    if len(spend) < CURRENT_DAYS:
        return current, current
    rolling = np.convolve(spend, np.ones(CURRENT_DAYS) / CURRENT_DAYS, mode="valid")
    return current, float(rolling.max())


def _unidentified(spend: np.ndarray) -> str | None:
    """Why the spend cannot identify a curve of its own (None: it may)."""
    active = int((spend > 0).sum())
    if active < MIN_ACTIVE_DAYS:
        return f"it spent on only {active} days, too few for a curve of its own"
    weeks = spend[: len(spend) // 7 * 7].reshape(-1, 7).sum(axis=1)
    variation = float(weeks.std() / weeks.mean()) if weeks.mean() > 0 else 0.0
    if variation < MIN_SPEND_VARIATION:
        return (
            f"its weekly spend varied only ±{variation:.0%}, too little to tell where it saturates"
        )
    return None


def _uncertain(curve: ResponseCurve, current: float) -> str | None:
    """Why a campaign's own curve is too uncertain to use (None: it is usable)."""
    marginal = curve.marginal(max(current, 1e-6))[1:]
    if len(marginal) == 0:
        return None
    low, mid, high = np.quantile(marginal, [0.1, 0.5, 0.9])
    if mid <= 0 or (high - low) > MAX_MARGINAL_SPREAD * mid:
        return (
            f"its own curve is too uncertain (marginal ROAS anywhere from {low:.2f} to {high:.2f})"
        )
    return None
