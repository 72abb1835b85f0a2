"""Response curves (spend -> outcome with carryover, saturation and weekday effects, fitted with
bootstrap uncertainty), the constrained allocator, its backtest and the recommendation built on
them. Pure functions on arrays and DataFrames; imports nothing of the project."""

from analytics.response.allocator import (
    Allocation,
    AllocationItem,
    InfeasibleAllocation,
    ItemConstraint,
    allocate,
)
from analytics.response.backtest import (
    HOLDOUT_DAYS,
    ResponseBacktest,
    WindowPrediction,
    backtest_response,
    predict_window,
)
from analytics.response.curves import (
    CompositeCurve,
    ResponseCurve,
    adstock,
    fit_response_curve,
    fit_shared_curves,
    hill,
)
from analytics.response.fitting import (
    CAMPAIGN,
    CHANNEL,
    DATE,
    OUTCOME,
    SPEND,
    FittedItem,
    FittedResponse,
    fit_response,
)
from analytics.response.recommendation import build_recommendation, curve_points

__all__ = [
    "CAMPAIGN",
    "CHANNEL",
    "DATE",
    "HOLDOUT_DAYS",
    "OUTCOME",
    "SPEND",
    "Allocation",
    "AllocationItem",
    "FittedItem",
    "InfeasibleAllocation",
    "ItemConstraint",
    "ResponseBacktest",
    "ResponseCurve",
    "WindowPrediction",
    "adstock",
    "allocate",
    "backtest_response",
    "build_recommendation",
    "curve_points",
    "fit_response",
    "fit_shared_curves",
    "FittedResponse",
    "CompositeCurve",
    "fit_response_curve",
    "hill",
    "predict_window",
]
