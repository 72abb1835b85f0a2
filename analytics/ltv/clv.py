"""Customer lifetime value at horizons: expected purchases from the BTYD model times the expected
purchase value from Gamma-Gamma, optionally discounted at a daily rate.

Discounting cuts each horizon into steps of at most ``step_days``; the purchases expected within a
step are discounted at the step's midpoint, (1 + d)^-(midpoint in days). The value is the *future*
revenue after the summary's T (what has already been bought is not included).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analytics.ltv.btyd import BTYDParams, expected_purchases, unique_rows
from analytics.ltv.columns import FREQUENCY, MONETARY_VALUE, RECENCY, T, clv_column
from analytics.ltv.gamma_gamma import GammaGammaParams, expected_average_value

DEFAULT_HORIZONS_DAYS = (30, 90, 365)


def horizon_grid(
    horizons_days: Sequence[int], daily_discount_rate: float = 0.0, step_days: float = 30.0
) -> np.ndarray:
    """Sorted time points (days) at which cumulative expected purchases are evaluated."""
    horizons = np.asarray(sorted(set(horizons_days)), dtype=float)
    if daily_discount_rate == 0.0:
        return horizons
    steps = np.arange(step_days, horizons[-1], step_days)
    return np.unique(np.concatenate([steps, horizons]))


def cumulative_expected_purchases(
    purchases: BTYDParams, summary: pd.DataFrame, days: np.ndarray, time_unit_days: float = 1.0
) -> np.ndarray:
    """Expected purchases in the next ``days[j]`` days for each customer (rows) and point (cols).

    Customers with identical (x, t_x, T) share one evaluation, which makes large data sets cheap.
    """
    (ux, ut, u_t), inverse, _ = unique_rows(summary[FREQUENCY], summary[RECENCY], summary[T])
    columns = [expected_purchases(purchases, d / time_unit_days, ux, ut, u_t) for d in days]
    return np.column_stack(columns)[inverse]


def predict_clv(
    purchases: BTYDParams,
    spend: GammaGammaParams,
    summary: pd.DataFrame,
    horizons_days: Sequence[int] = DEFAULT_HORIZONS_DAYS,
    daily_discount_rate: float = 0.0,
    time_unit_days: float = 1.0,
    step_days: float = 30.0,
) -> pd.DataFrame:
    """Predicted future revenue per customer at each horizon: columns ``clv_<days>``."""
    grid = horizon_grid(horizons_days, daily_discount_rate, step_days)
    cumulative = cumulative_expected_purchases(purchases, summary, grid, time_unit_days)
    increments = np.diff(cumulative, axis=1, prepend=0.0)
    midpoints = (grid + np.concatenate([[0.0], grid[:-1]])) / 2.0
    discount = (1.0 + daily_discount_rate) ** -midpoints
    discounted = np.cumsum(increments * discount, axis=1)
    value = expected_average_value(spend, summary[FREQUENCY], summary[MONETARY_VALUE])
    out = {
        clv_column(h): discounted[:, int(np.searchsorted(grid, h))] * value for h in horizons_days
    }
    return pd.DataFrame(out, index=summary.index)
