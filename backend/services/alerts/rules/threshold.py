"""The threshold rule: spend crossed a share of the budget, one alert per level crossed.

Crossing 50% and 80% in one go opens only the 80% alert (the 50% one is kept alive without
being announced); a level whose crossing rests on days still to be restated is provisional."""

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

NAME = "threshold"


def threshold(ctx: BudgetContext, config: dict) -> list[Finding]:
    amount, spent = float(ctx.budget.amount), ctx.pacing.figures.spend_to_date
    crossed = sorted(level for level in config.get("levels", []) if spent >= amount * level / 100)
    settled = ctx.settled_spend()
    out = []
    for level in crossed:
        severity = (
            Severity.CRITICAL
            if level >= 100
            else Severity.WARNING
            if level >= 80
            else Severity.INFO
        )
        figures = {"level_pct": level, **base_figures(ctx)}
        message = (
            f"Spend of {ctx.budget.name} crossed {level:g}% of its budget: "
            f"{fmt(spent, ctx.currency)} of {fmt(amount, ctx.currency)} "
            f"({figures['spent_pct']}%) through {figures['as_of']}."
        )
        out.append(
            Finding(
                NAME,
                severity,
                message,
                figures,
                provisional=settled < amount * level / 100,
                level=f"{level:g}",
                create=level == crossed[-1],
            )
        )
    return out


def whole_sorted_levels(config: dict) -> dict:
    """The levels without repeats, in order, whole numbers as ints."""
    levels = config.get("levels") or []
    return {**config, "levels": sorted({float(v) if v % 1 else int(v) for v in levels})}


RULE = AlertRule(
    name=NAME,
    label="Budget threshold crossed",
    description="Spend crosses a share of the budget; each level alerts once.",
    enabled_by_default=True,
    parameters={
        "levels": fields.List(
            fields.Float(validate=validate.Range(1, 1000), allow_nan=False),
            validate=validate.Length(max=10),
            metadata={
                "title": "At",
                "x-unit": "% of budget",
                "description": "Percentages of the budget, e.g. [50, 80, 100]",
            },
        )
    },
    defaults={"levels": [50, 80, 100]},
    judge=threshold,
    figures={"level_pct": Figure("Threshold", Shown.PERCENT)},
    normalize=whole_sorted_levels,
)
