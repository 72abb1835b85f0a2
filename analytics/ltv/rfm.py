"""RFM summary of each customer at the end of a calibration window (frequency, recency, T,
monetary value, revenue) and the customer's purchases in the holdout window that follows.

The purchase models' time 0 (the customer's "birth") is the first purchase when it falls on the
acquisition day -- then it is not a repeat, and frequency counts the repeat purchase periods after
it, as in the BTYD literature (CDNOW) -- and otherwise the acquisition, from which every purchase
period counts (customers who have not bought are kept with frequency 0). Counting a day-0
purchase as a repeat at recency 0, as most paying app users would have, makes the modified
BG/NBD likelihood unbounded as alpha -> 0. Monetary value averages the purchases frequency
counts. Without ``customers`` the first purchase is the acquisition.

``paid``, ``age`` (periods since acquisition), ``first_purchase_age`` and ``first_amount`` say
when each customer was acquired and first bought, and ``purchases_last_7`` / ``_30`` and
``revenue_last_30`` how active it has been lately (features of the supervised models).

Purchases are aggregated per period (one day by default); the ends of the windows are inclusive
(a ``calibration_end`` of 2024-03-31 includes purchases made that day). Time is in periods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.ltv.columns import (
    ACQUIRED_AT,
    AGE,
    AMOUNT,
    CUSTOMER_ID,
    DURATION_HOLDOUT,
    FIRST_AMOUNT,
    FIRST_PURCHASE_AGE,
    FREQUENCY,
    FREQUENCY_HOLDOUT,
    MONETARY_VALUE,
    OCCURRED_AT,
    PAID,
    PURCHASES_LAST_7,
    PURCHASES_LAST_30,
    RECENCY,
    REVENUE,
    REVENUE_HOLDOUT,
    REVENUE_LAST_30,
    T,
)

_NS_PER_DAY = 86_400 * 10**9
#: The recent-activity columns count the purchase periods of the last 7 and 30 periods.
RECENT_DAYS = 30


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

    def customers_subset(self, codes: np.ndarray) -> PurchasePeriods:
        """The periods of the customers with these (sorted) codes only, recoded."""
        new = np.full(len(self.ids), -1, dtype=np.int64)
        new[codes] = np.arange(codes.size)
        rows = new[self.code] >= 0
        birth = self.birth[codes] if self.birth is not None else None
        return PurchasePeriods(
            self.ids[codes], new[self.code[rows]], self.period[rows], self.amount[rows], birth
        )

    def first_period(self) -> int:
        """The first acquisition (or, without acquisitions, purchase) period."""
        if self.birth is not None and self.birth.size:
            return int(self.birth.min())
        return int(self.period.min()) if self.period.size else 0


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
    transactions: pd.DataFrame | PurchasePeriods,
    calibration_end: pd.Timestamp | str,
    customers: pd.DataFrame | None = None,
    period_days: float = 1.0,
) -> pd.DataFrame:
    """RFM summary indexed by customer id at the end of ``calibration_end`` (inclusive).
    ``transactions`` may be their ``purchase_periods`` already (then ``customers`` is unused)."""
    periods = _periods(transactions, customers, period_days)
    end = int(period_index(calibration_end, period_days))
    return _summary(periods, end)[0]


def _periods(transactions, customers, period_days) -> PurchasePeriods:
    if isinstance(transactions, PurchasePeriods):
        return transactions
    return purchase_periods(transactions, customers, period_days)


def build_calibration_holdout(
    transactions: pd.DataFrame | PurchasePeriods,
    calibration_end: pd.Timestamp | str,
    holdout_end: pd.Timestamp | str,
    customers: pd.DataFrame | None = None,
    period_days: float = 1.0,
) -> pd.DataFrame:
    """RFM summary at ``calibration_end`` plus purchase periods and revenue in the holdout
    window (calibration_end, holdout_end], for the customers born by ``calibration_end``."""
    periods = _periods(transactions, customers, period_days)
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
    if calibration.code.size:
        first_row = np.minimum(starts, calibration.code.size - 1)
        last, first = calibration.period[last_row], calibration.period[first_row]
        first_amount = calibration.amount[first_row]
    else:
        last = first = np.zeros(n, np.int64)
        first_amount = np.zeros(n)
    if periods.birth is None:
        codes = np.flatnonzero(count > 0)
        acquired = first[codes]
    else:
        codes = np.flatnonzero(periods.birth <= end)
        acquired = periods.birth[codes]
    recent = calibration.select(calibration.period > end - RECENT_DAYS)
    recent_count = np.bincount(recent.code, minlength=n)[codes].astype(float)
    recent_revenue = np.bincount(recent.code, recent.amount, minlength=n)[codes]
    week = np.bincount(recent.code[recent.period > end - 7], minlength=n)[codes].astype(float)
    paid = count[codes] > 0
    day0 = paid & (first[codes] == acquired)  # the first purchase is the birth
    birth = np.where(day0, first[codes], acquired)
    frequency = np.where(day0, count[codes] - 1.0, count[codes].astype(float))
    repeat_revenue = np.where(day0, total[codes] - first_amount[codes], total[codes])
    summary = pd.DataFrame(
        {
            FREQUENCY: frequency,
            RECENCY: np.where(paid, last[codes] - birth, 0).astype(float),
            T: (end - birth).astype(float),
            MONETARY_VALUE: np.where(frequency > 0, repeat_revenue / np.maximum(frequency, 1), 0.0),
            REVENUE: total[codes].astype(float),
            PAID: paid,
            AGE: (end - acquired).astype(float),
            FIRST_PURCHASE_AGE: np.where(paid, first[codes] - acquired, np.nan),
            FIRST_AMOUNT: np.where(paid, first_amount[codes], 0.0),
            PURCHASES_LAST_7: week,
            PURCHASES_LAST_30: recent_count,
            REVENUE_LAST_30: recent_revenue,
        },
        index=periods.ids[codes],
    )
    return summary, codes
