"""API tokens for scripts: made by a user, shown once, stored as a SHA-256 digest, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update

from backend.errors import Forbidden, NotFound
from backend.extensions import db
from backend.models import ApiToken, User
from backend.models.types import utcnow
from backend.services import audit
from backend.services.rows import find_by_id

TOKEN_PREFIX = "sl_"
PREFIX_SHOWN = 10
#: last_used_at is written at most this often per token (a script may call many times a minute).
TOUCH_EVERY = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    user: User, name: str, *, expires_in_days: int | None, via_session: bool
) -> IssuedToken:
    """A new token for `user`; its secret is in the result and nowhere else."""
    if not via_session:
        raise Forbidden("API tokens can only be made from a signed-in session, not with a token")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = utcnow() + dt.timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken(
        user_id=user.id,
        name=name.strip(),
        prefix=secret[:PREFIX_SHOWN],
        token_hash=digest(secret),
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        user,
        "api_token.create",
        "api_token",
        token.id,
        None,
        {"name": token.name, "user_id": user.id, "expires_at": expires_at},
    )
    db.session.commit()
    return IssuedToken(token=token, secret=secret)


def list_tokens(user: User) -> list[ApiToken]:
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    return list(db.session.scalars(stmt))


def revoke_token(user: User, token_id: int) -> None:
    """Revoke one of the user's own tokens (404 for anyone else's)."""
    token = find_by_id(ApiToken, token_id, missing="No such API token")
    if token.user_id != user.id:
        raise NotFound("No such API token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            user,
            "api_token.revoke",
            "api_token",
            token.id,
            {"revoked_at": None},
            {"revoked_at": token.revoked_at},
        )
        db.session.commit()


def revoke_user_tokens(actor: User | None, user_id: int) -> int:
    """Revoke every live token of the user (password change or reset, deactivation); the number
    revoked, audited. Does not commit: the caller's transaction does."""
    now = utcnow()
    revoked = db.session.scalars(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(ApiToken.id)
    ).all()
    if revoked:
        audit.record(
            actor,
            "api_token.revoke_all",
            "user",
            user_id,
            None,
            {"api_token_ids": sorted(revoked), "revoked_at": now},
        )
    return len(revoked)


def user_for_token(secret: str) -> User | None:
    """The active user a presented token belongs to, or None (unknown, revoked, expired)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    wanted = digest(secret)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == wanted))
    if token is None or not hmac.compare_digest(token.token_hash, wanted):
        return None
    now = utcnow()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        db.session.commit()
    return user
