"""The predicted-ROAS rule: the predicted 365-day ROAS of the customers the budget's scope
acquired this period is under the budget's target (needs a target and enough customers)."""

from __future__ import annotations

from marshmallow import fields, validate

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


RULE = AlertRule(
    name=NAME,
    label="Predicted ROAS under target",
    description=(
        "The predicted 365-day ROAS of the customers acquired this period is under the "
        "budget's target ROAS."
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
        "target_roas": Figure("Target ROAS", Shown.RATIO),
    },
    needs_target_roas=True,
)
