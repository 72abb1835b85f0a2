"""The sandbox answers like the platform: TLS, OAuth, GoogleAdsFailure trailers, strict GAQL."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from connectors.base import Endpoints
from connectors.errors import AuthenticationError, ConnectorError, TransientError
from connectors.google_ads import GoogleAdsConnector
from connectors.google_ads.auth import RENEW_BEFORE, TokenSource
from connectors.google_ads.client import AdsApi
from connectors.retry import RetryPolicy
from connectors.sandbox.google_ads import world as google_sandbox

CLIENT = "1234567890"


@pytest.fixture
def api(sandbox):
    token = requests.post(
        sandbox.token_url,
        data={
            "grant_type": "refresh_token",
            "client_id": google_sandbox.CLIENT_ID,
            "client_secret": google_sandbox.CLIENT_SECRET,
            "refresh_token": google_sandbox.REFRESH_TOKEN,
        },
        timeout=10,
    ).json()["access_token"]
    api = AdsApi(
        token,
        google_sandbox.DEVELOPER_TOKEN,
        sandbox.url,
        sandbox.root_cert_path.read_bytes(),
    )
    yield api
    api.close()


def test_endpoints_kwargs_name_localhost_the_certificate_and_the_token_url(sandbox):
    kwargs = sandbox.endpoints_kwargs()
    assert kwargs["google_ads_endpoint"] == f"localhost:{sandbox.port}"
    assert kwargs["google_ads_root_cert"] == str(sandbox.root_cert_path)
    assert kwargs["google_oauth_token_url"].endswith("/token")
    assert sandbox.root_cert_path.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")


def test_the_token_endpoint_issues_bearer_tokens_for_an_hour(sandbox):
    answer = requests.post(
        sandbox.token_url,
        data={
            "grant_type": "refresh_token",
            "client_id": google_sandbox.CLIENT_ID,
            "client_secret": google_sandbox.CLIENT_SECRET,
            "refresh_token": google_sandbox.REFRESH_TOKEN,
        },
        timeout=10,
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3599


def test_the_token_endpoint_refuses_a_revoked_refresh_token_as_google_does(sandbox):
    answer = requests.post(
        sandbox.token_url,
        data={
            "grant_type": "refresh_token",
            "client_id": google_sandbox.CLIENT_ID,
            "client_secret": google_sandbox.CLIENT_SECRET,
            "refresh_token": google_sandbox.REVOKED_REFRESH_TOKEN,
        },
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_grant",
        "error_description": "Token has been expired or revoked.",
    }


def test_a_wrong_client_secret_is_an_authentication_error(sandbox):
    source = TokenSource(
        sandbox.token_url, google_sandbox.CLIENT_ID, "wrong", google_sandbox.REFRESH_TOKEN
    )
    with pytest.raises(AuthenticationError):
        source.token()


def test_tokens_are_renewed_shortly_before_they_expire(sandbox):
    now = [dt.datetime(2025, 3, 15, 12, 0, tzinfo=dt.UTC)]
    source = TokenSource(
        sandbox.token_url,
        google_sandbox.CLIENT_ID,
        google_sandbox.CLIENT_SECRET,
        google_sandbox.REFRESH_TOKEN,
        clock=lambda: now[0],
    )
    first = source.token()
    now[0] = first.expires_at - RENEW_BEFORE - dt.timedelta(seconds=1)
    assert source.token() is first
    now[0] = first.expires_at - RENEW_BEFORE
    assert source.token().token != first.token


def test_the_channel_is_real_tls_not_trusted_without_the_sandbox_certificate(sandbox):
    endpoints = Endpoints(google_ads_endpoint=sandbox.url, google_oauth_token_url=sandbox.token_url)
    connector = GoogleAdsConnector(
        google_sandbox.config(), endpoints=endpoints, retry=RetryPolicy(max_attempts=1)
    )
    with pytest.raises(TransientError):
        connector.list_accounts()
    connector.close()


def test_a_query_the_api_cannot_parse_is_refused_with_its_message(api, sandbox):
    since = len(sandbox.calls)
    with pytest.raises(ConnectorError, match="unexpected input") as err:
        api.search_stream(
            CLIENT, "SELECT campaign.id FROM campaign ORDER BY campaign.id", "9990001111"
        )
    assert not err.value.retryable
    assert [c.status for c in sandbox.calls[since:]] == ["INVALID_ARGUMENT"]


def test_metrics_on_the_manager_are_refused(api):
    with pytest.raises(ConnectorError, match="Metrics cannot be requested for a manager"):
        api.search_stream(
            google_sandbox.MANAGER_ID,
            "SELECT metrics.clicks FROM customer "
            "WHERE segments.date BETWEEN '2025-03-01' AND '2025-03-02'",
            None,
        )


def test_a_client_account_needs_the_manager_as_login_customer_id(api):
    with pytest.raises(AuthenticationError, match="login-customer-id"):
        api.search_stream(CLIENT, "SELECT customer.currency_code FROM customer", None)


def test_an_unknown_access_token_is_refused(sandbox):
    api = AdsApi(
        "ya29.made-up",
        google_sandbox.DEVELOPER_TOKEN,
        sandbox.url,
        sandbox.root_cert_path.read_bytes(),
    )
    with pytest.raises(AuthenticationError, match="Oauth token in the header is not valid."):
        api.accessible_customers()
    api.close()


def test_list_accessible_customers_names_the_manager(api):
    assert api.accessible_customers() == [f"customers/{google_sandbox.MANAGER_ID}"]


def test_geographic_view_counts_each_country_once_per_location_type(api):
    base = (
        "SELECT geographic_view.country_criterion_id, metrics.clicks FROM geographic_view "
        "WHERE segments.date BETWEEN '2025-03-01' AND '2025-03-02'"
    )
    every_type = api.search_stream(CLIENT, base, google_sandbox.MANAGER_ID)
    presence = api.search_stream(
        CLIENT,
        base + " AND geographic_view.location_type = 'LOCATION_OF_PRESENCE'",
        google_sandbox.MANAGER_ID,
    )
    assert sum(r.metrics.clicks for r in every_type) == 2 * sum(r.metrics.clicks for r in presence)
