"""The BTYD model of a customer base: (M)BG/NBD purchases and Gamma-Gamma spend, pooled and per
segment (by default the acquisition platform), with predictions dispatched to each customer's
segment. Time 0 is the acquisition, or the first purchase when it falls on the acquisition day
(``rfm``), so customers who have not bought are described too (MBG/NBD lets them drop out at
time 0).

Channels differ in purchase rate, dropout and spend; one pooled fit shrinks every channel toward
the mix and misstates channel totals. A segment gets its own fit when it has at least
``min_customers`` customers and ``min_repeat_customers`` repeat buyers and the fit is not
degenerate (``notes`` says why a segment uses the pooled fit); a degenerate pooled fit raises
DegenerateFit. A fit on more than ``MAX_FIT_CUSTOMERS`` customers uses a sample of them.

Expected revenue in the next d days is E[purchases] x E[purchase value]. Discounting cuts the d
days into steps of at most ``step_days`` and discounts each step's revenue at its midpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.ltv._optimize import DegenerateFit
from analytics.ltv.attributes import customer_attribute
from analytics.ltv.btyd import BTYDParams, expected_purchases, fit_btyd, unique_rows
from analytics.ltv.churn import alive_probability, churn_probability
from analytics.ltv.clv import DEFAULT_HORIZONS_DAYS
from analytics.ltv.columns import (
    FREQUENCY,
    MONETARY_VALUE,
    P_ALIVE,
    PLATFORM,
    RECENCY,
    T,
    churn_column,
    clv_column,
)
from analytics.ltv.gamma_gamma import GammaGammaParams, expected_average_value, fit_gamma_gamma

POOLED = "__pooled__"
#: Each fit (pooled, or one segment's) uses at most this many customers, a seeded uniform
#: sample of them: the models have 4 + 3 parameters, whose sampling error on 100,000 customers
#: is far below the error of the model itself, and the likelihood's cost grows with the
#: distinct (x, t_x, T) rows, which keep growing with the customers.
MAX_FIT_CUSTOMERS = 100_000

Fit = tuple[BTYDParams, GammaGammaParams]


@dataclass(frozen=True)
class BTYDModel:
    """Purchase and spend models fitted on the same RFM summary, pooled and per segment
    (values of ``segment_column`` in the customers table)."""

    purchases: BTYDParams
    spend: GammaGammaParams
    segment_column: str | None = None
    segments: dict[str, Fit] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

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
            "notes": dict(self.notes),
        }

    def fit_of(self, label: str) -> Fit:
        return self.segments.get(str(label), (self.purchases, self.spend))


def _fit(summary: pd.DataFrame, modified: bool, max_customers: int | None = None) -> Fit:
    if len(summary) == 0:
        raise DegenerateFit("no customers: the purchase models cannot be fitted")
    max_customers = MAX_FIT_CUSTOMERS if max_customers is None else max_customers
    if len(summary) > max_customers:
        rows = np.random.default_rng(0).choice(len(summary), max_customers, replace=False)
        summary = summary.iloc[np.sort(rows)]
    purchases = fit_btyd(summary[FREQUENCY], summary[RECENCY], summary[T], modified=modified)
    repeat = summary[(summary[FREQUENCY] > 0) & (summary[MONETARY_VALUE] > 0)]
    if len(repeat) == 0:
        raise DegenerateFit("no customer has a repeat purchase: the spend model cannot be fitted")
    return purchases, fit_gamma_gamma(repeat[FREQUENCY], repeat[MONETARY_VALUE])


def segment_labels(
    summary: pd.DataFrame, customers: pd.DataFrame | None, segment_column: str | None
) -> np.ndarray:
    """Each summary row's segment (as text), or the pooled label when there is none."""
    labels = None
    if segment_column is not None:
        labels = customer_attribute(customers, summary.index, segment_column)
    if labels is None:
        return np.full(len(summary), POOLED, dtype=object)
    return labels.astype(str).where(labels.notna(), POOLED).to_numpy(dtype=object)


