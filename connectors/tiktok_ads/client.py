"""HTTP calls to the TikTok API for Business and the mapping of its return codes to ours.

Every answer, success or not, is the envelope `{"code", "message", "request_id", "data"}` with
HTTP 200; `code` 0 is success (Marketing API v1.3, "Return codes"). The access token goes in the
`Access-Token` header, never in the URL. List parameters (`advertiser_ids`, `dimensions`,
`metrics`, `fields`) are JSON-encoded arrays in the query string, as the Reporting and Account
Management references show them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import requests

from connectors.errors import (
    AuthenticationError,
    BadResponseError,
    ConnectorError,
    RateLimitedError,
    TransientError,
)

PLATFORM = "tiktok_ads"
API_PREFIX = "/open_api/v1.3"
TIMEOUT_S = 60
log = logging.getLogger(__name__)

#: Return codes (TikTok API for Business, "Return codes"): 40100 "requests made too
#: frequently" (QPS / QPM / QPD limits) is a rate limit.
RATE_LIMIT_CODES = frozenset({40100})
#: 40001 no permission for the advertiser, 40102 access token expired, 40104 access token
#: empty, 40105 access token incorrect or revoked: new credentials are needed, never a retry.
AUTH_CODES = frozenset({40001, 40102, 40104, 40105})
#: 5xxxx codes are TikTok's own failures (50000 "system error"): retried with backoff.
SERVER_CODES = range(50000, 60000)


class TikTokClient:
    """A `requests` session bound to one access token and one API base URL."""

    def __init__(self, access_token: str, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"Access-Token": access_token, "Accept": "application/json"})

    def get(self, path: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """GET `API_PREFIX + path` and return the envelope's `data`, or raise our error type."""
        query = {k: _encode(v) for k, v in params.items() if v is not None}
        try:
            response = self.session.get(
                f"{self.base_url}{API_PREFIX}{path}", params=query, timeout=TIMEOUT_S
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TransientError(f"TikTok {path}: {type(exc).__name__}", platform=PLATFORM) from exc
        return envelope_data(path, response.status_code, response.headers, response.content)

    def close(self) -> None:
        self.session.close()


def _encode(value: Any) -> str:
    if isinstance(value, list | tuple):
        return json.dumps(list(value), separators=(",", ":"))
    return str(value)


def envelope_data(path: str, status: int, headers: Mapping[str, str], body: bytes) -> dict:
    """The `data` of a TikTok answer; raises the matching error for a failure (pure)."""
    if status == 429:
        retry_after = headers.get("Retry-After")
        raise RateLimitedError(
            f"TikTok {path}: HTTP 429",
            retry_after=float(retry_after) if retry_after else None,
            platform=PLATFORM,
        )
    if status >= 500:
        raise TransientError(f"TikTok {path}: HTTP {status}", platform=PLATFORM)
    try:
        payload = json.loads(body)
    except ValueError:
        raise BadResponseError(
            f"TikTok {path}: HTTP {status}, not JSON",
            field="body",
            position=path,
            platform=PLATFORM,
        ) from None
    if not isinstance(payload, dict) or "code" not in payload:
        raise BadResponseError(
            f"TikTok {path}: no return code", field="code", position=path, platform=PLATFORM
        )
    code, message = payload.get("code"), payload.get("message") or ""
    where = f"TikTok {path}: code {code} {message} (request_id {payload.get('request_id')})"
    if code == 0:
        data = payload.get("data")
        if not isinstance(data, dict):
            raise BadResponseError(where, field="data", position=path, platform=PLATFORM)
        return data
    if code in RATE_LIMIT_CODES:
        raise RateLimitedError(where, platform=PLATFORM)
    if code in AUTH_CODES or status == 401:
        raise AuthenticationError(where, platform=PLATFORM)
    if isinstance(code, int) and code in SERVER_CODES:
        raise TransientError(where, platform=PLATFORM)
    raise ConnectorError(where, platform=PLATFORM)
