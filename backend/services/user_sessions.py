"""Server-side sessions: one row per signed-in browser, found by the digest of the cookie's key.

The signed session cookie carries a random key; only its SHA-256 digest is stored. A request's
session is valid while its row exists, its user is active and it has been used within the
session lifetime. Logout deletes the row; a password change, a password reset, a role change and
a deactivation delete every row of the user (a password change keeps the caller's own).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select, update

from backend.extensions import db
from backend.models import User, UserSession
from backend.models.types import utcnow

#: last_seen_at is written at most this often per session.
TOUCH_EVERY = dt.timedelta(minutes=5)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open_session(user: User, lifetime: dt.timedelta) -> str:
    """A new session of `user` (and the user's expired ones removed); returns its key.

    Does not commit: the caller's transaction (the login) does.
    """
    key = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.last_seen_at <= now - lifetime
        )
    )
    db.session.add(UserSession(user_id=user.id, key_hash=digest(key), last_seen_at=now))
    return key


def user_for_session(user_id: int, key: str, lifetime: dt.timedelta) -> User | None:
    """The active user whose live session `key` is, or None (ended, expired, someone else's)."""
    now = utcnow()
    row = db.session.execute(
        select(User, UserSession.id, UserSession.last_seen_at)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.key_hash == digest(key),
            User.id == user_id,
            User.is_active.is_(True),
            UserSession.last_seen_at > now - lifetime,
        )
    ).first()
    if row is None:
        return None
    user, session_id, last_seen_at = row
    if now - last_seen_at > TOUCH_EVERY:
        db.session.execute(
            update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now)
        )
        db.session.commit()
    return user


def close_session(key: str) -> None:
    """End the session `key` (logout); commits."""
    db.session.execute(delete(UserSession).where(UserSession.key_hash == digest(key)))
    db.session.commit()


def close_user_sessions(user_id: int, *, keep_key: str | None = None) -> int:
    """End every session of the user but `keep_key`'s; the number ended. Does not commit."""
    stmt = delete(UserSession).where(UserSession.user_id == user_id)
    if keep_key is not None:
        stmt = stmt.where(UserSession.key_hash != digest(keep_key))
    return db.session.execute(stmt).rowcount or 0
