"""LTV and churn models as pure functions on DataFrames: BTYD purchase models (BG/NBD, modified
BG/NBD) with Gamma-Gamma spend, a gradient-boosted revenue model, time-split model selection,
churn probability and Kaplan-Meier survival per cohort. Imports nothing of the project."""

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
    BOOSTING,
    BTYD,
    LTVModel,
    ModelSelection,
    choose_model,
    score_ltv,
    select_model,
    train_ltv_model,
)
from analytics.ltv.survival import (
    kaplan_meier,
    kaplan_meier_by_cohort,
    lifetimes_from_summary,
    survival_on_grid,
)

__all__ = [
    "BOOSTING",
    "BTYD",
    "DEFAULT_HORIZONS_DAYS",
    "BTYDModel",
    "BTYDParams",
    "GammaGammaParams",
    "LTVModel",
    "ModelSelection",
    "alive_probability",
    "build_calibration_holdout",
    "build_rfm_summary",
    "choose_model",
    "churn_metrics",
    "churn_probability",
    "expected_average_value",
    "expected_purchases",
    "fit_btyd",
    "fit_btyd_model",
    "fit_gamma_gamma",
    "kaplan_meier",
    "kaplan_meier_by_cohort",
    "lifetimes_from_summary",
    "observed_churn",
    "predict_btyd_churn",
    "predict_btyd_clv",
    "predict_clv",
    "probability_alive",
    "probability_no_purchase",
    "revenue_metrics",
    "score_ltv",
    "select_model",
    "survival_on_grid",
    "train_ltv_model",
]
