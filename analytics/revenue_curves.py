"""Cumulative revenue curves of customer groups by day since acquisition (day 0 = the acquisition
date), one row per group in a matrix so that hundreds of groups cost a few array operations.

Inputs are counts and sums per checkpoint interval (CHECKPOINTS: the first 1, 3, 7, ... days), so
a group costs the database one row however many customers and payments it has. Within an
interval every quantity is spread evenly over its days, so each curve is linear between
checkpoints and is computed at the interval ends only (`daily` expands it):

- The actual curve chains the group's customers of different ages: the mean revenue per customer
  of each interval is taken over the customers who have lived through it, times the group's
  customers; it is known while at least `min_support` of the customers have lived through the
  interval (NaN after, and after an unconverted payment).
- The survival curve is Kaplan-Meier on the customers' lifetimes, grouped by interval (a life
  table on the counts the database returns: lifelines' Kaplan-Meier exactly at checkpoints where
  nobody is censored within an interval before its last day, close otherwise; the tests hold it
  to lifelines). NaN past the last interval the group was followed into, except that a curve
  that reached 0 stays 0. It is one cumulative product over a matrix of every group because a
  lifelines fit per group (about 18 ms on the shared machine) would cost seconds for the
  hundreds of groups of one report; the cohort survival charts (`cohort_churn`) fit lifelines.
- The cohort's curve (`own_age_curve`, what the cohort pages draw and payback reads) is built
  customer by customer: each customer's own revenue up to its own age, then its predicted
  remainder along the chained-then-projected curve per customer below, scaled so that the day
  PROJECTION_DAYS - 1 is the predicted revenue of the group's first PROJECTION_DAYS days. (The
  chained curve alone, read as the whole cohort's, scaled the few old customers' revenue to the
  cohort and could pay back long before the revenue to date did.)
- The projection continues the chained curve past its last known day: with predicted LTV anchors
  (per customer, predicted total revenue of the first H days) the increments between anchors are
  spread over the days in proportion to survival; without them, the revenue rate of surviving
  customers over the last observed weeks is carried forward times survival, while it is known.
"""

from __future__ import annotations

import numpy as np

#: Horizons (days) of the predicted LTV anchors, as in model_outputs.predicted_ltv_<H>.
HORIZONS = (30, 90, 365)
#: Projections stop at the longest horizon.
PROJECTION_DAYS = max(HORIZONS)
#: Days of revenue used to measure the rate of surviving customers when there is no model.
RATE_WINDOW_DAYS = 28
#: Days since acquisition at which a customer's cumulative revenue is known (the first n days),
#: as stored per customer in `roi_customers`; every horizon is one of them.
CHECKPOINTS = (1, 3, 7, 14, 30, 60, 90, 120, 180, 270, 365, 540, 730, 1095)
CURVE_DAYS = CHECKPOINTS[-1]
#: First day index of each checkpoint interval, and its number of days.
FIRST_DAYS = np.array((0, *CHECKPOINTS[:-1]))
LENGTHS = np.array(CHECKPOINTS) - FIRST_DAYS
#: Intervals a projection covers (through the day PROJECTION_DAYS - 1).
PROJECTED = CHECKPOINTS.index(PROJECTION_DAYS) + 1


def actual_curve(
    customers: np.ndarray, matured: np.ndarray, gains: np.ndarray, min_support: float = 0.1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cumulative actual revenue at each interval's end, mean revenue per customer of each
    interval, last known interval: -1 for none), NaN where unknown.

    `matured[g, i]`: customers of group g who have lived the first CHECKPOINTS[i] days;
    `gains[g, i]`: their revenue between the previous checkpoint and this one (NaN when a
    payment could not be converted). An interval is known while at least `min_support` of the
    customers (and one at least) have lived through it and no earlier one is unknown.
    """
    customers = np.asarray(customers, dtype=float)
    needed = np.maximum(1.0, np.ceil(min_support * customers))[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_gain = gains / matured
    supported = (matured >= needed) & ~np.isnan(mean_gain)
    supported = np.cumprod(supported, axis=1).astype(bool)
    mean_gain = np.where(supported, mean_gain, np.nan)
    cumulative = customers[:, None] * np.cumsum(np.nan_to_num(mean_gain), axis=1)
    return np.where(supported, cumulative, np.nan), mean_gain, supported.sum(axis=1) - 1


def survival_matrix(at_risk: np.ndarray, ended: np.ndarray) -> np.ndarray:
    """Kaplan-Meier S at the end of each interval from counts: `at_risk[g, i]` lifetimes lasting
    at least to the interval's first day, `ended[g, i]` lifetimes observed to end within it;
    unknown (NaN) where nobody was followed, unless S reached 0. S holds on the interval's days."""
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(at_risk > 0, ended / at_risk, 0.0)
    survival = np.cumprod(1.0 - hazard, axis=1)
    followed = np.cumprod(at_risk > 0, axis=1).astype(bool)
    ended_before = np.concatenate(
        [np.zeros((survival.shape[0], 1), bool), survival[:, :-1] <= 0], axis=1
    )
    return np.where(followed, survival, np.where(ended_before, 0.0, np.nan))


