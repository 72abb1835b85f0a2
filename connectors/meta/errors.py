"""Graph API errors → the shared connector error types (pure; works on the SDK's exception).

Requests too large for a synchronous answer are their own type, never retried as they are:
the insights timeouts (code 100 subcode 1504018, code 2 subcode 1504038: "Try a smaller date
range, fetch less data, or use async jobs") and the "Please reduce the amount of data you're
asking for" answers (code 1). The connector answers them with smaller pages or an async report
run. Rate limits (4, 17, 32, 613, 80000-80008) are retried after the time the usage headers give;
authentication and permission errors (102, 190, 10, 200-299) never are; codes 1 and 2, HTTP 5xx
and anything Graph marks `is_transient` are retried with backoff. The message is the platform's
own, followed by its codes; `platform_message` on the raised error is the platform's text alone.
"""

from __future__ import annotations

from facebook_business.exceptions import FacebookRequestError

from connectors.errors import (
    AuthenticationError,
    ConnectorError,
    RateLimitedError,
    TransientError,
)
from connectors.meta.usage import parse_usage

PLATFORM = "meta"
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80000, 80009)})
AUTH_CODES = frozenset({10, 102, 190, *range(200, 300)})
TRANSIENT_CODES = frozenset({1, 2})
#: (code, subcode) of the insights timeouts Meta documents for synchronous requests.
SYNC_TIMEOUTS = frozenset({(100, 1504018), (2, 1504038)})
REDUCE_DATA = "reduce the amount of data"


class RequestTooLargeError(ConnectorError):
    """Graph cannot answer this request synchronously: ask for less, or use an async report.

    `timed_out`: an insights timeout (a smaller page does not help, a smaller range or an async
    report does); otherwise a "reduce the amount of data" answer (a smaller page may help).
    """

    def __init__(self, message: str, *, timed_out: bool, platform: str | None = None) -> None:
        super().__init__(message, platform=platform)
        self.timed_out = timed_out


def _describe(message: str, code: int | None, subcode: int | None, trace: str | None) -> str:
    details = [f"code {code}"] if code is not None else []
    if subcode is not None:
        details.append(f"subcode {subcode}")
    if trace:
        details.append(f"fbtrace_id {trace}")
    return f"{message} ({', '.join(details)})" if details else message


def translate(exc: FacebookRequestError) -> ConnectorError:
    """The shared error type for a failed Graph call. Never includes request parameters."""
    code = exc.api_error_code()
    subcode = exc.api_error_subcode()
    status = exc.http_status() or 0
    body = exc.body()
    error = body.get("error") if isinstance(body, dict) else None
    trace = error.get("fbtrace_id") if isinstance(error, dict) else None
    message = exc.api_error_message() or f"Graph API answered HTTP {status} without an error body"
    text = _describe(message, code, subcode, trace)
    result: ConnectorError
    if (code, subcode) in SYNC_TIMEOUTS:
        result = RequestTooLargeError(text, timed_out=True, platform=PLATFORM)
    elif code == 1 and REDUCE_DATA in message.lower():
        result = RequestTooLargeError(text, timed_out=False, platform=PLATFORM)
    elif code in RATE_LIMIT_CODES:
        usage = parse_usage(exc.http_headers())
        result = RateLimitedError(
            text, retry_after=usage.retry_after(limited=True), platform=PLATFORM
        )
    elif (
        code in AUTH_CODES
        or (exc.api_error_type() == "OAuthException" and status == 401)
        or "appsecret_proof" in message  # a wrong app secret: code 100, but a credential fault
    ):
        result = AuthenticationError(text, platform=PLATFORM)
    elif code in TRANSIENT_CODES or status >= 500 or exc.api_transient_error():
        result = TransientError(text, platform=PLATFORM)
    else:
        result = ConnectorError(text, platform=PLATFORM)
    result.platform_message = message  # type: ignore[attr-defined]
    result.code = code  # type: ignore[attr-defined]
    result.subcode = subcode  # type: ignore[attr-defined]
    return result


def platform_message(error: ConnectorError) -> str:
    """The platform's own words for an error (falls back to the connector's message)."""
    return getattr(error, "platform_message", None) or error.message
