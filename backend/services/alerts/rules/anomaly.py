"""The anomaly rule: a day of the period whose spend is unusual for its weekday (a spike, a
drop or no spend at all; analytics.anomalies), judged up to the last complete day."""

from __future__ import annotations

import datetime as dt

import numpy as np

from analytics.anomalies import ZERO, detect_anomalies
from backend.models import Severity
from backend.services.alerts.rules.base import AlertRule, BudgetContext, Figure, Finding, Shown, fmt
from backend.services.pacing import money

NAME = "anomaly"


def anomaly(ctx: BudgetContext, config: dict) -> list[Finding]:
    series, start = ctx.pacing.series, ctx.pacing.period_start
    last = ctx.complete_through()
    if last < start:
        return []
    values = series.values[: series.index(last) + 1]
    found = detect_anomalies(np.asarray(values), series.start.weekday(), series.index(start))
    if not found:
        return []
    days = [series.start + dt.timedelta(days=a.index) for a in found]
    latest, latest_day = found[-1], days[-1]
    words = {ZERO: "no spend at all", "spike": "a spike", "drop": "a drop"}
    message = (
        f"{ctx.scope_label} ({ctx.budget.name}) had {words[latest.kind]} on "
        f"{latest_day.isoformat()}: {fmt(latest.actual, ctx.currency)} against "
        f"{fmt(latest.expected, ctx.currency)} expected for that weekday"
        + (f" ({len(found)} unusual days this period)." if len(found) > 1 else ".")
    )
    figures = {
        "latest_day": latest_day.isoformat(),
        "latest_kind": latest.kind,
        "latest_actual": money(latest.actual),
        "latest_expected": money(latest.expected),
        "unusual_days": ", ".join(
            f"{d.isoformat()} ({a.kind})" for d, a in zip(days, found, strict=True)
        ),
        "currency": ctx.currency,
    }
    severity = Severity.CRITICAL if latest.kind == ZERO else Severity.WARNING
    provisional = any(ctx.provisional(day) for day in days)
    return [Finding(NAME, severity, message, figures, provisional)]


RULE = AlertRule(
    name=NAME,
    label="Spend anomaly",
    description="A day's spend is unusual for its weekday: a spike, a drop or no spend at all.",
    enabled_by_default=True,
    parameters={},
    defaults={},
    judge=anomaly,
    figures={
        "latest_day": Figure("Day"),
        "latest_kind": Figure("Kind"),
        "latest_actual": Figure("Spend that day", Shown.MONEY),
        "latest_expected": Figure("Expected that day", Shown.MONEY),
        "unusual_days": Figure("Unusual days this period"),
        "currency": Figure("Currency", Shown.NOT_SHOWN),
    },
)