def _carried(survival: np.ndarray) -> np.ndarray:
    """Unknown intervals carry the last known survival (1 before any)."""
    position = np.where(np.isnan(survival), 0, np.arange(survival.shape[1]))
    carried = np.take_along_axis(survival, np.maximum.accumulate(position, axis=1), axis=1)
    return np.where(np.isnan(carried), 1.0, carried)


def anchored_per_customer(anchors: np.ndarray, survival: np.ndarray) -> np.ndarray:
    """Predicted cumulative revenue per customer at the end of each interval through the day
    PROJECTION_DAYS - 1 (`anchors[g, j]` = predicted revenue of the first HORIZONS[j] days),
    each step between two anchors spread over the days in proportion to survival; NaN where an
    anchor is missing."""
    weights = _carried(survival[:, :PROJECTED]) * LENGTHS[:PROJECTED]
    curve = np.full((anchors.shape[0], PROJECTED), np.nan)
    start, level = 0, np.zeros(anchors.shape[0])
    for horizon, anchor in zip(HORIZONS, anchors.T, strict=True):
        end = CHECKPOINTS.index(horizon) + 1
        segment = weights[:, start:end]
        total = segment.sum(axis=1, keepdims=True)
        days = LENGTHS[start:end] / LENGTHS[start:end].sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(total > 0, segment / total, days)
        step = np.maximum(anchor - level, 0.0)
        curve[:, start:end] = level[:, None] + np.cumsum(share, axis=1) * step[:, None]
        start, level = end, level + step
    return curve


def last_days(last: np.ndarray) -> np.ndarray:
    """The day index that ends each interval index (-1 for -1)."""
    ends = np.array(CHECKPOINTS) - 1
    return np.where(last >= 0, ends[np.maximum(last, 0)], -1)


def _rate_per_customer(mean_gain: np.ndarray, last: np.ndarray, survival: np.ndarray):
    """Revenue per surviving customer per day over the last RATE_WINDOW_DAYS observed days."""
    last_day = last_days(last)
    window_start = last_day - RATE_WINDOW_DAYS + 1
    lasts = FIRST_DAYS + LENGTHS - 1
    overlap = np.minimum(lasts[None, :], last_day[:, None]) - np.maximum(
        FIRST_DAYS[None, :], window_start[:, None]
    )
    overlap = np.clip(overlap + 1, 0, None)
    revenue = (overlap * np.nan_to_num(mean_gain) / LENGTHS).sum(axis=1)
    alive = (overlap * _carried(survival)).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(alive > 0, revenue / alive, np.nan)


def projected_curve(
    actual: np.ndarray,
    mean_gain: np.ndarray,
    last: np.ndarray,
    customers: np.ndarray,
    survival: np.ndarray,
    anchors: np.ndarray,
) -> np.ndarray:
    """Cumulative revenue at each interval's end: actual through each group's last known
    interval, projected after it through the day PROJECTION_DAYS - 1 (NaN where neither is
    known). `anchors` are per customer (NaN: no model)."""
    groups = actual.shape[0]
    rows = np.arange(groups)
    known = np.maximum(last, 0)
    base = np.where(last >= 0, actual[rows, known], 0.0)
    modelled = anchored_per_customer(anchors, survival)
    at_last = np.where(last >= 0, modelled[rows, np.minimum(known, PROJECTED - 1)], 0.0)
    by_model = base[:, None] + customers[:, None] * (modelled - at_last[:, None])
    future = np.arange(PROJECTED)[None, :] > last[:, None]
    rate = _rate_per_customer(mean_gain, last, survival)
    steps = rate[:, None] * survival[:, :PROJECTED] * LENGTHS[:PROJECTED]
    by_rate = base[:, None] + customers[:, None] * np.cumsum(np.where(future, steps, 0.0), axis=1)
    has_model = ~np.isnan(anchors).any(axis=1)
    projection = np.full_like(actual, np.nan)
    projection[:, :PROJECTED] = np.where(has_model[:, None], by_model, by_rate)
    intervals = np.arange(actual.shape[1])[None, :]
    return np.where(intervals <= last[:, None], actual, projection)


