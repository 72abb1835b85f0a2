"""The projected-overspend rule: the forecast puts period-end spend over the budget by more
than a tolerance that narrows to zero on the period's last day. Not announced once the period
is over (an open alert is kept alive until it resolves)."""

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

NAME = "projected_overspend"


def narrowed_tolerance(tolerance_pct: float, elapsed_days: int, period_days: int) -> float:
    """The overspend tolerance, narrowing linearly to zero on the last day of the period."""
    remaining = max(period_days - elapsed_days, 0)
    return tolerance_pct * remaining / period_days


def projected_overspend(ctx: BudgetContext, config: dict) -> list[Finding]:
    figures, projection = ctx.pacing.figures, ctx.pacing.projection
    if projection is None:
        return []
    amount = float(ctx.budget.amount)
    tolerance = narrowed_tolerance(
        float(config.get("tolerance_pct", 0)), figures.elapsed_days, figures.period_days
    )
    if projection.point <= amount * (1 + tolerance / 100):
        return []
    over = projection.point - amount
    values = {**base_figures(ctx), "tolerance_pct": round(tolerance, 2)}
    values["projected_over"] = money(over)
    message = (
        f"{ctx.budget.name} is projected to end the period at {fmt(projection.point, ctx.currency)}"
        f" ({fmt(projection.low, ctx.currency)} – {fmt(projection.high, ctx.currency)}), "
        f"{fmt(over, ctx.currency)} over its budget of {fmt(amount, ctx.currency)} "
        f"(tolerance today {tolerance:.1f}%; {figures.method} forecast)."
    )
    ongoing = figures.elapsed_days < figures.period_days
    severity = Severity.CRITICAL if projection.low > amount else Severity.WARNING
    return [
        Finding(
            NAME,
            severity,
            message,
            values,
            provisional=ctx.provisional(ctx.pacing.as_of),
            create=ongoing,
        )
    ]


RULE = AlertRule(
    name=NAME,
    label="Projected overspend",
    description=(
        "The forecast puts period-end spend over the budget by more than the tolerance, "
        "which narrows to zero by the period's last day."
    ),
    enabled_by_default=True,
    parameters={
        "tolerance_pct": fields.Float(
            validate=validate.Range(0, 100),
            allow_nan=False,
            metadata={
                "title": "Tolerance",
                "x-unit": "%",
                "description": "Allowed overspend at the start; narrows to 0 at the end",
            },
        )
    },
    defaults={"tolerance_pct": 5},
    judge=projected_overspend,
    figures={
        "tolerance_pct": Figure("Tolerance today", Shown.PERCENT),
        "projected_over": Figure("Projected overspend", Shown.MONEY),
    },
)
