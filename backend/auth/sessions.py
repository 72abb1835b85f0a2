"""Who is calling: the session cookie (flask-login) or an API token (Authorization: Bearer).

A bearer token, when the header is present, is the only identity of the request: the session
cookie is then ignored, so a script cannot ride on a browser's session and vice versa (other
Authorization schemes, e.g. a proxy's Basic auth, are left alone). A session ends when the user
is deactivated or their password changes (the session keeps a digest of the password hash,
checked on every request).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from flask import Flask, g, request, session
from flask_login import AnonymousUserMixin, LoginManager, login_user, logout_user

from backend.extensions import db
from backend.models import User

login_manager = LoginManager()

CSRF_SESSION_KEY = "_csrf"
PASSWORD_DIGEST_KEY = "_pwd"
AUTH_METHOD_SESSION = "session"
AUTH_METHOD_TOKEN = "token"


class Anonymous(AnonymousUserMixin):
    role = None
    id = None
    email = None


def init_app(app: Flask) -> None:
    login_manager.anonymous_user = Anonymous
    login_manager.session_protection = "basic"
    login_manager.init_app(app)
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(
        hours=int(app.config.get("SESSION_HOURS", 12))
    )
    app.before_request(_identify_bearer)


@login_manager.user_loader
def _load_session_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(session.get(PASSWORD_DIGEST_KEY, ""), password_digest(user)):
        return None
    g.auth_method = AUTH_METHOD_SESSION
    return user


def _identify_bearer() -> None:
    """Resolve `Authorization: Bearer <token>` before anything reads current_user."""
    # An app context outlives a request when one was pushed around it (a test, a script):
    # forget the identity an earlier request left in `g`.
    g.pop("_login_user", None)
    g.pop("auth_method", None)
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return  # no header, or another scheme (a proxy's Basic auth): the session decides
    from backend.services import tokens

    user = tokens.user_for_token(value.strip())
    g.auth_method = AUTH_METHOD_TOKEN
    g._login_user = user if user is not None else Anonymous()


def auth_method() -> str | None:
    """ "session", "token", or None for an anonymous request."""
    from flask_login import current_user

    if not current_user.is_authenticated:
        return None
    return g.get("auth_method", AUTH_METHOD_SESSION)


def password_digest(user: User) -> str:
    """A short digest of the password hash: changes when the password does."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def start_session(user: User) -> str:
    """Log `user` in on a fresh session; returns the session's new CSRF token."""
    session.clear()
    session.permanent = True
    login_user(user)
    session[PASSWORD_DIGEST_KEY] = password_digest(user)
    g.auth_method = AUTH_METHOD_SESSION
    return new_csrf_token()


def refresh_session(user: User) -> None:
    """Keep the caller's own session valid after they changed their password."""
    if g.get("auth_method") == AUTH_METHOD_SESSION:
        session[PASSWORD_DIGEST_KEY] = password_digest(user)


def end_session() -> None:
    logout_user()
    session.clear()


def new_csrf_token() -> str:
    token = secrets.token_urlsafe(32)
    session[CSRF_SESSION_KEY] = token
    return token


def csrf_token() -> str | None:
    """The session's CSRF token, made on first use; None for a request without a session."""
    if g.get("auth_method") == AUTH_METHOD_TOKEN:
        return None
    return session.get(CSRF_SESSION_KEY) or new_csrf_token()
