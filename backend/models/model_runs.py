"""LTV, churn and first-purchase model versions, their per-customer outputs, and their drift as
cohorts mature.

A version is trained by Spendlens (`source` 'spendlens') or imported from a data-science team's
own scores (`source` 'import:<name>', `algorithm` 'external'). At most one version per `kind` is
active; the dashboards read the active one.

For a trained version the windows are those of the backtest origin its top-level metrics come
from: the deployed procedure was fitted on data through `training_end` and judged on the revenue
of (`holdout_start`, `holdout_end`), having been chosen and calibrated on earlier origins; the
chosen kinds are then refitted on all data through `holdout_end` (the scoring date,
`params["scored_as_of"]`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Text,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import Money, created_at_column

#: Horizons (days from acquisition) of the stored LTV predictions and of the drift.
LTV_HORIZONS_DAYS = (30, 90, 365)


class ModelKind(StrEnum):
    LTV = "ltv"
    CHURN = "churn"
    #: P(first purchase within 7 and 30 days) of recent customers (analytics/early).
    FIRST_PURCHASE = "first_purchase"


class ModelStatus(StrEnum):
    TRAINING = "training"
    READY = "ready"
    FAILED = "failed"


class ModelVersion(db.Model):
    __tablename__ = "model_versions"
    __table_args__ = (
        CheckConstraint("kind IN ('ltv', 'churn', 'first_purchase')", name="kind_known"),
        CheckConstraint("status IN ('training', 'ready', 'failed')", name="status_known"),
        CheckConstraint("NOT is_active OR status = 'ready'", name="active_is_ready"),
        Index(
            "uq_model_versions_active_kind",
            "kind",
            unique=True,
            postgresql_where=text("is_active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(Text)
    #: 'mbgnbd_gg', 'bgnbd_gg', 'hgb_poisson', 'blend_mbgnbd_hgb'; churn: 'mbgnbd', 'hgb' or
    #: 'logistic' (the classifier the backtest chose); 'external'.
    algorithm: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, default=ModelStatus.TRAINING)
    is_active: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: When this version was last asked to become active (or made active by a training or an
    #: import): of the requests the workers carry out, the latest one of a kind wins.
    activation_requested_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    trained_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    training_start: Mapped[dt.date | None] = mapped_column(Date)
    training_end: Mapped[dt.date | None] = mapped_column(Date)
    holdout_start: Mapped[dt.date | None] = mapped_column(Date)
    holdout_end: Mapped[dt.date | None] = mapped_column(Date)
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    #: Backtest metrics (see the API's ModelVersionSchema): the deployed procedure's at the top
    #: level, every candidate's under "candidates", churn under "churn", by horizon and cohort
    #: age under "backtest"; {"error": ...} for a failed run.
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    #: 'spendlens' or 'import:<name>'.
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at_column()


class ModelOutput(db.Model):
    """One customer's scores under one version, in the reporting currency.

    `predicted_ltv_N` is the predicted TOTAL revenue of the customer from acquisition through
    day N, day 1 being the UTC acquisition date (revenue of UTC dates acquisition_date ..
    acquisition_date + N - 1): the revenue realized by the scoring date plus the predicted
    remainder of those N days (just the realized revenue once the customer is older than N days).
    `churn_probability` = P(no purchase in the 90 days after the scoring date); `p_alive` =
    P(the customer is still active at the scoring date).
    """

    __tablename__ = "model_outputs"

    #: References model_versions and customers (deleting either deletes its outputs), kept by
    #: statement-level triggers instead of foreign keys, whose per-row checks a 1M-row COPY
    #: ran 2M times (backend/services/roi/sql/model_outputs_references.sql, migration 0026).
    model_version_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)
    predicted_ltv_30: Mapped[Decimal | None] = mapped_column(Money)
    predicted_ltv_90: Mapped[Decimal | None] = mapped_column(Money)
    predicted_ltv_365: Mapped[Decimal | None] = mapped_column(Money)
    churn_probability: Mapped[Decimal | None] = mapped_column(Numeric)
    p_alive: Mapped[Decimal | None] = mapped_column(Numeric)
    #: First-purchase versions: P(first purchase within 7 / 30 days of acquisition) of a
    #: customer acquired in the 30 days before the scoring (1 or 0 once they have paid).
    p_first_purchase_7: Mapped[Decimal | None] = mapped_column(Numeric)
    p_first_purchase_30: Mapped[Decimal | None] = mapped_column(Numeric)
    scored_at: Mapped[dt.datetime] = created_at_column()


class ModelDrift(db.Model):
    """Predicted vs realized revenue of one acquisition cohort (the week starting Monday
    `cohort_date`) through day `horizon_days`, measured once the whole cohort is that old."""

    __tablename__ = "model_drift"

    model_version_id: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True
    )
    cohort_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    horizon_days: Mapped[int] = mapped_column(Integer, primary_key=True)
    customers: Mapped[int] = mapped_column(Integer)
    predicted: Mapped[Decimal | None] = mapped_column(Money)
    realized: Mapped[Decimal | None] = mapped_column(Money)
    measured_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
