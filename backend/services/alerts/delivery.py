"""Delivering the mail outbox over SMTP, with retries and backoff, and the daily digests.

Claiming: `SELECT ... FOR UPDATE SKIP LOCKED` picks due rows (pending and due, or stuck in
'sending' for longer than `LEASE`), marks them 'sending' and commits *before* any SMTP command,
so concurrent deliverers never take the same row. After the server accepts a message its row is
marked 'sent' in its own short transaction; a failure puts it back to 'pending' with a later
`next_attempt_at` (doubling from `RETRY_BASE` up to `RETRY_CAP`), or 'failed' when the server
refused it for good. A server that cannot be reached delays every message and loses none.

At-least-once, by choice: a worker that dies between the server's "250 OK" and the 'sent'
commit leaves its row in 'sending'; after the lease the row is sent again. Missing a budget alert
costs more than a rare duplicate, and the duplicate carries the same Message-ID (the idempotency
key), so mail systems that deduplicate on it drop it and readers can tell. The window is the
one UPDATE after the SMTP answer; a retried *task* (the broker redelivering it after a crash)
never re-sends a row already marked 'sent', nor one another worker holds.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import text

from backend.extensions import db
from backend.models import OutboxMessage, OutboxStatus
from backend.models.types import utcnow
from backend.services.mail import MailError, SmtpConnection, SmtpSettings, build_message

log = logging.getLogger("spendlens.mail")

LEASE = dt.timedelta(minutes=10)
RETRY_BASE = dt.timedelta(seconds=5)
RETRY_CAP = dt.timedelta(minutes=15)
BATCH = 50


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    #: When the earliest message still waiting is due (None: nothing waits).
    next_due: dt.datetime | None = None
    errors: list[str] = field(default_factory=list)


def retry_delay(attempts: int) -> dt.timedelta:
    """Wait before attempt `attempts + 1`: 5 s, 10 s, 20 s … at most 15 minutes."""
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_CAP)


def claim(limit: int = BATCH, now: dt.datetime | None = None) -> list[OutboxMessage]:
    """Take up to `limit` due rows for this deliverer (committed as 'sending')."""
    now = now or utcnow()
    ids = (
        db.session.execute(
            text(
                """
                WITH due AS (
                    SELECT id FROM mail_outbox
                    WHERE (status = 'pending' AND next_attempt_at <= :now)
                       OR (status = 'sending' AND claimed_at < :stale)
                    ORDER BY next_attempt_at, id
                    LIMIT :limit
                    FOR UPDATE SKIP LOCKED
                )
                UPDATE mail_outbox m SET status = 'sending', claimed_at = :now
                FROM due WHERE m.id = due.id
                RETURNING m.id
                """
            ),
            {"now": now, "stale": now - LEASE, "limit": limit},
        )
        .scalars()
        .all()
    )
    db.session.commit()
    if not ids:
        return []
    return list(
        db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
        )
    )


def deliver_due(limit: int = BATCH, now: dt.datetime | None = None) -> DeliveryReport:
    """Send every due message, batch after batch, until none is due or the server fails."""
    report = DeliveryReport()
    settings = SmtpSettings.from_config(current_app.config)
    while True:
        rows = claim(limit, now)
        if not rows:
            break
        if not _send_batch(settings, rows, report):
            break
    report.next_due = db.session.execute(
        text("SELECT min(next_attempt_at) FROM mail_outbox WHERE status = 'pending'")
    ).scalar()
    db.session.commit()
    return report


def _send_batch(settings: SmtpSettings, rows: list[OutboxMessage], report: DeliveryReport) -> bool:
    """Send the claimed rows over one connection; False when the server could not be used."""
    try:
        with SmtpConnection(settings) as smtp:
            for index, row in enumerate(rows):
                try:
                    smtp.send(_message(settings, row))
                except MailError as exc:
                    _failed(row, exc, report)
                    if not exc.permanent:
                        _release(rows[index + 1 :], str(exc))
                        return False
                    continue
                _sent(row, report)
    except MailError as exc:
        for row in rows:
            if row.status == OutboxStatus.SENDING:
                _failed(row, exc, report)
        return False
    return True


def _message(settings: SmtpSettings, row: OutboxMessage):
    try:
        return build_message(
            settings,
            recipient=row.recipient,
            subject=row.subject,
            text=row.body_text,
            html=row.body_html,
            idempotency_key=row.idempotency_key,
        )
    except (ValueError, TypeError) as exc:  # a header no server would take: never retried
        raise MailError(f"message cannot be built: {exc}", permanent=True) from exc


def _sent(row: OutboxMessage, report: DeliveryReport) -> None:
    now = utcnow()
    row.status, row.sent_at, row.last_error = OutboxStatus.SENT, now, None
    row.attempts += 1
    _mark_notified(row, now)
    db.session.commit()
    report.sent += 1


def _mark_notified(row: OutboxMessage, now: dt.datetime) -> None:
    """The first delivered mail of an alert's occurrence makes it 'notified' (and so do the
    alerts gathered into a delivered digest)."""
    alert_ids = [row.alert_id] if row.alert_id else []
    if row.kind == "digest":
        alert_ids = list(
            db.session.execute(
                text("SELECT alert_id FROM mail_outbox WHERE digest_id = :id AND alert_id > 0"),
                {"id": row.id},
            ).scalars()
        )
    for alert_id in alert_ids:
        changed = db.session.execute(
            text(
                "UPDATE alerts SET state = 'notified', notified_at = :now "
                "WHERE id = :id AND state = 'open' RETURNING id"
            ),
            {"id": alert_id, "now": now},
        ).scalar()
        if changed:
            db.session.execute(
                text(
                    "INSERT INTO alert_events (alert_id, at, kind, detail) "
                    "VALUES (:id, :now, 'notified', CAST(:detail AS jsonb))"
                ),
                {"id": alert_id, "now": now, "detail": _json({"recipient": row.recipient})},
            )


def _failed(row: OutboxMessage, exc: MailError, report: DeliveryReport) -> None:
    row.attempts += 1
    row.last_error = str(exc)[:2000]
    if exc.permanent:
        row.status = OutboxStatus.FAILED
        report.failed += 1
        log.error("mail %s to %s refused for good: %s", row.id, row.recipient, exc)
    else:
        row.status = OutboxStatus.PENDING
        row.next_attempt_at = utcnow() + retry_delay(row.attempts)
        report.retried += 1
        log.warning(
            "mail %s to %s: %s; retrying at %s", row.id, row.recipient, exc, row.next_attempt_at
        )
    report.errors.append(str(exc))
    db.session.commit()


def _release(rows: list[OutboxMessage], reason: str) -> None:
    """Hand back rows not tried because the server failed on an earlier one."""
    for row in rows:
        row.status, row.next_attempt_at = OutboxStatus.PENDING, utcnow() + RETRY_BASE
        row.last_error = f"not tried: {reason}"[:2000]
    db.session.commit()


def _json(value: dict) -> str:
    import json

    return json.dumps(value)
