"""Budget pacing as pure functions on a daily spend series.

A series is a contiguous run of days (`DailySpend`: the first day and one value per day, zero
when nothing was spent). The definitions (DESIGN.md):

- expected spend to date = budget × elapsed days ÷ period days; pace = actual ÷ expected;
- required daily spend = what is left of the budget ÷ the days left;
- projected period-end spend, from one of two forecasts, each with a ~95% band:
  - **linear**: the period's run rate so far (spent ÷ elapsed × period days);
  - **seasonal**: a level (mean of the last `LEVEL_DAYS` days with the weekday effect divided
    out, so it reaches back before the period when the period is young) times the weekday
    factors (from the last `FACTOR_DAYS` days) of each remaining day.

`backtest` replays both forecasts on day 5, 10 and 20 of past calendar months of the stored
history and gives each one's mean absolute percentage error (a fraction: 0.08 is 8%);
`better_method` picks the one with the lower error. Every forecast of a backtest is computed at
once from cumulative sums, so a year of history costs a few array operations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

SEASONAL = "seasonal"
LINEAR = "linear"
CHECKPOINT_DAYS = (5, 10, 20)
#: Days of history the weekday factors are measured on (eight weeks).
FACTOR_DAYS = 56
#: Fewer days than this (two of each weekday) and every factor is 1.
MIN_FACTOR_DAYS = 14
#: Days the seasonal level is the mean of.
LEVEL_DAYS = 14
#: Past months a backtest replays.
BACKTEST_MONTHS = 12
#: Half-width of the band in standard deviations (~95%).
BAND_Z = 1.96


@dataclass(frozen=True)
class DailySpend:
    """Spend per day from `start`, one value per consecutive day."""

    start: dt.date
    values: np.ndarray

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=len(self.values) - 1)

    def index(self, day: dt.date) -> int:
        return (day - self.start).days

    def total(self, first: dt.date, last: dt.date) -> float:
        """Spend of the days in [first, last] (days outside the series count as zero)."""
        lo, hi = max(self.index(first), 0), min(self.index(last), len(self.values) - 1)
        return float(self.values[lo : hi + 1].sum()) if hi >= lo else 0.0


@dataclass(frozen=True)
class Projection:
    point: float
    low: float
    high: float


@dataclass(frozen=True)
class Backtest:
    """MAPE (a fraction) per checkpoint ("d5", "d10", "d20") and method; None without months."""

    seasonal: dict[str, float | None]
    linear: dict[str, float | None]
    months: int


@dataclass(frozen=True)
class Pacing:
    spend_to_date: float
    expected_to_date: float
    pace_pct: float | None
    required_daily: float | None
    elapsed_days: int
    period_days: int
    projection: Projection | None
    method: str


def period_end(period_start: dt.date, period: str) -> dt.date:
    """Last day of the month or quarter that starts on `period_start`."""
    months = {"month": 1, "quarter": 3}[period]
    month = period_start.month - 1 + months
    next_start = dt.date(period_start.year + month // 12, month % 12 + 1, 1)
    return next_start - dt.timedelta(days=1)


def expected_to_date(amount: float, elapsed_days: int, period_days: int) -> float:
    """The budget prorated over the elapsed days of the period."""
    return amount * min(max(elapsed_days, 0), period_days) / period_days


def pace_pct(spend_to_date: float, expected: float) -> float | None:
    """Actual spend as a percentage of the expected spend (None before anything is expected)."""
    return 100.0 * spend_to_date / expected if expected > 0 else None


def required_daily(amount: float, spend_to_date: float, remaining_days: int) -> float | None:
    """What may still be spent per day to land on the budget (never negative)."""
    if remaining_days <= 0:
        return None
    return max(amount - spend_to_date, 0.0) / remaining_days


def project_linear(spend_to_date: float, elapsed_days: int, period_days: int) -> float | None:
    """The run-rate projection: spent ÷ elapsed × period days."""
    if elapsed_days <= 0:
        return None
    return spend_to_date / elapsed_days * period_days


def weekday_factors(values: np.ndarray, first_weekday: int) -> np.ndarray:
    """Mean spend of each weekday (Monday = 0) ÷ the mean of those means, over `values`.

    All ones when there are fewer than `MIN_FACTOR_DAYS` days or nothing was spent.
    """
    values = np.asarray(values, dtype=float)
    prefix = _Prefix(values, first_weekday)
    n = np.array([len(values) - 1])
    return _factors(prefix, n)[0]


class _Prefix:
    """Cumulative sums of a series, overall and per weekday (row i covers days < i)."""

    def __init__(self, values: np.ndarray, first_weekday: int) -> None:
        n = len(values)
        self.first_weekday = first_weekday
        weekdays = (first_weekday + np.arange(n)) % 7
        onehot = np.zeros((n, 7))
        onehot[np.arange(n), weekdays] = 1.0
        zero = np.zeros((1, 7))
        self.sums = np.vstack([zero, np.cumsum(onehot * values[:, None], axis=0)])
        self.squares = np.vstack([zero, np.cumsum(onehot * (values**2)[:, None], axis=0)])
        self.counts = np.vstack([zero, np.cumsum(onehot, axis=0)])
        self.total = np.concatenate([[0.0], np.cumsum(values)])
        self.total_squares = np.concatenate([[0.0], np.cumsum(values**2)])

    def weekday_counts(self, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Days of each weekday in [first, last] (indices, possibly beyond the series)."""
        w = np.arange(7)[None, :]
        shift = self.first_weekday - w
        upper = np.floor_divide(last[:, None] + shift, 7)
        lower = np.floor_divide(first[:, None] - 1 + shift, 7)
        return np.where(last[:, None] >= first[:, None], upper - lower, 0).astype(float)


