"""OAuth for Google Ads: trade the refresh token for an access token, cache it until near expiry.

The token is minted here with `requests` (not by google-auth at client construction), so that
the token endpoint is configurable, failures map to our error types and nothing secret is logged.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from connectors.errors import AuthenticationError, BadResponseError, TransientError

PLATFORM = "google_ads"
#: Renew this long before the platform's expiry, so that a token never dies mid-sync.
RENEW_BEFORE = dt.timedelta(minutes=5)
#: The errors of RFC 6749 §5.2 that mean the credentials themselves are bad.
_CREDENTIAL_ERRORS = {"invalid_grant", "invalid_client", "unauthorized_client", "invalid_scope"}


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_at: dt.datetime
    #: When the refresh token stops working, for refresh tokens Google limits in time.
    refresh_token_expires_at: dt.datetime | None = None

    def fresh(self, now: dt.datetime) -> bool:
        return now < self.expires_at - RENEW_BEFORE

    def __repr__(self) -> str:  # never show the token
        return f"AccessToken(expires_at={self.expires_at.isoformat()})"


def parse_token_response(
    status: int, payload: Mapping[str, Any] | None, now: dt.datetime
) -> AccessToken:
    """Turn the token endpoint's answer into an AccessToken or the matching error."""
    if payload is None:
        if status >= 500:
            raise TransientError(f"token endpoint answered {status}", platform=PLATFORM)
        raise BadResponseError(
            f"token endpoint answered {status} without JSON",
            field="body",
            position="token response",
            platform=PLATFORM,
        )
    if status >= 500:
        raise TransientError(f"token endpoint answered {status}", platform=PLATFORM)
    if status != 200 or "error" in payload:
        error = str(payload.get("error", f"http_{status}"))
        message = str(payload.get("error_description") or error)
        if error in _CREDENTIAL_ERRORS or status in (400, 401, 403):
            raise AuthenticationError(message, platform=PLATFORM)
        raise BadResponseError(message, field="error", position="token response", platform=PLATFORM)
    token = payload.get("access_token")
    if not isinstance(token, str) or not token:
        raise BadResponseError(
            "no access token in the token response",
            field="access_token",
            position="token response",
            platform=PLATFORM,
        )
    try:
        expires_in = int(payload.get("expires_in", 3600))
    except (TypeError, ValueError):
        raise BadResponseError(
            "expires_in is not a number",
            field="expires_in",
            position="token response",
            platform=PLATFORM,
        ) from None
    refresh_left = payload.get("refresh_token_expires_in")
    refresh_expiry = None
    if isinstance(refresh_left, int | str) and str(refresh_left).isdigit():
        refresh_expiry = now + dt.timedelta(seconds=int(refresh_left))
    return AccessToken(token, now + dt.timedelta(seconds=expires_in), refresh_expiry)


class TokenSource:
    """Mints access tokens from the refresh token and caches them until `RENEW_BEFORE` expiry."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        *,
        timeout: float = 30.0,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.token_url = token_url
        self._form = {
            "grant_type": "refresh_token",
            "client_id": client_id,
            "client_secret": client_secret,
            "refresh_token": refresh_token,
        }
        self._timeout = timeout
        self._clock = clock
        self._cached: AccessToken | None = None
        self._lock = threading.Lock()

    @property
    def cached(self) -> AccessToken | None:
        return self._cached

    def token(self) -> AccessToken:
        """A token valid for at least `RENEW_BEFORE`; mints one when needed."""
        with self._lock:
            now = self._clock()
            if self._cached is None or not self._cached.fresh(now):
                self._cached = self._mint(now)
            return self._cached

    def forget(self) -> None:
        """Drop the cached token (the platform refused it); the next call mints a new one."""
        with self._lock:
            self._cached = None

    def _mint(self, now: dt.datetime) -> AccessToken:
        try:
            response = requests.post(self.token_url, data=self._form, timeout=self._timeout)
        except requests.RequestException as exc:
            # the message of a requests error names the URL only, never the form body
            raise TransientError(
                f"token endpoint unreachable: {type(exc).__name__}", platform=PLATFORM
            ) from None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            payload = None
        return parse_token_response(response.status_code, payload, now)
