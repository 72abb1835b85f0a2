"""Budgets: create, change, delete (finance and admin, each change in the audit log with its
before and after), read with their pacing (every role).

A budget's scope is checked against the stored accounts and campaigns (an account scope takes
its platform from the account, a campaign scope its account and platform from the campaign);
its amount is in the reporting currency; its period starts on the first day of a month or
quarter; its rules are the defaults (backend.services.alerts.rules) overlaid with what was given.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select

from backend.errors import Invalid
from backend.extensions import db
from backend.models import AdAccount, Alert, Budget, Campaign, ScopeType, User
from backend.models.types import utcnow
from backend.services import audit
from backend.services.alerts import evaluation, lifecycle, rules
from backend.services.pacing import period_bounds
from backend.services.rows import find_by_id
from backend.services.transaction import unit_of_work
from connectors import platforms

log = logging.getLogger("spendlens.budgets")

AUDITED = (
    "name",
    "scope_type",
    "platform",
    "ad_account_id",
    "campaign_id",
    "period",
    "period_start",
    "amount",
    "currency",
    "recipients",
    "target_roas",
    "rules",
)


def list_budgets() -> list[Budget]:
    return list(db.session.scalars(select(Budget).order_by(Budget.period_start.desc(), Budget.id)))


def get_budget(budget_id: int, *, for_update: bool = False) -> Budget:
    return find_by_id(Budget, budget_id, missing="No such budget", for_update=for_update)


def create_budget(actor: User | None, data: Mapping[str, Any], *, evaluate: bool = False) -> Budget:
    """Store a new budget; with `evaluate`, judge it at once (see `_evaluate`; not inside
    another unit of work, whose budgets are not committed yet)."""
    with unit_of_work():
        now = utcnow()
        budget = Budget(created_by=actor.id if actor else None, created_at=now, updated_at=now)
        _apply(budget, {**_defaults(), **data})
        db.session.add(budget)
        db.session.flush()
        snapshot = audit.snapshot(budget, AUDITED)
        audit.record(actor, "budget.create", "budget", budget.id, None, snapshot)
    if evaluate:
        _evaluate(budget.id)
    return budget


def update_budget(
    actor: User | None, budget_id: int, data: Mapping[str, Any], *, evaluate: bool = False
) -> Budget:
    """Change the given fields; a change of amount, scope, period or rules is judged at the
    next evaluation (at once with `evaluate`), which resolves alerts whose cause it removed."""
    with unit_of_work():
        budget = get_budget(budget_id, for_update=True)
        before = audit.snapshot(budget, AUDITED)
        _apply(budget, data)
        budget.updated_at = utcnow()
        after = audit.snapshot(budget, AUDITED)
        if before != after:
            audit.record(actor, "budget.update", "budget", budget.id, before, after)
    if evaluate and before != after:
        _evaluate(budget.id)
    return budget


def _evaluate(budget_id: int) -> None:
    """Judge a budget just set or changed, in its own transaction: its alerts and their mail
    are in the outbox before the answer (beat's delivery sends them within the minute). A
    failure here leaves the budget stored; the scheduled evaluation tries again."""
    try:
        evaluation.evaluate_budgets([budget_id])
    except Exception:  # noqa: BLE001 - the change itself is committed and must be answered
        db.session.rollback()
        log.exception("evaluating budget %s after its change failed", budget_id)


def delete_budget(actor: User | None, budget_id: int) -> None:
    """Delete the budget; its alerts stay in the history, resolved."""
    with unit_of_work():
        budget = get_budget(budget_id, for_update=True)
        alerts = list(db.session.scalars(select(Alert).where(Alert.budget_id == budget.id)))
        lifecycle.resolve_for_budget(alerts, utcnow(), "The budget was deleted.")
        before = audit.snapshot(budget, AUDITED)
        audit.record(actor, "budget.delete", "budget", budget.id, before, None)
        db.session.delete(budget)


def _defaults() -> dict[str, Any]:
    return {
        "currency": current_app.config["REPORTING_CURRENCY"],
        "recipients": [],
        "target_roas": None,
        "rules": {},
    }


def _apply(budget: Budget, data: Mapping[str, Any]) -> None:
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name:
            raise Invalid("Give the budget a name", field="name")
        budget.name = name
    if "scope" in data:
        _apply_scope(budget, data["scope"] or {})
    if "period" in data:
        budget.period = data["period"]
    if "period_start" in data:
        budget.period_start = data["period_start"]
    _check_period(budget)
    if "amount" in data:
        amount = Decimal(data["amount"])
        if not amount.is_finite() or amount <= 0:
            raise Invalid("The amount must be positive", field="amount")
        budget.amount = amount
    if "currency" in data:
        currency = (data["currency"] or "").upper()
        reporting = current_app.config["REPORTING_CURRENCY"]
        if currency != reporting:
            raise Invalid(f"Budgets are in the reporting currency, {reporting}", field="currency")
        budget.currency = currency
    if "recipients" in data:
        budget.recipients = _recipients(data["recipients"] or [])
    given_rules = data.get("rules") or {}
    if "target_roas" in data:
        target = data["target_roas"]
        if target is not None and Decimal(target) <= 0:
            raise Invalid("The target ROAS must be positive", field="target_roas")
        if budget.target_roas is None and target is not None:
            given_rules = _with_target_rules_on(given_rules)
        budget.target_roas = None if target is None else Decimal(target)
    if "rules" in data or given_rules:
        budget.rules = rules.merged_rules(budget.rules or {}, given_rules)


def _with_target_rules_on(given: Mapping[str, Any]) -> dict[str, Any]:
    """Setting a target ROAS turns the rules that need one on, unless the same change says
    otherwise."""
    out = dict(given)
    for rule in rules.RULES:
        if rule.needs_target_roas:
            config = given.get(rule.name)
            config = dict(config) if isinstance(config, Mapping) else {}
            out[rule.name] = config if "enabled" in config else {**config, "enabled": True}
    return out


def _check_period(budget: Budget) -> None:
    start: dt.date | None = budget.period_start
    if budget.period is None or start is None:
        raise Invalid("Choose the period", field="period_start")
    if start.day != 1 or (budget.period == "quarter" and start.month not in (1, 4, 7, 10)):
        what = (
            "a quarter (1 January, April, July or October)"
            if budget.period == "quarter"
            else ("a month")
        )
        raise Invalid(f"The period must start on the first day of {what}", field="period_start")


def _apply_scope(budget: Budget, scope: Mapping[str, Any]) -> None:
    kind = scope.get("type")
    platform, account_id, campaign_id = None, None, None
    if kind == ScopeType.PLATFORM:
        platform = scope.get("platform")
        if platform not in platforms():
            raise Invalid("Choose a platform", field="scope.platform")
    elif kind == ScopeType.ACCOUNT:
        account = _account(scope.get("account_id"))
        platform, account_id = account.platform, account.id
    elif kind == ScopeType.CAMPAIGN:
        campaign = _campaign(scope.get("campaign_id"))
        account = db.session.get(AdAccount, campaign.ad_account_id)
        if scope.get("account_id") not in (None, account.id):
            raise Invalid("The campaign belongs to another account", field="scope.campaign_id")
        platform, account_id, campaign_id = account.platform, account.id, campaign.id
    elif kind != ScopeType.ALL:
        raise Invalid("Choose the scope: all, platform, account or campaign", field="scope.type")
    if scope.get("platform") not in (None, platform) and kind != ScopeType.ALL:
        raise Invalid(f"The scope's platform is {platform}", field="scope.platform")
    budget.scope_type, budget.platform = kind, platform
    budget.ad_account_id, budget.campaign_id = account_id, campaign_id


def _account(value: Any) -> AdAccount:
    account_id = _as_id(value, "scope.account_id")
    account = db.session.get(AdAccount, account_id) if account_id else None
    if account is None:
        raise Invalid("No such ad account", field="scope.account_id")
    return account


def _campaign(value: Any) -> Campaign:
    campaign_id = _as_id(value, "scope.campaign_id")
    campaign = db.session.get(Campaign, campaign_id) if campaign_id else None
    if campaign is None:
        raise Invalid("No such campaign", field="scope.campaign_id")
    return campaign


def _as_id(value: Any, field: str) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise Invalid("Choose one", field=field) from None
    return number if 0 < number <= 2**62 else None


def _recipients(values: list[str]) -> list[str]:
    out, seen = [], set()
    for value in values:
        email = value.strip()
        if email and email.lower() not in seen:
            seen.add(email.lower())
            out.append(email)
    return out


def describe(budget: Budget, pacing: dict | None = None) -> dict[str, Any]:
    """The budget as the API shows it (with `pacing` when given)."""
    scope = evaluation.describe_scope(budget)
    if budget.ad_account_id:
        account = db.session.get(AdAccount, budget.ad_account_id)
        scope["account_name"] = account.name if account else None
    if budget.campaign_id:
        campaign = db.session.get(Campaign, budget.campaign_id)
        scope["campaign_name"] = campaign.name if campaign else None
    return {
        "id": budget.id,
        "name": budget.name,
        "scope": scope,
        "period": budget.period,
        "period_start": budget.period_start,
        "period_end": period_bounds(budget)[1],
        "amount": budget.amount,
        "currency": budget.currency,
        "recipients": list(budget.recipients or []),
        "target_roas": budget.target_roas,
        "rules": rules.merged_rules(budget.rules or {}, {}),
        "forecast_method": budget.forecast_method,
        "pacing": pacing,
        "created_at": budget.created_at,
        "updated_at": budget.updated_at,
    }


def pacing_of(budgets: list[Budget]) -> dict[int, dict]:
    """The pacing answer of each budget (read-only: a backtest not stored today is measured in
    memory)."""
    if not budgets:
        return {}
    inputs = evaluation.load_inputs(budgets, utcnow(), read_only=True)
    out = {}
    for budget in budgets:
        ctx, mail = inputs.context(budget, store_backtest=False)
        answer = mail.pacing
        out[budget.id] = answer and answer | {"data_through": ctx.complete_through()}
    return out
