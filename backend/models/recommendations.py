"""Recommendation runs: a budget reallocation computed from fitted response curves, stored with
its inputs, the LTV model version whose predictions it used, the curves, the recommendation and
its backtest; and, once finance applies it, the budgets it wrote (so that it can be undone)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, DateTime, Double, ForeignKey, Index, Integer, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import created_at_column


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


class RecommendationRun(db.Model):
    __tablename__ = "recommendation_runs"
    __table_args__ = (
        Index("ix_recommendation_runs_status_id", "status", "id"),
        CheckConstraint(
            "status IN ('queued', 'running', 'ready', 'failed')", name="recommendation_status"
        ),
        CheckConstraint("trigger IN ('schedule', 'request')", name="recommendation_trigger"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(Text, default=RunStatus.QUEUED.value)
    trigger: Mapped[str] = mapped_column(Text, default="request")
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = created_at_column()
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)
    #: What was asked: level, mode, total budget or target ROAS, constraints, outcome, horizon.
    inputs: Mapped[dict] = mapped_column(JSONB, default=dict)
    #: The LTV model version whose predictions were the outcome (None: another outcome).
    model_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("model_versions.id", ondelete="SET NULL")
    )
    #: Days of data fitted on.
    data_start: Mapped[dt.date | None] = mapped_column(Date)
    data_end: Mapped[dt.date | None] = mapped_column(Date)
    #: The fitted items (curves with their bootstrap draws) the what-if reallocates.
    curves: Mapped[dict | None] = mapped_column(JSONB)
    result: Mapped[dict | None] = mapped_column(JSONB)
    backtest: Mapped[dict | None] = mapped_column(JSONB)
    #: Expected gain of the recommendation over current spend, as a share of current outcome.
    expected_gain_share: Mapped[float | None] = mapped_column(Double)
    applied_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    applied_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The budgets the application created or changed, with their amounts before.
    application: Mapped[dict | None] = mapped_column(JSONB)
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
