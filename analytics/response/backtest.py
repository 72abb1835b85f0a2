"""Backtest of the response curves: fit on the data up to `HOLDOUT_DAYS` before the end, predict
those days from the spend that really happened (carryover from before included), and compare
with what was realized. The interval of a prediction is the spread of the bootstrap draws plus
the outcome's own day-to-day noise (block-resampled residuals of the fit), so an 80% interval
should hold the realized outcome in about 80% of windows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.response.allocator import interval
from analytics.response.curves import BOOTSTRAP_DRAWS, ResponseCurve, window_sum_noise
from analytics.response.fitting import (
    CAMPAIGN,
    CHANNEL,
    DATE,
    FittedResponse,
    daily_matrix,
    fit_response,
)

HOLDOUT_DAYS = 28
#: Earlier windows whose misses calibrate the width of the intervals.
CALIBRATION_WINDOWS = 2
#: A calibration fit needs this many days of history.
MIN_FIT_DAYS = 180


@dataclass(frozen=True)
class WindowPrediction:
    key: str
    predicted: float
    low: float
    high: float
    realized: float

    @property
    def covered(self) -> bool:
        return self.low <= self.realized <= self.high

    @property
    def miss_ratio(self) -> float:
        """|realized - predicted| over the interval's half-width on that side (1: at the edge)."""
        edge = self.high if self.realized >= self.predicted else self.low
        width = abs(edge - self.predicted)
        miss = abs(self.realized - self.predicted)
        return miss / width if width > 0 else (0.0 if miss == 0 else np.inf)

    def widened(self, scale: float) -> WindowPrediction:
        return WindowPrediction(
            self.key,
            self.predicted,
            self.predicted - scale * (self.predicted - self.low),
            self.predicted + scale * (self.high - self.predicted),
            self.realized,
        )

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "predicted": self.predicted,
            "low": self.low,
            "high": self.high,
            "realized": self.realized,
            "covered": self.covered,
        }


@dataclass(frozen=True)
class ResponseBacktest:
    origin: pd.Timestamp
    days: int
    items: list[WindowPrediction]
    #: The factor the intervals were widened by (see `interval_scale`).
    scale: float = 1.0

    @property
    def coverage(self) -> float | None:
        return float(np.mean([w.covered for w in self.items])) if self.items else None

    @property
    def total(self) -> WindowPrediction:
        return WindowPrediction(
            "total",
            sum(w.predicted for w in self.items),
            sum(w.low for w in self.items),
            sum(w.high for w in self.items),
            sum(w.realized for w in self.items),
        )

    @property
    def total_error(self) -> float | None:
        """(predicted - realized) / realized of the total (the bias)."""
        total = self.total
        return (total.predicted - total.realized) / total.realized if total.realized else None

    @property
    def mean_absolute_error(self) -> float | None:
        """Mean of |predicted - realized| / realized over the items with an outcome."""
        errors = [abs(w.predicted - w.realized) / w.realized for w in self.items if w.realized]
        return float(np.mean(errors)) if errors else None

    def to_dict(self) -> dict:
        return {
            "origin": self.origin.date().isoformat(),
            "days": self.days,
            "interval_scale": self.scale,
            "coverage": self.coverage,
            "total_error": self.total_error,
            "mean_absolute_error": self.mean_absolute_error,
            "total": self.total.to_dict(),
            "items": [w.to_dict() for w in self.items],
        }


def predict_window(
    fitted: FittedResponse,
    frame: pd.DataFrame,
    start: pd.Timestamp,
    *,
    level: str = CHANNEL,
    seed: int = 0,
) -> list[WindowPrediction]:
    """Predict each channel's (or campaign's) outcome from `start` to the end of `frame` from
    the spend that really happened, with an 80% interval (draws and the outcome's noise)."""
    days, spend, outcome = daily_matrix(frame, CAMPAIGN)
    weekdays = days.weekday.to_numpy()
    window = np.asarray(days >= start)
    rng = np.random.default_rng(seed)
    campaign_draws: dict[str, np.ndarray] = {}
    for key, item in fitted.campaigns.items():
        if key in spend.columns:
            campaign_draws[key] = _window_draws(item.curve, spend[key].to_numpy(), weekdays, window)
    groups = (
        {k: [k] for k in campaign_draws}
        if level == CAMPAIGN
        else {ch: item.curve.keys for ch, item in fitted.channels.items()}
    )
    items = fitted.items(level)
    out = []
    for key, members in groups.items():
        members = [m for m in members if m in campaign_draws]
        if not members:
            continue
        sums = sum(campaign_draws[m] for m in members)
        noise = window_sum_noise(items[key].curve.residuals, int(window.sum()), len(sums), rng)
        low, high = interval(sums, noise)
        realized = float(outcome[members].to_numpy()[window].sum())
        out.append(WindowPrediction(key, float(sums[0]), float(low), float(high), realized))
    return out


def _window_draws(
    curve: ResponseCurve, spend: np.ndarray, weekdays: np.ndarray, window: np.ndarray
) -> np.ndarray:
    """A campaign's predicted outcome over the window, per draw."""
    first = int(np.argmax(spend > 0))
    daily = curve.predict_daily(spend[first:], weekdays[first:])
    return daily[:, window[first:]].sum(axis=1)


def backtest_response(
    frame: pd.DataFrame,
    *,
    level: str = CHANNEL,
    holdout_days: int = HOLDOUT_DAYS,
    calibration_windows: int = CALIBRATION_WINDOWS,
    draws: int = BOOTSTRAP_DRAWS,
    seed: int = 0,
) -> ResponseBacktest:
    """Fit on all but the last `holdout_days` days, predict them, compare (channels or
    campaigns). The intervals are widened by how far earlier windows' outcomes fell outside
    theirs (`calibration_windows` windows before the origin, each predicted from data before
    it): in-sample residuals understate the error of a curve that meets spend it has not seen."""
    dates = pd.to_datetime(frame[DATE])
    origin = dates.max() - pd.Timedelta(days=holdout_days - 1)
    scale = interval_scale(
        frame[dates < origin],
        level=level,
        holdout_days=holdout_days,
        windows=calibration_windows,
        draws=draws,
        seed=seed,
    )
    fitted = fit_response(frame[dates < origin], draws=draws, seed=seed)
    items = predict_window(fitted, frame, origin, level=level, seed=seed)
    return ResponseBacktest(origin, holdout_days, [w.widened(scale) for w in items], scale)


def interval_scale(
    frame: pd.DataFrame,
    *,
    level: str = CHANNEL,
    holdout_days: int = HOLDOUT_DAYS,
    windows: int = CALIBRATION_WINDOWS,
    draws: int = BOOTSTRAP_DRAWS,
    seed: int = 0,
) -> float:
    """The factor (at least 1) by which the 80% intervals of the last `windows` windows of
    `frame` had to be widened to hold 80% of their realized outcomes."""
    dates = pd.to_datetime(frame[DATE])
    ratios = []
    for k in range(windows):
        end = dates.max() - pd.Timedelta(days=holdout_days * k)
        start = end - pd.Timedelta(days=holdout_days - 1)
        before = frame[dates < start]
        if before.empty or (start - pd.to_datetime(before[DATE]).min()).days < MIN_FIT_DAYS:
            break
        fitted = fit_response(before, draws=draws, seed=seed + k + 1)
        for w in predict_window(fitted, frame[dates <= end], start, level=level, seed=seed):
            ratios.append(w.miss_ratio)
    if not ratios:
        return 1.0
    return max(1.0, float(np.quantile(ratios, 0.8)))