def fit_btyd_model(
    summary: pd.DataFrame,
    modified: bool = True,
    customers: pd.DataFrame | None = None,
    segment_column: str | None = PLATFORM,
    min_customers: int = 500,
    min_repeat_customers: int = 50,
) -> BTYDModel:
    """Fit the pooled models on the whole summary and one set per large enough segment."""
    purchases, spend = _fit(summary, modified)
    labels = segment_labels(summary, customers, segment_column)
    segments: dict[str, Fit] = {}
    notes: dict[str, str] = {}
    repeat = (summary[FREQUENCY].to_numpy() > 0) & (summary[MONETARY_VALUE].to_numpy() > 0)
    for label in np.unique(labels):
        rows = labels == label
        if label == POOLED:
            continue
        if rows.sum() < min_customers or repeat[rows].sum() < min_repeat_customers:
            notes[str(label)] = "too few customers or repeat buyers: uses the pooled fit"
            continue
        try:
            segments[str(label)] = _fit(summary[rows], modified)
        except DegenerateFit as exc:
            notes[str(label)] = f"{exc}; uses the pooled fit"
    for label, (_, segment_spend) in segments.items():
        if segment_spend.fallback:
            notes[label] = segment_spend.fallback
    column = segment_column if customers is not None else None
    return BTYDModel(purchases, spend, column, segments, notes)


def _by_segment(
    model: BTYDModel,
    summary: pd.DataFrame,
    customers: pd.DataFrame | None,
    predict: Callable[[Fit, pd.DataFrame, np.ndarray], np.ndarray],
    width: int,
) -> np.ndarray:
    """Rows of ``predict(fit, part, rows)`` for each segment's part, in the summary's order."""
    labels = segment_labels(summary, customers, model.segment_column)
    out = np.zeros((len(summary), width))
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        out[rows] = predict(model.fit_of(label), summary.iloc[rows], rows)
    return out


def _payer_purchases(purchases: BTYDParams, part: pd.DataFrame, days: np.ndarray) -> np.ndarray:
    """Expected purchases in the next days[i] days; identical rows share one evaluation."""
    (ux, ut, u_t, ud), inverse, _ = unique_rows(part[FREQUENCY], part[RECENCY], part[T], days)
    return expected_purchases(purchases, ud, ux, ut, u_t)[inverse]


def _undiscounted(fit: Fit, part: pd.DataFrame, days: np.ndarray) -> np.ndarray:
    """Expected revenue in the next days[i] (one value per customer)."""
    purchases, spend = fit
    value = expected_average_value(spend, part[FREQUENCY], part[MONETARY_VALUE])
    return _payer_purchases(purchases, part, days) * np.asarray(value)


def _curve(fit: Fit, part: pd.DataFrame, points: np.ndarray) -> np.ndarray:
    """Expected revenue by each of the time ``points`` (the same for every customer): rows x
    points, each distinct (x, t_x, T) evaluated once."""
    purchases, spend = fit
    (ux, ut, u_t), inverse, _ = unique_rows(part[FREQUENCY], part[RECENCY], part[T])
    counts = np.column_stack([expected_purchases(purchases, d, ux, ut, u_t) for d in points])
    value = np.asarray(expected_average_value(spend, part[FREQUENCY], part[MONETARY_VALUE]))
    return counts[inverse] * value[:, None]


