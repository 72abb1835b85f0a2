"""Users, their one role, and their signed-in sessions."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import created_at_column


class Role(StrEnum):
    ADMIN = "admin"
    MARKETER = "marketer"
    FINANCE = "finance"


def normalize_email(email: str) -> str:
    """An email as `users.email` stores it (trimmed, lower case): the unique key of an account."""
    return email.strip().lower()


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'marketer', 'finance')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = created_at_column()

    # The interface flask-login expects of a logged-in user (is_active is the column above).
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)


class UserSession(db.Model):
    """A browser's signed-in session: the cookie carries a random key, the server keeps its
    SHA-256 digest. Deleting the row ends the session, whatever copies of the cookie exist."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = created_at_column()
    #: Written at most every few minutes; a session idle longer than its lifetime has ended.
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
