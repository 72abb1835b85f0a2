"""Predicted LTV counted from the acquisition: what a customer has already spent in the first N
days of life plus the deployed model's prediction of what remains of those N days.

The model predicts revenue over windows of 30/90/365 days (the anchors) after the scoring date;
the remainder at r days is interpolated between the anchors along the shape of the customer's own
BTYD curve: F(r) = F(lo) + (F(hi) - F(lo)) (B(r) - B(lo)) / (B(hi) - B(lo)) for lo < r <= hi
(linear where the curve is flat). With the BTYD kind uncalibrated this is the BTYD curve itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.ltv.btyd_model import expected_revenue, expected_revenue_by
from analytics.ltv.columns import AGE, clv_column
from analytics.ltv.selection import LTVModel


def predicted_remainder(
    model: LTVModel,
    summary: pd.DataFrame,
    customers: pd.DataFrame | None,
    windows: pd.DataFrame,
    days: np.ndarray,
    anchors_curve: np.ndarray | None = None,
) -> np.ndarray:
    """Predicted revenue of each customer in its next ``days[i]`` days, from the deployed
    ``windows`` (``clv_<h>`` per anchor) interpolated along its BTYD curve (``anchors_curve``:
    the curve at the model's horizons, ``btyd_at_anchors``, when the caller has it)."""
    days = np.asarray(days, dtype=float)
    horizons = sorted(model.horizons_days)
    coming = days > 0  # the others have nothing left to predict: their curve is not evaluated
    curve = np.zeros(len(summary))
    if coming.any():
        curve[coming] = expected_revenue(model.btyd, summary[coming], customers, days[coming])
    anchors = np.array((0, *horizons), dtype=float)
    zeros = np.zeros(len(summary))
    chosen = np.column_stack([zeros] + [windows[clv_column(h)].to_numpy() for h in horizons])
    if anchors_curve is None:
        anchors_curve = btyd_at_anchors(model, summary, customers)
    shape = np.column_stack([zeros, anchors_curve])
    hi = np.clip(np.searchsorted(anchors, days, side="left"), 1, anchors.size - 1)
    lo = hi - 1
    rows = np.arange(len(summary))
    span = shape[rows, hi] - shape[rows, lo]
    flat = span <= 1e-12
    linear = (days - anchors[lo]) / (anchors[hi] - anchors[lo])
    along = np.where(flat, linear, (curve - shape[rows, lo]) / np.where(flat, 1.0, span))
    beyond = days > anchors[-1]  # past the last anchor: scale its value along the curve
    scaled = chosen[rows, -1] * np.where(
        shape[rows, -1] > 1e-12, curve / np.maximum(shape[rows, -1], 1e-12), 1.0
    )
    result = chosen[rows, lo] + (chosen[rows, hi] - chosen[rows, lo]) * np.clip(along, 0.0, 1.0)
    result = np.where(beyond, scaled, result)
    return np.maximum(np.where(days > 0, result, 0.0), 0.0)


def btyd_at_anchors(
    model: LTVModel, summary: pd.DataFrame, customers: pd.DataFrame | None
) -> np.ndarray:
    """Each customer's BTYD revenue over the model's horizons (columns, ascending)."""
    return expected_revenue_by(model.btyd, summary, customers, sorted(model.horizons_days))


def remaining_days(summary: pd.DataFrame, horizon_days: int) -> np.ndarray:
    """Days of the first ``horizon_days`` of life still to come after the summary's end (day 1
    is the acquisition day, age 0): max(N - 1 - age, 0)."""
    return np.maximum(horizon_days - 1 - summary[AGE].to_numpy(dtype=float), 0.0)
