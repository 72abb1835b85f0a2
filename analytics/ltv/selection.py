"""Time-split model selection, and the training and scoring entry points the backend calls.

``select_model`` splits time into a calibration window (through ``calibration_end``) and a holdout
window (calibration_end, holdout_end] of length L, and compares, on the holdout revenue:

- ``btyd``: (M)BG/NBD + Gamma-Gamma fitted on the calibration summary;
- ``boosting``: the Poisson gradient-boosted regressor trained out of time on the window before
  (features at calibration_end - L, target = revenue in (calibration_end - L, calibration_end]),
  then applied to the features at calibration_end.

Neither model sees data after calibration_end. Criterion: a model whose predicted total is off by
more than ``max_total_error`` (20%) is dropped unless both are; of the rest the lowest MAE wins,
and a model within ``tie_tolerance`` (1%) of that MAE with a higher normalized Gini wins instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from analytics.ltv.boosting import RevenueRegressor, fit_revenue_regressor, predict_revenue
from analytics.ltv.btyd_model import (
    BTYDModel,
    fit_btyd_model,
    predict_btyd_churn,
    predict_btyd_clv,
)
from analytics.ltv.churn import observed_churn
from analytics.ltv.clv import DEFAULT_HORIZONS_DAYS
from analytics.ltv.columns import (
    ACQUIRED_AT,
    DURATION_HOLDOUT,
    OCCURRED_AT,
    PLATFORM,
    REVENUE_HOLDOUT,
    churn_column,
    clv_column,
)
from analytics.ltv.evaluation import churn_metrics, revenue_metrics
from analytics.ltv.rfm import build_calibration_holdout, build_rfm_summary

BTYD = "btyd"
BOOSTING = "boosting"
CHURN = "churn"
ACTUAL = "actual"
MIN_TRAINING_CUSTOMERS = 100


@dataclass
class LTVModel:
    """A trained LTV model: the BTYD pair always (churn, P(alive), horizons boosting lacks) and,
    for ``kind == "boosting"``, one regressor per horizon that had enough history."""

    kind: str
    trained_through: pd.Timestamp
    horizons_days: tuple[int, ...]
    btyd: BTYDModel
    boosting: dict[int, RevenueRegressor] = field(default_factory=dict)

    def parameters(self) -> dict[str, object]:
        """JSON-ready description for a model_versions row."""
        return {
            "kind": self.kind,
            "algorithm": self.algorithm,
            "trained_through": self.trained_through.date().isoformat(),
            "horizons_days": list(self.horizons_days),
            "btyd": self.btyd.parameters(),
            "ltv_source": {str(h): self.source(h) for h in self.horizons_days},
            "boosting_train_rows": {str(h): r.n_train for h, r in self.boosting.items()},
        }

    @property
    def algorithm(self) -> str:
        """'hgb_poisson', 'mbgnbd_gg' or 'bgnbd_gg', as recorded on a model version."""
        if self.kind == BOOSTING:
            return "hgb_poisson"
        return "mbgnbd_gg" if self.btyd.purchases.modified else "bgnbd_gg"

    def source(self, horizon_days: int) -> str:
        """Which model predicts the LTV at this horizon."""
        return BOOSTING if horizon_days in self.boosting else BTYD


@dataclass
class ModelSelection:
    """The chosen kind, every model's holdout metrics (plus churn), and the holdout predictions."""

    chosen: str
    metrics: dict[str, dict[str, float]]
    criterion: str
    holdout: pd.DataFrame


def fit_boosting_for_window(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None,
    as_of: pd.Timestamp | str,
    window_days: int,
    **regressor_options,
) -> RevenueRegressor | None:
    """Regressor of revenue over the next ``window_days``, trained on the last such window
    before ``as_of``; None when that window has too few customers or no revenue."""
    start = pd.Timestamp(as_of) - pd.Timedelta(days=window_days)
    train = build_calibration_holdout(transactions, start, as_of, customers)
    if len(train) < MIN_TRAINING_CUSTOMERS or train[REVENUE_HOLDOUT].sum() <= 0:
        return None
    target = train[REVENUE_HOLDOUT]
    return fit_revenue_regressor(train, customers, target, window_days, **regressor_options)


