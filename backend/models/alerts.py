"""Budget alerts and their history.

One alert per (budget, rule, scope, period, level): re-evaluating finds the same row (the unique
constraint makes a duplicate impossible, even for two evaluations at once). States go
open → notified → resolved, and back to open when the cause returns (`occurrence` counts the
times, each with its own mail). Every change is an `AlertEvent`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import created_at_column


class AlertState(StrEnum):
    OPEN = "open"
    NOTIFIED = "notified"
    RESOLVED = "resolved"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Alert(db.Model):
    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("budget_id", "rule", "scope_key", "period_start", "level"),
        CheckConstraint("state IN ('open', 'notified', 'resolved')", name="state_known"),
        CheckConstraint("severity IN ('info', 'warning', 'critical')", name="severity_known"),
        Index("ix_alerts_state_created_at", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    budget_id: Mapped[int | None] = mapped_column(ForeignKey("budgets.id", ondelete="SET NULL"))
    budget_name: Mapped[str] = mapped_column(String(255))
    rule: Mapped[str] = mapped_column(String(32))
    #: The threshold level in percent ('80'); '' for the rules without levels.
    level: Mapped[str] = mapped_column(String(16), default="")
    scope: Mapped[dict] = mapped_column(JSONB)
    #: The scope as a key ('all', 'platform:meta', 'account:3', 'campaign:42').
    scope_key: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default=AlertState.OPEN)
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    figures: Mapped[dict] = mapped_column(JSONB)
    #: The cause rests on days the platform may still restate.
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    occurrence: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = created_at_column()
    notified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(Text)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    snoozed_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AlertEvent(db.Model):
    """One step of an alert's history: opened, updated, notified, acknowledged, snoozed,
    resolved, reopened."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    alert_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("alerts.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = created_at_column()
    kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    detail: Mapped[dict | None] = mapped_column(JSONB)
