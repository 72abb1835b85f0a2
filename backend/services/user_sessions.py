"""Server-side sessions: one row per signed-in browser, found by the digest of the cookie's key.

The signed session cookie carries a random key; only its SHA-256 digest is stored. A request's
session is valid while its row exists, its user is active and it has been used within the
session lifetime. Logout deletes the row; a password change, a password reset, a role change and
a deactivation delete every row of the user (a password change keeps the caller's own).

The report views (GET /api/roi, /api/overview, /api/cohorts: `cached_identity`) read a session's
check from Redis instead of PostgreSQL: once a check passed, its outcome (user id, role, email)
is kept for at most IDENTITY_SECONDS under the session key's digest, stamped with the user's
generation, a Redis counter that every commit ending sessions of the user (logout, a password
change or reset, a role change, a deactivation) increments once it has committed. A kept check
counts only while its stamp is the user's current generation; the stamp is read before the
check it stamps, so a check that raced such a commit is never taken for a current one. Redis
unavailable: every check reads PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
from dataclasses import dataclass

import redis
from flask import current_app, has_app_context
from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session

from backend.extensions import db
from backend.models import User, UserSession
from backend.models.types import utcnow

log = logging.getLogger(__name__)

#: last_seen_at is written at most this often per session.
TOUCH_EVERY = dt.timedelta(minutes=5)
#: How long a session's passed check is kept in Redis for the report views (an upper bound on
#: what a change made outside the services below, e.g. by hand in SQL, takes to be seen).
IDENTITY_SECONDS = 30
#: Users whose generation the session's transaction moves once it commits.
_ENDED = "spendlens_sessions_ended"


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
    found = _checked(user_id, key, lifetime)
    return found[0] if found else None


def _checked(user_id: int, key: str, lifetime: dt.timedelta) -> tuple[User, dt.timedelta] | None:
    """user_for_session's user, and how long the session lives on unused."""
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
        last_seen_at = now
    return user, lifetime - (now - last_seen_at)


def close_session(key: str) -> None:
    """End the session `key` (logout); commits."""
    ended = db.session.execute(
        delete(UserSession)
        .where(UserSession.key_hash == digest(key))
        .returning(UserSession.user_id)
    ).scalars()
    _after_commit_forget(ended)
    db.session.commit()


def close_user_sessions(user_id: int, *, keep_key: str | None = None) -> int:
    """End every session of the user but `keep_key`'s; the number ended. Does not commit."""
    stmt = delete(UserSession).where(UserSession.user_id == user_id)
    if keep_key is not None:
        stmt = stmt.where(UserSession.key_hash != digest(keep_key))
    _after_commit_forget([user_id])
    return db.session.execute(stmt).rowcount or 0


@dataclass(frozen=True)
class SessionIdentity:
    """A signed-in user as a kept session check knows them: what the report views need."""

    id: int
    role: str
    email: str
    is_active = True
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)


def identity_for_session(
    user_id: int, key: str, lifetime: dt.timedelta
) -> User | SessionIdentity | None:
    """user_for_session's answer, from the check kept in Redis when there is a current one
    (then a SessionIdentity), else from PostgreSQL (then kept)."""
    client = _redis()
    names = _identity_key(key), _generation_key(user_id)
    generation = None
    if client is not None:
        try:
            kept, generation = client.mget(names)
        except redis.RedisError as exc:
            log.warning("session checks cannot be read from Redis: %s", exc)
            client = None
        else:
            identity = _current(kept, user_id, generation)
            if identity is not None:
                return identity
    found = _checked(user_id, key, lifetime)
    if found is None:
        return None
    user, lives_on = found
    seconds = min(IDENTITY_SECONDS, int(lives_on.total_seconds()))
    if client is not None and seconds > 0:
        stamp = {"user": user.id, "role": user.role, "email": user.email,
                 "generation": _text(generation)}  # fmt: skip
        try:
            client.set(names[0], json.dumps(stamp), ex=seconds)
        except redis.RedisError as exc:
            log.warning("a session check cannot be kept in Redis: %s", exc)
    return user


def _current(kept: bytes | None, user_id: int, generation: bytes | None) -> SessionIdentity | None:
    if kept is None:
        return None
    stamp = json.loads(kept)
    if stamp["user"] != user_id or stamp["generation"] != _text(generation):
        return None
    return SessionIdentity(stamp["user"], stamp["role"], stamp["email"])


def _text(generation: bytes | None) -> str:
    return generation.decode() if generation is not None else "0"


def _prefix() -> str:
    return current_app.config.get("SESSION_CACHE_PREFIX", "spendlens:sessions")


def _identity_key(key: str) -> str:
    return f"{_prefix()}:session:{digest(key)}"


def _generation_key(user_id: int) -> str:
    return f"{_prefix()}:user:{user_id}"


def _redis() -> redis.Redis | None:
    client = current_app.extensions.get("spendlens_session_cache")
    if client is None:
        url = current_app.config.get("REDIS_URL")
        if not url:
            return None
        client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        current_app.extensions["spendlens_session_cache"] = client
    return client


def _after_commit_forget(user_ids) -> None:
    """Move these users' generations once the session's transaction commits (and now, which
    costs nothing: only the commit's move is what makes the kept checks of before count no
    more)."""
    ids = set(user_ids)
    if ids:
        db.session.info.setdefault(_ENDED, set()).update(ids)
        forget_identities(ids)


def forget_identities(user_ids) -> None:
    """The checks kept for these users' sessions count no more."""
    if not has_app_context():
        return
    client = _redis()
    if client is None:
        return
    try:
        with client.pipeline(transaction=False) as pipe:
            for user_id in user_ids:
                pipe.incr(_generation_key(user_id))
                # outlives every check stamped before it (a vanished counter reads as 0 again)
                pipe.expire(_generation_key(user_id), 10 * IDENTITY_SECONDS)
            pipe.execute()
    except redis.RedisError as exc:
        log.warning("kept session checks cannot be ended in Redis: %s", exc)


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    ended = session.info.pop(_ENDED, None)
    if ended:
        forget_identities(ended)


@event.listens_for(Session, "after_rollback")
def _nothing_ended(session: Session) -> None:
    session.info.pop(_ENDED, None)
