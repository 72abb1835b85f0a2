"""Map what the google-ads client raises to the connector error types.

- `GoogleAdsException` carries the platform's `GoogleAdsFailure`: an account the platform
  refuses as such (authorization_error CUSTOMER_NOT_ENABLED: cancelled, suspended or not yet set
  up) → AccountUnavailableError; other authentication / authorization
  errors → AuthenticationError (never retried) with the platform's message; quota errors →
  RateLimitedError; UNAVAILABLE / DEADLINE_EXCEEDED / INTERNAL (or an internal_error) →
  TransientError; anything else (a query the API refuses) → ConnectorError.
- RESOURCE_EXHAUSTED and INTERNAL are not wrapped by the library: they arrive as api-core
  exceptions (`ResourceExhausted`, ...) whose `.response` is the gRPC call; the retry delay is
  read from the GoogleAdsFailure trailer's `quota_error_details.retry_delay` when present.
"""

from __future__ import annotations

from typing import Any

import grpc
from google.ads.googleads.errors import GoogleAdsException
from google.api_core import exceptions as core

from connectors.errors import (
    AccountUnavailableError,
    AuthenticationError,
    ConnectorError,
    RateLimitedError,
    TransientError,
)

PLATFORM = "google_ads"
API_VERSION = "v26"
FAILURE_KEY = f"google.ads.googleads.{API_VERSION}.errors.googleadsfailure-bin"
_TRANSIENT_CODES = {
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.ABORTED,
}
_AUTH_CODES = {grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED}
#: AuthorizationError reasons that are about the account, not the credentials.
ACCOUNT_REFUSED = {"CUSTOMER_NOT_ENABLED"}


def error_kinds(failure: Any) -> list[str]:
    """The error_code oneof names of a GoogleAdsFailure, e.g. ["authentication_error"]."""
    kinds = []
    for error in failure.errors:
        code = error.error_code
        kinds.append(type(code).pb(code).WhichOneof("error_code") or "")
    return kinds


def error_reasons(failure: Any) -> list[tuple[str, str]]:
    """(kind, reason) of each error, e.g. ("authorization_error", "CUSTOMER_NOT_ENABLED")."""
    reasons = []
    for error in failure.errors:
        pb = type(error.error_code).pb(error.error_code)
        kind = pb.WhichOneof("error_code") or ""
        value = getattr(error.error_code, kind) if kind else None
        reasons.append((kind, getattr(value, "name", str(value))))
    return reasons


def account_refused(failure: Any) -> bool:
    return any(
        kind == "authorization_error" and reason in ACCOUNT_REFUSED
        for kind, reason in error_reasons(failure)
    )


def failure_message(failure: Any) -> str:
    return "; ".join(e.message for e in failure.errors if e.message) or "request failed"


def retry_delay(failure: Any) -> float | None:
    """Seconds from the first quota_error_details.retry_delay of the failure, if any."""
    for error in failure.errors:
        details = error.details
        if "quota_error_details" in details and "retry_delay" in details.quota_error_details:
            return details.quota_error_details.retry_delay.total_seconds()
    return None


def _failure_from_call(call: Any) -> Any | None:
    """The GoogleAdsFailure in a gRPC call's trailers, or None."""
    from google.ads.googleads.v26.errors.types.errors import GoogleAdsFailure

    try:
        trailers = call.trailing_metadata() or ()
    except Exception:  # noqa: BLE001 - not a call, or no trailers
        return None
    for key, value in trailers:
        if key == FAILURE_KEY:
            try:
                return GoogleAdsFailure.deserialize(value)
            except Exception:  # noqa: BLE001 - an undecodable trailer is no failure
                return None
    return None


def from_google_ads_exception(exc: GoogleAdsException) -> ConnectorError:
    code = exc.error.code() if exc.error is not None else None
    kinds = error_kinds(exc.failure)
    message = failure_message(exc.failure)
    if account_refused(exc.failure):
        return AccountUnavailableError(message, platform=PLATFORM)
    if "authentication_error" in kinds or "authorization_error" in kinds or code in _AUTH_CODES:
        return AuthenticationError(message, platform=PLATFORM)
    if "quota_error" in kinds or code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        return RateLimitedError(message, retry_after=retry_delay(exc.failure), platform=PLATFORM)
    if code in _TRANSIENT_CODES or "internal_error" in kinds:
        return TransientError(message, platform=PLATFORM)
    return ConnectorError(f"{message} (request id {exc.request_id})", platform=PLATFORM)


def from_api_core(exc: core.GoogleAPICallError) -> ConnectorError:
    failure = _failure_from_call(exc.response) if exc.response is not None else None
    message = failure_message(failure) if failure is not None else (exc.message or str(exc))
    if isinstance(exc, core.ResourceExhausted):
        delay = retry_delay(failure) if failure is not None else None
        return RateLimitedError(message, retry_after=delay, platform=PLATFORM)
    if failure is not None and account_refused(failure):
        return AccountUnavailableError(message, platform=PLATFORM)
    if isinstance(exc, core.Unauthenticated | core.PermissionDenied):
        return AuthenticationError(message, platform=PLATFORM)
    if isinstance(
        exc,
        core.ServiceUnavailable | core.DeadlineExceeded | core.InternalServerError | core.Aborted,
    ):
        return TransientError(message, platform=PLATFORM)
    return ConnectorError(message, platform=PLATFORM)


def from_rpc_error(exc: grpc.RpcError) -> ConnectorError:
    """A bare gRPC error (one the library let through unwrapped)."""
    code = exc.code() if isinstance(exc, grpc.Call) else None
    details = exc.details() if isinstance(exc, grpc.Call) else str(exc)
    message = details or (code.name if code else "gRPC error")
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        failure = _failure_from_call(exc)
        delay = retry_delay(failure) if failure is not None else None
        return RateLimitedError(message, retry_after=delay, platform=PLATFORM)
    failure = _failure_from_call(exc) if code in _AUTH_CODES else None
    if failure is not None and account_refused(failure):
        return AccountUnavailableError(failure_message(failure), platform=PLATFORM)
    if code in _AUTH_CODES:
        return AuthenticationError(message, platform=PLATFORM)
    if code in _TRANSIENT_CODES:
        return TransientError(message, platform=PLATFORM)
    return ConnectorError(message, platform=PLATFORM)


def to_connector_error(exc: BaseException) -> ConnectorError | None:
    """The connector error for an exception of the Google Ads stack, None for others."""
    if isinstance(exc, GoogleAdsException):
        return from_google_ads_exception(exc)
    if isinstance(exc, core.GoogleAPICallError):
        return from_api_core(exc)
    if isinstance(exc, grpc.RpcError):
        return from_rpc_error(exc)
    return None
