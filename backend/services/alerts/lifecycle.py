"""The alert lifecycle: what a budget's findings do to its alerts, in the evaluation's
transaction.

- a finding with no alert yet opens one (state 'open', event 'opened');
- a finding whose alert was resolved reopens it ('reopened', a new `occurrence`, a new mail);
- a finding whose alert is open or notified updates its figures (an 'updated' event only when
  the severity or the provisional flag changes);
- an open or notified alert without a finding is resolved ('resolved', with the figures of the
  moment): the cause is gone — a restatement lowered the spend, the amount was raised, the rule
  was switched off, the data is fresh again;
- an alert of a scope or period the budget no longer has is resolved too.

Open alerts that are not snoozed get their mail queued (one outbox row per recipient and
occurrence; the unique idempotency key makes queueing twice a no-op).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import insert

from backend.extensions import db
from backend.models import Alert, AlertEvent, AlertState, Budget, User
from backend.services.alerts.rules.base import Finding


@dataclass(frozen=True)
class AlertTarget:
    """The budget, scope and period the alerts of one evaluation belong to."""

    budget: Budget
    scope: dict
    scope_key: str
    period: str
    period_start: dt.date


@dataclass
class Changes:
    opened: list[Alert] = field(default_factory=list)
    reopened: list[Alert] = field(default_factory=list)
    updated: list[Alert] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)
    #: (alert, kind, detail): written by `write_events` once new alerts have their ids.
    events: list[tuple[Alert, str, dict | None]] = field(default_factory=list)


def period_label(period: str, period_start: dt.date) -> str:
    """'2026-10' for a month, '2026-Q4' for a quarter."""
    if period == "quarter":
        return f"{period_start.year}-Q{(period_start.month - 1) // 3 + 1}"
    return f"{period_start:%Y-%m}"


def record_event(
    alert: Alert, kind: str, detail: dict | None = None, actor: User | None = None
) -> None:
    """One event of a stored alert (an actor's action)."""
    db.session.add(
        AlertEvent(
            alert_id=alert.id, kind=kind, actor_id=actor.id if actor else None, detail=detail
        )
    )


def write_events(events: list[tuple[Alert, str, dict | None]], now: dt.datetime) -> None:
    """Insert the events of an evaluation in one statement (flushing new alerts first)."""
    if not events:
        return
    db.session.flush()
    rows = [
        {"alert_id": alert.id, "kind": kind, "detail": detail, "at": now}
        for alert, kind, detail in events
    ]
    db.session.connection().execute(insert(AlertEvent.__table__), rows)


def apply_findings(
    target: AlertTarget,
    findings: list[Finding],
    existing: list[Alert],
    now: dt.datetime,
    situation: Callable[[], dict],
) -> Changes:
    """Open, reopen, update and resolve the budget's alerts; `situation()` (the budget's
    current figures) goes into the events of resolved alerts."""
    changes = Changes()
    current = {
        (a.rule, a.level): a
        for a in existing
        if a.scope_key == target.scope_key and a.period_start == target.period_start
    }
    wanted = {(f.rule, f.level): f for f in findings}
    for alert in existing:
        if alert.state == AlertState.RESOLVED:
            continue
        moved = alert.scope_key != target.scope_key or alert.period_start != target.period_start
        if moved:
            _resolve(alert, now, "The budget's scope or period changed.", situation, changes)
        elif (alert.rule, alert.level) not in wanted:
            reason = "The cause no longer holds on the latest data."
            _resolve(alert, now, reason, situation, changes)
    for key, finding in wanted.items():
        alert = current.get(key)
        if alert is None:
            if finding.create:
                _open(target, finding, now, changes)
        elif alert.state == AlertState.RESOLVED:
            if finding.create:
                _reopen(alert, finding, now, changes)
        else:
            _update(alert, finding, now, changes)
    return changes


def _fill(alert: Alert, finding: Finding, target: AlertTarget, now: dt.datetime) -> None:
    alert.budget_name = target.budget.name
    alert.severity = finding.severity
    alert.message = finding.message
    alert.figures = finding.figures
    alert.provisional = finding.provisional
    alert.updated_at = now


def _open(target: AlertTarget, finding: Finding, now: dt.datetime, changes: Changes) -> None:
    alert = Alert(
        budget_id=target.budget.id,
        rule=finding.rule,
        level=finding.level,
        scope=target.scope,
        scope_key=target.scope_key,
        period=period_label(target.period, target.period_start),
        period_start=target.period_start,
        state=AlertState.OPEN,
        occurrence=1,
        created_at=now,
    )
    _fill(alert, finding, target, now)
    db.session.add(alert)
    changes.opened.append(alert)
    changes.events.append((alert, "opened", _event_detail(finding)))


def _reopen(alert: Alert, finding: Finding, now: dt.datetime, changes: Changes) -> None:
    alert.state = AlertState.OPEN
    alert.occurrence += 1
    alert.resolved_at = alert.resolution = alert.acknowledged_at = alert.acknowledged_by = None
    alert.notified_at = None
    alert.severity = finding.severity
    alert.message, alert.figures = finding.message, finding.figures
    alert.provisional, alert.updated_at = finding.provisional, now
    changes.reopened.append(alert)
    changes.events.append((alert, "reopened", _event_detail(finding)))


def _update(alert: Alert, finding: Finding, now: dt.datetime, changes: Changes) -> None:
    """Refresh an open alert's figures; an event when its severity or provisional flag
    changed."""
    material = alert.severity != finding.severity or alert.provisional != finding.provisional
    if alert.figures != finding.figures or alert.message != finding.message or material:
        alert.severity = finding.severity
        alert.message, alert.figures = finding.message, finding.figures
        alert.provisional, alert.updated_at = finding.provisional, now
    if material:
        changes.updated.append(alert)
        changes.events.append((alert, "updated", _event_detail(finding)))


def _resolve(
    alert: Alert, now: dt.datetime, reason: str, situation: Callable[[], dict], changes: Changes
) -> None:
    alert.state = AlertState.RESOLVED
    alert.resolved_at, alert.resolution, alert.updated_at = now, reason, now
    changes.resolved.append(alert)
    detail = {"reason": reason, "figures": _json_ready(situation())}
    changes.events.append((alert, "resolved", detail))


def _json_ready(value):
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _event_detail(finding: Finding) -> dict:
    return {
        "severity": finding.severity,
        "message": finding.message,
        "figures": finding.figures,
        "provisional": finding.provisional,
    }


def resolve_for_budget(alerts: list[Alert], now: dt.datetime, reason: str) -> None:
    """Resolve every unresolved alert of a budget (deleted, say)."""
    changes = Changes()
    for alert in alerts:
        if alert.state != AlertState.RESOLVED:
            _resolve(alert, now, reason, dict, changes)
    write_events(changes.events, now)


def awaiting_mail(alerts: list[Alert], now: dt.datetime) -> list[Alert]:
    """Open alerts whose mail may go out now (not snoozed)."""
    return [
        a
        for a in alerts
        if a.state == AlertState.OPEN and (a.snoozed_until is None or a.snoozed_until <= now)
    ]
