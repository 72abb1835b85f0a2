"""Daily rollups in the reporting currency, derived from the campaign-level facts.

One row per (date, account, campaign, breakdown, country, device), with the native amounts, the
rate used and whether it was the day's own rate ('exact'), an earlier one carried forward
('carried') or none at all ('missing': reporting amounts NULL, never zero). Refreshed for exactly
the slice a sync touched; the dashboard reads these and never the ad-level facts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import Money


class DailyRollup(db.Model):
    __tablename__ = "daily_rollups"
    __table_args__ = (
        CheckConstraint("fx_status IN ('exact', 'carried', 'missing')", name="fx_status_known"),
        Index("ix_daily_rollups_breakdown_date_platform", "breakdown", "date", "platform"),
        Index("ix_daily_rollups_campaign_date", "campaign_id", "date"),
    )

    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    ad_account_id: Mapped[int] = mapped_column(
        ForeignKey("ad_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    breakdown: Mapped[str] = mapped_column(String(16), primary_key=True)
    country: Mapped[str] = mapped_column(String(8), primary_key=True)
    device: Mapped[str] = mapped_column(String(32), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    spend_native: Mapped[Decimal] = mapped_column(Money)
    conversion_value_native: Mapped[Decimal] = mapped_column(Money)
    impressions: Mapped[int] = mapped_column(BigInteger)
    clicks: Mapped[int] = mapped_column(BigInteger)
    installs: Mapped[int] = mapped_column(BigInteger)
    conversions: Mapped[Decimal] = mapped_column(Money)
    reporting_currency: Mapped[str] = mapped_column(String(3))
    fx_rate: Mapped[Decimal | None] = mapped_column(Numeric(24, 12))
    fx_date: Mapped[dt.date | None] = mapped_column(Date)
    fx_status: Mapped[str] = mapped_column(String(16))
    spend: Mapped[Decimal | None] = mapped_column(Money)
    conversion_value: Mapped[Decimal | None] = mapped_column(Money)
