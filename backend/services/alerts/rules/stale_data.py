"""The stale-data rule: an enabled ad account of the scope has had no successful sync for
longer than the given hours (accounts added since are not yet stale)."""

from __future__ import annotations

import datetime as dt

from marshmallow import fields, validate

from backend.models import AccountStatus, Severity
from backend.services.alerts.rules.base import AlertRule, BudgetContext, Figure, Finding

NAME = "stale_data"


def stale_data(ctx: BudgetContext, config: dict) -> list[Finding]:
    hours = float(config.get("hours", 24))
    limit = ctx.now - dt.timedelta(hours=hours)
    stale = [
        a
        for a in ctx.accounts
        if a.status != AccountStatus.DISABLED
        and a.created_at < limit
        and (a.last_success_at is None or a.last_success_at < limit)
    ]
    if not stale:
        return []
    names = ", ".join(
        f"{a.name} (last {a.last_success_at:%Y-%m-%d %H:%M} UTC)"
        if a.last_success_at
        else f"{a.name} (never)"
        for a in stale
    )
    message = (
        f"Data of {ctx.scope_label} ({ctx.budget.name}) is stale: no successful sync in "
        f"{hours:g} hours for {names}. Pacing and alerts rest on old numbers."
    )
    figures = {"hours": hours, "stale_accounts": names}
    return [Finding(NAME, Severity.WARNING, message, figures)]


RULE = AlertRule(
    name=NAME,
    label="Stale data",
    description="An ad account of the scope has had no successful sync for longer than this.",
    enabled_by_default=True,
    parameters={
        "hours": fields.Float(
            validate=validate.Range(1, 24 * 31),
            allow_nan=False,
            metadata={"title": "For more than", "x-unit": "hours"},
        )
    },
    defaults={"hours": 24},
    judge=stale_data,
    figures={"hours": Figure("Hours without a sync"), "stale_accounts": Figure("Accounts")},
)
