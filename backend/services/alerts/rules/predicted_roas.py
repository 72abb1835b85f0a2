"""The predicted-ROAS rule: the predicted 365-day ROAS of the customers the budget's scope
acquired this period is under the budget's target (needs a target and enough customers). While
those customers have no revenue history (all younger than `metrics.EARLY_AGE_DAYS`) the early
predicted ROAS judges them instead (`analytics.metrics`, from first-purchase probabilities)."""

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

NAME = "predicted_roas"


def predicted_roas(ctx: BudgetContext, config: dict) -> list[Finding]:
    target, cohort = ctx.budget.target_roas, ctx.cohort
    spent = ctx.pacing.figures.spend_to_date
    if target is None or cohort is None or spent <= 0:
        return []
    if cohort.customers < int(config.get("min_customers", 1)):
        return []
    if cohort.early is not None:
        return _early(ctx, config, cohort, spent, float(target))
    roas = cohort.predicted_ltv_365 / spent
    if roas >= float(target):
        return []
    values = {
        **base_figures(ctx),
        "customers": cohort.customers,
        "predicted_ltv_365": money(cohort.predicted_ltv_365),
        "predicted_roas": round(roas, 4),
        "target_roas": float(target),
    }
    message = (
        f"Predicted 365-day ROAS of the customers {ctx.budget.name} acquired this period is "
        f"{roas:.0%}, under the target of {float(target):.0%} ({cohort.customers} customers, "
        f"predicted LTV {fmt(cohort.predicted_ltv_365, ctx.currency)} for "
        f"{fmt(spent, ctx.currency)} spent)."
    )
    provisional = ctx.provisional(ctx.pacing.as_of)
    return [Finding(NAME, Severity.WARNING, message, values, provisional)]


def _early(ctx: BudgetContext, config: dict, cohort, spent: float, target: float) -> list[Finding]:
    """The cohort has no revenue history yet: the early predicted ROAS judges it."""
    early = cohort.early
    roas = metrics.early_predicted_roas(early.expected_payers, early.value_per_payer, spent)
    if roas is None or roas >= target:
        return []
    error = f", backtested error ±{early.error_pct:.0f}%" if early.error_pct is not None else ""
    values = {
        **base_figures(ctx),
        "customers": cohort.customers,
        "expected_payers": round(early.expected_payers, 1),
        "early_predicted_revenue": money(early.predicted_revenue),
        "predicted_roas": round(roas, 4),
        "predicted_roas_basis": f"early {early.age_bucket or ''}".strip(),
        "predicted_roas_error_pct": early.error_pct,
        "target_roas": target,
    }
    message = (
        f"Early predicted {early.horizon_days}-day ROAS of the customers {ctx.budget.name} "
        f"acquired this period is {roas:.0%}, under the target of {target:.0%}: they have no "
        f"revenue history yet, so it comes from first purchases expected at "
        f"{early.age_bucket}{error} ({early.expected_payers:.1f} expected payers of "
        f"{cohort.customers} customers, {fmt(early.predicted_revenue, ctx.currency)} for "
        f"{fmt(spent, ctx.currency)} spent)."
    )
    provisional = ctx.provisional(ctx.pacing.as_of)
    return [Finding(NAME, Severity.WARNING, message, values, provisional)]


RULE = AlertRule(
    name=NAME,
    label="Predicted ROAS under target",
    description=(
        "The predicted 365-day ROAS of the customers acquired this period is under the "
        "budget's target ROAS (for customers with no revenue history yet, the early "
        "predicted ROAS from their expected first purchases)."
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
        "expected_payers": Figure("Expected payers"),
        "early_predicted_revenue": Figure("Early predicted revenue", Shown.MONEY),
        "predicted_roas_basis": Figure("Predicted from"),
        "predicted_roas_error_pct": Figure("Backtested error", Shown.PERCENT_1DP),
        "target_roas": Figure("Target ROAS", Shown.RATIO),
    },
    needs_target_roas=True,
)
