"""Daily spend anomalies: a day far from its seasonal expectation, or spend dropping to zero.

Each judged day is compared with the `LOOKBACK_DAYS` days before it (at least `MIN_HISTORY_DAYS`):

- expected = level × the day's weekday factor, where a factor is the *median* spend of that
  weekday in the window over the mean of those medians, and the level is the median of the
  window with the weekday effect divided out (medians, so that an odd day — the very anomalies
  this looks for — moves neither);
- scale = 1.4826 × the median absolute deviation of the window around its own expectation,
  never less than `MIN_RELATIVE_SCALE` × expected (a perfectly regular line would otherwise make
  every cent an anomaly);
- score = (actual − expected) ÷ scale; |score| ≥ `THRESHOLD` is a spike or a drop;
- a day with no spend at all, on a line that spent on nearly every usual day of the window
  (`ZERO_SHARE`) and was expected to spend at least `MIN_EXPECTED`, is a drop to zero whatever
  its score: a paused or broken campaign is exactly what finance wants to hear about.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LOOKBACK_DAYS = 28
#: Three of each weekday: a median of three is not moved by one odd day.
MIN_HISTORY_DAYS = 21
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


def expected_spend(window: np.ndarray, first_weekday: int, weekday: int) -> Expectation:
    """What a day of `weekday` should spend, judged on `window` (first day a `first_weekday`)."""
    weekdays = (first_weekday + np.arange(len(window))) % 7
    factors = robust_weekday_factors(window, weekdays)
    day_factors = factors[weekdays]
    live = day_factors > 0
    if not live.any():
        return Expectation(0.0, 0.0, 0.0)
    level = float(np.median(window[live] / day_factors[live]))
    residuals = window - level * day_factors
    mad = float(np.median(np.abs(residuals - np.median(residuals))))
    share = float((window[live] > 0).mean())
    return Expectation(level * float(factors[weekday]), MAD_TO_SD * mad, share)


def robust_weekday_factors(window: np.ndarray, weekdays: np.ndarray) -> np.ndarray:
    """Median spend of each weekday ÷ the mean of the seven medians (ones when there are fewer
    than three weeks or nothing was spent)."""
    if len(window) < MIN_HISTORY_DAYS:
        return np.ones(7)
    medians = np.array([np.median(window[weekdays == w]) for w in range(7)])
    overall = medians.mean()
    return medians / overall if overall > 0 else np.ones(7)


def detect_anomalies(
    values: np.ndarray, first_weekday: int, judge_from: int, threshold: float = THRESHOLD
) -> list[Anomaly]:
    """Anomalous days among values[judge_from:] (index into `values`, Monday = weekday 0)."""
    values = np.asarray(values, dtype=float)
    found = []
    for i in range(max(judge_from, MIN_HISTORY_DAYS), len(values)):
        lo = max(0, i - LOOKBACK_DAYS)
        window = values[lo:i]
        seen = expected_spend(window, (first_weekday + lo) % 7, (first_weekday + i) % 7)
        expected = seen.expected
        if expected <= 0:
            continue
        scale = max(seen.scale, MIN_RELATIVE_SCALE * expected)
        actual = float(values[i])
        score = (actual - expected) / scale
        if actual == 0 and expected >= MIN_EXPECTED and seen.spending_share >= ZERO_SHARE:
            found.append(Anomaly(i, actual, expected, score, ZERO))
        elif abs(score) >= threshold:
            found.append(Anomaly(i, actual, expected, score, SPIKE if score > 0 else DROP))
    return found
