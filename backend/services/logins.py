"""Checking a password at login (and at a password change), with the account lockout.

After MAX_FAILURES wrong passwords in a row an account is locked for LOCK_FOR. Every refusal —
unknown email, wrong password, inactive or locked account — answers the same 401 message and
takes about the same time, so a login attempt does not tell whether an email has an account.
The user's row is locked while its password is checked, so parallel guesses are all counted.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from backend.auth.passwords import verify_password
from backend.errors import ServiceError
from backend.extensions import db
from backend.models import User
from backend.models.types import utcnow
from backend.services import audit
from backend.services.users import normalize_email

log = logging.getLogger("spendlens.auth")

MAX_FAILURES = 5
LOCK_FOR = dt.timedelta(minutes=15)
REFUSED = "Invalid email or password"


class LoginRefused(ServiceError):
    status = 401


def authenticate(email: str, password: str) -> User:
    """The user these credentials belong to, or LoginRefused (401) with one message for all."""
    user = db.session.scalar(
        select(User).where(User.email == normalize_email(email)).with_for_update()
    )
    if user is None:
        verify_password(None, password)
        db.session.rollback()
        raise LoginRefused(REFUSED)
    if not _check(user, password) or not user.is_active:
        db.session.commit()
        raise LoginRefused(REFUSED)
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def verify_for_change(user_id: int, password: str) -> bool:
    """Whether `password` is the user's current one; failures count toward the lockout."""
    user = db.session.scalar(select(User).where(User.id == user_id).with_for_update())
    if user is None:
        db.session.rollback()
        return False
    ok = _check(user, password)
    db.session.commit()
    return ok


def is_locked(user: User, now: dt.datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def _check(user: User, password: str) -> bool:
    """Verify the password of a row locked by the caller, updating the failure count."""
    now = utcnow()
    if is_locked(user, now):
        verify_password(None, password)
        return False
    if verify_password(user.password_hash, password):
        user.failed_logins = 0
        user.locked_until = None
        return True
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= MAX_FAILURES:
        user.failed_logins = 0
        user.locked_until = now + LOCK_FOR
        log.warning("user %s locked for %s after %s failed logins", user.id, LOCK_FOR, MAX_FAILURES)
        audit.record(
            None,
            "user.lock",
            "user",
            user.id,
            {"locked_until": None},
            {"locked_until": user.locked_until},
        )
    return False