def expected_revenue(
    model: BTYDModel,
    summary: pd.DataFrame,
    customers: pd.DataFrame | None,
    days: np.ndarray | float,
    daily_discount_rate: float = 0.0,
    step_days: float = 30.0,
) -> np.ndarray:
    """Expected (discounted) revenue of each customer in the next ``days``: one number for
    everyone, or one per customer (then undiscounted only)."""
    if np.ndim(days) == 0:
        return expected_revenue_by(
            model, summary, customers, [float(days)], daily_discount_rate, step_days
        )[:, 0]
    if daily_discount_rate:
        raise ValueError("discounting needs the same days for every customer")
    own = np.asarray(days, dtype=float)

    def predict(fit: Fit, part: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
        return _undiscounted(fit, part, own[rows])[:, None]

    return _by_segment(model, summary, customers, predict, 1)[:, 0]


def expected_revenue_by(
    model: BTYDModel,
    summary: pd.DataFrame,
    customers: pd.DataFrame | None,
    horizons_days: Sequence[float],
    daily_discount_rate: float = 0.0,
    step_days: float = 30.0,
) -> np.ndarray:
    """Expected revenue in the next h days for each horizon (columns): the curve is evaluated
    once at every step end (and horizon), and each step's revenue discounted at its midpoint."""
    return expected_revenue_both(
        model, summary, customers, horizons_days, daily_discount_rate, step_days
    )[1]


def expected_revenue_both(
    model: BTYDModel,
    summary: pd.DataFrame,
    customers: pd.DataFrame | None,
    horizons_days: Sequence[float],
    daily_discount_rate: float = 0.0,
    step_days: float = 30.0,
) -> tuple[np.ndarray, np.ndarray]:
    """``expected_revenue_by`` undiscounted and discounted (the same array without a rate),
    from one evaluation of the curve."""
    horizons = np.asarray(horizons_days, dtype=float)
    points = horizons
    if daily_discount_rate:
        steps = np.arange(step_days, horizons.max(), step_days)
        points = np.unique(np.concatenate([steps, horizons]))
    columns = np.searchsorted(points, horizons)

    def predict(fit: Fit, part: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
        cumulative = _curve(fit, part, points)
        if not daily_discount_rate:
            return np.hstack([cumulative, cumulative])
        increments = np.diff(cumulative, axis=1, prepend=0.0)
        middle = (points + np.concatenate([[0.0], points[:-1]])) / 2.0
        discounted = np.cumsum(increments * (1.0 + daily_discount_rate) ** -middle, axis=1)
        return np.hstack([cumulative[:, columns], discounted[:, columns]])

    both = _by_segment(model, summary, customers, predict, 2 * horizons.size)
    return both[:, : horizons.size], both[:, horizons.size :]


def expected_purchase_days(
    model: BTYDModel, summary: pd.DataFrame, customers: pd.DataFrame | None, days: float
) -> np.ndarray:
    """Expected purchase periods of each customer in the next ``days``."""

    def predict(fit: Fit, part: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
        return _payer_purchases(fit[0], part, np.full(len(part), float(days)))[:, None]

    return _by_segment(model, summary, customers, predict, 1)[:, 0]


def predict_btyd_clv(
    model: BTYDModel,
    summary: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    horizons_days: Sequence[int] = DEFAULT_HORIZONS_DAYS,
    daily_discount_rate: float = 0.0,
) -> pd.DataFrame:
    """``clv_<h>`` columns per customer: expected revenue in the next h days."""
    values = expected_revenue_by(model, summary, customers, horizons_days, daily_discount_rate)
    return pd.DataFrame(values, index=summary.index, columns=[clv_column(h) for h in horizons_days])


def predict_btyd_churn(
    model: BTYDModel,
    summary: pd.DataFrame,
    customers: pd.DataFrame | None,
    horizons_days: Sequence[int],
) -> pd.DataFrame:
    """``p_alive`` and ``churn_<h>`` = P(no purchase in the next h days) per customer."""

    def predict(fit: Fit, part: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
        purchases = fit[0]
        columns = [alive_probability(purchases, part)]
        columns += [churn_probability(purchases, part, h) for h in horizons_days]
        return np.column_stack(columns)

    values = _by_segment(model, summary, customers, predict, 1 + len(horizons_days))
    names = [P_ALIVE, *(churn_column(h) for h in horizons_days)]
    return pd.DataFrame(values, index=summary.index, columns=names)
