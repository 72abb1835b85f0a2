"""Budgets: an amount in the reporting currency for one scope (everything, a platform, an ad
account or a campaign) over one month or quarter, the people alerted and the alert rules.

The forecast's measured error (the backtest) is kept on the row with the day it was measured,
so that evaluation re-runs it once a day and not on every sync.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    String,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import Money, created_at_column


class ScopeType(StrEnum):
    ALL = "all"
    PLATFORM = "platform"
    ACCOUNT = "account"
    CAMPAIGN = "campaign"


class BudgetPeriod(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


_SCOPE_SHAPE = (
    "(scope_type = 'all' AND platform IS NULL AND ad_account_id IS NULL AND campaign_id IS NULL)"
    " OR (scope_type = 'platform' AND platform IS NOT NULL AND ad_account_id IS NULL"
    " AND campaign_id IS NULL)"
    " OR (scope_type = 'account' AND ad_account_id IS NOT NULL AND campaign_id IS NULL)"
    " OR (scope_type = 'campaign' AND ad_account_id IS NOT NULL AND campaign_id IS NOT NULL)"
)


class Budget(db.Model):
    __tablename__ = "budgets"
    __table_args__ = (
        CheckConstraint(_SCOPE_SHAPE, name="scope_shape"),
        CheckConstraint("period IN ('month', 'quarter')", name="period_known"),
        CheckConstraint(
            "extract(day FROM period_start) = 1 AND (period = 'month' OR "
            "extract(month FROM period_start) IN (1, 4, 7, 10))",
            name="period_start_first_day",
        ),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("target_roas IS NULL OR target_roas > 0", name="target_roas_positive"),
        Index("ix_budgets_period_start", "period_start"),
        Index("ix_budgets_scope", "scope_type", "platform"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    scope_type: Mapped[str] = mapped_column(String(16))
    #: Set for every scope but 'all' (derived from the account for account and campaign scopes).
    platform: Mapped[str | None] = mapped_column(String(32))
    ad_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("ad_accounts.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    recipients: Mapped[list[str]] = mapped_column(ARRAY(String(320)))
    target_roas: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    #: {rule name: {"enabled": bool, **parameters}} (backend.services.alerts.rules).
    rules: Mapped[dict] = mapped_column(JSONB)
    #: 'seasonal' or 'linear': the forecast with the lower backtest error.
    forecast_method: Mapped[str | None] = mapped_column(String(16))
    #: {"seasonal": {"d5", "d10", "d20"}, "linear": {...}, "months": n}, errors as fractions.
    forecast_mape: Mapped[dict | None] = mapped_column(JSONB)
    backtested_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
