"""LTV and churn models as pure functions on DataFrames: BTYD purchase models (BG/NBD, modified
BG/NBD) with Gamma-Gamma spend and a first-purchase model, a gradient-boosted revenue model,
rolling-origin backtests that select and calibrate them, and churn probability (Kaplan-Meier
survival per cohort is `analytics.cohort_churn`, on lifelines). Imports nothing of the project."""

from __future__ import annotations

import importlib
from typing import Any

#: What the package exports and the module that defines each: imported on first use (PEP 562), so
#: that importing a light module of the package (columns, churn_traits) does not load scipy and
#: scikit-learn into a process that only reads stored model outputs (the web server).
_EXPORTS = {
    "AGE_BUCKETS": "analytics.ltv.age_buckets",
    "BLEND": "analytics.ltv.selection",
    "BOOSTING": "analytics.ltv.selection",
    "BTYD": "analytics.ltv.selection",
    "LTVBacktest": "analytics.ltv.backtest",
    "DEFAULT_HORIZONS_DAYS": "analytics.ltv.clv",
    "BTYDModel": "analytics.ltv.btyd_model",
    "BTYDParams": "analytics.ltv.btyd",
    "GammaGammaParams": "analytics.ltv.gamma_gamma",
    "LTVModel": "analytics.ltv.selection",
    "alive_probability": "analytics.ltv.churn",
    "build_calibration_holdout": "analytics.ltv.rfm",
    "build_rfm_summary": "analytics.ltv.rfm",
    "backtest_ltv": "analytics.ltv.backtest",
    "churn_metrics": "analytics.ltv.evaluation",
    "churn_probability": "analytics.ltv.churn",
    "expected_average_value": "analytics.ltv.gamma_gamma",
    "expected_purchases": "analytics.ltv.btyd",
    "fit_btyd": "analytics.ltv.btyd",
    "fit_btyd_model": "analytics.ltv.btyd_model",
    "fit_gamma_gamma": "analytics.ltv.gamma_gamma",
    "observed_churn": "analytics.ltv.churn",
    "predict_btyd_churn": "analytics.ltv.btyd_model",
    "predict_btyd_clv": "analytics.ltv.btyd_model",
    "predict_clv": "analytics.ltv.clv",
    "probability_alive": "analytics.ltv.btyd",
    "probability_no_purchase": "analytics.ltv.btyd",
    "revenue_metrics": "analytics.ltv.evaluation",
    "score_ltv": "analytics.ltv.selection",
    "selection_score": "analytics.ltv.backtest",
    "deployed_windows": "analytics.ltv.selection",
    "fit_candidates": "analytics.ltv.selection",
    "predict_windows": "analytics.ltv.selection",
    "train_ltv_model": "analytics.ltv.selection",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