def choose_model(
    metrics: dict[str, dict[str, float]], tie_tolerance: float = 0.01, max_total_error: float = 0.2
) -> str:
    """Apply the selection criterion of the module docstring to per-model holdout metrics."""
    candidates = [name for name in (BTYD, BOOSTING) if name in metrics]
    eligible = [
        name for name in candidates if abs(metrics[name]["total_ratio"] - 1.0) <= max_total_error
    ] or candidates
    best = min(eligible, key=lambda name: metrics[name]["mae"])
    for name in eligible:
        close = metrics[name]["mae"] <= metrics[best]["mae"] * (1.0 + tie_tolerance)
        if close and metrics[name]["normalized_gini"] > metrics[best]["normalized_gini"]:
            best = name
    return best


def select_model(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None,
    calibration_end: pd.Timestamp | str,
    holdout_end: pd.Timestamp | str,
    *,
    modified: bool = True,
    segment_column: str | None = PLATFORM,
    tie_tolerance: float = 0.01,
    max_total_error: float = 0.2,
) -> ModelSelection:
    """Fit both models on the calibration window, score the holdout, and pick the better one."""
    split = build_calibration_holdout(transactions, calibration_end, holdout_end, customers)
    window = int(split[DURATION_HOLDOUT].iloc[0])
    btyd = fit_btyd_model(split, modified, customers, segment_column)
    predictions = {BTYD: predict_btyd_clv(btyd, split, customers, [window]).iloc[:, 0]}
    regressor = fit_boosting_for_window(transactions, customers, calibration_end, window)
    if regressor is not None:
        predictions[BOOSTING] = pd.Series(
            predict_revenue(regressor, split, customers), index=split.index
        )
    actual = split[REVENUE_HOLDOUT]
    metrics = {name: revenue_metrics(actual, pred) for name, pred in predictions.items()}
    churn = predict_btyd_churn(btyd, split, customers, [window])[churn_column(window)]
    metrics[CHURN] = churn_metrics(observed_churn(split), churn)
    chosen = choose_model(metrics, tie_tolerance, max_total_error)
    criterion = (
        f"total within {max_total_error:.0%}, lowest MAE, "
        f"normalized Gini breaks ties within {tie_tolerance:.0%}"
    )
    holdout = pd.DataFrame({ACTUAL: actual, **predictions, CHURN: churn}, index=split.index)
    return ModelSelection(chosen, metrics, criterion, holdout)


def train_ltv_model(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None,
    as_of: pd.Timestamp | str,
    kind: str = BTYD,
    horizons_days: Sequence[int] = DEFAULT_HORIZONS_DAYS,
    *,
    modified: bool = True,
    segment_column: str | None = PLATFORM,
    min_history_days: int = 30,
) -> LTVModel:
    """Train the chosen kind on all data through ``as_of`` for scoring at ``horizons_days``."""
    if kind not in (BTYD, BOOSTING):
        raise ValueError(f"unknown model kind {kind!r}")
    as_of = pd.Timestamp(as_of)
    summary = build_rfm_summary(transactions, as_of, customers)
    btyd = fit_btyd_model(summary, modified, customers, segment_column)
    model = LTVModel(kind, as_of, tuple(int(h) for h in horizons_days), btyd)
    if kind == BOOSTING:
        first = _first_day(transactions, customers)
        for horizon in model.horizons_days:
            if as_of - pd.Timedelta(days=horizon + min_history_days) < first:
                continue
            regressor = fit_boosting_for_window(transactions, customers, as_of, horizon)
            if regressor is not None:
                model.boosting[horizon] = regressor
    return model


def score_ltv(
    model: LTVModel,
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None,
    as_of: pd.Timestamp | str,
    *,
    churn_horizons_days: Sequence[int] = (30, 90),
    daily_discount_rate: float = 0.0,
) -> pd.DataFrame:
    """Per customer born by ``as_of``: predicted future revenue ``clv_<h>`` (discounted for the
    BTYD horizons only), ``p_alive`` and ``churn_<h>`` = P(no purchase in the next h days)."""
    summary = build_rfm_summary(transactions, as_of, customers)
    out = predict_btyd_clv(model.btyd, summary, customers, model.horizons_days, daily_discount_rate)
    for horizon, regressor in model.boosting.items():
        out[clv_column(horizon)] = predict_revenue(regressor, summary, customers)
    churn = predict_btyd_churn(model.btyd, summary, customers, churn_horizons_days)
    return out.join(churn)


def _first_day(transactions: pd.DataFrame, customers: pd.DataFrame | None) -> pd.Timestamp:
    if customers is not None and len(customers):
        return pd.Timestamp(customers[ACQUIRED_AT].min())
    return pd.Timestamp(transactions[OCCURRED_AT].min())
