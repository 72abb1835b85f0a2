"""Usage headers and Graph error bodies → usage, retry-after and the shared error types."""

from __future__ import annotations

import json

import pytest
from facebook_business.exceptions import FacebookRequestError

from connectors.errors import (
    AuthenticationError,
    ConnectorError,
    RateLimitedError,
    TransientError,
)
from connectors.meta.errors import platform_message, translate
from connectors.meta.usage import Usage, parse_usage
from connectors.sandbox.meta import world as meta_sandbox
from tests.connectors.meta.conftest import load_payload


def graph_error(body: dict, status: int = 400, headers: dict | None = None) -> FacebookRequestError:
    """The exception the SDK raises for an error answer (request context as the SDK builds it)."""
    context = {
        "method": "GET",
        "path": "https://graph.facebook.com/v26.0/act_1001/insights",
        "params": {"fields": "spend", "access_token": meta_sandbox.GOOD_TOKEN},
        "headers": {},
        "files": {},
    }
    return FacebookRequestError(
        "Call was not successful", context, status, headers or {}, json.dumps(body)
    )


def error_body(code: int, message: str = "boom", **extra) -> dict:
    return {"error": {"message": message, "type": "OAuthException", "code": code, **extra}}


def test_usage_headers_give_the_peak_percentage_and_time_to_regain_access():
    usage = parse_usage(load_payload("error_rate_limited.json")["headers"])
    assert usage.peak == 100
    assert usage.regain_minutes == 1
    assert usage.ad_account_pct == 100 and usage.reset_seconds == 60
    assert usage.insights_app_pct == 50


def test_retry_after_is_the_estimated_time_to_regain_access_in_seconds():
    usage = parse_usage(load_payload("error_rate_limited.json")["headers"])
    assert usage.retry_after() == 60.0


def test_low_usage_asks_for_no_wait():
    usage = Usage(app_pct=12, business_pct=30, ad_account_pct=8)
    assert not usage.throttled and usage.retry_after() is None


def test_usage_at_ninety_percent_asks_for_a_wait():
    usage = parse_usage({"x-ad-account-usage": json.dumps({"acc_id_util_pct": 92})})
    assert usage.throttled and usage.retry_after() == 60.0


def test_unreadable_usage_headers_count_as_zero():
    usage = parse_usage({"x-app-usage": "not json", "X-Business-Use-Case-Usage": "[1,"})
    assert usage == Usage()


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80000, 80004, 80008])
def test_throttling_codes_are_rate_limits(code):
    assert isinstance(translate(graph_error(error_body(code))), RateLimitedError)


def test_rate_limit_carries_the_retry_after_from_the_usage_headers():
    recorded = load_payload("error_rate_limited.json")
    error = translate(graph_error(recorded["body"], recorded["status"], recorded["headers"]))
    assert isinstance(error, RateLimitedError)
    assert error.retry_after == 60.0


def test_expired_token_is_an_authentication_error_with_the_platform_message():
    recorded = load_payload("error_expired_token.json")
    error = translate(graph_error(recorded["body"], recorded["status"], recorded["headers"]))
    assert isinstance(error, AuthenticationError)
    assert not error.retryable
    assert platform_message(error) == "Error validating access token: Session has expired"
    assert "code 190" in error.message and "subcode 463" in error.message


@pytest.mark.parametrize("code", [10, 102, 190, 200, 272, 294])
def test_oauth_and_permission_codes_are_authentication_errors(code):
    assert isinstance(translate(graph_error(error_body(code))), AuthenticationError)


@pytest.mark.parametrize(
    ("code", "status", "transient"),
    [(1, 400, False), (2, 500, True), (100, 503, False), (1487534, 400, True)],
)
def test_unknown_errors_server_errors_and_transient_flags_are_transient(code, status, transient):
    error = translate(graph_error(error_body(code, is_transient=transient), status))
    assert isinstance(error, TransientError)


def test_a_wrong_app_secret_is_an_authentication_error():
    body = error_body(100, "Invalid appsecret_proof provided in the API argument")
    assert isinstance(translate(graph_error(body)), AuthenticationError)


def test_an_invalid_parameter_is_not_retried():
    error = translate(graph_error(error_body(100, "(#100) Invalid parameter", error_subcode=33)))
    assert type(error) is ConnectorError and not error.retryable


def test_error_messages_never_contain_the_request_parameters():
    error = translate(graph_error(error_body(190, "Invalid OAuth access token")))
    assert meta_sandbox.GOOD_TOKEN not in error.message
    assert meta_sandbox.GOOD_TOKEN not in str(error)
