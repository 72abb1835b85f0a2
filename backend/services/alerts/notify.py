"""Alert mail: rendered from the Jinja templates in backend/templates/mail (a plain-text and an
HTML part) and queued in the outbox, in the caller's transaction.

One outbox row per (alert, occurrence, recipient): the idempotency key names all three, so
queueing the same mail again is a no-op. Recipients who asked for a daily digest get their rows
'held' for the digest (backend.services.alerts.digest.gather_digests) instead of 'pending'.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from flask import current_app
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert

from backend.extensions import db
from backend.models import Alert, Budget, MailPreference, OutboxMessage, OutboxStatus
from backend.services.alerts import rules
from backend.services.pacing import BudgetPacing
from backend.services.pacing import describe as describe_pacing

SEVERITY_COLORS = {"info": "#1677ff", "warning": "#d46b08", "critical": "#cf1322"}


@dataclass
class BudgetMail:
    """What every mail about one budget shows besides the alert itself (the pacing answer is
    built when first needed: most evaluations send no mail)."""

    budget: Budget
    scope_label: str
    period_label: str
    period_start: dt.date
    period_last: dt.date
    currency: str
    measured: BudgetPacing | None

    @cached_property
    def pacing(self) -> dict | None:
        if self.measured is None:
            return None
        # a mail about a period that has ended speaks of its days only
        answer = describe_pacing(self.measured, self.budget.amount)
        return answer | {"as_of": self.measured.through}


@lru_cache(maxsize=1)
def templates() -> Environment:
    return Environment(
        loader=PackageLoader("backend", "templates/mail"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


def idempotency_key(alert: Alert, recipient: str) -> str:
    digest = hashlib.sha256(recipient.strip().lower().encode()).hexdigest()[:16]
    return f"spendlens-alert-{alert.id}-{alert.occurrence}-{digest}"


def subject_of(alert: Alert) -> str:
    label = rules.label(alert.rule)
    level = f" {alert.level}%" if alert.level else ""
    name = " ".join(alert.budget_name.split())  # no line break can reach the header
    return f"[Spendlens] {alert.severity.capitalize()}: {name} — {label}{level}"


def render_alert(alert: Alert, context: BudgetMail) -> tuple[str, str]:
    """(plain text, HTML) of an alert's mail."""
    env = templates()
    base = current_app.config["DASHBOARD_URL"].rstrip("/")
    figures = figure_rows(alert.figures or {}, context.currency)
    values: dict[str, Any] = {
        "alert": alert,
        "subject": subject_of(alert),
        "budget": context.budget,
        "scope_label": context.scope_label,
        "period_label": context.period_label,
        "period_start": context.period_start.isoformat(),
        "period_last": context.period_last.isoformat(),
        "rule_label": rules.label(alert.rule),
        "severity_label": alert.severity.capitalize(),
        "severity_color": SEVERITY_COLORS.get(alert.severity, "#595959"),
        "figures": figures,
        # the figures' labels in one column, at least one space before every value
        "figure_width": max((len(label) + 2 for label, _ in figures), default=0),
        "pacing": context.pacing,
        "mape_rows": mape_rows(context.pacing),
        "money": lambda v: money_text(v, context.currency),
        "pct": lambda v: "—" if v is None else f"{float(v):.1f}%",
        "budget_url": f"{base}/budgets?budget={context.budget.id}",
        "alerts_url": f"{base}/alerts",
    }
    return env.get_template("alert.txt").render(values), env.get_template("alert.html").render(
        values
    )


def money_text(value: Any, currency: str) -> str:
    return "—" if value is None else f"{currency} {float(value):,.2f}"


def figure_rows(figures: dict, currency: str) -> list[tuple[str, str]]:
    """(label, value) of each figure the mail shows, as its rule declares it (`rules.figure`)."""
    rows = []
    for key, value in figures.items():
        figure = rules.figure(key)
        shown = figure.text(value, currency)
        if shown is not None:
            rows.append((figure.label, shown))
    return rows


def mape_rows(pacing: dict | None) -> list[tuple[str, list[tuple[str, str]]]]:
    mape = (pacing or {}).get("mape") or {}
    rows = []
    for method in ("seasonal", "linear"):
        values = mape.get(method)
        if values:
            shown = [(f"day {k[1:]}", "—" if v is None else f"{v:.1%}") for k, v in values.items()]
            rows.append((method.capitalize(), shown))
    return rows


def digest_recipients(recipients: set[str]) -> set[str]:
    """The recipients (lower-cased) who asked for a daily digest."""
    if not recipients:
        return set()
    rows = db.session.scalars(
        select(MailPreference.email).where(
            MailPreference.daily_digest.is_(True),
            db.func.lower(MailPreference.email).in_(sorted(recipients)),
        )
    )
    return {email.lower() for email in rows}


def queue_alert_mail(alerts: list[tuple[Alert, BudgetMail]]) -> int:
    """Queue each alert's mail to each recipient of its budget (rows already there are kept);
    returns how many rows were added."""
    if not alerts:
        return 0
    ids = [alert.id for alert, _ in alerts]
    queued = set(
        db.session.execute(
            text("SELECT idempotency_key FROM mail_outbox WHERE alert_id = ANY(:ids)"),
            {"ids": ids},
        ).scalars()
    )
    everyone = {r.strip().lower() for _, c in alerts for r in c.budget.recipients or []}
    digest = digest_recipients(everyone)
    rows = []
    for alert, context in alerts:
        missing = [
            r for r in context.budget.recipients or [] if idempotency_key(alert, r) not in queued
        ]
        if not missing:
            continue
        body_text, body_html = render_alert(alert, context)
        for recipient in missing:
            held = recipient.strip().lower() in digest
            rows.append(
                {
                    "idempotency_key": idempotency_key(alert, recipient),
                    "alert_id": alert.id,
                    "kind": "alert",
                    "recipient": recipient,
                    "subject": subject_of(alert),
                    "body_text": body_text,
                    "body_html": body_html,
                    "status": OutboxStatus.HELD if held else OutboxStatus.PENDING,
                    "attempts": 0,
                }
            )
    if not rows:
        return 0
    table = OutboxMessage.__table__
    stmt = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)
    )
    return len(db.session.connection().execute(stmt, rows).all())
