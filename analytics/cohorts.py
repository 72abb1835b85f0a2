"""Cohort ROI: the metrics of groups of spend and customers (a channel, an account, a campaign,
a country, an acquisition cohort ...), their revenue curves by day since acquisition and their
payback, as pure functions on small aggregate frames the database produces.

Input frames (`CohortFrames`), each keyed by KEY:

- spend: SPEND (reporting currency, NaN when a rate is missing), IMPRESSIONS, CLICKS, INSTALLS;
- customers: CUSTOMERS acquired, SCORED (customers with an LTV prediction) and ltv_column(H)
  (Σ of their predicted LTV_H), CHURN_SCORED and CHURN_SUM (Σ churn probability);
- revenue: REVENUE by DAY since acquisition (NaN when a payment has no rate), SETTLED telling
  whether that day of the customer is over (the customer's current day is still running);
- ages: CUSTOMERS by AGE (days of the customer that are over at `as_of`);
- lifetimes: CUSTOMERS by DURATION (days from acquisition to the last purchase, or the age
  while the customer is active) and OBSERVED (the lifetime ended: inactive for
  CHURN_INACTIVITY_DAYS), as `analytics.ltv.lifetimes_from_summary` defines them.

Days are UTC calendar days: day 0 is the acquisition date (the model outputs' "day 1"), so the
predicted LTV_H of a customer is its cumulative revenue through day H - 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analytics import metrics
from analytics.revenue_curves import (
    HORIZONS,
    PROJECTION_DAYS,
    actual_curve,
    counts_matrix,
    projected_curve,
    survival_matrix,
)

KEY = "key"
SPEND = "spend"
IMPRESSIONS = "impressions"
CLICKS = "clicks"
INSTALLS = "installs"
CUSTOMERS = "customers"
SCORED = "scored"
CHURN_SCORED = "churn_scored"
CHURN_SUM = "churn_sum"
DAY = "day"
REVENUE = "revenue"
SETTLED = "settled"
AGE = "age"
DURATION = "duration"
OBSERVED = "observed"

#: A customer without a purchase for this many days has lapsed (the churn models' horizon).
CHURN_INACTIVITY_DAYS = 90
#: Longest curve kept (about three years of daily revenue).
MAX_CURVE_DAYS = 1100
TOTAL = "total"


def ltv_column(horizon: int) -> str:
    """Σ predicted LTV at a horizon in the customers frame, e.g. ``ltv_365``."""
    return f"ltv_{int(horizon)}"


SPEND_COLUMNS = (SPEND, IMPRESSIONS, CLICKS, INSTALLS)
CUSTOMER_COLUMNS = (
    CUSTOMERS,
    SCORED,
    *(ltv_column(h) for h in HORIZONS),
    CHURN_SCORED,
    CHURN_SUM,
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
)


@dataclass(frozen=True)
class CohortFrames:
    spend: pd.DataFrame
    customers: pd.DataFrame
    revenue: pd.DataFrame
    ages: pd.DataFrame
    lifetimes: pd.DataFrame

    def keys(self) -> list:
        """Keys present in either the spend or the customers, in first-seen order."""
        seen = list(self.spend[KEY]) + list(self.customers[KEY])
        return list(dict.fromkeys(seen))

    def combined(self, key: object = TOTAL) -> CohortFrames:
        """The same frames with every group merged into one (for totals)."""
        spend = _merge(self.spend, key, (), SPEND_COLUMNS, strict=(SPEND,))
        if spend.empty:  # totals always have a row: nothing spent is a real zero
            spend = pd.DataFrame([{KEY: key, **dict.fromkeys(SPEND_COLUMNS, 0.0)}])
        return CohortFrames(
            spend=spend,
            customers=_merge_customers(self.customers, key),
            revenue=_merge(self.revenue, key, (DAY, SETTLED), (REVENUE,), strict=(REVENUE,)),
            ages=_merge(self.ages, key, (AGE,), (CUSTOMERS,)),
            lifetimes=_merge(self.lifetimes, key, (DURATION, OBSERVED), (CUSTOMERS,)),
        )

    def only(self, keys: list) -> CohortFrames:
        """The frames restricted to some keys."""
        pick = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return replace(self, **{n: f[f[KEY].isin(keys)] for n, f in pick.items()})


def _strict_sum(frame: pd.DataFrame, by: list, column: str) -> pd.Series:
    """Σ column per `by`, NaN where any part is NaN (an unconverted amount is never dropped)."""
    flagged = frame.assign(_unknown=frame[column].isna())
    grouped = flagged.groupby(by, sort=False)
    return grouped[column].sum().where(~grouped["_unknown"].any())


def _merge(frame: pd.DataFrame, key, by: tuple, values: tuple, strict: tuple = ()):
    """Sum `values` over all keys (per `by`); `strict` columns stay NaN if any part is NaN."""
    if frame.empty:
        return pd.DataFrame(columns=[KEY, *by, *values])
    out = frame.assign(**{KEY: key})
    group = [KEY, *by]
    sums = {
        c: _strict_sum(out, group, c) if c in strict else out.groupby(group, sort=False)[c].sum()
        for c in values
    }
    return pd.DataFrame(sums).reset_index()[[KEY, *by, *values]]


def _merge_customers(frame: pd.DataFrame, key) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=[KEY, *CUSTOMER_COLUMNS])
    row = {KEY: key}
    for column in CUSTOMER_COLUMNS:
        row[column] = frame[column].sum(min_count=1)
    return pd.DataFrame([row])[[KEY, *CUSTOMER_COLUMNS]]


@dataclass(frozen=True)
class Curves:
    """Per group (rows in `keys` order), day 0..width-1: the actual cumulative revenue, the curve
    projected past the last known day, and the survival curve."""

    keys: list
    actual: np.ndarray
    projected: np.ndarray
    survival: np.ndarray
    last_known_day: np.ndarray


def revenue_curves(frames: CohortFrames, keys: list, min_support: float = 0.1) -> Curves:
    """Actual and projected cumulative revenue and survival of each group (see revenue_curves)."""
    width = _curve_width(frames)
    customers = _column(frames.customers, keys, CUSTOMERS)
    settled = frames.revenue[frames.revenue[SETTLED].astype(bool)]
    revenue = counts_matrix(settled, keys, KEY, DAY, REVENUE, width, skipna=False)
    ages = counts_matrix(frames.ages, keys, KEY, AGE, CUSTOMERS, width)
    actual, daily_mean, last = actual_curve(customers, revenue, ages, min_support)
    ended = frames.lifetimes[frames.lifetimes[OBSERVED].astype(bool)]
    survival = survival_matrix(
        counts_matrix(ended, keys, KEY, DURATION, CUSTOMERS, width),
        counts_matrix(frames.lifetimes, keys, KEY, DURATION, CUSTOMERS, width),
    )
    scored = _column(frames.customers, keys, SCORED)
    anchors = np.column_stack(
        [
            metrics.safe_divide(_column(frames.customers, keys, ltv_column(h), np.nan), scored)
            for h in HORIZONS
        ]
    )
    projected = projected_curve(actual, daily_mean, last, customers, survival, anchors)
    return Curves(keys, actual, projected, survival, last)


def _curve_width(frames: CohortFrames) -> int:
    oldest = int(frames.ages[AGE].max()) + 1 if not frames.ages.empty else 0
    return min(MAX_CURVE_DAYS, max(PROJECTION_DAYS, oldest))


def _column(frame: pd.DataFrame, keys: list, column: str, fill: float = 0.0) -> np.ndarray:
    """One value per key (`fill` where the key is absent or the value NaN)."""
    if frame.empty:
        return np.full(len(keys), fill)
    values = frame.set_index(KEY)[column].astype(float).reindex(keys)
    return values.fillna(fill).to_numpy()


def roi_table(
    frames: CohortFrames,
    as_of: dt.date,
    range_end: dt.date,
    horizon: int = 365,
    margin_rate: float = 1.0,
) -> pd.DataFrame:
    """ROI_METRICS per group (index KEY) of the customers acquired through `range_end`, seen on
    `as_of` (UTC dates): D7/D30 are incomplete (NaN, never zero) until all their days are over."""
    keys = frames.keys()
    table = _spend_side(frames.spend, keys).join(_customer_side(frames, keys, horizon))
    for days in (7, 30):
        complete = metrics.cohort_complete(range_end, as_of, days)
        revenue = _revenue_sum(frames.revenue, keys, days)
        table[f"revenue_d{days}"] = revenue if complete else np.nan
        table[f"d{days}_complete"] = complete
    table["cpi"] = metrics.cpi(table[SPEND], table[INSTALLS])
    table["cac"] = metrics.cac(table[SPEND], table[CUSTOMERS])
    table["roas"] = metrics.roas(table[REVENUE], table[SPEND])
    predicted_total = table["predicted_ltv"] * table[CUSTOMERS]
    table["predicted_roas"] = metrics.predicted_roas(predicted_total, table[SPEND])
    table["ltv_cac"] = metrics.ltv_cac(table["predicted_ltv"], table["cac"])
    curves = revenue_curves(frames, keys)
    spend = table[SPEND].to_numpy(dtype=float)
    table["payback_days"] = [
        metrics.payback_day(curves.projected[i], spend[i], margin_rate) for i in range(len(keys))
    ]
    return table[list(ROI_METRICS)]


def _spend_side(spend: pd.DataFrame, keys: list) -> pd.DataFrame:
    table = spend.set_index(KEY)[list(SPEND_COLUMNS)].astype(float).reindex(keys)
    counts = [IMPRESSIONS, CLICKS, INSTALLS]
    table[counts] = table[counts].fillna(0.0)
    known = set(spend[KEY])
    table[SPEND] = [v if k in known else 0.0 for k, v in zip(keys, table[SPEND], strict=True)]
    table.index.name = KEY
    return table


def _customer_side(frames: CohortFrames, keys: list, horizon: int) -> pd.DataFrame:
    customers = frames.customers.set_index(KEY).reindex(keys)
    out = pd.DataFrame(index=pd.Index(keys, name=KEY))
    out[CUSTOMERS] = customers[CUSTOMERS].astype(float).fillna(0.0)
    out[REVENUE] = _revenue_sum(frames.revenue, keys, None)
    out["predicted_ltv"] = metrics.safe_divide(
        customers[ltv_column(horizon)].astype(float), customers[SCORED].astype(float)
    )
    out["churn_rate"] = metrics.churn_rate(
        customers[CHURN_SUM].astype(float), customers[CHURN_SCORED].astype(float)
    )
    return out


def _revenue_sum(revenue: pd.DataFrame, keys: list, before_day: int | None) -> pd.Series:
    """Σ revenue per key (days < before_day); NaN if a payment had no rate, 0 without payments."""
    if before_day is not None:
        revenue = revenue[revenue[DAY] < before_day]
    if revenue.empty:
        return pd.Series(0.0, index=pd.Index(keys, name=KEY))
    sums = _strict_sum(revenue, [KEY], REVENUE).astype(float).reindex(keys)
    return sums.mask(~sums.index.isin(revenue[KEY].unique()), 0.0)
