"""Cumulative revenue curves of customer groups by day since acquisition (day 0 = the acquisition
day), one row per group in a matrix so that hundreds of groups cost a few array operations.

- The actual curve chains the groups' customers of different ages: the mean revenue per customer
  on day k is taken over the customers whose day k is over, times the group's customers; it is
  known while at least `min_support` of the customers have lived through day k (NaN after).
- The survival curve is Kaplan-Meier on the customers' lifetimes (the same estimate as
  `analytics.ltv.kaplan_meier`, from counts): NaN past the last day the group was followed,
  except that a curve that reached 0 stays 0.
- The projection continues the actual curve past its last known day: with predicted LTV anchors
  (per customer, predicted total revenue of the first H days) the increments between anchors are
  spread over the days in proportion to survival; without them, the revenue rate of surviving
  customers over the last observed weeks is carried forward times survival, while it is known.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Horizons (days) of the predicted LTV anchors, as in model_outputs.predicted_ltv_<H>.
HORIZONS = (30, 90, 365)
#: Projections stop at the longest horizon.
PROJECTION_DAYS = max(HORIZONS)
#: Days of revenue used to measure the rate of surviving customers when there is no model.
RATE_WINDOW_DAYS = 28


def actual_curve(
    customers: np.ndarray,
    settled_revenue: np.ndarray,
    age_counts: np.ndarray,
    min_support: float = 0.1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cumulative actual revenue, mean revenue per customer by day, last known day per group).

    `settled_revenue[g, k]`: revenue of group g's customers on day k, counting only customers
    whose day k is over (NaN when a payment could not be converted); `age_counts[g, a]`: the
    customers who have lived `a` full days. The last known day is -1 when none is.
    """
    customers = np.asarray(customers, dtype=float)
    lived_through = customers[:, None] - np.cumsum(age_counts, axis=1)
    needed = np.maximum(1.0, np.ceil(min_support * customers))[:, None]
    supported = lived_through >= needed
    with np.errstate(divide="ignore", invalid="ignore"):
        daily_mean = np.where(supported, settled_revenue / lived_through, np.nan)
    last = supported.sum(axis=1) - 1
    cumulative = customers[:, None] * np.cumsum(np.where(supported, daily_mean, 0.0), axis=1)
    cumulative = np.where(supported & ~_nan_seen(daily_mean, supported), cumulative, np.nan)
    return cumulative, daily_mean, last


def _nan_seen(values: np.ndarray, supported: np.ndarray) -> np.ndarray:
    """True from the first supported day whose value is NaN on (an unknown day poisons the rest)."""
    return np.cumsum(supported & np.isnan(values), axis=1) > 0


def survival_matrix(events: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """Kaplan-Meier S(t) per group from counts: `events[g, d]` lifetimes observed to end at day
    d, `removed[g, d]` lifetimes (ended or censored) of length d."""
    total = removed.sum(axis=1, keepdims=True)
    at_risk = total - np.cumsum(removed, axis=1) + removed
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(at_risk > 0, events / at_risk, 0.0)
    survival = np.cumprod(1.0 - hazard, axis=1)
    days = np.arange(removed.shape[1])
    followed = np.where(removed > 0, days, 0).max(axis=1, initial=0)
    unknown = days[None, :] > followed[:, None]
    ended = survival[np.arange(len(followed)), followed] <= 0
    return np.where(unknown & ~ended[:, None], np.nan, np.where(unknown, 0.0, survival))


def _weights(survival: np.ndarray, days: int) -> np.ndarray:
    """Survival as weights on days 0..days-1: unknown days carry the last known value."""
    known = pd.DataFrame(survival[:, :days]).ffill(axis=1).fillna(1.0).to_numpy()
    if known.shape[1] < days:
        pad = np.repeat(known[:, -1:], days - known.shape[1], axis=1)
        known = np.hstack([known, pad])
    return known


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


def counts_matrix(
    frame: pd.DataFrame,
    keys: Sequence,
    key_column: str,
    day_column: str,
    value_column: str,
    width: int,
    skipna: bool = True,
) -> np.ndarray:
    """Sum `value_column` of a long frame into a (keys × width) matrix, days clipped to width-1;
    with skipna False a NaN value makes its cell NaN."""
    matrix = np.zeros((len(keys), width))
    if frame.empty:
        return matrix
    position = pd.Index(keys).get_indexer(frame[key_column])
    day = np.clip(frame[day_column].to_numpy(dtype=int), 0, width - 1)
    values = frame[value_column].to_numpy(dtype=float)
    keep = position >= 0
    if skipna:
        values = np.nan_to_num(values, nan=0.0)
    np.add.at(matrix, (position[keep], day[keep]), values[keep])
    return matrix
