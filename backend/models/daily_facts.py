"""Daily metric facts in the account's currency and time zone, at campaign and at ad level.

The natural key is unique; levels and breakdowns that do not apply hold the sentinel '-'
(never NULL). `breakdown` tells which breakdown a row belongs to ('none', 'country', 'device'),
so totals read only `breakdown = 'none'` rows and never double count.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import Money

BREAKDOWNS = ("none", "country", "device")


class _DailyFacts:
    ad_account_id: Mapped[int] = mapped_column(
        ForeignKey("ad_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    breakdown: Mapped[str] = mapped_column(String(16), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    country: Mapped[str] = mapped_column(String(8), primary_key=True)
    device: Mapped[str] = mapped_column(String(32), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    spend: Mapped[object] = mapped_column(Money)
    impressions: Mapped[int] = mapped_column(BigInteger)
    clicks: Mapped[int] = mapped_column(BigInteger)
    installs: Mapped[int] = mapped_column(BigInteger)
    conversions: Mapped[object] = mapped_column(Money)
    conversion_value: Mapped[object] = mapped_column(Money)
    attribution: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    sync_run_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("sync_runs.id", ondelete="SET NULL")
    )


class CampaignDailyMetric(_DailyFacts, db.Model):
    __tablename__ = "campaign_daily_metrics"
    __table_args__ = (
        CheckConstraint("breakdown IN ('none', 'country', 'device')", name="breakdown_known"),
        Index("ix_campaign_daily_metrics_campaign_date", "campaign_id", "date"),
    )


class AdDailyMetric(_DailyFacts, db.Model):
    __tablename__ = "ad_daily_metrics"
    __table_args__ = (
        CheckConstraint("breakdown IN ('none', 'country', 'device')", name="breakdown_known"),
        Index("ix_ad_daily_metrics_campaign_date", "campaign_id", "date"),
    )

    ad_group_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ad_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ad_group_name: Mapped[str] = mapped_column(String(512))
    ad_name: Mapped[str] = mapped_column(String(512))
