"""The alert rules: each judges one budget's context and returns what fires now.

A rule returns `Finding`s, one per alert it keeps alive (the threshold rule one per crossed
level). A finding with `create=False` keeps an existing alert alive without opening a new one:
crossing 50% and 80% in one go opens only the 80% alert, and a projected overspend is not
announced once the period is over. Rules are switched on and configured per budget
(`Budget.rules`); a rule that is off, or has nothing to judge, fires nothing — which resolves
its open alerts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from analytics.anomalies import ZERO, detect_anomalies
from backend.models import AccountStatus, AlertRule, Budget, Severity
from backend.services.alerts.forecast import BudgetPacing, money
from backend.services.alerts.spend import AccountFacts, Scope


@dataclass(frozen=True)
class Cohort:
    """Customers acquired in the period within the scope, under the active LTV version."""

    customers: int
    predicted_ltv_365: float


@dataclass(frozen=True)
class BudgetContext:
    budget: Budget
    scope: Scope
    scope_label: str
    currency: str
    accounts: list[AccountFacts]
    pacing: BudgetPacing
    #: Days from this one on may still be restated (None: no enabled account in the scope).
    provisional_from: dt.date | None
    #: Last day whose spend is known to be complete (anomalies are judged up to it).
    data_through: dt.date | None
    cohort: Cohort | None
    now: dt.datetime

    def provisional(self, day: dt.date) -> bool:
        return self.provisional_from is not None and day >= self.provisional_from

    def settled_spend(self) -> float:
        """Spend of the period's counted days that no sync will restate any more."""
        if self.provisional_from is None:
            return self.pacing.figures.spend_to_date
        last = min(self.pacing.as_of, self.provisional_from - dt.timedelta(days=1))
        return self.pacing.series.total(self.pacing.period_start, last)


@dataclass
class Finding:
    rule: str
    severity: str
    message: str
    figures: dict
    provisional: bool = False
    level: str = ""
    create: bool = True
    extra: dict = field(default_factory=dict)


def fmt(value: float | None, currency: str) -> str:
    return "—" if value is None else f"{currency} {value:,.2f}"


def _base_figures(ctx: BudgetContext) -> dict:
    figures, projection = ctx.pacing.figures, ctx.pacing.projection
    return {
        "budget": money(float(ctx.budget.amount)),
        "currency": ctx.currency,
        "spend_to_date": money(figures.spend_to_date),
        "spent_pct": round(100 * figures.spend_to_date / float(ctx.budget.amount), 1),
        "expected_to_date": money(figures.expected_to_date),
        "as_of": ctx.pacing.through.isoformat(),
        "projected": money(projection.point) if projection else None,
        "projected_low": money(projection.low) if projection else None,
        "projected_high": money(projection.high) if projection else None,
        "method": figures.method,
    }


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
        figures = {"level_pct": level, **_base_figures(ctx)}
        message = (
            f"Spend of {ctx.budget.name} crossed {level:g}% of its budget: "
            f"{fmt(spent, ctx.currency)} of {fmt(amount, ctx.currency)} "
            f"({figures['spent_pct']}%) through {figures['as_of']}."
        )
        out.append(
            Finding(
                AlertRule.THRESHOLD,
                severity,
                message,
                figures,
                provisional=settled < amount * level / 100,
                level=f"{level:g}",
                create=level == crossed[-1],
            )
        )
    return out


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
    values = {**_base_figures(ctx), "tolerance_pct": round(tolerance, 2)}
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
            AlertRule.PROJECTED_OVERSPEND,
            severity,
            message,
            values,
            provisional=ctx.provisional(ctx.pacing.as_of),
            create=ongoing,
        )
    ]


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
        **_base_figures(ctx),
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
    return [Finding(AlertRule.PREDICTED_ROAS, Severity.WARNING, message, values, provisional)]


def anomaly(ctx: BudgetContext, config: dict) -> list[Finding]:
    series, start = ctx.pacing.series, ctx.pacing.period_start
    last = min(ctx.pacing.through, ctx.data_through or ctx.pacing.as_of)
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
    return [Finding(AlertRule.ANOMALY, severity, message, figures, provisional)]


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
    return [Finding(AlertRule.STALE_DATA, Severity.WARNING, message, figures)]


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
    return [Finding(AlertRule.CREDENTIALS, severity, message, figures)]


RULES: dict[str, Callable[[BudgetContext, dict], list[Finding]]] = {
    AlertRule.THRESHOLD: threshold,
    AlertRule.PROJECTED_OVERSPEND: projected_overspend,
    AlertRule.PREDICTED_ROAS: predicted_roas,
    AlertRule.ANOMALY: anomaly,
    AlertRule.STALE_DATA: stale_data,
    AlertRule.CREDENTIALS: credentials,
}


def judge(ctx: BudgetContext) -> list[Finding]:
    """Every finding of the budget's enabled rules."""
    out: list[Finding] = []
    for name, rule in RULES.items():
        config = (ctx.budget.rules or {}).get(name) or {}
        if config.get("enabled"):
            out.extend(rule(ctx, config))
    return out
