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

_PERIOD = "period"
_NS_PER_DAY = 86_400 * 10**9


def period_index(when: pd.Series | pd.Timestamp | str, period_days: float = 1.0) -> np.ndarray:
    """Integer index of the period (since 1970-01-01) that each timestamp falls in."""
    period_ns = int(round(period_days * _NS_PER_DAY))
    if isinstance(when, pd.Series | pd.Index | np.ndarray):
        values = pd.to_datetime(when).to_numpy(dtype="datetime64[ns]").astype(np.int64)
        return values // period_ns
    return np.asarray(pd.Timestamp(when).value // period_ns)


def purchase_periods(transactions: pd.DataFrame, period_days: float = 1.0) -> pd.DataFrame:
    """Revenue per (customer, period), sorted by customer then period."""
    frame = pd.DataFrame(
        {
            CUSTOMER_ID: transactions[CUSTOMER_ID].to_numpy(),
            _PERIOD: period_index(transactions[OCCURRED_AT], period_days),
            AMOUNT: transactions[AMOUNT].to_numpy(dtype=float),
        }
    )
    return frame.groupby([CUSTOMER_ID, _PERIOD], sort=True, as_index=False)[AMOUNT].sum()


def build_rfm_summary(
    transactions: pd.DataFrame,
    calibration_end: pd.Timestamp | str,
    customers: pd.DataFrame | None = None,
    period_days: float = 1.0,
) -> pd.DataFrame:
    """RFM summary indexed by customer id at the end of ``calibration_end`` (inclusive)."""
    periods = purchase_periods(transactions, period_days)
    end = int(period_index(calibration_end, period_days))
    return _summary(periods, end, customers, period_days)


def build_calibration_holdout(
    transactions: pd.DataFrame,
    calibration_end: pd.Timestamp | str,
    holdout_end: pd.Timestamp | str,
    customers: pd.DataFrame | None = None,
    period_days: float = 1.0,
) -> pd.DataFrame:
    """RFM summary at ``calibration_end`` plus purchase periods and revenue in the holdout
    window (calibration_end, holdout_end], for the customers born by ``calibration_end``."""
    periods = purchase_periods(transactions, period_days)
    end = int(period_index(calibration_end, period_days))
    holdout_last = int(period_index(holdout_end, period_days))
    if holdout_last <= end:
        raise ValueError("holdout_end must come after calibration_end")
    summary = _summary(periods, end, customers, period_days)
    in_holdout = periods[(periods[_PERIOD] > end) & (periods[_PERIOD] <= holdout_last)]
    grouped = in_holdout.groupby(CUSTOMER_ID, sort=False)[AMOUNT]
    summary[FREQUENCY_HOLDOUT] = grouped.size().reindex(summary.index, fill_value=0).to_numpy()
    summary[REVENUE_HOLDOUT] = grouped.sum().reindex(summary.index, fill_value=0.0).to_numpy()
    summary[DURATION_HOLDOUT] = float(holdout_last - end)
    return summary


def _summary(
    periods: pd.DataFrame, end: int, customers: pd.DataFrame | None, period_days: float
) -> pd.DataFrame:
    calibration = periods[periods[_PERIOD] <= end]
    if customers is None:
        return _summary_from_first_purchase(calibration, end)
    return _summary_from_acquisition(calibration, customers, end, period_days)


def _summary_from_first_purchase(periods: pd.DataFrame, end: int) -> pd.DataFrame:
    grouped = periods.groupby(CUSTOMER_ID, sort=True)
    first = grouped[_PERIOD].min()
    repeats = grouped.size() - 1
    total = grouped[AMOUNT].sum()
    first_amount = grouped[AMOUNT].first()
    monetary = np.where(repeats > 0, (total - first_amount) / np.maximum(repeats, 1), 0.0)
    summary = pd.DataFrame(
        {
            FREQUENCY: repeats.astype(float),
            RECENCY: (grouped[_PERIOD].max() - first).astype(float),
            T: (end - first).astype(float),
            MONETARY_VALUE: monetary,
            REVENUE: total,
        }
    )
    summary.index.name = CUSTOMER_ID
    return summary


def _summary_from_acquisition(
    periods: pd.DataFrame, customers: pd.DataFrame, end: int, period_days: float
) -> pd.DataFrame:
    if customers[CUSTOMER_ID].duplicated().any():
        raise ValueError("customers has duplicate customer ids")
    birth = pd.Series(
        period_index(customers[ACQUIRED_AT], period_days),
        index=pd.Index(customers[CUSTOMER_ID].to_numpy(), name=CUSTOMER_ID),
    )
    birth = birth[birth <= end]
    born = periods[CUSTOMER_ID].map(birth)
    periods = periods[born.notna().to_numpy() & (periods[_PERIOD] >= born).to_numpy()]
    grouped = periods.groupby(CUSTOMER_ID, sort=False)
    count = grouped.size().reindex(birth.index, fill_value=0)
    last = grouped[_PERIOD].max().reindex(birth.index)
    total = grouped[AMOUNT].sum().reindex(birth.index, fill_value=0.0)
    summary = pd.DataFrame(
        {
            FREQUENCY: count.astype(float),
            RECENCY: (last - birth).fillna(0.0).astype(float),
            T: (end - birth).astype(float),
            MONETARY_VALUE: np.where(count > 0, total / np.maximum(count, 1), 0.0),
            REVENUE: total.astype(float),
        },
        index=birth.index,
    )
    return summary
