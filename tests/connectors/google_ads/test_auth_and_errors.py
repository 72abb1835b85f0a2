"""Token responses and the mapping of the google-ads stack's errors: pure, no network."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest
from google.ads.googleads.errors import GoogleAdsException
from google.ads.googleads.v26.errors.types.errors import GoogleAdsFailure
from google.api_core import exceptions as core

from connectors.errors import (
    AuthenticationError,
    BadResponseError,
    ConnectorError,
    RateLimitedError,
    TransientError,
)
from connectors.google_ads import errors
from connectors.google_ads.auth import RENEW_BEFORE, parse_token_response

NOW = dt.datetime(2025, 3, 15, 12, 0, tzinfo=dt.UTC)


def test_a_token_response_gives_the_token_and_its_expiry():
    token = parse_token_response(
        200, {"access_token": "ya29.x", "expires_in": 3599, "token_type": "Bearer"}, NOW
    )
    assert token.token == "ya29.x"
    assert token.expires_at == NOW + dt.timedelta(seconds=3599)
    assert token.fresh(NOW)
    assert not token.fresh(token.expires_at - RENEW_BEFORE)
    assert token.refresh_token_expires_at is None


def test_a_time_limited_refresh_token_reports_its_expiry():
    token = parse_token_response(
        200, {"access_token": "a", "expires_in": 3599, "refresh_token_expires_in": 604799}, NOW
    )
    assert token.refresh_token_expires_at == NOW + dt.timedelta(seconds=604799)


def test_the_token_never_shows_in_its_repr():
    token = parse_token_response(200, {"access_token": "ya29.secret", "expires_in": 60}, NOW)
    assert "ya29.secret" not in repr(token)


def test_invalid_grant_is_an_authentication_error_with_the_platform_message():
    payload = {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
    with pytest.raises(AuthenticationError, match="Token has been expired or revoked."):
        parse_token_response(400, payload, NOW)


def test_a_token_endpoint_5xx_is_transient():
    with pytest.raises(TransientError):
        parse_token_response(503, None, NOW)


def test_a_token_response_without_a_token_is_a_bad_response():
    with pytest.raises(BadResponseError) as err:
        parse_token_response(200, {"expires_in": 3599}, NOW)
    assert err.value.field == "access_token"


class _Call(grpc.RpcError, grpc.Call):
    """A failed gRPC call as the library hands it over."""

    def __init__(self, code: grpc.StatusCode, failure: GoogleAdsFailure | None = None) -> None:
        self._code = code
        self._failure = failure

    def code(self):
        return self._code

    def details(self):
        return "details"

    def trailing_metadata(self):
        if self._failure is None:
            return ()
        return ((errors.FAILURE_KEY, GoogleAdsFailure.serialize(self._failure)),)

    def initial_metadata(self):
        return ()

    def debug_error_string(self):
        return ""

    def is_active(self):
        return False

    def time_remaining(self):
        return None

    def cancel(self):
        return False

    def add_callback(self, callback):
        return False


def _failure(error_code: dict, message: str, details: dict | None = None) -> GoogleAdsFailure:
    error = {"error_code": error_code, "message": message}
    if details:
        error["details"] = details
    return GoogleAdsFailure({"errors": [error], "request_id": "rid"})


def _ads_exception(code: grpc.StatusCode, failure: GoogleAdsFailure) -> GoogleAdsException:
    call = _Call(code, failure)
    return GoogleAdsException(call, call, failure, "rid")


def test_an_authentication_failure_maps_to_authentication_error_with_its_message():
    exc = _ads_exception(
        grpc.StatusCode.UNAUTHENTICATED,
        _failure({"authentication_error": "OAUTH_TOKEN_EXPIRED"}, "The OAuth token has expired."),
    )
    mapped = errors.to_connector_error(exc)
    assert isinstance(mapped, AuthenticationError)
    assert mapped.message == "The OAuth token has expired."


def test_an_authorization_failure_maps_to_authentication_error():
    exc = _ads_exception(
        grpc.StatusCode.PERMISSION_DENIED,
        _failure({"authorization_error": "USER_PERMISSION_DENIED"}, "No access."),
    )
    assert isinstance(errors.to_connector_error(exc), AuthenticationError)


def test_resource_exhausted_maps_to_rate_limited_with_the_quota_retry_delay():
    failure = _failure(
        {"quota_error": "RESOURCE_TEMPORARILY_EXHAUSTED"},
        "Too many requests. Retry in 30 seconds.",
        {"quota_error_details": {"retry_delay": {"seconds": 30}}},
    )
    call = _Call(grpc.StatusCode.RESOURCE_EXHAUSTED, failure)
    mapped = errors.to_connector_error(core.from_grpc_error(call))
    assert isinstance(mapped, RateLimitedError)
    assert mapped.retry_after == 30
    assert mapped.message == "Too many requests. Retry in 30 seconds."


def test_resource_exhausted_without_details_has_no_retry_after():
    mapped = errors.to_connector_error(core.ResourceExhausted("quota"))
    assert isinstance(mapped, RateLimitedError)
    assert mapped.retry_after is None


@pytest.mark.parametrize(
    "code",
    [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.INTERNAL],
)
def test_unavailable_deadline_and_internal_are_transient(code):
    assert isinstance(errors.to_connector_error(core.from_grpc_error(_Call(code))), TransientError)


def test_a_transient_google_ads_failure_is_transient():
    exc = _ads_exception(
        grpc.StatusCode.UNAVAILABLE,
        _failure({"internal_error": "TRANSIENT_ERROR"}, "Retry it."),
    )
    assert isinstance(errors.to_connector_error(exc), TransientError)


def test_a_query_error_is_a_plain_connector_error():
    exc = _ads_exception(
        grpc.StatusCode.INVALID_ARGUMENT,
        _failure({"query_error": "UNRECOGNIZED_FIELD"}, "Unrecognized field."),
    )
    mapped = errors.to_connector_error(exc)
    assert type(mapped) is ConnectorError
    assert not mapped.retryable
    assert "Unrecognized field." in mapped.message


def test_exceptions_outside_the_google_ads_stack_are_not_mapped():
    assert errors.to_connector_error(KeyError("x")) is None
