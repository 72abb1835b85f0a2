"""The predicted-ROAS rule: the predicted 365-day ROAS of the customers the budget's scope
acquired this period (the active LTV version's, `analytics.metrics.predicted_roas`) is under the
budget's target, a 365-day target (needs a target and enough scored customers). Like is judged
with like: the early predicted ROAS of first-purchase probabilities is a 30-day figure and never
stands in for it (a young scope's 30-day return is always far below a 365-day target). The alert
says which figure at which horizon was judged, at which cohort age, and its backtested error
there (`predictions.accuracy.accuracy_at`)."""

from __future__ import annotations

from marshmallow import fields, validate

from analytics import metrics
from backend.models import Severity
from backend.services.alerts.rules.base import (
    AlertRule,
    BudgetContext,
    Figure,
    Finding,
    Shown,
    base_figures,
    fmt,
)
from backend.services.pacing import money
from backend.services.predictions.accuracy import typical_error

NAME = "predicted_roas"


def predicted_roas(ctx: BudgetContext, config: dict) -> list[Finding]:
    target, cohort = ctx.budget.target_roas, ctx.cohort
    spent = ctx.pacing.figures.spend_to_date
    if target is None or cohort is None or spent <= 0:
        return []
    if cohort.scored < int(config.get("min_customers", 1)):
        return []
    roas = metrics.predicted_roas(cohort.predicted_ltv_365, spent)
    if roas is None or roas >= float(target):
        return []
    horizon = metrics.LTV_HORIZON_DAYS
    values = {
        **base_figures(ctx),
        "customers": cohort.customers,
        "predicted_ltv_365": money(cohort.predicted_ltv_365),
        "predicted_roas": round(roas, 4),
        "predicted_roas_horizon_days": horizon,
        "target_roas": float(target),
        **_accuracy_figures(cohort.accuracy),
    }
    message = (
        f"Predicted {horizon}-day ROAS of the customers {ctx.budget.name} acquired this period is "
        f"{roas:.0%}, under the target of {float(target):.0%}: the LTV model's prediction"
        f"{_judged(cohort.accuracy)} ({cohort.customers} customers, predicted {horizon}-day LTV "
        f"{fmt(cohort.predicted_ltv_365, ctx.currency)} for {fmt(spent, ctx.currency)} spent)."
    )
    provisional = ctx.provisional(ctx.pacing.as_of)
    return [Finding(NAME, Severity.WARNING, message, values, provisional)]


def _accuracy_figures(accuracy: dict | None) -> dict:
    error = typical_error(accuracy)
    if accuracy is None:
        return {"predicted_roas_basis": "LTV model, not backtested at this cohort's age"}
    return {
        "predicted_roas_basis": f"LTV model at {accuracy['age_bucket']}",
        "predicted_roas_error_pct": None if error is None else round(100 * error, 1),
    }


def _judged(accuracy: dict | None) -> str:
    """Where the prediction was judged: the cohort's age and the backtested error there (of a
    shorter horizon when the history was too short to judge 365 days, said as such)."""
    error = typical_error(accuracy)
    if accuracy is None or error is None:
        return ", not backtested at this cohort's age"
    shorter = (
        f" on {accuracy['horizon_days']}-day revenue (the longest horizon judged)"
        if accuracy["horizon_days"] != metrics.LTV_HORIZON_DAYS
        else ""
    )
    return f" at cohort age {accuracy['age_bucket']}, backtested error ±{100 * error:.0f}%{shorter}"


RULE = AlertRule(
    name=NAME,
    label="Predicted ROAS under target",
    description=(
        "The LTV model's predicted 365-day ROAS of the customers acquired this period is under "
        "the budget's target ROAS (a 365-day target: the 30-day early predicted ROAS of young "
        "customers is not compared with it)."
    ),
    enabled_by_default=False,
    parameters={
        "min_customers": fields.Integer(
            validate=validate.Range(1, 10_000_000),
            metadata={"title": "Once at least", "x-unit": "customers"},
        )
    },
    defaults={"min_customers": 50},
    judge=predicted_roas,
    figures={
        "customers": Figure("Customers acquired"),
        "predicted_ltv_365": Figure("Predicted 365-day LTV", Shown.MONEY),
        "predicted_roas": Figure("Predicted ROAS", Shown.RATIO),
        "predicted_roas_horizon_days": Figure("Horizon (days)"),
        "predicted_roas_basis": Figure("Predicted from"),
        "predicted_roas_error_pct": Figure("Backtested error", Shown.PERCENT_1DP),
        "target_roas": Figure("Target ROAS", Shown.RATIO),
    },
    needs_target_roas=True,
)
