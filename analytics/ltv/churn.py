"""Churn: the probability that a customer makes no purchase within a horizon, from the fitted
BTYD model (P(alive) and the posterior purchase rate), and the observed churn label of a holdout.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.ltv.btyd import BTYDParams, probability_alive, probability_no_purchase
from analytics.ltv.columns import FREQUENCY, FREQUENCY_HOLDOUT, RECENCY, T


def churn_probability(
    purchases: BTYDParams, summary: pd.DataFrame, horizon_days: float, time_unit_days: float = 1.0
) -> np.ndarray:
    """P(no purchase in the next ``horizon_days``) for each customer of the RFM summary."""
    return probability_no_purchase(
        purchases, horizon_days / time_unit_days, summary[FREQUENCY], summary[RECENCY], summary[T]
    )


def alive_probability(purchases: BTYDParams, summary: pd.DataFrame) -> np.ndarray:
    """P(alive) at the end of the calibration window for each customer of the RFM summary."""
    return probability_alive(purchases, summary[FREQUENCY], summary[RECENCY], summary[T])


def observed_churn(summary: pd.DataFrame) -> np.ndarray:
    """1 where the customer made no purchase in the holdout window, else 0."""
    return (summary[FREQUENCY_HOLDOUT].to_numpy() == 0).astype(int)
