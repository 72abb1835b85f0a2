"""Checking a password at login (and at a password change), throttled per address, account and
browser (backend.services.login_throttle).

Every refusal — unknown email, wrong password, inactive account — answers the same 401 message
and takes about the same time, so a login attempt does not tell whether an email has an account.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from backend import telemetry
from backend.auth.passwords import verify_password
from backend.errors import ServiceError
from backend.extensions import db
from backend.models import User
from backend.models.types import utcnow
from backend.models.user import normalize_email
from backend.services import login_throttle

log = logging.getLogger("spendlens.auth")

REFUSED = "Invalid email or password"


class LoginRefused(ServiceError):
    status = 401


@dataclass(frozen=True)
class SignedIn:
    user: User
    #: The device cookie to give the browser (it signed in to this account from it).
    device_cookie: str


def authenticate(
    email: str, password: str, *, address: str | None, device_cookie: str | None = None
) -> SignedIn:
    """The user these credentials belong to, LoginRefused (401) with one message for all, or
    TooManyAttempts (429) while the attempt's buckets wait."""
    email = normalize_email(email)
    device_id = login_throttle.device_id_for(device_cookie, email)
    attempt = login_throttle.charge(email, address, device_id)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        verify_password(None, password)
        db.session.rollback()
        telemetry.LOGIN_FAILURES.inc()
        raise LoginRefused(REFUSED)
    if not verify_password(user.password_hash, password) or not user.is_active:
        db.session.rollback()
        log.info("refused login for user %s", user.id)
        telemetry.LOGIN_FAILURES.inc()
        raise LoginRefused(REFUSED)
    login_throttle.forgive(attempt)
    user.last_login_at = utcnow()
    db.session.commit()
    if device_id is None or device_cookie is None:
        device_cookie = login_throttle.new_device_cookie(email)
    return SignedIn(user, device_cookie)


def verify_for_change(user: User, password: str) -> bool:
    """Whether `password` is the user's current one; charged to the account's throttle."""
    attempt = login_throttle.charge(user.email, None)
    stored = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    db.session.rollback()
    if not verify_password(stored, password):
        return False
    login_throttle.forgive(attempt)
    return True
