"""Ad accounts (one per platform account, with encrypted credentials) and their campaigns."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import created_at_column


class AccountStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    NEEDS_CREDENTIALS = "needs_credentials"


class AdAccount(db.Model):
    __tablename__ = "ad_accounts"
    __table_args__ = (
        UniqueConstraint("platform", "external_id"),
        # which platforms exist is the connector registry's to say (migration 0016)
        CheckConstraint("platform ~ '^[a-z][a-z0-9_]*$'", name="platform_name"),
        CheckConstraint(
            "status IN ('active', 'disabled', 'needs_credentials')", name="status_known"
        ),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_iso"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    currency: Mapped[str] = mapped_column(String(3))
    timezone: Mapped[str] = mapped_column(String(64))
    #: The manager account the platform is reached through (Google Ads login-customer-id).
    manager_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), default=AccountStatus.ACTIVE)
    #: Fernet token of the JSON credentials; never returned by the API.
    credentials_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    credentials_expire_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: First day ever to fetch (a backfill may go further back).
    history_start: Mapped[dt.date | None] = mapped_column(Date)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = created_at_column()


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("ad_account_id", "external_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    ad_account_id: Mapped[int] = mapped_column(
        ForeignKey("ad_accounts.id", ondelete="CASCADE"), index=True
    )
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(512))
    first_seen: Mapped[dt.date | None] = mapped_column(Date)
    last_seen: Mapped[dt.date | None] = mapped_column(Date)