def _factors(prefix: _Prefix, cutoff: np.ndarray) -> np.ndarray:
    lo = np.maximum(cutoff + 1 - FACTOR_DAYS, 0)
    sums = prefix.sums[cutoff + 1] - prefix.sums[lo]
    counts = prefix.counts[cutoff + 1] - prefix.counts[lo]
    with np.errstate(divide="ignore", invalid="ignore"):
        means = np.where(counts > 0, sums / np.where(counts > 0, counts, 1), 0.0)
        overall = means.mean(axis=1, keepdims=True)
        factors = np.where(overall > 0, means / np.where(overall > 0, overall, 1), 1.0)
    usable = ((cutoff + 1 - lo) >= MIN_FACTOR_DAYS) & (overall[:, 0] > 0)
    return np.where(usable[:, None], factors, 1.0)


def _seasonal(
    prefix: _Prefix, cutoff: np.ndarray, first: np.ndarray, last: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seasonal forecasts of the period [first, last] from the days up to `cutoff`."""
    factors = _factors(prefix, cutoff)
    lo = np.maximum(cutoff + 1 - LEVEL_DAYS, 0)
    sums = prefix.sums[cutoff + 1] - prefix.sums[lo]
    squares = prefix.squares[cutoff + 1] - prefix.squares[lo]
    counts = prefix.counts[cutoff + 1] - prefix.counts[lo]
    live = factors > 0
    safe = np.where(live, factors, 1.0)
    n = np.where(live, counts, 0).sum(axis=1)
    level_sum = np.where(live, sums / safe, 0).sum(axis=1)
    level_squares = np.where(live, squares / safe**2, 0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        level = np.where(n > 0, level_sum / np.maximum(n, 1), 0.0)
        variance = np.where(
            n > 1, np.maximum(level_squares - n * level**2, 0) / np.maximum(n - 1, 1), 0.0
        )
    remaining = prefix.weekday_counts(np.maximum(cutoff + 1, first), last)
    f_sum = (remaining * factors).sum(axis=1)
    f_squares = (remaining * factors**2).sum(axis=1)
    spent = _spent(prefix, cutoff, first)
    point = spent + level * f_sum
    spread = variance * f_squares + np.where(n > 0, variance / np.maximum(n, 1), 0) * f_sum**2
    half = BAND_Z * np.sqrt(spread)
    return point, np.maximum(point - half, spent), point + half


def _linear(
    prefix: _Prefix, cutoff: np.ndarray, first: np.ndarray, last: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run-rate forecasts of the period [first, last] from its days up to `cutoff`."""
    elapsed = np.clip(cutoff + 1 - first, 0, None)
    spent = _spent(prefix, cutoff, first)
    hi = np.clip(cutoff + 1, first, None)
    squares = prefix.total_squares[hi] - prefix.total_squares[first]
    with np.errstate(divide="ignore", invalid="ignore"):
        level = np.where(elapsed > 0, spent / np.maximum(elapsed, 1), np.nan)
        variance = np.where(
            elapsed > 1,
            np.maximum(squares - elapsed * level**2, 0) / np.maximum(elapsed - 1, 1),
            0.0,
        )
    remaining = np.clip(last - cutoff, 0, None)
    point = spent + level * remaining
    spread = variance * remaining + variance / np.maximum(elapsed, 1) * remaining**2
    half = BAND_Z * np.sqrt(spread)
    return point, np.maximum(point - half, spent), point + half


def _spent(prefix: _Prefix, cutoff: np.ndarray, first: np.ndarray) -> np.ndarray:
    hi = np.clip(cutoff + 1, first, len(prefix.total) - 1)
    return prefix.total[hi] - prefix.total[np.minimum(first, len(prefix.total) - 1)]


def project(
    series: DailySpend, period_start: dt.date, period_last: dt.date, as_of: dt.date, method: str
) -> Projection | None:
    """Projected spend of [period_start, period_last] from the series' days up to `as_of`.

    The series must start on or before the period (days it lacks up to `as_of` count as zero);
    None when the linear method has no day of the period yet, or there is no day at all.
    """
    cutoff = np.array([series.index(as_of)])
    if cutoff[0] < 0 or series.start > period_start or (method == LINEAR and as_of < period_start):
        return None
    values = np.zeros(cutoff[0] + 1)
    known = np.asarray(series.values[: cutoff[0] + 1], dtype=float)
    values[: len(known)] = known
    prefix = _Prefix(values, series.start.weekday())
    first = np.array([series.index(period_start)])
    last = np.array([series.index(period_last)])
    point, low, high = (_seasonal if method == SEASONAL else _linear)(prefix, cutoff, first, last)
    return Projection(float(point[0]), float(low[0]), float(high[0]))


def backtest(
    series: DailySpend,
    before: dt.date,
    checkpoints: tuple[int, ...] = CHECKPOINT_DAYS,
    months: int = BACKTEST_MONTHS,
) -> Backtest:
    """Both forecasts replayed on day k of each full calendar month of the series before
    `before` (at most `months`, the latest; months without spend are skipped)."""
    starts = _past_months(series, before, months)
    values = np.asarray(series.values, dtype=float)
    prefix = _Prefix(values, series.start.weekday())
    month_first = np.array([series.index(s) for s in starts], dtype=int)
    month_last = np.array([series.index(period_end(s, "month")) for s in starts], dtype=int)
    actual = prefix.total[month_last + 1] - prefix.total[month_first]
    keep = actual > 0
    month_first, month_last, actual = month_first[keep], month_last[keep], actual[keep]
    n = len(actual)
    if n == 0:
        empty = {f"d{k}": None for k in checkpoints}
        return Backtest(dict(empty), dict(empty), 0)
    result: dict[str, dict[str, float | None]] = {SEASONAL: {}, LINEAR: {}}
    reps = len(checkpoints)
    cutoff = np.tile(month_first, reps) + np.repeat(np.asarray(checkpoints), n) - 1
    first, last = np.tile(month_first, reps), np.tile(month_last, reps)
    for method, forecast in ((SEASONAL, _seasonal), (LINEAR, _linear)):
        ape = np.abs(forecast(prefix, cutoff, first, last)[0] - np.tile(actual, reps))
        ape /= np.tile(actual, reps)
        for i, k in enumerate(checkpoints):
            result[method][f"d{k}"] = float(ape[i * n : (i + 1) * n].mean())
    return Backtest(result[SEASONAL], result[LINEAR], n)


def _past_months(series: DailySpend, before: dt.date, months: int) -> list[dt.date]:
    month = series.start
    if month.day != 1:
        month = period_end(month.replace(day=1), "month") + dt.timedelta(days=1)
    starts = []
    while period_end(month, "month") < before and period_end(month, "month") <= series.end:
        starts.append(month)
        month = period_end(month, "month") + dt.timedelta(days=1)
    return starts[-months:] if months else []


def better_method(result: Backtest | None) -> str:
    """The method with the lower mean error over the checkpoints; seasonal when unmeasured."""
    if result is None:
        return SEASONAL
    seasonal = [v for v in result.seasonal.values() if v is not None]
    linear = [v for v in result.linear.values() if v is not None]
    if not seasonal or not linear:
        return SEASONAL
    return LINEAR if np.mean(linear) < np.mean(seasonal) else SEASONAL


def measure_pacing(
    amount: float,
    period_start: dt.date,
    period_last: dt.date,
    series: DailySpend,
    as_of: dt.date,
    method: str = SEASONAL,
) -> Pacing:
    """Every pacing figure of a budget on `as_of` (the last complete day counted)."""
    period_days = (period_last - period_start).days + 1
    counted = min(as_of, period_last)
    elapsed = max((counted - period_start).days + 1, 0)
    spent = series.total(period_start, counted) if elapsed else 0.0
    expected = expected_to_date(amount, elapsed, period_days)
    if elapsed >= period_days:
        projection: Projection | None = Projection(spent, spent, spent)
    else:
        projection = project(series, period_start, period_last, as_of, method)
        if projection is None and method == LINEAR:
            method = SEASONAL
            projection = project(series, period_start, period_last, as_of, method)
    return Pacing(
        spend_to_date=spent,
        expected_to_date=expected,
        pace_pct=pace_pct(spent, expected),
        required_daily=required_daily(amount, spent, period_days - elapsed),
        elapsed_days=elapsed,
        period_days=period_days,
        projection=projection,
        method=method,
    )
