"""What people do with alerts: list them, acknowledge one, snooze one until a time. Finance and
admin act (audited, with an alert event); every role reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from backend.errors import Invalid
from backend.extensions import db
from backend.models import Alert, AlertEvent, AlertState, User
from backend.models.types import utcnow
from backend.services import audit
from backend.services.alerts.lifecycle import record_event
from backend.services.rows import find_by_id

#: "unresolved": open or notified (what needs attention, mailed or not); "all": every alert.
STATES = ("open", "notified", "unresolved", "resolved", "all")
#: A snooze longer than this is a mistake (or a way to switch the rule off: do that instead).
MAX_SNOOZE = dt.timedelta(days=366)
LIST_LIMIT = 1000


def list_alerts(state: str = "open") -> list[Alert]:
    """Alerts in `state` ('unresolved': open or notified; 'all': every one), newest first."""
    if state not in STATES:
        raise Invalid(f"state must be one of {', '.join(STATES)}", field="state")
    stmt = select(Alert).order_by(Alert.created_at.desc(), Alert.id.desc()).limit(LIST_LIMIT)
    if state == "unresolved":
        stmt = stmt.where(Alert.state != AlertState.RESOLVED)
    elif state != "all":
        stmt = stmt.where(Alert.state == state)
    return list(db.session.scalars(stmt))


def get_alert(alert_id: int, *, for_update: bool = False) -> Alert:
    return find_by_id(Alert, alert_id, missing="No such alert", for_update=for_update)


def history(alert_id: int) -> list[AlertEvent]:
    """The alert's events, oldest first."""
    get_alert(alert_id)
    return list(
        db.session.scalars(
            select(AlertEvent).where(AlertEvent.alert_id == alert_id).order_by(AlertEvent.id)
        )
    )


def acknowledge(actor: User | None, alert_id: int) -> Alert:
    alert = get_alert(alert_id, for_update=True)
    if alert.acknowledged_at is None:
        now = utcnow()
        alert.acknowledged_at, alert.acknowledged_by = now, actor.id if actor else None
        record_event(alert, "acknowledged", None, actor)
        audit.record(
            actor,
            "alert.acknowledge",
            "alert",
            alert.id,
            {"acknowledged_at": None},
            {"acknowledged_at": now},
        )
    db.session.commit()
    return alert


def snooze(actor: User | None, alert_id: int, until: dt.datetime) -> Alert:
    """No mail about this alert until `until` (a reopened alert waits for it too)."""
    if until.tzinfo is None:
        raise Invalid("give the time with its offset (ISO 8601, e.g. ...Z)", field="until")
    now = utcnow()
    if until <= now:
        raise Invalid("the snooze must end in the future", field="until")
    if until - now > MAX_SNOOZE:
        raise Invalid("snooze for at most a year", field="until")
    alert = get_alert(alert_id, for_update=True)
    if alert.state == AlertState.RESOLVED:
        raise Invalid("the alert is resolved", field="state")
    before = alert.snoozed_until
    alert.snoozed_until = until
    record_event(alert, "snoozed", {"until": until.isoformat()}, actor)
    audit.record(
        actor,
        "alert.snooze",
        "alert",
        alert.id,
        {"snoozed_until": before},
        {"snoozed_until": until},
    )
    db.session.commit()
    return alert


#: Longest headline (`headline`) before it is cut at a word with an ellipsis.
HEADLINE_CHARS = 120


def headline(message: str, budget_name: str | None = None) -> str:
    """The point of an alert's message in a line: its first clause (up to the first ': ', the
    sentence's end or the figures in parentheses), without the budget's name in
    parentheses (the list shows it beside), at most HEADLINE_CHARS long."""
    text = " ".join(message.split())
    if budget_name:
        text = text.replace(f" ({' '.join(budget_name.split())})", "")
    ends = [i for i in (text.find(": "), text.find(". "), text.find(" (", 30)) if i > 0]
    if ends:
        text = text[: min(ends)]
    text = text.rstrip(" .")
    if len(text) > HEADLINE_CHARS:
        text = text[: HEADLINE_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;") + "…"
    return text


def describe(alert: Alert) -> dict[str, Any]:
    """The alert as the API shows it."""
    return {
        "id": alert.id,
        "rule": alert.rule,
        "level": alert.level or None,
        "budget_id": alert.budget_id,
        "budget_name": alert.budget_name,
        "scope": alert.scope,
        "period": alert.period,
        "state": alert.state,
        "severity": alert.severity,
        "message": alert.message,
        "summary": headline(alert.message, alert.budget_name),
        "figures": alert.figures,
        "provisional": alert.provisional,
        "occurrence": alert.occurrence,
        "created_at": alert.created_at,
        "updated_at": alert.updated_at,
        "notified_at": alert.notified_at,
        "resolved_at": alert.resolved_at,
        "resolution": alert.resolution,
        "acknowledged_at": alert.acknowledged_at,
        "snoozed_until": alert.snoozed_until,
    }
