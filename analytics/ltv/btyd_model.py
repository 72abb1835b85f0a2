"""The BTYD model pair (purchases + spend), optionally fitted per segment (by default the
acquisition platform), with predictions dispatched to each customer's segment.

Channels differ in purchase rate, dropout and spend; one pooled fit shrinks every channel toward
the mix and misstates channel totals. A segment gets its own fit when it has at least
``min_customers`` customers and ``min_repeat_customers`` repeat buyers; the others use the pooled
fit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.ltv.btyd import BTYDParams, fit_btyd
from analytics.ltv.churn import alive_probability, churn_probability
from analytics.ltv.clv import DEFAULT_HORIZONS_DAYS, predict_clv
from analytics.ltv.columns import (
    CUSTOMER_ID,
    FREQUENCY,
    MONETARY_VALUE,
    P_ALIVE,
    PLATFORM,
    RECENCY,
    T,
    churn_column,
)
from analytics.ltv.gamma_gamma import GammaGammaParams, fit_gamma_gamma

POOLED = "__pooled__"


@dataclass(frozen=True)
class BTYDModel:
    """A purchase model and a spend model fitted on the same RFM summary, pooled and per
    segment (values of ``segment_column`` in the customers table)."""

    purchases: BTYDParams
    spend: GammaGammaParams
    segment_column: str | None = None
    segments: dict[str, tuple[BTYDParams, GammaGammaParams]] = field(default_factory=dict)

    def parameters(self) -> dict[str, object]:
        """JSON-ready parameters, pooled and per segment."""
        return {
            "purchases": self.purchases.as_dict(),
            "spend": self.spend.as_dict(),
            "segment_column": self.segment_column,
            "segments": {
                name: {"purchases": p.as_dict(), "spend": s.as_dict()}
                for name, (p, s) in self.segments.items()
            },
        }


def _fit_pair(summary: pd.DataFrame, modified: bool) -> tuple[BTYDParams, GammaGammaParams]:
    purchases = fit_btyd(summary[FREQUENCY], summary[RECENCY], summary[T], modified=modified)
    return purchases, fit_gamma_gamma(summary[FREQUENCY], summary[MONETARY_VALUE])


def segment_labels(
    summary: pd.DataFrame, customers: pd.DataFrame | None, segment_column: str | None
) -> np.ndarray:
    """Each summary row's segment (as text), or the pooled label when there is none."""
    if customers is None or segment_column is None or segment_column not in customers:
        return np.full(len(summary), POOLED, dtype=object)
    labels = customers.set_index(CUSTOMER_ID)[segment_column].reindex(summary.index)
    return labels.astype(str).where(labels.notna(), POOLED).to_numpy(dtype=object)


def fit_btyd_model(
    summary: pd.DataFrame,
    modified: bool = True,
    customers: pd.DataFrame | None = None,
    segment_column: str | None = PLATFORM,
    min_customers: int = 500,
    min_repeat_customers: int = 50,
) -> BTYDModel:
    """Fit the pooled pair on the whole summary and one pair per large enough segment."""
    purchases, spend = _fit_pair(summary, modified)
    labels = segment_labels(summary, customers, segment_column)
    segments: dict[str, tuple[BTYDParams, GammaGammaParams]] = {}
    for label in np.unique(labels):
        part = summary[labels == label]
        repeaters = int(((part[FREQUENCY] > 0) & (part[MONETARY_VALUE] > 0)).sum())
        if label != POOLED and len(part) >= min_customers and repeaters >= min_repeat_customers:
            segments[str(label)] = _fit_pair(part, modified)
    column = segment_column if customers is not None else None
    return BTYDModel(purchases, spend, column, segments)


def _by_segment(
    model: BTYDModel,
    summary: pd.DataFrame,
    customers: pd.DataFrame | None,
    predict: Callable[[BTYDParams, GammaGammaParams, pd.DataFrame], pd.DataFrame],
) -> pd.DataFrame:
    labels = segment_labels(summary, customers, model.segment_column)
    parts = []
    for label in np.unique(labels):
        purchases, spend = model.segments.get(str(label), (model.purchases, model.spend))
        parts.append(predict(purchases, spend, summary[labels == label]))
    if not parts:
        return predict(model.purchases, model.spend, summary)
    return pd.concat(parts).reindex(summary.index)


def predict_btyd_clv(
    model: BTYDModel,
    summary: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    horizons_days: Sequence[int] = DEFAULT_HORIZONS_DAYS,
    daily_discount_rate: float = 0.0,
) -> pd.DataFrame:
    """``clv_<h>`` columns per customer, each from its segment's fit (or the pooled one)."""

    def predict(purchases, spend, part):
        return predict_clv(purchases, spend, part, horizons_days, daily_discount_rate)

    return _by_segment(model, summary, customers, predict)


def predict_btyd_churn(
    model: BTYDModel,
    summary: pd.DataFrame,
    customers: pd.DataFrame | None,
    horizons_days: Sequence[int],
) -> pd.DataFrame:
    """``p_alive`` and ``churn_<h>`` = P(no purchase in the next h days) per customer."""

    def predict(purchases, _spend, part):
        out = pd.DataFrame({P_ALIVE: alive_probability(purchases, part)}, index=part.index)
        for horizon in horizons_days:
            out[churn_column(horizon)] = churn_probability(purchases, part, horizon)
        return out

    return _by_segment(model, summary, customers, predict)
