"""The mail outbox: every message Spendlens sends, written in the transaction that decides to
send it and delivered later by a worker.

`idempotency_key` is unique (one row per alert occurrence and recipient) and is also the
Message-ID's local part, so a message delivered twice after a crash is recognisably the same.
Delivery states: pending → sending (claimed, with `claimed_at` as its lease) → sent, or back to
pending with a later `next_attempt_at`, or failed when the server refused it for good. A
recipient who asked for a daily digest gets rows that wait as 'held' until the digest gathers
them ('digested', `digest_id` pointing at the digest's own row).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import created_at_column


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"
    DIGESTED = "digested"


class OutboxMessage(db.Model):
    __tablename__ = "mail_outbox"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'held', 'digested')",
            name="status_known",
        ),
        Index("ix_mail_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    alert_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("alerts.id", ondelete="SET NULL"), index=True
    )
    #: 'alert' or 'digest'
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    digest_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("mail_outbox.id", ondelete="SET NULL"), index=True
    )
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at_column()


class MailPreference(db.Model):
    """How a recipient wants alert mail: one message per alert (the default) or a daily digest."""

    __tablename__ = "mail_preferences"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    daily_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = created_at_column()
