"""RFM summary of each customer at the end of a calibration window (frequency, recency, T,
monetary value, revenue) and the customer's purchases in the holdout window that follows.

Two conventions for the customer's "birth" (time 0 of the purchase models):

- without ``customers``: the first purchase is the birth, as in the BTYD literature (CDNOW);
  frequency counts *repeat* purchase periods and monetary value averages the repeat purchases;
- with ``customers``: the acquisition (install) is the birth; every purchase period from the
  acquisition period on counts, and customers who never bought are kept with frequency 0.

Purchases are aggregated per period (one day by default); the ends of the windows are inclusive
(a ``calibration_end`` of 2024-03-31 includes purchases made that day). Time is in periods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.ltv.columns import (
    ACQUIRED_AT,
    AMOUNT,
    CUSTOMER_ID,
    DURATION_HOLDOUT,
    FREQUENCY,
    FREQUENCY_HOLDOUT,
    MONETARY_VALUE,
    OCCURRED_AT,
    RECENCY,
    REVENUE,
    REVENUE_HOLDOUT,
    T,
)

_NS_PER_DAY = 86_400 * 10**9


def period_index(when: pd.Series | pd.Timestamp | str, period_days: float = 1.0) -> np.ndarray:
    """Integer index of the period (since 1970-01-01) that each timestamp falls in."""
    period_ns = int(round(period_days * _NS_PER_DAY))
    if isinstance(when, pd.Series | pd.Index | np.ndarray):
        values = pd.to_datetime(when).to_numpy(dtype="datetime64[ns]").astype(np.int64)
        return values // period_ns
    return np.asarray(pd.Timestamp(when).value // period_ns)


@dataclass(frozen=True)
class PurchasePeriods:
    """Revenue per (customer, period), sorted by customer code then period; ``ids[code]`` is the
    customer id and ``birth[code]`` the acquisition period (None: birth = first purchase)."""

    ids: pd.Index
    code: np.ndarray
    period: np.ndarray
    amount: np.ndarray
    birth: np.ndarray | None

    def select(self, rows: np.ndarray) -> PurchasePeriods:
        return PurchasePeriods(
            self.ids, self.code[rows], self.period[rows], self.amount[rows], self.birth
        )


def purchase_periods(
    transactions: pd.DataFrame, customers: pd.DataFrame | None = None, period_days: float = 1.0
) -> PurchasePeriods:
    """Aggregate transactions per (customer, period) on integer customer codes. With
    ``customers``, purchases of unknown customers are dropped and births are acquisitions."""
    birth = None
    if customers is not None:
        if customers[CUSTOMER_ID].duplicated().any():
            raise ValueError("customers has duplicate customer ids")
        ids = pd.Index(customers[CUSTOMER_ID].to_numpy(), name=CUSTOMER_ID)
        code = ids.get_indexer(transactions[CUSTOMER_ID].to_numpy())
        birth = period_index(customers[ACQUIRED_AT], period_days)
    else:
        code, uniques = pd.factorize(transactions[CUSTOMER_ID].to_numpy(), sort=True)
        ids = pd.Index(uniques, name=CUSTOMER_ID)
    period = period_index(transactions[OCCURRED_AT], period_days)
    amount = transactions[AMOUNT].to_numpy(dtype=float)
    known = code >= 0
    code, period, amount = code[known].astype(np.int64), period[known], amount[known]
    if code.size == 0:
        return PurchasePeriods(ids, code, period, amount, birth)
    offset = period.min()
    span = int(period.max() - offset + 1)
    keys, inverse = np.unique(code * span + (period - offset), return_inverse=True)
    total = np.bincount(inverse.ravel(), weights=amount, minlength=keys.size)
    return PurchasePeriods(ids, keys // span, keys % span + offset, total, birth)


def build_rfm_summary(
    transactions: pd.DataFrame,
    calibration_end: pd.Timestamp | str,
    customers: pd.DataFrame | None = None,
    period_days: float = 1.0,
) -> pd.DataFrame:
    """RFM summary indexed by customer id at the end of ``calibration_end`` (inclusive)."""
    periods = purchase_periods(transactions, customers, period_days)
    end = int(period_index(calibration_end, period_days))
    return _summary(periods, end)[0]


def build_calibration_holdout(
    transactions: pd.DataFrame,
    calibration_end: pd.Timestamp | str,
    holdout_end: pd.Timestamp | str,
    customers: pd.DataFrame | None = None,
    period_days: float = 1.0,
) -> pd.DataFrame:
    """RFM summary at ``calibration_end`` plus purchase periods and revenue in the holdout
    window (calibration_end, holdout_end], for the customers born by ``calibration_end``."""
    periods = purchase_periods(transactions, customers, period_days)
    end = int(period_index(calibration_end, period_days))
    holdout_last = int(period_index(holdout_end, period_days))
    if holdout_last <= end:
        raise ValueError("holdout_end must come after calibration_end")
    summary, codes = _summary(periods, end)
    holdout = periods.select((periods.period > end) & (periods.period <= holdout_last))
    n = len(periods.ids)
    summary[FREQUENCY_HOLDOUT] = np.bincount(holdout.code, minlength=n)[codes].astype(float)
    summary[REVENUE_HOLDOUT] = np.bincount(holdout.code, holdout.amount, minlength=n)[codes]
    summary[DURATION_HOLDOUT] = float(holdout_last - end)
    return summary


def _summary(periods: PurchasePeriods, end: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The summary and the customer codes of its rows."""
    rows = periods.period <= end
    if periods.birth is not None:
        rows &= periods.period >= periods.birth[periods.code]
    calibration = periods.select(rows)
    n = len(periods.ids)
    count = np.bincount(calibration.code, minlength=n)
    total = np.bincount(calibration.code, calibration.amount, minlength=n)
    starts = np.searchsorted(calibration.code, np.arange(n))
    last_row = np.maximum(starts + count - 1, 0)
    last = calibration.period[last_row] if calibration.code.size else np.zeros(n, np.int64)
    if periods.birth is None:
        codes = np.flatnonzero(count > 0)
        birth = calibration.period[starts[codes]]
        first_amount = calibration.amount[starts[codes]]
        frequency = count[codes] - 1.0
        repeat_revenue = total[codes] - first_amount
    else:
        codes = np.flatnonzero(periods.birth <= end)
        birth = periods.birth[codes]
        frequency = count[codes].astype(float)
        repeat_revenue = total[codes]
    summary = pd.DataFrame(
        {
            FREQUENCY: frequency,
            RECENCY: np.where(count[codes] > 0, last[codes] - birth, 0).astype(float),
            T: (end - birth).astype(float),
            MONETARY_VALUE: np.where(frequency > 0, repeat_revenue / np.maximum(frequency, 1), 0.0),
            REVENUE: total[codes].astype(float),
        },
        index=periods.ids[codes],
    )
    return summary, codes
