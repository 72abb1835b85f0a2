"""The one definition of each marketing metric, used by the API, the alerts and the exports.

Every ratio goes through `safe_divide`: a zero, missing (None/NaN) or non-finite denominator or a
missing numerator gives None for scalars and NaN in columns (pandas Series / numpy arrays),
never 0 and never infinity. The functions accept scalars (int, float, Decimal, None) and columns
alike; a column in gives a float column out.

- revenue = payments net of refunds: a refund is a negative payment on the day it is paid back
  (revenue events do not say which purchase it reverses), so cumulative revenue, ROAS to date and
  an LTV curve can fall where a day's refunds exceed its purchases
- ROAS = revenue ÷ spend; ROI = (revenue − spend) ÷ spend
- CPI = spend ÷ installs; CPA = spend ÷ conversions; CAC = spend ÷ new customers
- LTV:CAC = margin-adjusted predicted lifetime value per customer (LTV over LTV_HORIZON_DAYS ×
  the margin rate) ÷ CAC: a profit ratio on the lifetime horizon, where predicted ROAS is a revenue
  ratio on the report's horizon
- cohort ROAS Dn = revenue through day n ÷ the cohort's spend, None while the cohort is incomplete
  (ranges of different ages are compared on it, at COMPARABLE_AGE_DAYS: like with like)
- predicted ROAS (horizon H) = Σ predicted LTV_H of the cohort's customers ÷ the cohort's spend
- payback = first day (since acquisition) when the cumulative margin ≥ the spend, on the
  cohort's curve built customer by customer (each one's own revenue up to its own age, then its
  predicted remainder, the cohort's day 365 being its predicted 365-day revenue); none while the
  margin of both the revenue to date and the 365-day predicted revenue stay below the spend, and
  never a day within the cohort's age while the margin of its revenue to date is below the spend
  (analytics.cohorts.roi_table)
- churn rate = customers expected to have churned (Σ churn probabilities) ÷ customers
- suspect share = suspect customers (analytics.early.traffic) ÷ customers
- CAC excluding suspect traffic = spend ÷ (customers − suspect customers); ROAS excluding suspect
  traffic = (revenue − the suspect customers' revenue) ÷ spend. The spend stays whole: the money
  was spent, the suspects only do not count as customers nor their payments as revenue
- expected payers (horizon H) = Σ over the cohort's scored customers of P(first purchase within
  H days of acquisition) (1 for a customer who already paid within H, 0 once H has passed
  unpaid), scaled to the cohort's customers (those acquired after the scoring count at the scored
  ones' rate)
- early predicted ROAS (horizon H) = expected payers_H × value per payer_H ÷ the cohort's spend,
  the value per payer_H being the mean revenue within H days of a customer who paid within H
  (the first-purchase version's training data): what a cohort younger than EARLY_AGE_DAYS is
  expected to return before it has any revenue history; its backtested error (and that of its
  expected payers) is read at the age (D1, D3) its youngest customers had when they were scored:
  a group mixing ages is no better known than its least known customers
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

Scalar = int | float | Decimal | None

#: The horizon (days) of the lifetime value in LTV:CAC, whatever a report's predicted-ROAS
#: horizon: the longest the LTV models predict.
LTV_HORIZON_DAYS = 365
#: The age (days since acquisition) at which cohorts of different ages are compared: revenue to
#: date of young cohorts is not comparable with that of older ones, which had longer to earn.
COMPARABLE_AGE_DAYS = 7
#: Cohorts younger than this (days since acquisition) have no revenue history to speak of: their
#: predicted ROAS is the early one, from first-purchase probabilities.
EARLY_AGE_DAYS = 7
#: The horizon (days from acquisition) of expected payers and of the early predicted ROAS.
EARLY_HORIZON_DAYS = 30


def _is_column(value: Any) -> bool:
    return isinstance(value, pd.Series | np.ndarray)


def _as_float(value: Scalar) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _as_column(value: Any) -> pd.Series | np.ndarray | float:
    if isinstance(value, pd.Series):
        return pd.to_numeric(value, errors="coerce").astype(float)
    if isinstance(value, np.ndarray):
        return value.astype(float)
    number = _as_float(value)
    return np.nan if number is None else number


def safe_divide(numerator: Any, denominator: Any) -> Any:
    """numerator ÷ denominator, or None (NaN in a column) when the result is undefined."""
    if _is_column(numerator) or _is_column(denominator):
        num, den = _as_column(numerator), _as_column(denominator)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = num / np.where(den == 0, np.nan, den)
        if isinstance(out, pd.Series):
            return out.where(np.isfinite(out))
        return np.where(np.isfinite(out), out, np.nan)
    num, den = _as_float(numerator), _as_float(denominator)
    if num is None or den is None or den == 0:
        return None
    result = num / den
    return result if math.isfinite(result) else None


def _subtract(left: Any, right: Any) -> Any:
    if _is_column(left) or _is_column(right):
        return _as_column(left) - _as_column(right)
    a, b = _as_float(left), _as_float(right)
    return None if a is None or b is None else a - b


def roas(revenue: Any, spend: Any) -> Any:
    """Return on ad spend: revenue ÷ spend."""
    return safe_divide(revenue, spend)


def roi(revenue: Any, spend: Any) -> Any:
    """Return on investment: (revenue − spend) ÷ spend."""
    return safe_divide(_subtract(revenue, spend), spend)


def cpi(spend: Any, installs: Any) -> Any:
    """Cost per install: spend ÷ installs."""
    return safe_divide(spend, installs)


def cpa(spend: Any, conversions: Any) -> Any:
    """Cost per action: spend ÷ conversions."""
    return safe_divide(spend, conversions)


def cac(spend: Any, customers: Any) -> Any:
    """Customer acquisition cost: spend ÷ new customers."""
    return safe_divide(spend, customers)


def ltv_cac(ltv_per_customer: Any, acquisition_cost: Any, margin_rate: float = 1.0) -> Any:
    """LTV:CAC: margin_rate × predicted lifetime value per customer (over LTV_HORIZON_DAYS) ÷
    customer acquisition cost. With a margin rate of 1 and a report horizon of LTV_HORIZON_DAYS
    it equals predicted ROAS."""
    if _is_column(ltv_per_customer):
        margin_value = _as_column(ltv_per_customer) * float(margin_rate)
    else:
        value = _as_float(ltv_per_customer)
        margin_value = None if value is None else value * float(margin_rate)
    return safe_divide(margin_value, acquisition_cost)


def predicted_roas(predicted_ltv_total: Any, spend: Any) -> Any:
    """Predicted ROAS at a horizon: Σ predicted LTV_H of the cohort's customers ÷ its spend."""
    return safe_divide(predicted_ltv_total, spend)


