"""Evaluating budgets: pacing, the rules, the alert lifecycle and the alert mail, in one
transaction per batch of budgets.

Runs after every successful sync for the budgets whose scope covers the synced account
(`evaluate_for_account`) and on beat's schedule for every live budget (`evaluate_all`). A budget
is live from its first day until the restatement window of its last day has passed (a late
restatement can still change what its alerts say). Budgets are locked (in id order) for the
batch, so two evaluations of the same budget run one after the other; the unique constraint on
alerts is the backstop.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import or_, select, text

from analytics.metrics import LTV_HORIZON_DAYS
from analytics.pacing import period_end
from backend import telemetry
from backend.extensions import db
from backend.models import Alert, Budget
from backend.models.types import utcnow
from backend.services import pacing
from backend.services.alerts import lifecycle, notify, rules
from backend.services.ingestion.windows import longest_restatement_days
from backend.services.pacing import spend
from backend.services.predictions.accuracy import accuracy_at
from backend.services.roi.queries import active_models

log = logging.getLogger("spendlens.alerts")
BATCH = 500


@dataclass
class EvaluationReport:
    budgets: int = 0
    opened: int = 0
    reopened: int = 0
    resolved: int = 0
    mails_queued: int = 0

    def add(self, other: EvaluationReport) -> None:
        for name in ("budgets", "opened", "reopened", "resolved", "mails_queued"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def live_budget_ids(now: dt.datetime, account_id: int | None = None) -> list[int]:
    """Budgets whose period has begun and whose restatement window has not passed; with
    `account_id`, only those whose scope covers that account."""
    today = now.astimezone(dt.UTC).date()
    longest = longest_restatement_days(current_app.config)
    earliest_end = today - dt.timedelta(days=longest + 2)
    stmt = select(Budget.id, Budget.period, Budget.period_start).where(
        Budget.period_start <= today + dt.timedelta(days=1),
        Budget.period_start > earliest_end - dt.timedelta(days=95),
    )
    if account_id is not None:
        account = db.session.execute(
            text("SELECT platform FROM ad_accounts WHERE id = :id"), {"id": account_id}
        ).scalar()
        if account is None:
            return []
        stmt = stmt.where(
            or_(
                Budget.scope_type == "all",
                (Budget.scope_type == "platform") & (Budget.platform == account),
                Budget.ad_account_id == account_id,
            )
        )
    rows = db.session.execute(stmt.order_by(Budget.id)).all()
    return [r.id for r in rows if period_end(r.period_start, r.period) >= earliest_end]


def evaluate_for_account(account_id: int, now: dt.datetime | None = None) -> EvaluationReport:
    now = now or utcnow()
    return evaluate_budgets(live_budget_ids(now, account_id), now)


def evaluate_all(now: dt.datetime | None = None) -> EvaluationReport:
    now = now or utcnow()
    return evaluate_budgets(live_budget_ids(now), now)


def evaluate_budgets(budget_ids: Sequence[int], now: dt.datetime | None = None) -> EvaluationReport:
    """Evaluate these budgets, `BATCH` per transaction."""
    now = now or utcnow()
    report = EvaluationReport()
    ids = sorted(set(budget_ids))
    for i in range(0, len(ids), BATCH):
        try:
            report.add(_evaluate_batch(ids[i : i + BATCH], now))
        except Exception:
            db.session.rollback()
            raise
    if report.budgets:
        telemetry.ALERT_EVALUATIONS.inc(report.budgets)
    return report


def _evaluate_batch(ids: list[int], now: dt.datetime) -> EvaluationReport:
    budgets = list(
        db.session.scalars(
            select(Budget).where(Budget.id.in_(ids)).order_by(Budget.id).with_for_update()
        )
    )
    report = EvaluationReport(budgets=len(budgets))
    if not budgets:
        db.session.commit()
        return report
    inputs = load_inputs(budgets, now)
    existing: dict[int, list[Alert]] = {}
    for alert in db.session.scalars(select(Alert).where(Alert.budget_id.in_(ids))):
        existing.setdefault(alert.budget_id, []).append(alert)
    to_mail: list[tuple[Alert, notify.BudgetMail]] = []
    events: list = []
    for budget in budgets:
        ctx, mail = inputs.context(budget, store_backtest=True)
        changes = lifecycle.apply_findings(
            inputs.target(budget),
            rules.judge(ctx),
            existing.get(budget.id, []),
            now,
            lambda mail=mail: {k: v for k, v in (mail.pacing or {}).items() if k != "series"},
        )
        report.opened += len(changes.opened)
        report.reopened += len(changes.reopened)
        report.resolved += len(changes.resolved)
        events += changes.events
        alerts = existing.get(budget.id, []) + changes.opened
        to_mail += [(a, mail) for a in lifecycle.awaiting_mail(alerts, now)]
    lifecycle.write_events(events, now)
    report.mails_queued = notify.queue_alert_mail(to_mail)
    db.session.commit()
    return report


class BudgetInputs:
    """Everything a batch of budgets is judged on, read in a few queries. For reads
    (`read_only`), a stored backtest is used whatever its day; evaluation refreshes it daily."""

    def __init__(self, budgets: list[Budget], now: dt.datetime, read_only: bool = False) -> None:
        self.now = now
        self.config = current_app.config
        self.currency = self.config["REPORTING_CURRENCY"]
        self.accounts = spend.load_accounts()
        self.campaign_names = _campaign_names(b.campaign_id for b in budgets if b.campaign_id)
        self.as_of = {b.id: self._as_of(b) for b in budgets}
        self.spend: dict[tuple[str, bool], spend.ScopeSpend] = {}
        self.long = {
            b.id
            for b in budgets
            if b.forecast_mape is None
            or (not read_only and pacing.needs_backtest(b, self.as_of[b.id]))
        }
        for long in (True, False):
            group = [b for b in budgets if (b.id in self.long) == long]
            if not group:
                continue
            start = min(pacing.history_start(b, long) for b in group)
            end = max(max(self.as_of[b.id], b.period_start) for b in group)
            loaded = spend.load_spend([scope_of(b) for b in group], start, end)
            self.spend.update({(key, long): value for key, value in loaded.items()})
        self.cohorts = _cohorts(budgets, self.as_of)

    def _as_of(self, budget: Budget) -> dt.date:
        return spend.last_complete_day(self.scope_accounts(budget), self.now)

    def scope_accounts(self, budget: Budget) -> list[spend.AccountFacts]:
        return spend.scope_accounts(scope_of(budget), self.accounts)

    def target(self, budget: Budget) -> lifecycle.AlertTarget:
        scope = scope_of(budget)
        return lifecycle.AlertTarget(
            budget, describe_scope(budget), scope.key, budget.period, budget.period_start
        )

    def context(
        self, budget: Budget, *, store_backtest: bool
    ) -> tuple[rules.BudgetContext, notify.BudgetMail]:
        scope, as_of = scope_of(budget), self.as_of[budget.id]
        long = budget.id in self.long
        scope_spend = self.spend[(scope.key, long)]
        stored = None if long else budget.forecast_mape
        measured = pacing.measure(budget, scope_spend, as_of, stored)
        if long and store_backtest:
            budget.forecast_mape, budget.backtested_on = measured.backtest, as_of
            budget.forecast_method = measured.figures.method
        accounts = self.scope_accounts(budget)
        label = spend.scope_label(scope, self.accounts, self.campaign_names.get(budget.campaign_id))
        ctx = rules.BudgetContext(
            budget=budget,
            scope=scope,
            scope_label=label,
            currency=self.currency,
            accounts=accounts,
            pacing=measured,
            provisional_from=spend.provisional_from(accounts, self.now, self.config),
            data_through=_data_through(accounts, scope_spend),
            cohort=self.cohorts.get(budget.id),
            now=self.now,
        )
        start, last = pacing.period_bounds(budget)
        mail = notify.BudgetMail(
            budget=budget,
            scope_label=label,
            period_label=lifecycle.period_label(budget.period, budget.period_start),
            period_start=start,
            period_last=last,
            currency=self.currency,
            measured=measured,
        )
        return ctx, mail


def load_inputs(budgets: list[Budget], now: dt.datetime, read_only: bool = False) -> BudgetInputs:
    return BudgetInputs(budgets, now, read_only)


def scope_of(budget: Budget) -> spend.Scope:
    return spend.Scope(budget.scope_type, budget.platform, budget.ad_account_id, budget.campaign_id)


def describe_scope(budget: Budget) -> dict:
    """The scope as the API shows it: {type, platform?, account_id?, campaign_id?}."""
    out: dict = {"type": budget.scope_type}
    if budget.platform:
        out["platform"] = budget.platform
    if budget.ad_account_id:
        out["account_id"] = budget.ad_account_id
    if budget.campaign_id:
        out["campaign_id"] = budget.campaign_id
    return out


def _data_through(
    accounts: list[spend.AccountFacts], scope_spend: spend.ScopeSpend
) -> dt.date | None:
    """The last day every synced account of the scope has been fetched through."""
    synced = [a.synced_through for a in accounts if a.synced_through is not None]
    return min(synced) if synced else scope_spend.last_data


def _campaign_names(ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    rows = db.session.execute(
        text("SELECT id, name FROM campaigns WHERE id = ANY(:ids)"), {"ids": ids}
    )
    return dict(rows.all())


_COHORT_SCOPE = {
    "all": "true",
    "platform": "c.platform = :platform",
    "account": "c.ad_account_id = :account_id",
    "campaign": "c.campaign_id = :campaign_id",
}


def _cohorts(budgets: list[Budget], as_of: dict[int, dt.date]) -> dict[int, rules.Cohort]:
    """Customers acquired in each budget's period (through its as-of day) within its scope,
    with their predicted 365-day LTV under the active LTV version and its backtested accuracy
    at the cohort's age (the middle of its acquisition days, as `roi.report.range_age`); only
    for budgets whose predicted-ROAS rule is on and that have a target. The first-purchase
    version's early estimate is a 30-day figure and never judged against the 365-day target."""
    wanted = [
        b
        for b in budgets
        if b.target_roas is not None and (b.rules or {}).get("predicted_roas", {}).get("enabled")
    ]
    if not wanted:
        return {}
    ltv = active_models().get("ltv") or {}
    if ltv.get("id") is None:
        return {}
    out = {}
    for budget in wanted:
        start, last = pacing.period_bounds(budget)
        last = min(last, as_of[budget.id])
        row = (
            db.session.execute(
                text(
                    f"""
                SELECT count(*) AS customers, count(o.customer_id) AS scored,
                       coalesce(sum(o.predicted_ltv_{LTV_HORIZON_DAYS}), 0)::float8 AS ltv,
                       min(c.acquisition_date) AS first_day
                FROM customers c
                LEFT JOIN model_outputs o ON o.customer_id = c.id AND o.model_version_id = :ltv
                WHERE c.acquisition_date BETWEEN :start AND :last
                  AND {_COHORT_SCOPE[budget.scope_type]}
                """
                ),
                {
                    "ltv": ltv["id"],
                    "start": start,
                    "last": last,
                    "platform": budget.platform,
                    "account_id": budget.ad_account_id,
                    "campaign_id": budget.campaign_id,
                },
            )
            .mappings()
            .one()
        )
        if not row["scored"]:
            continue
        customers = int(row["customers"])
        age = max((as_of[budget.id] - (row["first_day"] + (last - row["first_day"]) / 2)).days, 0)
        out[budget.id] = rules.Cohort(
            customers=customers,
            scored=int(row["scored"]),
            predicted_ltv_365=row["ltv"] / row["scored"] * customers,
            accuracy=accuracy_at(ltv.get("metrics"), LTV_HORIZON_DAYS, age, customers),
        )
    return out