def own_age_curve(
    to_age: np.ndarray,
    matured: np.ndarray,
    customers: np.ndarray,
    age_sums: np.ndarray,
    shape: np.ndarray,
    predicted_total: np.ndarray,
    horizon: np.ndarray | None = None,
) -> np.ndarray:
    """The cohort's cumulative revenue at each interval's end, built customer by customer: each
    customer's own revenue up to its own age, then its predicted remainder. NaN where unknown.

    `to_age[g, i]`: Σ over the customers of their revenue of the first CHECKPOINTS[i] days so
    far (a customer younger than that counts its revenue to date); `matured[g, i]`: customers who
    have lived the first CHECKPOINTS[i] days; `age_sums[g, i]`: Σ of the ages (days) of the
    customers whose age lies in interval i (at least FIRST_DAYS[i], under CHECKPOINTS[i]);
    `shape[g, i]`: a customer's expected cumulative revenue (the projected curve of the group
    per customer, made non-decreasing: a remainder is future revenue, never negative);
    `predicted_total[g]`: the group's predicted revenue of its first `horizon[g]` days (NaN:
    no model); `horizon[g]`: one of CHECKPOINTS up to PROJECTION_DAYS (all PROJECTION_DAYS when
    not given). A prediction says nothing past its horizon: there the curve is unknown where a
    customer is younger.

    A customer of age a adds shape(n) - shape(a) to day n > a (shape linear within an interval,
    so a group of customers in one interval adds as one customer of their mean age). With a
    model, the remainders are scaled so that the day horizon - 1 equals `predicted_total`,
    unless that is below the revenue already earned (the remainders are then
    0: revenue earned is not taken back). Through the youngest customer's age the curve is
    exactly `to_age`; past the horizon it is known only where every customer has lived the
    interval."""
    young = np.concatenate([customers[:, None], matured[:, :-1]], axis=1) - matured
    young = np.where(young > 0, young, 0.0)
    with np.errstate(invalid="ignore"):
        per_customer = np.maximum.accumulate(shape[:, :PROJECTED], axis=1)
        young_p = young[:, :PROJECTED]
        previous = np.concatenate(
            [np.zeros((per_customer.shape[0], 1)), per_customer[:, :-1]], axis=1
        )
        mean_age = np.where(young_p > 0, age_sums[:, :PROJECTED] / np.maximum(young_p, 1), 0.0)
        position = np.clip((mean_age - FIRST_DAYS[:PROJECTED]) / LENGTHS[:PROJECTED], 0.0, 1.0)
        at_age = previous + (per_customer - previous) * position
        spent_so_far = np.cumsum(np.where(young_p > 0, young_p * at_age, 0.0), axis=1)
        younger = np.cumsum(young_p, axis=1)
        remainder = np.where(younger > 0, per_customer * younger, 0.0) - spent_so_far
        remainder = np.maximum(remainder, 0.0)
        groups = np.arange(to_age.shape[0])
        if horizon is None:
            last = np.full(to_age.shape[0], PROJECTED - 1)
        else:
            last = np.searchsorted(CHECKPOINTS, np.asarray(horizon))
            if not np.isin(horizon, CHECKPOINTS[:PROJECTED]).all():
                raise ValueError(f"a horizon must be one of {CHECKPOINTS[:PROJECTED]}")
        at_end = remainder[groups, last]
        needed = predicted_total - to_age[groups, last]
        scale = np.where(
            np.isnan(predicted_total),
            1.0,
            np.where(at_end > 0, np.maximum(needed, 0.0) / np.where(at_end > 0, at_end, 1.0), 0.0),
        )
        curve = np.full(to_age.shape, np.nan)
        curve[:, :PROJECTED] = to_age[:, :PROJECTED] + scale[:, None] * remainder
        # nothing added where nobody is younger (an unknown shape does not matter there)
        curve[:, :PROJECTED] = np.where(younger > 0, curve[:, :PROJECTED], to_age[:, :PROJECTED])
        everyone = np.cumsum(young, axis=1) == 0
    curve[:, PROJECTED:] = to_age[:, PROJECTED:]
    past = np.arange(to_age.shape[1])[None, :] > last[:, None]
    return np.where(past & ~everyone, np.nan, curve)


