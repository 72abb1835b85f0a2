"""The credentials rule: an ad account of the scope needs new credentials, or its
credentials expire within the given days."""

from __future__ import annotations

import datetime as dt

from marshmallow import fields, validate

from backend.models import AccountStatus, Severity
from backend.services.alerts.rules.base import AlertRule, BudgetContext, Figure, Finding

NAME = "credentials"


def credentials(ctx: BudgetContext, config: dict) -> list[Finding]:
    horizon = ctx.now + dt.timedelta(days=float(config.get("days_before", 14)))
    failing = [a for a in ctx.accounts if a.status == AccountStatus.NEEDS_CREDENTIALS]
    expiring = [
        a
        for a in ctx.accounts
        if a.status == AccountStatus.ACTIVE
        and a.credentials_expire_at is not None
        and a.credentials_expire_at <= horizon
    ]
    if not failing and not expiring:
        return []
    parts = []
    if failing:
        parts.append("failing for " + ", ".join(a.name for a in failing))
    if expiring:
        parts.append(
            "expiring for "
            + ", ".join(f"{a.name} on {a.credentials_expire_at:%Y-%m-%d}" for a in expiring)
        )
    expired = any(a.credentials_expire_at <= ctx.now for a in expiring)
    severity = Severity.CRITICAL if failing or expired else Severity.WARNING
    message = (
        f"Ad account credentials in {ctx.scope_label} ({ctx.budget.name}) are "
        + "; ".join(parts)
        + ". An admin must enter new ones, or spend stops being collected."
    )
    figures = {
        "failing_accounts": ", ".join(a.name for a in failing) or None,
        "expiring_accounts": ", ".join(a.name for a in expiring) or None,
    }
    return [Finding(NAME, severity, message, figures)]


RULE = AlertRule(
    name=NAME,
    label="Credentials failing or expiring",
    description="An ad account's credentials fail, or expire within the given days.",
    enabled_by_default=True,
    parameters={
        "days_before": fields.Integer(
            validate=validate.Range(0, 365),
            metadata={"title": "Warn", "x-unit": "days before"},
        )
    },
    defaults={"days_before": 14},
    judge=credentials,
    figures={"failing_accounts": Figure("Failing"), "expiring_accounts": Figure("Expiring")},
)
