"""Who is calling: the session cookie (flask-login) or an API token (Authorization: Bearer).

A bearer token, when the header is present, is the only identity of the request: the session
cookie is then ignored, so a script cannot ride on a browser's session and vice versa (other
Authorization schemes, e.g. a proxy's Basic auth, are left alone).

The cookie carries a random session key whose digest is a row of user_sessions
(backend.services.user_sessions), checked on every request: logout deletes the row, so a copy of
the cookie kept after logout is worth nothing; a password change or reset, a role change and a
deactivation delete all of the user's rows. The report views (`access.cached_identity`) take
that check from Redis when it passed within the last seconds and nothing ended the user's sessions
since (backend.services.user_sessions.identity_for_session).
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask import Flask, current_app, g, request, session
from flask_login import AnonymousUserMixin, LoginManager, login_user, logout_user

from backend.extensions import db
from backend.models import User

login_manager = LoginManager()

#: Ids are PostgreSQL integers.
MAX_ID = 2**31 - 1

CSRF_SESSION_KEY = "_csrf"
SESSION_KEY = "_sid"
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


def session_lifetime() -> dt.timedelta:
    return current_app.permanent_session_lifetime


@login_manager.user_loader
def _load_session_user(user_id: str) -> User | None:
    from backend.services import user_sessions

    key = session.get(SESSION_KEY)
    if not user_id.isdigit() or int(user_id) > MAX_ID or not isinstance(key, str):
        return None
    if request.method == "GET" and _reads_identity_from_cache():
        user = user_sessions.identity_for_session(int(user_id), key, session_lifetime())
    else:
        user = user_sessions.user_for_session(int(user_id), key, session_lifetime())
    if user is None:
        return None
    g.auth_method = AUTH_METHOD_SESSION
    return user


def _reads_identity_from_cache() -> bool:
    """Whether the view answering this request takes the session check kept in Redis (see
    backend.services.user_sessions; a view marks itself with access.cached_identity)."""
    from backend.auth.access import CACHED_IDENTITY_ATTRIBUTE, current_handler

    return getattr(current_handler(), CACHED_IDENTITY_ATTRIBUTE, False)


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


def start_session(user: User) -> str:
    """Log `user` in on a fresh server-side session; returns the session's new CSRF token."""
    from backend.services import user_sessions

    end_session()
    key = user_sessions.open_session(user, session_lifetime())
    db.session.commit()
    session.permanent = True
    login_user(user)
    session[SESSION_KEY] = key
    g.auth_method = AUTH_METHOD_SESSION
    return new_csrf_token()


def current_session_key() -> str | None:
    """The key of the caller's session (None for an API token or no session)."""
    if g.get("auth_method") != AUTH_METHOD_SESSION:
        return None
    key = session.get(SESSION_KEY)
    return key if isinstance(key, str) else None


def end_session() -> None:
    """Log out: the server forgets the session, so no copy of the cookie works any more."""
    from backend.services import user_sessions

    key = session.get(SESSION_KEY)
    if isinstance(key, str):
        user_sessions.close_session(key)
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