def age_span(matured: np.ndarray, customers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(interval of the youngest customer's age, interval of the oldest's) per group, from
    `matured` as in `own_age_curve` (len(CHECKPOINTS) for an age past the last checkpoint;
    -1 for a group without customers)."""
    lived = (matured > 0).sum(axis=1)
    everyone = (matured >= customers[:, None]) & (customers[:, None] > 0)
    youngest = np.where(everyone.all(axis=1), len(CHECKPOINTS), np.argmin(everyone, axis=1))
    has = customers > 0
    return np.where(has, youngest, -1), np.where(has, lived, -1)


_OFFSETS = np.concatenate([np.arange(1, n + 1) for n in LENGTHS])


def daily(ends: np.ndarray) -> np.ndarray:
    """Curves given at the interval ends (one, or one per row) as cumulative values on days
    0..CURVE_DAYS-1, linear within each interval (NaN where the interval's end is unknown)."""
    previous, steps = _interval_steps(ends)
    return np.repeat(previous, LENGTHS, axis=-1) + np.repeat(steps, LENGTHS, axis=-1) * _OFFSETS


def _interval_steps(ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(value before each interval, its daily step): day k (1 .. length) of an interval is
    `previous + step * k`, for `daily` and `payback_days` alike."""
    ends = np.asarray(ends, dtype=float)
    previous = np.concatenate([np.zeros(ends.shape[:-1] + (1,)), ends[..., :-1]], axis=-1)
    return previous, (ends - previous) / LENGTHS


def payback_days(
    ends: np.ndarray,
    spend: np.ndarray,
    margin_rate: float = 1.0,
    not_before: np.ndarray | None = None,
) -> list[int | None]:
    """`metrics.payback_day(daily(ends), spend, margin_rate, not_before)` for curves given at
    the interval ends (one per row), without expanding them to days: the same day, or None, for
    each row (`not_before`: per row, the first day index that may be the payback day).

    Within an interval the daily values `previous + step * k` (k = 1 .. its length) are those
    `daily` computes, in the same floating-point operations, and they are monotonic in k; so the
    interval where the spend is first covered is found from its first and last day (from
    `not_before` on), and the day within it by a binary search."""
    previous, steps = _interval_steps(np.atleast_2d(ends))
    cost = np.asarray(spend, dtype=float).reshape(-1)
    earliest = np.zeros(len(cost), dtype=np.int64) if not_before is None else not_before
    earliest = np.asarray(earliest, dtype=np.int64).reshape(-1)
    # the first day of each interval that may count (k from 1); intervals wholly before skip
    start = np.clip(earliest[:, None] - FIRST_DAYS[None, :] + 1, 1, None)
    open_ = start <= LENGTHS[None, :]
    start = np.minimum(start, LENGTHS[None, :])
    first = (previous + steps * start) * margin_rate
    last = (previous + steps * LENGTHS) * margin_rate
    known = np.isfinite(first) & np.isfinite(last)
    before_unknown = np.cumsum(~known, axis=1) == 0
    with np.errstate(invalid="ignore"):
        hit = open_ & before_unknown & ((first >= cost[:, None]) | (last >= cost[:, None]))
    payable = np.isfinite(cost) & (cost > 0) & hit.any(axis=1)
    rows = np.flatnonzero(payable)
    interval = hit[rows].argmax(axis=1)
    base, step, target = previous[rows, interval], steps[rows, interval], cost[rows]
    # smallest k in [start, length] with (base + step * k) * margin >= cost: k = start when the
    # first day covers it (always so for a falling interval), else the values rise to the last
    low = start[rows, interval].astype(np.int64)
    high = LENGTHS[interval].astype(np.int64)
    high = np.where(first[rows, interval] >= target, low, high)
    while (low < high).any():
        middle = (low + high) // 2
        covered = (base + step * middle) * margin_rate >= target
        high = np.where(covered & (low < high), middle, high)
        low = np.where(~covered & (low < high), middle + 1, low)
    out: list[int | None] = [None] * previous.shape[0]
    for row, day in zip(rows.tolist(), (FIRST_DAYS[interval] + low - 1).tolist(), strict=True):
        out[row] = int(day)
    return out
