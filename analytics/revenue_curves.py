"""Cumulative revenue curves of customer groups by day since acquisition (day 0 = the acquisition
date), one row per group in a matrix so that hundreds of groups cost a few array operations.

Inputs are counts and sums per checkpoint interval (CHECKPOINTS: the first 1, 3, 7, ... days), so
a group costs the database one row however many customers and payments it has.

- The actual curve chains the group's customers of different ages: the mean revenue per customer
  of each interval is taken over the customers who have lived through it, times the group's
  customers, spread evenly over the interval's days; it is known while at least `min_support` of
  the customers have lived through the interval (NaN after, and after an unconverted payment).
- The survival curve is Kaplan-Meier on the customers' lifetimes, grouped by interval (a life
  table: `analytics.ltv.kaplan_meier` exactly on one-day intervals, close on longer ones): NaN
  past the last interval the group was followed into, except that a curve that reached 0 stays 0.
- The projection continues the actual curve past its last known day: with predicted LTV anchors
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
#: as stored per customer in `customer_revenue`; curves are daily, linear in between.
CHECKPOINTS = (1, 3, 7, 14, 30, 60, 90, 120, 180, 270, 365, 540, 730, 1095)
CURVE_DAYS = CHECKPOINTS[-1]


def _intervals() -> list[tuple[int, int]]:
    """Day indices [first, last] covered by each checkpoint (day 0 is the acquisition date)."""
    starts = (0, *CHECKPOINTS[:-1])
    return [(first, end - 1) for first, end in zip(starts, CHECKPOINTS, strict=True)]


def _daily(per_interval: np.ndarray, spread: bool) -> np.ndarray:
    """(groups × checkpoints) → (groups × CURVE_DAYS): each interval's value on each of its days,
    divided evenly among them when `spread`."""
    lengths = np.array([last - first + 1 for first, last in _intervals()])
    values = per_interval / lengths if spread else per_interval
    return np.repeat(values, lengths, axis=1)


def actual_curve(
    customers: np.ndarray, matured: np.ndarray, gains: np.ndarray, min_support: float = 0.1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cumulative actual revenue by day, mean revenue per customer by day, last known day).

    `matured[g, i]`: customers of group g who have lived the first CHECKPOINTS[i] days;
    `gains[g, i]`: their revenue between the previous checkpoint and this one (NaN when a
    payment could not be converted). Each interval's mean gain per matured customer is spread
    evenly over its days; an interval is known while at least `min_support` of the customers
    (and one at least) have lived through it and no earlier one is unknown.
    """
    customers = np.asarray(customers, dtype=float)
    needed = np.maximum(1.0, np.ceil(min_support * customers))[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_gain = gains / matured
    supported = (matured >= needed) & ~(np.cumsum(np.isnan(mean_gain), axis=1) > 0)
    supported &= np.cumprod(supported, axis=1).astype(bool)
    known_days = _daily(supported, spread=False)
    daily_mean = np.where(known_days, _daily(np.where(supported, mean_gain, 0.0), True), np.nan)
    last = known_days.sum(axis=1) - 1
    cumulative = customers[:, None] * np.cumsum(np.nan_to_num(daily_mean), axis=1)
    return np.where(known_days, cumulative, np.nan), daily_mean, last


def survival_matrix(at_risk: np.ndarray, ended: np.ndarray) -> np.ndarray:
    """Kaplan-Meier S by day from counts per checkpoint interval: `at_risk[g, i]` lifetimes
    lasting at least to the interval's first day, `ended[g, i]` lifetimes observed to end within
    it. S holds the interval's end value on each of its days; unknown (NaN) where nobody was
    followed, unless S reached 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(at_risk > 0, ended / at_risk, 0.0)
    survival = np.cumprod(1.0 - hazard, axis=1)
    followed = np.cumprod(at_risk > 0, axis=1).astype(bool)
    ended_before = np.concatenate(
        [np.zeros((survival.shape[0], 1), bool), survival[:, :-1] <= 0], axis=1
    )
    survival = np.where(followed, survival, np.where(ended_before, 0.0, np.nan))
    return _daily(survival, spread=False)


def _weights(survival: np.ndarray, days: int) -> np.ndarray:
    """Survival as weights on days 0..days-1: unknown days carry the last known value (1 before
    any)."""
    known = survival[:, :days]
    filled = np.where(np.isnan(known), 0, np.arange(known.shape[1]))
    carried = np.take_along_axis(known, np.maximum.accumulate(filled, axis=1), axis=1)
    carried = np.where(np.isnan(carried), 1.0, carried)
    if carried.shape[1] < days:
        pad = np.repeat(carried[:, -1:], days - carried.shape[1], axis=1)
        carried = np.hstack([carried, pad])
    return carried


def anchored_per_customer(anchors: np.ndarray, survival: np.ndarray) -> np.ndarray:
    """Predicted cumulative revenue per customer on days 0..PROJECTION_DAYS-1 through the anchors
    (`anchors[g, i]` = predicted revenue of the first HORIZONS[i] days), each step between two
    anchors spread in proportion to survival; NaN where an anchor is missing."""
    weights = _weights(survival, PROJECTION_DAYS)
    curve = np.full((anchors.shape[0], PROJECTION_DAYS), np.nan)
    start, level = 0, np.zeros(anchors.shape[0])
    for horizon, anchor in zip(HORIZONS, anchors.T, strict=True):
        segment = weights[:, start:horizon]
        total = segment.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(total > 0, segment / total, 1.0 / segment.shape[1])
        step = np.maximum(anchor - level, 0.0)
        curve[:, start:horizon] = level[:, None] + np.cumsum(share, axis=1) * step[:, None]
        start, level = horizon, level + step
    return curve


def _rate_per_customer(daily_mean: np.ndarray, last: np.ndarray, survival: np.ndarray):
    """Revenue per surviving customer per day over the last observed weeks."""
    days = np.arange(daily_mean.shape[1])[None, :]
    window = (days <= last[:, None]) & (days > (last - RATE_WINDOW_DAYS)[:, None])
    alive = np.where(window, _weights(survival, daily_mean.shape[1]), 0.0)
    revenue = np.where(window, daily_mean, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(alive.sum(axis=1) > 0, revenue.sum(axis=1) / alive.sum(axis=1), np.nan)


def projected_curve(
    actual: np.ndarray,
    daily_mean: np.ndarray,
    last: np.ndarray,
    customers: np.ndarray,
    survival: np.ndarray,
    anchors: np.ndarray,
) -> np.ndarray:
    """The actual curve through each group's last known day, projected after it up to
    PROJECTION_DAYS (NaN where neither is known). `anchors` are per customer (NaN: no model)."""
    groups, width = actual.shape
    days = np.arange(width)
    base = np.where(last >= 0, actual[np.arange(groups), np.maximum(last, 0)], 0.0)
    horizon = min(width, PROJECTION_DAYS)
    modelled = anchored_per_customer(anchors, survival)[:, :horizon]
    at_last = np.where(last >= 0, modelled[np.arange(groups), np.clip(last, 0, horizon - 1)], 0.0)
    by_model = base[:, None] + customers[:, None] * (modelled - at_last[:, None])
    rate = _rate_per_customer(daily_mean, last, survival)
    future = days[None, :horizon] > last[:, None]
    daily = np.where(future, rate[:, None] * survival[:, :horizon], 0.0)
    by_rate = base[:, None] + customers[:, None] * np.cumsum(daily, axis=1)
    has_model = ~np.isnan(anchors).any(axis=1)
    projection = np.full_like(actual, np.nan)
    projection[:, :horizon] = np.where(has_model[:, None], by_model, by_rate)
    return np.where(days[None, :] <= last[:, None], actual, projection)