def expected_payers(probability_sum: Any, scored: Any, customers: Any) -> Any:
    """Expected payers of a cohort: Σ P(first purchase within the horizon) of its scored
    customers × customers ÷ scored (None when none is scored)."""
    return _times(safe_divide(probability_sum, scored), customers)


def early_predicted_roas(expected: Any, value_per_payer: Any, spend: Any) -> Any:
    """Early predicted ROAS: expected payers × value per payer ÷ spend."""
    return safe_divide(_times(expected, value_per_payer), spend)


def _times(left: Any, right: Any) -> Any:
    if _is_column(left) or _is_column(right):
        return _as_column(left) * _as_column(right)
    a, b = _as_float(left), _as_float(right)
    return None if a is None or b is None else a * b


def churn_rate(expected_churned: Any, customers: Any) -> Any:
    """Share of customers churned: Σ churn probabilities (or churned count) ÷ customers."""
    return safe_divide(expected_churned, customers)


def suspect_share(suspects: Any, customers: Any) -> Any:
    """Share of the customers that are suspect traffic: suspects ÷ customers."""
    return safe_divide(suspects, customers)


def cac_excluding_suspects(spend: Any, customers: Any, suspects: Any) -> Any:
    """CAC without suspect traffic: the whole spend ÷ the customers who are not suspect."""
    return cac(spend, _subtract(customers, suspects))


def roas_excluding_suspects(revenue: Any, suspect_revenue: Any, spend: Any) -> Any:
    """ROAS without suspect traffic: the revenue of the customers who are not suspect ÷ the
    whole spend."""
    return roas(_subtract(revenue, suspect_revenue), spend)


def cohort_roas(revenue_through_day: Any, spend: Any, complete: Any) -> Any:
    """Cohort ROAS Dn: revenue through day n ÷ spend; None (NaN) while the cohort is incomplete,
    never zero."""
    value = safe_divide(revenue_through_day, spend)
    if isinstance(value, pd.Series):
        return value.where(np.asarray(complete, dtype=bool))
    if isinstance(value, np.ndarray):
        return np.where(np.asarray(complete, dtype=bool), value, np.nan)
    return value if complete else None


def cohort_complete(cohort_end: dt.date, as_of: dt.date, days: int) -> bool:
    """Whether the first `days` days of every customer acquired through `cohort_end` are over on
    `as_of`: day 1 is the (UTC) acquisition date, so the last one ends as `as_of` reaches
    cohort_end + days."""
    return cohort_end + dt.timedelta(days=days) <= as_of


def last_complete_cohort(as_of: dt.date, days: int) -> dt.date:
    """The last acquisition date whose cohort has lived its first `days` days on `as_of`
    (`cohort_complete`)."""
    return as_of - dt.timedelta(days=days)


def payback_day(
    cumulative_revenue: Sequence[float] | np.ndarray,
    spend: Any,
    margin_rate: float = 1.0,
    not_before: Any = 0,
) -> Any:
    """First day index (0 = the acquisition day) at which margin_rate × cumulative revenue covers
    the spend, not before the day index `not_before` (one, or one per row); None when it never
    does within the curve, the spend is missing or not positive, or the curve becomes unknown
    (NaN) before it does. A matrix of curves (one per row) with a column of spends gives a list,
    one day or None per row."""
    curves = np.asarray(cumulative_revenue, dtype=float)
    single = curves.ndim == 1
    curves = np.atleast_2d(curves)
    cost = np.atleast_1d(_as_column(np.asarray(spend, dtype=object)))
    margin = curves * margin_rate
    before_unknown = np.cumsum(~np.isfinite(margin), axis=1) == 0
    earliest = np.broadcast_to(np.asarray(not_before), (curves.shape[0],))
    counts = np.arange(curves.shape[1])[None, :] >= earliest[:, None]
    reached = before_unknown & counts & (margin >= cost[:, None])
    payable = np.isfinite(cost) & (cost > 0) & reached.any(axis=1)
    days = [
        int(day) if ok else None for day, ok in zip(reached.argmax(axis=1), payable, strict=True)
    ]
    return days[0] if single else days
