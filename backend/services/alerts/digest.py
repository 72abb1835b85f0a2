"""Daily digests: one message per recipient who asked for it, gathering the alert mail held for
them since the last digest. The digest row and the 'digested' marks are written in one
transaction; the digest is then delivered like any other outbox row.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from backend.extensions import db
from backend.models import Alert, MailPreference, OutboxMessage, OutboxStatus
from backend.models.types import utcnow
from backend.services import audit
from backend.services.alerts import rules
from backend.services.alerts.notify import SEVERITY_COLORS, templates


def set_preference(email: str, daily_digest: bool) -> MailPreference:
    """Record how `email` wants alert mail (audited as a system change)."""
    email = email.strip()
    preference = db.session.get(MailPreference, email) or MailPreference(email=email)
    before = (
        {"daily_digest": preference.daily_digest} if preference.daily_digest is not None else None
    )
    preference.daily_digest, preference.updated_at = daily_digest, utcnow()
    db.session.add(preference)
    audit.record(
        None,
        "mail_preference.update",
        "mail_preference",
        email,
        before,
        {"daily_digest": daily_digest},
    )
    db.session.commit()
    return preference


def gather_digests(now: dt.datetime | None = None) -> int:
    """Turn each recipient's held alert mail into one digest row; returns how many digests."""
    now = now or utcnow()
    held = db.session.execute(
        select(OutboxMessage, Alert)
        .join(Alert, Alert.id == OutboxMessage.alert_id, isouter=True)
        .where(OutboxMessage.status == OutboxStatus.HELD)
        .order_by(OutboxMessage.recipient, OutboxMessage.id)
        .with_for_update(of=OutboxMessage, skip_locked=True)
    ).all()
    by_recipient: dict[str, list[tuple[OutboxMessage, Alert | None]]] = {}
    for row, alert in held:
        by_recipient.setdefault(row.recipient.strip().lower(), []).append((row, alert))
    made = 0
    for items in by_recipient.values():
        digest_id = _queue_digest(items[0][0].recipient, items, now)
        ids = [row.id for row, _ in items]
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(status=OutboxStatus.DIGESTED, digest_id=digest_id)
        )
        made += 1
    db.session.commit()
    return made


def _queue_digest(recipient: str, items: list, now: dt.datetime) -> int:
    env = templates()
    entries = [
        {
            "severity_label": (alert.severity if alert else "info").capitalize(),
            "severity_color": SEVERITY_COLORS.get(alert.severity if alert else "info"),
            "rule_label": rules.label(alert.rule) if alert else "Alert",
            "budget_name": alert.budget_name if alert else "",
            "period": alert.period if alert else "",
            "message": alert.message if alert else row.subject,
            "provisional": bool(alert and alert.provisional),
        }
        for row, alert in items
    ]
    subject = f"[Spendlens] Daily digest: {len(entries)} budget alert" + (
        "s" if len(entries) != 1 else ""
    )
    base = current_app.config["DASHBOARD_URL"].rstrip("/")
    values = {"items": entries, "subject": subject, "alerts_url": f"{base}/alerts"}
    who = hashlib.sha256(recipient.strip().lower().encode()).hexdigest()[:16]
    key = f"spendlens-digest-{who}-{now:%Y%m%d%H%M%S}-{items[-1][0].id}"
    stmt = (
        insert(OutboxMessage)
        .values(
            idempotency_key=key,
            kind="digest",
            recipient=recipient,
            subject=subject,
            body_text=env.get_template("digest.txt").render(values),
            body_html=env.get_template("digest.html").render(values),
            status=OutboxStatus.PENDING,
            attempts=0,
        )
        .returning(OutboxMessage.id)
    )
    return db.session.execute(stmt).scalar_one()
