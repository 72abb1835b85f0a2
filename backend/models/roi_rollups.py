"""Monthly rollups: the daily rollups summed per calendar month, for the ROI dashboards.

A query over a long date range reads the whole months inside it from here and only the partial
months at its ends from `daily_rollups`, so its cost depends on the number of campaigns and
months, not days. Rebuilt from `daily_rollups` for the months a sync or an FX reload touched.
Reporting amounts are NULL when any day of the month had no exchange rate (`fx_missing_days`
counts them): a month is never summed over the days that could be converted only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Date, Double, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from analytics.revenue_curves import CHECKPOINTS
from backend.extensions import db
from backend.models.types import Money


class MonthlyRollup(db.Model):
    __tablename__ = "monthly_rollups"
    __table_args__ = (
        Index("ix_monthly_rollups_breakdown_month", "breakdown", "month"),
        Index("ix_monthly_rollups_campaign_month", "campaign_id", "month"),
    )

    #: First day of the month.
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    ad_account_id: Mapped[int] = mapped_column(
        ForeignKey("ad_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    breakdown: Mapped[str] = mapped_column(String(16), primary_key=True)
    country: Mapped[str] = mapped_column(String(8), primary_key=True)
    device: Mapped[str] = mapped_column(String(32), primary_key=True)
    reporting_currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    days: Mapped[int] = mapped_column(Integer)
    fx_missing_days: Mapped[int] = mapped_column(Integer)
    spend_native: Mapped[Decimal] = mapped_column(Money)
    impressions: Mapped[int] = mapped_column(BigInteger)
    clicks: Mapped[int] = mapped_column(BigInteger)
    installs: Mapped[int] = mapped_column(BigInteger)
    conversions: Mapped[Decimal] = mapped_column(Money)
    spend: Mapped[Decimal | None] = mapped_column(Money)
    conversion_value: Mapped[Decimal | None] = mapped_column(Money)


#: Days since acquisition at which each customer's cumulative revenue is kept (the first n days;
#: day 1 is the UTC acquisition date): the curves' checkpoints.
REVENUE_CHECKPOINTS = CHECKPOINTS


def revenue_column(days: int) -> str:
    """Cumulative revenue of the first `days` days, e.g. ``revenue_7d``."""
    return f"revenue_{days}d"


class CustomerRevenue(db.Model):
    """Each customer's revenue in the reporting currency, summed for the ROI dashboards: the
    total, the cumulative revenue at each checkpoint, and the day of the last purchase.

    Maintained by triggers on revenue_events (insert, update, delete) and on customers (a new
    acquisition date), in the writer's transaction; see migration 0007. Amounts are double
    precision for fast sums (revenue_events keeps the exact ones); an amount without an exchange
    rate makes every figure that includes it NaN, so sums over it stay unknown, never smaller.
    A customer without any revenue event has no row.
    """

    __tablename__ = "customer_revenue"

    customer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    events: Mapped[int] = mapped_column(Integer)
    revenue: Mapped[float] = mapped_column(Double)
    #: Days from the acquisition date to the last purchase's UTC date (0: the acquisition date).
    last_purchase_day: Mapped[int] = mapped_column(Integer)


for _days in REVENUE_CHECKPOINTS:
    setattr(
        CustomerRevenue,
        revenue_column(_days),
        mapped_column(revenue_column(_days), Double, nullable=False),
    )
