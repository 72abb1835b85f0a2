"""Rate limits, server errors, slowness, broken payloads and refused credentials."""

from __future__ import annotations

import datetime as dt
import socket
from collections import defaultdict

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from connectors.base import Endpoints, Level
from connectors.errors import (
    AuthenticationError,
    BadResponseError,
    RateLimitedError,
    TransientError,
)
from connectors.retry import RetryPolicy
from connectors.sandbox.apple_search_ads import world as apple_sandbox
from tests.connectors.apple_search_ads.support import TODAY, WINDOW, fast_retry

REPORT = "/api/v5/reports/campaigns"
TOKEN = "/auth/oauth2/token"
YESTERDAY = TODAY - dt.timedelta(days=1)


def statuses_by_request(calls):
    """HTTP statuses of each distinct request (same path and body), in arrival order."""
    seen = defaultdict(list)
    for call in calls:
        seen[(call.path, repr(call.body))].append(call.status)
    return list(seen.values())


def other_p256_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_rate_limited_requests_are_retried_to_success(connector, sandbox, world, us_org):
    world.set_faults("40001", {"rate_limit"})

    rows = list(connector.fetch_daily(us_org, *WINDOW))

    assert sum(r.spend for r in rows) == world.total(world.account("40001"), *WINDOW).spend
    statuses = statuses_by_request(sandbox.calls(REPORT))
    assert len(statuses) > 1
    assert all(s == [429, 429, 200] for s in statuses)


def test_rate_limit_waits_for_the_retry_after_the_platform_asks(make_connector, world, us_org):
    waits: list[float] = []
    retry = RetryPolicy(base_delay=0.001, max_delay=5, jitter=False, sleep=waits.append)
    world.set_faults("40001", {"rate_limit"})

    list(make_connector(retry=retry, page_limit=1000).fetch_daily(us_org, YESTERDAY, YESTERDAY))

    assert waits == [1.0, 1.0]


def test_rate_limit_beyond_the_attempts_raises_rate_limited_error(make_connector, world, us_org):
    world.set_faults("40001", {"rate_limit"})
    connector = make_connector(retry=fast_retry(max_attempts=2))

    with pytest.raises(RateLimitedError) as err:
        list(connector.fetch_daily(us_org, *WINDOW))

    assert err.value.retry_after == 1.0
    assert "Too many requests" in err.value.message


def test_server_errors_are_retried_to_success(connector, sandbox, world, au_org):
    world.set_faults("40002", {"server_error"})

    rows = list(connector.fetch_daily(au_org, *WINDOW, level=Level.AD))

    assert sum(r.spend for r in rows) == world.total(world.account("40002"), *WINDOW).spend
    statuses = statuses_by_request(sandbox.calls())
    assert [s for s in statuses if s[0] != 200] and all(
        s == [500, 200] for s in statuses if s[0] != 200
    )


def test_server_error_beyond_the_attempts_raises_transient_error(make_connector, world, us_org):
    world.set_faults("40001", {"server_error"})

    with pytest.raises(TransientError, match="HTTP 500"):
        list(make_connector(retry=fast_retry(max_attempts=1)).fetch_daily(us_org, *WINDOW))


def test_an_unreachable_platform_is_a_transient_error(make_connector, us_org):
    url = f"http://127.0.0.1:{closed_port()}"
    endpoints = Endpoints(apple_api_url=url, apple_token_url=url + TOKEN)
    connector = make_connector(endpoints_=endpoints, retry=fast_retry(max_attempts=2))

    with pytest.raises(TransientError):
        list(connector.fetch_daily(us_org, *WINDOW))


def test_a_read_timeout_is_a_transient_error(make_connector, world, us_org):
    connector = make_connector(retry=fast_retry(max_attempts=2))
    connector.list_accounts()  # token first, while the server is quick
    connector.client.timeout = (1.0, 0.05)
    world.set_faults("40001", {"slow"})

    with pytest.raises(TransientError, match="Timeout"):
        list(connector.fetch_daily(us_org, YESTERDAY, YESTERDAY))


def test_a_slow_platform_still_answers(make_connector, world, us_org):
    world.set_faults("40001", {"slow"})

    rows = list(make_connector(page_limit=1000).fetch_daily(us_org, YESTERDAY, YESTERDAY))

    assert (
        sum(r.spend for r in rows)
        == world.total(world.account("40001"), YESTERDAY, YESTERDAY).spend
    )


def test_a_malformed_amount_is_rejected_naming_the_field_and_position(connector, world, us_org):
    world.set_faults("40001", {"malformed"})

    with pytest.raises(BadResponseError) as err:
        list(connector.fetch_daily(us_org, *WINDOW))

    assert err.value.field == "localSpend.amount"
    assert err.value.position == f"POST {REPORT} offset 0, row 0, granularity 0"


def test_a_malformed_payload_is_not_retried(connector, sandbox, world, us_org):
    world.set_faults("40001", {"malformed"})

    with pytest.raises(BadResponseError):
        list(connector.fetch_daily(us_org, *WINDOW))

    assert len(sandbox.calls(REPORT)) == 1


def test_a_malformed_account_total_is_rejected(connector, world, us_org):
    world.set_faults("40001", {"malformed"})

    with pytest.raises(BadResponseError) as err:
        connector.fetch_account_total(us_org, *WINDOW)

    assert err.value.field == "localSpend.amount"


def test_refused_client_credentials_raise_at_once_without_retry(make_connector, sandbox, us_org):
    connector = make_connector(apple_sandbox.config(private_key=other_p256_key()))

    with pytest.raises(AuthenticationError, match="invalid_client"):
        list(connector.fetch_daily(us_org, *WINDOW))

    assert [c.path for c in sandbox.calls()] == [TOKEN]


def test_test_connection_reports_refused_credentials_with_the_platform_message(make_connector):
    check = make_connector(apple_sandbox.config(private_key=other_p256_key())).test_connection()

    assert not check.ok
    assert "invalid_client" in check.message


def test_an_expired_token_raises_after_one_fresh_token_is_refused_too(
    connector, sandbox, world, us_org
):
    world.set_faults("40001", {"expired_token"})

    with pytest.raises(AuthenticationError, match="Invalid credentials"):
        list(connector.fetch_daily(us_org, *WINDOW))

    assert [c.status for c in sandbox.calls(REPORT)] == [401, 401]
    assert len(sandbox.calls(TOKEN)) == 2


def test_authentication_errors_do_not_contain_secrets(make_connector, world, us_org):
    world.set_faults("40001", {"expired_token"})
    connector = make_connector()

    with pytest.raises(AuthenticationError) as err:
        list(connector.fetch_daily(us_org, *WINDOW))

    text = str(err.value)
    assert connector.client.client_secret().value not in text
    assert connector.client.tokens.current() not in text
    assert "PRIVATE KEY" not in text and apple_sandbox.private_key_pem()[40:80] not in text
