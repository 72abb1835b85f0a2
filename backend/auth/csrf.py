"""CSRF protection for cookie-authenticated state changes, and the same-origin check of login.

Every POST/PUT/PATCH/DELETE made with the session cookie must carry the session's token in the
`X-CSRF-Token` header (the token comes from GET /api/auth/me or POST /api/auth/login). Requests
authenticated with an API token carry no ambient credentials and are exempt; so are anonymous
ones, which the view then refuses (401) unless it is public. The login itself is exempt, but a
login posted from another origin is refused.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, session
from flask_login import current_user

from backend.auth.access import CSRF_EXEMPT_ATTRIBUTE, STATE_CHANGING, current_handler
from backend.auth.sessions import AUTH_METHOD_TOKEN, CSRF_SESSION_KEY
from backend.errors import Forbidden

HEADER = "X-CSRF-Token"
MESSAGE = "CSRF token missing or invalid"


def init_app(app: Flask) -> None:
    app.before_request(check_request)


def check_request() -> None:
    """Refuse (403) a cookie-authenticated state change without the right token."""
    if request.method not in STATE_CHANGING:
        return
    handler = current_handler()
    if handler is None:
        return
    if getattr(handler, CSRF_EXEMPT_ATTRIBUTE, False):
        check_same_origin()
        return
    if g.get("auth_method") == AUTH_METHOD_TOKEN or not current_user.is_authenticated:
        return
    expected = session.get(CSRF_SESSION_KEY)
    sent = request.headers.get(HEADER)
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise Forbidden(MESSAGE)


def check_same_origin() -> None:
    """Refuse a request that a browser says comes from another site."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise Forbidden("Cross-origin request refused")
    origin = request.headers.get("Origin")
    if origin is None:
        return
    if origin == "null" or _host(origin) not in trusted_hosts():
        raise Forbidden("Cross-origin request refused")


def trusted_hosts() -> set[str]:
    """This server's own host, the dashboard's, and any in AUTH_TRUSTED_ORIGINS."""
    hosts = {request.host.lower()}
    extra = current_app.config.get("AUTH_TRUSTED_ORIGINS") or []
    if isinstance(extra, str):
        extra = [o for o in extra.split(",") if o.strip()]
    for url in [current_app.config.get("DASHBOARD_URL") or "", *extra]:
        if url.strip():
            hosts.add(_host(url.strip()))
    return hosts


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()
