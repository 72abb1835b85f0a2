"""Acquired customers, their revenue events (the user data the LTV and churn models learn from)
and their in-app events (the early signals of first purchase and traffic quality).

A customer is acquired at `acquired_at`; `acquisition_date` is its UTC date and the customer's
cohort date. The acquisition is attributed to a platform and, when known, to a stored ad account
and campaign (`campaign_id` is resolved from the account and `campaign_external_id` once the
campaign has been synced). Revenue events keep the native amount and its conversion into the
reporting currency at the rate of the event's UTC date, by the rule of the daily rollups: the
day's rate ('exact'), else the latest earlier one ('carried'), else none ('missing': NULL, never
zero).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    CHAR,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Numeric,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import Money, created_at_column

FX_STATUSES = ("exact", "carried", "missing")


class Customer(db.Model):
    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_acquisition_date", "acquisition_date"),
        Index("ix_customers_campaign_id", "campaign_id"),
        Index("ix_customers_ad_account_id", "ad_account_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    #: The customer's id in the user's own systems.
    external_id: Mapped[str] = mapped_column(Text, unique=True)
    acquired_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    #: UTC date of `acquired_at`: the cohort date.
    acquisition_date: Mapped[dt.date] = mapped_column(Date)
    platform: Mapped[str | None] = mapped_column(Text)
    ad_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("ad_accounts.id", ondelete="SET NULL")
    )
    campaign_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    campaign_external_id: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(Text)
    device: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at_column()


class RevenueEvent(db.Model):
    __tablename__ = "revenue_events"
    __table_args__ = (
        CheckConstraint("fx_status IN ('exact', 'carried', 'missing')", name="fx_status_known"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_iso"),
    )

    event_id: Mapped[str] = mapped_column(Text, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(CHAR(3))
    #: `amount` in the reporting currency at the rate of the event's UTC date; NULL when missing.
    amount_reporting: Mapped[Decimal | None] = mapped_column(Money)
    fx_status: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[dt.datetime] = created_at_column()


class CustomerEvent(db.Model):
    """An in-app event of a customer (tutorial_complete, session_start, ...), the early signal
    the first-purchase and traffic-quality models read; `value` and `properties` are optional."""

    __tablename__ = "customer_events"
    __table_args__ = (
        Index("ix_customer_events_customer_id_occurred_at", "customer_id", "occurred_at"),
    )

    #: An opaque key, compared byte by byte (its key sorts faster when rebuilt).
    event_id: Mapped[str] = mapped_column(Text(collation="C"), primary_key=True)
    #: References customers (deleting one deletes its events), kept by statement-level triggers
    #: instead of a foreign key, whose per-row check and lock cost a daily load of 1M events
    #: half its time (migration 0034).
    customer_id: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    name: Mapped[str] = mapped_column(Text)
    value: Mapped[Decimal | None] = mapped_column(Numeric(20, 6))
    properties: Mapped[dict | None] = mapped_column(JSONB)
    loaded_at: Mapped[dt.datetime] = created_at_column()


class CustomerSuspicion(db.Model):
    """A customer's traffic-quality judgement (`analytics.early.traffic`) as last scored: the
    suspicion score, the reasons that raised it (codes of `REASON_LABELS`) and whether that makes
    the customer suspect. Written by backend.services.early.suspicion, which also marks
    `roi_customers.suspect` for the ROI figures that exclude suspect traffic."""

    __tablename__ = "customer_suspicion"

    customer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[float] = mapped_column(Double)
    reasons: Mapped[list[str]] = mapped_column(ARRAY(Text))
    suspect: Mapped[bool] = mapped_column(Boolean)
    scored_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
