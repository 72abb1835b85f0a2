"""The access token: fetched once, reused, refreshed before expiry and after a 401."""

from __future__ import annotations

import logging

from tests.connectors.apple_search_ads.support import WINDOW

TOKEN = "/auth/oauth2/token"
REPORT = "/api/v5/reports/campaigns"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_one_token_serves_many_calls(connector, sandbox, us_org):
    connector.list_accounts()
    list(connector.fetch_daily(us_org, *WINDOW))
    connector.fetch_account_total(us_org, *WINDOW)

    assert len(sandbox.calls(TOKEN)) == 1
    assert len(sandbox.calls()) > 5


def test_a_refused_token_is_replaced_and_the_call_sent_again(connector, sandbox, world, us_org):
    connector.list_accounts()
    sandbox.revoke_tokens()

    rows = list(connector.fetch_daily(us_org, *WINDOW))

    assert sum(r.spend for r in rows) == world.total(world.account("40001"), *WINDOW).spend
    assert len(sandbox.calls(TOKEN)) == 2
    assert [c.status for c in sandbox.calls(REPORT)][:2] == [401, 200]


def test_the_token_is_refreshed_five_minutes_before_it_expires(connector, sandbox, us_org):
    clock = FakeClock()
    connector.client.tokens.clock = clock
    connector.list_accounts()

    clock.now += 3600 - 299
    connector.list_accounts()

    assert len(sandbox.calls(TOKEN)) == 2
    assert all(c.status == 200 for c in sandbox.calls())


def test_the_token_is_kept_until_the_refresh_margin(connector, sandbox, us_org):
    clock = FakeClock()
    connector.client.tokens.clock = clock
    connector.list_accounts()

    clock.now += 3600 - 301
    connector.list_accounts()

    assert len(sandbox.calls(TOKEN)) == 1


def test_a_token_issued_with_less_than_the_margin_left_is_fetched_for_each_call(connector, sandbox):
    sandbox.token_lifetime = 120

    connector.list_accounts()
    connector.list_accounts()

    assert [c.path for c in sandbox.calls()] == [TOKEN, "/api/v5/acls"] * 2


def test_the_token_and_client_secret_are_never_logged(connector, us_org, caplog):
    caplog.set_level(logging.DEBUG)

    list(connector.fetch_daily(us_org, *WINDOW))

    assert "POST /api/v5/reports/campaigns" in caplog.text
    assert connector.client.tokens.current() not in caplog.text
    assert connector.client.client_secret().value not in caplog.text
    assert "Bearer" not in caplog.text
