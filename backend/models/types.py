"""Column types shared by the models."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Numeric, func
from sqlalchemy.orm import mapped_column

#: Money in a native or reporting currency: exact, six decimals (Google's micros).
Money = Numeric(20, 6)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def created_at_column():
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
