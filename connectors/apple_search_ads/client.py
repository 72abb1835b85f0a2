"""The HTTP side of Apple Search Ads: one pooled `requests.Session`, the OAuth token, the
`X-AP-Context` header, and the mapping of Apple's answers to the connector error types.

Every call goes through the shared RetryPolicy; a 401 drops the cached token and the call is sent
once more with a fresh one.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import requests

from connectors.apple_search_ads.auth import (
    CLIENT_SECRET_RENEW_BEFORE,
    SCOPE,
    ClientSecret,
    TokenCache,
    load_private_key,
    make_client_secret,
)
from connectors.apple_search_ads.parsing import PLATFORM, platform_message
from connectors.errors import (
    AuthenticationError,
    BadResponseError,
    ConnectorError,
    RateLimitedError,
    TransientError,
)
from connectors.retry import RetryPolicy

log = logging.getLogger(__name__)


class AppleSearchAdsClient:
    """Authenticated JSON calls to the Search Ads API (and Apple's token endpoint)."""

    #: (connect, read) seconds on every request.
    timeout: tuple[float, float] = (10.0, 120.0)

    def __init__(
        self,
        *,
        client_id: str,
        team_id: str,
        key_id: str,
        private_key: str,
        api_url: str,
        token_url: str,
        retry: RetryPolicy,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._key = load_private_key(private_key)
        self.client_id = client_id
        self.team_id = team_id
        self.key_id = key_id
        self.api_url = api_url.rstrip("/")
        self.token_url = token_url
        self.retry = retry
        self.tokens = TokenCache(clock=clock)
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": "spendlens"})
        self._secret: ClientSecret | None = None

    def close(self) -> None:
        self.session.close()

    # -- credentials ---------------------------------------------------------------------------

    def client_secret(self) -> ClientSecret:
        """The signed client secret, minted again when it is about to expire."""
        now = dt.datetime.now(dt.UTC)
        if self._secret is None or self._secret.expires_at - now < CLIENT_SECRET_RENEW_BEFORE:
            self._secret = make_client_secret(
                self._key, client_id=self.client_id, team_id=self.team_id, key_id=self.key_id
            )
        return self._secret

    def access_token(self) -> str:
        """The cached access token, or a new one when there is none or it expires soon."""
        token = self.tokens.current()
        if token is None:
            token = self._fetch_token()
        return token

    def _fetch_token(self) -> str:
        where = "POST token"
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret().value,
            "scope": SCOPE,
        }
        try:
            response = self.session.post(self.token_url, data=form, timeout=self.timeout)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TransientError(
                f"Apple token endpoint unreachable: {type(exc).__name__}", platform=PLATFORM
            ) from None
        log.debug("POST token -> %s", response.status_code)
        if response.status_code in (400, 401):
            message = platform_message(_json_or_none(response)) or f"HTTP {response.status_code}"
            raise AuthenticationError(
                f"Apple refused the client credentials: {message}", platform=PLATFORM
            )
        payload = self._result(response, where)
        token = payload.get("access_token") if isinstance(payload, Mapping) else None
        if not isinstance(token, str) or not token:
            raise BadResponseError(
                "no access token", field="access_token", position=where, platform=PLATFORM
            )
        expires_in = payload.get("expires_in", 3600)
        if isinstance(expires_in, bool) or not isinstance(expires_in, int | Decimal):
            raise BadResponseError(
                f"not a number of seconds: {expires_in!r}",
                field="expires_in",
                position=where,
                platform=PLATFORM,
            )
        self.tokens.store(token, float(expires_in))
        return token

    # -- API calls -----------------------------------------------------------------------------

    def get(self, path: str, *, org_id: str | None = None, params: Mapping | None = None) -> Any:
        return self.request("GET", path, org_id=org_id, params=params)

    def post(self, path: str, body: Mapping[str, Any], *, org_id: str | None = None) -> Any:
        return self.request("POST", path, org_id=org_id, body=body)

    def request(
        self,
        method: str,
        path: str,
        *,
        org_id: str | None = None,
        params: Mapping | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        """One API call with retries; the decoded JSON (floats as Decimal)."""
        where = f"{method} {path}"

        def attempt() -> Any:
            response = self._send(method, path, org_id, params, body)
            if response.status_code == 401:
                log.info("%s: access token refused, fetching a new one", where)
                self.tokens.forget()
                response = self._send(method, path, org_id, params, body)
            return self._result(response, where)

        return self.retry.call(attempt, what=f"Apple Search Ads {where}")

    def _send(
        self,
        method: str,
        path: str,
        org_id: str | None,
        params: Mapping | None,
        body: Mapping[str, Any] | None,
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.access_token()}"}
        if org_id is not None:
            headers["X-AP-Context"] = f"orgId={org_id}"
        try:
            response = self.session.request(
                method,
                self.api_url + path,
                headers=headers,
                params=params,
                json=body,
                timeout=self.timeout,
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TransientError(
                f"{method} {path}: {type(exc).__name__}", platform=PLATFORM
            ) from None
        log.debug("%s %s org=%s -> %s", method, path, org_id, response.status_code)
        return response

    def _result(self, response: requests.Response, where: str) -> Any:
        status = response.status_code
        if 200 <= status < 300:
            payload = _json_or_none(response)
            if payload is None:
                raise BadResponseError("not JSON", field="body", position=where, platform=PLATFORM)
            message = platform_message(payload)
            if isinstance(payload, Mapping) and payload.get("error") and message:
                raise ConnectorError(f"{where}: {message}", platform=PLATFORM)
            return payload
        message = platform_message(_json_or_none(response)) or response.reason or "no message"
        text = f"{where}: HTTP {status}: {message}"
        if status in (401, 403):
            raise AuthenticationError(text, platform=PLATFORM)
        if status == 429:
            raise RateLimitedError(
                text,
                retry_after=retry_after(response.headers.get("Retry-After")),
                platform=PLATFORM,
            )
        if status >= 500 or status == 408:
            raise TransientError(text, platform=PLATFORM)
        raise ConnectorError(text, platform=PLATFORM)


def retry_after(value: str | None) -> float | None:
    """Seconds of a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json(parse_float=Decimal)
    except ValueError:
        return None
