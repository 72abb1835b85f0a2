"""LTV and churn models as pure functions on DataFrames: BTYD purchase models (BG/NBD, modified
BG/NBD) with Gamma-Gamma spend and a first-purchase model, a gradient-boosted revenue model,
rolling-origin backtests that select and calibrate them, and churn probability (Kaplan-Meier
survival per cohort is `analytics.cohort_churn`, on lifelines). Imports nothing of the project."""

from analytics.ltv.backtest import AGE_BUCKETS, LTVBacktest, backtest_ltv, selection_score
from analytics.ltv.btyd import (
    BTYDParams,
    expected_purchases,
    fit_btyd,
    probability_alive,
    probability_no_purchase,
)
from analytics.ltv.btyd_model import (
    BTYDModel,
    fit_btyd_model,
    predict_btyd_churn,
    predict_btyd_clv,
)
from analytics.ltv.churn import alive_probability, churn_probability, observed_churn
from analytics.ltv.clv import DEFAULT_HORIZONS_DAYS, predict_clv
from analytics.ltv.evaluation import churn_metrics, revenue_metrics
from analytics.ltv.gamma_gamma import GammaGammaParams, expected_average_value, fit_gamma_gamma
from analytics.ltv.rfm import build_calibration_holdout, build_rfm_summary
from analytics.ltv.selection import (
    BLEND,
    BOOSTING,
    BTYD,
    LTVModel,
    deployed_windows,
    fit_candidates,
    predict_windows,
    score_ltv,
    train_ltv_model,
)

__all__ = [
    "AGE_BUCKETS",
    "BLEND",
    "BOOSTING",
    "BTYD",
    "LTVBacktest",
    "DEFAULT_HORIZONS_DAYS",
    "BTYDModel",
    "BTYDParams",
    "GammaGammaParams",
    "LTVModel",
    "alive_probability",
    "build_calibration_holdout",
    "build_rfm_summary",
    "backtest_ltv",
    "churn_metrics",
    "churn_probability",
    "expected_average_value",
    "expected_purchases",
    "fit_btyd",
    "fit_btyd_model",
    "fit_gamma_gamma",
    "observed_churn",
    "predict_btyd_churn",
    "predict_btyd_clv",
    "predict_clv",
    "probability_alive",
    "probability_no_purchase",
    "revenue_metrics",
    "score_ltv",
    "selection_score",
    "deployed_windows",
    "fit_candidates",
    "predict_windows",
    "train_ltv_model",
]
