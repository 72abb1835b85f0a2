"""Per-customer outputs of a trained model: LTV from acquisition at 30/90/365 days, churn, P(alive).

The models predict revenue over a window after the scoring date; a stored LTV counts from the
customer's acquisition (model_outputs' definition): predicted_ltv_N = revenue of days 1..N of
life already realized by the scoring date + the predicted revenue of the r = N - 1 - age days of
those N that are still to come (age 0 = acquired on the scoring date; r = 0 once N days have
passed).

The remainder is exact for the BTYD model: E[purchases in the next r days] x E[purchase value],
per customer, from its channel's fit. When boosting predicts the 30/90/365-day windows, the
remainder at r is interpolated between those windows along the BTYD curve's shape:
F(r) = F(lo) + (F(hi) - F(lo)) (B(r) - B(lo)) / (B(hi) - B(lo)) for lo < r <= hi.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.ltv import LTVModel, build_rfm_summary, expected_purchases, score_ltv
from analytics.ltv.btyd_model import segment_labels
from analytics.ltv.columns import (
    ACQUIRED_AT,
    CUSTOMER_ID,
    FREQUENCY,
    MONETARY_VALUE,
    P_ALIVE,
    RECENCY,
    T,
    churn_column,
    clv_column,
)
from analytics.ltv.gamma_gamma import expected_average_value
from backend.models.model_runs import LTV_HORIZONS_DAYS
from backend.services.models.data import ModelInputs, realized_revenue

#: `churn_probability` = P(no purchase within this many days after the scoring date).
CHURN_HORIZON_DAYS = 90
OUTPUT_COLUMNS = (
    "predicted_ltv_30",
    "predicted_ltv_90",
    "predicted_ltv_365",
    "churn_probability",
    "p_alive",
)


def btyd_remainder(
    model: LTVModel, summary: pd.DataFrame, customers: pd.DataFrame, days: np.ndarray
) -> np.ndarray:
    """Expected revenue in the next `days[i]` days of each customer of the summary (BTYD)."""
    btyd = model.btyd
    labels = segment_labels(summary, customers, btyd.segment_column)
    out = np.zeros(len(summary))
    for label in np.unique(labels):
        purchases, spend = btyd.segments.get(str(label), (btyd.purchases, btyd.spend))
        mask = labels == label
        part = summary[mask]
        count = expected_purchases(purchases, days[mask], part[FREQUENCY], part[RECENCY], part[T])
        value = expected_average_value(spend, part[FREQUENCY], part[MONETARY_VALUE])
        out[mask] = count * np.asarray(value)
    return out


def _remainder(
    model: LTVModel,
    summary: pd.DataFrame,
    customers: pd.DataFrame,
    windows: pd.DataFrame,
    days: np.ndarray,
) -> np.ndarray:
    curve = btyd_remainder(model, summary, customers, days)
    if not model.boosting:
        return curve
    anchors = np.array((0, *model.horizons_days), dtype=float)
    chosen = np.column_stack(
        [np.zeros(len(summary))] + [windows[clv_column(h)].to_numpy() for h in model.horizons_days]
    )
    shape = np.column_stack(
        [np.zeros(len(summary))]
        + [
            btyd_remainder(model, summary, customers, np.full(len(summary), float(h)))
            for h in model.horizons_days
        ]
    )
    hi = np.clip(np.searchsorted(anchors, days, side="left"), 1, anchors.size - 1)
    lo = hi - 1
    rows = np.arange(len(summary))
    span = shape[rows, hi] - shape[rows, lo]
    linear = (days - anchors[lo]) / (anchors[hi] - anchors[lo])
    along = np.where(
        span > 1e-12, (curve - shape[rows, lo]) / np.where(span > 1e-12, span, 1.0), linear
    )
    result = chosen[rows, lo] + (chosen[rows, hi] - chosen[rows, lo]) * np.clip(along, 0.0, 1.0)
    return np.where(days > 0, result, 0.0)


def score_customers(model: LTVModel, inputs: ModelInputs) -> pd.DataFrame:
    """The outputs of every customer acquired by the scoring date, indexed by customer id."""
    as_of = pd.Timestamp(inputs.as_of)
    customers, transactions = inputs.customers, inputs.transactions
    summary = build_rfm_summary(transactions, as_of, customers)
    windows = score_ltv(
        model, transactions, customers, as_of, churn_horizons_days=(CHURN_HORIZON_DAYS,)
    ).reindex(summary.index)
    realized = realized_revenue(inputs, LTV_HORIZONS_DAYS).reindex(summary.index)
    birth = customers.set_index(CUSTOMER_ID)[ACQUIRED_AT].dt.normalize().reindex(summary.index)
    age = (as_of.normalize() - birth).dt.days.to_numpy(dtype=float)
    out = pd.DataFrame(index=summary.index)
    for horizon in LTV_HORIZONS_DAYS:
        days = np.maximum(horizon - 1 - age, 0.0)
        future = _remainder(model, summary, customers, windows, days)
        out[f"predicted_ltv_{horizon}"] = realized[f"realized_{horizon}"].to_numpy() + np.maximum(
            future, 0.0
        )
    out["churn_probability"] = windows[churn_column(CHURN_HORIZON_DAYS)].to_numpy()
    out["p_alive"] = windows[P_ALIVE].to_numpy()
    out.index.name = CUSTOMER_ID
    return out
