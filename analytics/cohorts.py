"""Cohort ROI: the metrics of groups of spend and customers (a channel, an account, a campaign,
a country, an acquisition cohort ...), their revenue curves by day since acquisition and their
payback, as pure functions on two small frames the database produces, one row per group (KEY):

- spend: SPEND (reporting currency, NaN when a rate is missing), IMPRESSIONS, CLICKS, INSTALLS;
- customers: CUSTOMERS acquired; REVENUE to date, REVENUE_D7 and REVENUE_D30 (of all of them,
  NaN when a payment had no rate); SCORED (customers with an LTV prediction) and ltv_column(H)
  (Σ of their predicted LTV_H); CHURN_SCORED and CHURN_SUM (Σ churn probability); SUSPECTS
  (customers judged suspect traffic) and SUSPECT_REVENUE (their revenue to date); and for each
  checkpoint n of CHECKPOINTS: matured_column(n) (customers who have lived the first n days),
  gain_column(n) (their revenue between the previous checkpoint and n), at_risk_column(n)
  (lifetimes lasting at least to the previous checkpoint) and ended_column(n) (lifetimes observed
  to end before n; a customer's lifetime ends at the last purchase once inactive for
  CHURN_INACTIVITY_DAYS, as `analytics.cohort_churn` defines it), to_age_column(n) (Σ of every
  customer's revenue of the first n days so far: a customer younger than n counts its revenue to
  date) and age_sum_column(n) (Σ of the ages, in days, of the customers at least the previous
  checkpoint and under n days old).

Revenue is net of refunds (`analytics.metrics`), so a cumulative curve may fall where refunds of
an interval exceed its purchases.

Days are UTC calendar days: day 0 is the acquisition date (the model outputs' "day 1"), so the
predicted LTV_H of a customer is its cumulative revenue through day H - 1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics import metrics
from analytics.revenue_curves import (
    CHECKPOINTS,
    FIRST_DAYS,
    HORIZONS,
    PROJECTION_DAYS,
    actual_curve,
    age_span,
    daily,
    last_days,
    own_age_curve,
    payback_days,
    projected_curve,
    survival_matrix,
)

KEY = "key"
SPEND = "spend"
IMPRESSIONS = "impressions"
CLICKS = "clicks"
INSTALLS = "installs"
CUSTOMERS = "customers"
REVENUE = "revenue"
REVENUE_D7 = "revenue_d7"
REVENUE_D30 = "revenue_d30"
SCORED = "scored"
CHURN_SCORED = "churn_scored"
CHURN_SUM = "churn_sum"
SUSPECTS = "suspects"
SUSPECT_REVENUE = "suspect_revenue"
TOTAL = "total"
#: A customer without a purchase for this many days has lapsed (the churn models' horizon).
CHURN_INACTIVITY_DAYS = 90


def ltv_column(horizon: int) -> str:
    """Σ predicted LTV at a horizon, e.g. ``ltv_365``."""
    return f"ltv_{int(horizon)}"


def matured_column(days: int) -> str:
    return f"matured_{days}"


def gain_column(days: int) -> str:
    return f"gain_{days}"


def at_risk_column(days: int) -> str:
    return f"at_risk_{days}"


def ended_column(days: int) -> str:
    return f"ended_{days}"


def to_age_column(days: int) -> str:
    return f"to_age_{days}"


def age_sum_column(days: int) -> str:
    return f"age_sum_{days}"


SPEND_COLUMNS = (SPEND, IMPRESSIONS, CLICKS, INSTALLS)
#: Sums that are unknown (NaN) as soon as one part is: amounts that may lack a rate.
STRICT_COLUMNS = (
    REVENUE,
    REVENUE_D7,
    REVENUE_D30,
    SUSPECT_REVENUE,
    *(gain_column(n) for n in CHECKPOINTS),
    *(to_age_column(n) for n in CHECKPOINTS),
)
#: Sums over the scored customers only (NaN when none is).
SCORE_COLUMNS = (*(ltv_column(h) for h in HORIZONS), CHURN_SUM)
CUSTOMER_COLUMNS = (
    CUSTOMERS,
    REVENUE,
    REVENUE_D7,
    REVENUE_D30,
    SCORED,
    *(ltv_column(h) for h in HORIZONS),
    CHURN_SCORED,
    CHURN_SUM,
    SUSPECTS,
    SUSPECT_REVENUE,
    *(f(n) for n in CHECKPOINTS for f in (matured_column, gain_column)),
    *(f(n) for n in CHECKPOINTS for f in (at_risk_column, ended_column)),
    *(f(n) for n in CHECKPOINTS for f in (to_age_column, age_sum_column)),
)
#: Output columns of `roi_table`, in the API's order.
ROI_METRICS = (
    "spend",
    "impressions",
    "clicks",
    "installs",
    "cpi",
    "customers",
    "cac",
    "revenue",
    "revenue_d7",
    "revenue_d30",
    "d7_complete",
    "d30_complete",
    "roas",
    "predicted_ltv",
    "predicted_roas",
    "ltv_cac",
    "payback_days",
    "churn_rate",
    "suspects",
    "suspect_share",
    "cac_excluding_suspects",
    "roas_excluding_suspects",
)


@dataclass(frozen=True)
class CohortFrames:
    spend: pd.DataFrame
    customers: pd.DataFrame

    def keys(self) -> list:
        """Keys present in either frame, in first-seen order."""
        return list(dict.fromkeys(self.spend[KEY].tolist() + self.customers[KEY].tolist()))

    def combined(self, key: object = TOTAL) -> CohortFrames:
        """The same frames with every group merged into one (for totals); nothing spent is a
        real zero."""
        spend = _sum_all(self.spend, key, SPEND_COLUMNS)
        if spend.empty:
            spend = pd.DataFrame([{KEY: key, **dict.fromkeys(SPEND_COLUMNS, 0.0)}])
        return CohortFrames(spend, _sum_all(self.customers, key, CUSTOMER_COLUMNS))

    def only(self, keys: list) -> CohortFrames:
        """The frames restricted to some keys."""
        return CohortFrames(
            self.spend[self.spend[KEY].isin(keys)], self.customers[self.customers[KEY].isin(keys)]
        )


def numeric_frame(keys: list, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """KEY, then float columns, built as one block (no per-column type inference)."""
    names = list(columns)
    if names:
        block = np.empty((len(keys), len(names)))
        for index, name in enumerate(names):
            block[:, index] = columns[name]
    else:
        block = np.empty((len(keys), 0))
    frame = pd.DataFrame(block, columns=names)
    frame.insert(0, KEY, pd.Series(keys, dtype=object))
    return frame


def _sum_all(frame: pd.DataFrame, key: object, columns: tuple) -> pd.DataFrame:
    """One row: every column summed; spend and STRICT_COLUMNS are NaN if any part is, the score
    sums NaN when nothing was scored, the other columns skip NaN."""
    if frame.empty:
        return pd.DataFrame(columns=[KEY, *columns])
    values = frame[list(columns)].to_numpy(dtype=float)
    strict = np.array([c == SPEND or c in STRICT_COLUMNS for c in columns])
    scores = np.array([c in SCORE_COLUMNS for c in columns])
    sums = np.where(strict, values.sum(axis=0), np.nansum(values, axis=0))
    sums = np.where(scores & np.isnan(values).all(axis=0), np.nan, sums)
    return numeric_frame([key], dict(zip(columns, sums[:, None], strict=True)))


@dataclass(frozen=True)
class Curves:
    """Per group (rows in `keys` order), at the end of each checkpoint interval: the actual
    cumulative revenue (each customer's own revenue up to its own age, through the interval of
    the oldest customer's age: there it is the revenue to date), the projected curve (the same
    plus each younger customer's predicted remainder, `revenue_curves.own_age_curve`) and the
    survival; `actual_daily` / `projected_daily` give them on days 0..CURVE_DAYS-1.
    `last_known_day`: the last day index of the actual curve; `first_projected_day`: the day
    index from which the projection adds predicted revenue (the two are equal before it)."""

    keys: list
    actual: np.ndarray
    projected: np.ndarray
    survival: np.ndarray
    last_known_day: np.ndarray
    first_projected_day: np.ndarray

    def actual_daily(self, row: int) -> np.ndarray:
        return daily(self.actual[row])

    def projected_daily(self, row: int) -> np.ndarray:
        return daily(self.projected[row])


class _Aligned:
    """A frame's numeric columns as one matrix aligned on some keys (`absent` for keys the
    frame does not have): one pandas conversion, then plain numpy for every column asked."""

    def __init__(
        self, frame: pd.DataFrame, keys: list, absent: float = 0.0, columns: list | None = None
    ) -> None:
        columns = columns if columns is not None else [c for c in frame.columns if c != KEY]
        self.position = {c: i for i, c in enumerate(columns)}
        rows = pd.Index(frame[KEY]).get_indexer(keys) if len(frame) else np.full(len(keys), -1)
        self.present = rows >= 0
        self.values = np.full((len(keys), len(columns)), absent)
        if self.present.any():
            self.values[self.present] = frame[columns].to_numpy(dtype=float)[rows[self.present]]

    def get(self, columns: list[str], absent: float | None = None) -> np.ndarray:
        """(keys × columns); keys the frame lacks hold `absent` if given."""
        out = self.values[:, [self.position[c] for c in columns]]
        if absent is not None:
            out[~self.present] = absent
        return out


def _values(frame: pd.DataFrame, keys: list, columns: list, absent: float) -> np.ndarray:
    """(keys × columns) floats; `absent` for keys the frame does not have."""
    return _Aligned(frame, keys, absent, columns).get(columns)


def revenue_curves(
    frames: CohortFrames,
    keys: list,
    min_support: float = 0.1,
    anchored: Mapping[object, tuple[int, float]] | None = None,
) -> Curves:
    """Actual and projected cumulative revenue and survival of each group (see revenue_curves).
    The projection reaches the LTV model's predicted revenue of the first PROJECTION_DAYS days,
    or for a key in `anchored` its (horizon in days, predicted revenue of the first horizon days)
    instead, and stops at that horizon: a page that shows another model's figure for a group
    draws the curve of that figure."""
    customers = _Aligned(frames.customers, keys)

    def matrix(column) -> np.ndarray:
        return customers.get([column(n) for n in CHECKPOINTS])

    count, scored = customers.get([CUSTOMERS, SCORED]).T
    matured = matrix(matured_column)
    chained, mean_gain, last = actual_curve(count, matured, matrix(gain_column), min_support)
    survival = survival_matrix(matrix(at_risk_column), matrix(ended_column))
    ltv = customers.get([ltv_column(h) for h in HORIZONS], absent=np.nan)
    anchors = metrics.safe_divide(ltv, scored[:, None] * np.ones_like(ltv))
    # a customer's expected curve: the chained actual revenue of the customers old enough, then
    # the model's (or the survivors' rate); only its shape past each customer's age is used
    shape = projected_curve(chained, mean_gain, last, count, survival, anchors)
    with np.errstate(divide="ignore", invalid="ignore"):
        shape = shape / count[:, None]
    to_age = matrix(to_age_column)
    predicted = anchors[:, HORIZONS.index(PROJECTION_DAYS)] * count
    horizon = np.full(len(keys), PROJECTION_DAYS)
    for row, key in enumerate(keys):
        if anchored and key in anchored:
            horizon[row], predicted[row] = anchored[key]
    projected = own_age_curve(
        to_age, matured, count, matrix(age_sum_column), shape, predicted, horizon
    )
    youngest, oldest = age_span(matured, count)
    intervals = np.arange(len(CHECKPOINTS))[None, :]
    # known while every earlier interval is (a payment without a rate leaves the rest unknown)
    known = np.cumprod(np.isfinite(to_age), axis=1).astype(bool)
    actual = np.where((intervals <= oldest[:, None]) & known, to_age, np.nan)
    oldest = np.minimum(oldest, known.sum(axis=1) - 1)
    first_day = np.where(youngest > 0, FIRST_DAYS[np.clip(youngest, 0, len(CHECKPOINTS) - 1)], 0)
    first_day = np.where(youngest >= len(CHECKPOINTS), CHECKPOINTS[-1], first_day)
    last_actual = last_days(np.minimum(oldest, len(CHECKPOINTS) - 1))
    return Curves(keys, actual, projected, survival, last_actual, first_day - 1)


def roi_table(
    frames: CohortFrames,
    as_of: dt.date,
    range_end: dt.date,
    horizon: int = 365,
    margin_rate: float = 1.0,
    age_days: Callable[[object], float] | None = None,
) -> pd.DataFrame:
    """ROI_METRICS per group (index KEY) of the customers acquired through `range_end`, seen on
    `as_of` (UTC dates): D7/D30 are incomplete (NaN, never zero) until all their days are over.
    Predicted LTV and ROAS are at `horizon`; LTV:CAC at metrics.LTV_HORIZON_DAYS, times
    `margin_rate` (as payback).
    A group without spend rows spent nothing (0) and its impressions, clicks and installs were
    not reported (NaN); one without customers has 0 customers and 0 revenue. `age_days(key)`:
    the age the group is shown at (days since the middle of its acquisitions); a payback day
    within it is one the revenue to date has reached, so while the margin of the revenue to date
    stays below the spend the payback is later than that age."""
    keys = frames.keys()
    spend_side = _Aligned(frames.spend, keys, 0.0, [*SPEND_COLUMNS])
    spend, impressions, clicks, installs = spend_side.get([*SPEND_COLUMNS]).T
    # a group the platforms reported nothing of (e.g. customers of a country no spend row
    # names) has counts that are unknown, not 0
    impressions, clicks, installs = (
        np.where(spend_side.present, np.nan_to_num(v), np.nan)
        for v in (impressions, clicks, installs)
    )
    aligned = _Aligned(frames.customers, keys)
    figures = [CUSTOMERS, REVENUE, REVENUE_D7, REVENUE_D30, SCORED, CHURN_SCORED, SUSPECTS]
    customers, revenue, d7, d30, scored, churn_scored, suspects = aligned.get(figures).T
    (suspect_revenue,) = aligned.get([SUSPECT_REVENUE]).T
    ltv, lifetime_ltv, churn_sum = aligned.get(
        [ltv_column(horizon), ltv_column(metrics.LTV_HORIZON_DAYS), CHURN_SUM], absent=np.nan
    ).T
    table = {
        "spend": spend,
        "impressions": impressions,
        "clicks": clicks,
        "installs": installs,
        "cpi": metrics.cpi(spend, installs),
        "customers": customers,
        "cac": metrics.cac(spend, customers),
        "revenue": revenue,
        "roas": metrics.roas(revenue, spend),
        "predicted_ltv": metrics.safe_divide(ltv, scored),
        "churn_rate": metrics.churn_rate(churn_sum, churn_scored),
        "suspects": suspects,
        "suspect_share": metrics.suspect_share(suspects, customers),
        "cac_excluding_suspects": metrics.cac_excluding_suspects(spend, customers, suspects),
        "roas_excluding_suspects": metrics.roas_excluding_suspects(revenue, suspect_revenue, spend),
    }
    for days, value in ((7, d7), (30, d30)):
        complete = metrics.cohort_complete(range_end, as_of, days)
        table[f"revenue_d{days}"] = value if complete else np.full(len(keys), np.nan)
        table[f"d{days}_complete"] = np.full(len(keys), complete)
    table["predicted_roas"] = metrics.predicted_roas(table["predicted_ltv"] * customers, spend)
    lifetime_value = metrics.safe_divide(lifetime_ltv, scored)
    table["ltv_cac"] = metrics.ltv_cac(lifetime_value, table["cac"], margin_rate)
    with np.errstate(invalid="ignore"):
        not_paid = ~(revenue * margin_rate >= spend)
    ages = np.array([age_days(k) if age_days else -1 for k in keys], dtype=float)
    not_before = np.where(not_paid & (ages >= 0), np.floor(ages) + 1, 0).astype(np.int64)
    payback = _payback(frames, keys, spend, customers, margin_rate, not_before)
    payback = np.array([np.nan if d is None else d for d in payback], dtype=float)
    # no payback where the model's own figures rule it out: the margin of the revenue predicted
    # for the first PROJECTION_DAYS days stays below the spend, and that to date does too
    (year_ltv,) = aligned.get([ltv_column(PROJECTION_DAYS)], absent=np.nan).T
    year_revenue = metrics.safe_divide(year_ltv, scored) * customers
    with np.errstate(invalid="ignore"):
        ruled_out = (year_revenue * margin_rate < spend) & ~(revenue * margin_rate >= spend)
    table["payback_days"] = np.where(ruled_out, np.nan, payback)
    # one float block (flags 1.0/0.0, unknown NaN): no per-column type inference
    block = np.empty((len(keys), len(ROI_METRICS)))
    for index, name in enumerate(ROI_METRICS):
        block[:, index] = table[name]
    return pd.DataFrame(block, index=pd.Index(keys, name=KEY), columns=list(ROI_METRICS))


def _payback(frames, keys, spend, customers, margin_rate, not_before) -> list[int | None]:
    """Payback day per key; curves are built only for keys with customers and spend."""
    out: list[int | None] = [None] * len(keys)
    active = [i for i in range(len(keys)) if customers[i] > 0 and spend[i] > 0]
    if active:
        curves = revenue_curves(frames, [keys[i] for i in active]).projected
        # metrics.payback_day of the daily curves, computed on the intervals
        days = payback_days(curves, spend[active], margin_rate, not_before[active])
        for i, day in zip(active, days, strict=True):
            out[i] = day
    return out
