"""Sync runs: one row per attempt to fetch a window of an account's data.

A run whose task was lost (its worker died, the broker forgot its message) is failed by the
reaper with error_kind `orphaned`, and a new run of the same window points back at it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import Money, created_at_column


class SyncStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class SyncRun(db.Model):
    __tablename__ = "sync_runs"
    __table_args__ = (
        Index(
            "ix_sync_runs_unfinished",
            "status",
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    ad_account_id: Mapped[int] = mapped_column(
        ForeignKey("ad_accounts.id", ondelete="CASCADE"), index=True
    )
    #: scheduled, manual or backfill
    kind: Mapped[str] = mapped_column(String(16))
    window_start: Mapped[dt.date] = mapped_column(Date)
    window_end: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=SyncStatus.QUEUED)
    task_id: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int] = mapped_column(BigInteger, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    error_kind: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = created_at_column()
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    #: last sign of life of the run's task: set when it starts, every few seconds while it
    #: runs, and when it is put back in the queue to retry
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: the run this one does again, after the reaper found that run's task gone
    retry_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("sync_runs.id", ondelete="SET NULL"), index=True
    )
    platform_spend: Mapped[Decimal | None] = mapped_column(Money)
    stored_spend: Mapped[Decimal | None] = mapped_column(Money)
    reconciliation_diff: Mapped[Decimal | None] = mapped_column(Money)
    reconciliation_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
