"""Daily spend anomalies: a day far from its seasonal expectation, or spend dropping to zero.

Each judged day is compared with the `LOOKBACK_DAYS` (four weeks) before it:

- expected = level × the day's weekday factor, where a factor is the *median* spend of that
  weekday in the window over the mean of the seven medians, and the level is the median of the
  window with the weekday effect divided out (medians, so that an odd day — the very anomalies
  this looks for — moves neither: each weekday has four days in the window);
- scale = 1.4826 × the median absolute deviation of the window around its own expectation,
  never less than `MIN_RELATIVE_SCALE` × expected (a perfectly regular line would otherwise make
  every cent an anomaly);
- score = (actual − expected) ÷ scale; |score| ≥ `THRESHOLD` is a spike or a drop;
- a day with no spend at all, on a line that spent on nearly every usual day of the window
  (`ZERO_SHARE`) and was expected to spend at least `MIN_EXPECTED`, is a drop to zero whatever
  its score: a paused or broken campaign is exactly what finance wants to hear about.

Days without four weeks before them are not judged. All judged days are computed at once, on a
(days × 28) matrix of their windows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

LOOKBACK_DAYS = 28
THRESHOLD = 4.0
MIN_RELATIVE_SCALE = 0.1
MIN_EXPECTED = 1.0
ZERO_SHARE = 0.9
MAD_TO_SD = 1.4826

SPIKE, DROP, ZERO = "spike", "drop", "zero"


@dataclass(frozen=True)
class Anomaly:
    index: int
    actual: float
    expected: float
    score: float
    kind: str


@dataclass(frozen=True)
class Expectation:
    expected: float
    #: The spread of ordinary days around their expectation (a robust standard deviation).
    scale: float
    #: Share of the window's days with spend, among the weekdays that usually spend.
    spending_share: float


def _expectations(windows: np.ndarray) -> tuple[np.ndarray, ...]:
    """For (n, 28) windows: level (n,), factors by position in the week (n, 7; position 0 is
    the weekday of the window's first day, and of the day after the window), robust scale (n,)
    and spending share (n,)."""
    n = len(windows)
    medians = np.median(windows.reshape(n, LOOKBACK_DAYS // 7, 7), axis=1)
    overall = medians.mean(axis=1, keepdims=True)
    factors = np.where(overall > 0, medians / np.where(overall > 0, overall, 1), 1.0)
    day_factors = np.tile(factors, LOOKBACK_DAYS // 7)
    live = day_factors > 0
    deseasonalized = np.where(live, windows / np.where(live, day_factors, 1), np.nan)
    level = np.median(deseasonalized, axis=1)  # NaN where a weekday never spends …
    partial = ~live.all(axis=1) & live.any(axis=1)
    if partial.any():  # … so those rows take the median of the weekdays that do
        level[partial] = np.nanmedian(deseasonalized[partial], axis=1)
    level[~live.any(axis=1)] = 0.0
    residuals = windows - level[:, None] * day_factors
    mad = np.median(np.abs(residuals - np.median(residuals, axis=1, keepdims=True)), axis=1)
    spending = np.where(live, windows > 0, False).sum(axis=1)
    share = spending / np.maximum(live.sum(axis=1), 1)
    return level, factors, MAD_TO_SD * mad, share


def expected_spend(window: np.ndarray, first_weekday: int, weekday: int) -> Expectation:
    """What a day of `weekday` should spend, judged on a four-week `window` (first day a
    `first_weekday`, Monday = 0)."""
    window = np.asarray(window, dtype=float)
    if len(window) != LOOKBACK_DAYS:
        raise ValueError(f"the window must be {LOOKBACK_DAYS} days")
    level, factors, scale, share = _expectations(window[None, :])
    position = (weekday - first_weekday) % 7
    return Expectation(float(level[0] * factors[0, position]), float(scale[0]), float(share[0]))


def detect_anomalies(
    values: np.ndarray, first_weekday: int, judge_from: int, threshold: float = THRESHOLD
) -> list[Anomaly]:
    """Anomalous days among values[judge_from:] (indices into `values`)."""
    values = np.asarray(values, dtype=float)
    first = max(judge_from, LOOKBACK_DAYS)
    if first >= len(values):
        return []
    days = np.arange(first, len(values))
    windows = sliding_window_view(values, LOOKBACK_DAYS)[days - LOOKBACK_DAYS]
    level, factors, scale, share = _expectations(windows)
    expected = level * factors[:, 0]  # a day has the weekday of its window's first day
    scale = np.maximum(scale, MIN_RELATIVE_SCALE * expected)
    actual = values[days]
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(expected > 0, (actual - expected) / scale, 0.0)
    zero = (actual == 0) & (expected >= MIN_EXPECTED) & (share >= ZERO_SHARE)
    flagged = (expected > 0) & (zero | (np.abs(score) >= threshold))
    found = []
    for i in np.flatnonzero(flagged):
        kind = ZERO if zero[i] else SPIKE if score[i] > 0 else DROP
        found.append(
            Anomaly(int(days[i]), float(actual[i]), float(expected[i]), float(score[i]), kind)
        )
    return found
