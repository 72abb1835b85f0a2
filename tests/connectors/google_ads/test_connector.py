"""GoogleAdsConnector against the gRPC sandbox, through the official google-ads client."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from connectors.base import NO_ID, Breakdown, Endpoints, Level
from connectors.errors import AuthenticationError, BadResponseError, RateLimitedError
from connectors.google_ads import GoogleAdsConnector
from connectors.retry import RetryPolicy
from connectors.sandbox.generator import COUNTRIES, DEVICES, World
from connectors.sandbox.google_ads import world as google_sandbox
from connectors.sandbox.google_ads.server import serve

START, END = dt.date(2025, 1, 10), dt.date(2025, 3, 10)  # 60 days
SHORT = (dt.date(2025, 3, 1), dt.date(2025, 3, 3))
#: Client accounts under the sandbox manager (the last one is not among the demo's).
ACCOUNT_IDS = ("1234567890", "2345678901", "3456789012", "4567890123")


@pytest.fixture
def accounts(connector):
    return {a.external_id: a for a in connector.list_accounts()}


def _calls_for(sandbox, customer_id, since):
    return [c for c in sandbox.calls[since:] if c.customer_id == customer_id]


def test_test_connection_succeeds_and_counts_the_client_accounts(connector, world):
    check = connector.test_connection()
    assert check.ok
    assert check.accounts == len(world.accounts_of("google_ads"))


def test_a_revoked_refresh_token_fails_the_connection_test_with_googles_message(make_connector):
    connector = make_connector(google_sandbox.config(google_sandbox.REVOKED_REFRESH_TOKEN))
    check = connector.test_connection()
    assert not check.ok
    assert check.message == "Token has been expired or revoked."


def test_a_wrong_developer_token_fails_the_connection_test(make_connector):
    config = google_sandbox.config() | {"developer_token": "not-the-token"}
    check = make_connector(config).test_connection()
    assert not check.ok
    assert check.message == "The developer token is not valid."


def test_list_accounts_returns_the_clients_under_the_manager(connector, world):
    accounts = connector.list_accounts()
    assert [a.external_id for a in accounts] == list(ACCOUNT_IDS)
    for account in accounts:
        expected = world.account(account.external_id)
        assert (account.name, account.currency, account.timezone) == (
            expected.name,
            expected.currency,
            expected.timezone,
        )
        assert account.manager_id == google_sandbox.MANAGER_ID


def test_list_accounts_walks_every_accessible_customer_without_a_login_customer_id(
    make_connector,
):
    config = google_sandbox.config()
    del config["login_customer_id"]
    accounts = make_connector(config).list_accounts()
    assert [a.external_id for a in accounts] == list(ACCOUNT_IDS)


def test_customer_ids_restrict_the_accounts(make_connector):
    config = google_sandbox.config() | {"customer_ids": "234-567-8901"}
    assert [a.external_id for a in make_connector(config).list_accounts()] == ["2345678901"]


@pytest.mark.parametrize("account_id", ACCOUNT_IDS)
@pytest.mark.parametrize("level", list(Level))
@pytest.mark.parametrize("breakdown", [None, Breakdown.COUNTRY, Breakdown.DEVICE])
def test_rows_sum_to_the_world_total(connector, accounts, world, account_id, level, breakdown):
    account = accounts[account_id]
    rows = list(connector.fetch_daily(account, START, END, level, breakdown))
    total = world.total(world.account(account_id), START, END)
    assert sum(r.spend for r in rows) == total.spend
    assert sum(r.impressions for r in rows) == total.impressions
    assert sum(r.clicks for r in rows) == total.clicks
    assert sum(r.installs for r in rows) == total.installs
    assert sum(r.conversions for r in rows) == total.conversions
    assert sum(r.conversion_value for r in rows) == total.conversion_value
    assert {r.currency for r in rows} == {account.currency}


def test_the_account_total_matches_the_world(connector, accounts, world):
    for account_id in ACCOUNT_IDS:
        total = connector.fetch_account_total(accounts[account_id], START, END)
        expected = world.total(world.account(account_id), START, END)
        assert (total.spend, total.impressions, total.clicks) == (
            expected.spend,
            expected.impressions,
            expected.clicks,
        )


def test_reports_come_back_in_several_stream_batches(connector, accounts, sandbox):
    since = len(sandbox.calls)
    rows = list(connector.fetch_daily(accounts["1234567890"], *SHORT))
    metric_calls = [c for c in sandbox.calls[since:] if "metrics.cost_micros" in c.query]
    assert metric_calls and all(c.batches > 1 for c in metric_calls)
    assert len(rows) == sum(c.rows for c in metric_calls)


def test_long_ranges_are_fetched_in_windows(connector, accounts, sandbox):
    since = len(sandbox.calls)
    list(connector.fetch_daily(accounts["1234567890"], START, END))
    metric_calls = [c for c in sandbox.calls[since:] if "metrics.cost_micros" in c.query]
    assert len(metric_calls) == -(-((END - START).days + 1) // GoogleAdsConnector.window_days)


def test_money_is_exact_decimal_to_the_cent(connector, accounts):
    rows = list(connector.fetch_daily(accounts["2345678901"], *SHORT, Level.AD))
    for row in rows:
        assert isinstance(row.spend, Decimal)
        assert row.spend == row.spend.quantize(Decimal("0.01"))
        assert row.spend.as_tuple().exponent == -2
        assert isinstance(row.conversion_value, Decimal)
        assert isinstance(row.conversions, Decimal)


def test_campaign_rows_have_no_ad_group_and_ad_rows_have_ad_groups(connector, accounts):
    account = accounts["1234567890"]
    campaign_rows = list(connector.fetch_daily(account, *SHORT))
    ad_rows = list(connector.fetch_daily(account, *SHORT, Level.AD))
    assert all(r.level == Level.CAMPAIGN and r.ad_group_id == NO_ID for r in campaign_rows)
    assert all(r.level == Level.AD and r.ad_group_id != NO_ID and r.ad_id == NO_ID for r in ad_rows)
    assert all(r.ad_group_name for r in ad_rows)


def test_breakdown_keys_use_the_normalized_vocabulary(connector, accounts):
    account = accounts["3456789012"]
    by_country = list(connector.fetch_daily(account, *SHORT, breakdown=Breakdown.COUNTRY))
    by_device = list(connector.fetch_daily(account, *SHORT, breakdown=Breakdown.DEVICE))
    assert {r.country for r in by_country} <= set(COUNTRIES)
    assert {r.device for r in by_country} == {NO_ID}
    assert {r.device for r in by_device} <= set(DEVICES["google_ads"])
    assert {r.country for r in by_device} == {NO_ID}


def test_rows_are_dated_in_the_accounts_own_time_zone(make_connector, fast_retry):
    """With the real clock, the newest day reported is yesterday where the account is."""
    world = World()  # today: each account's own local date
    server = serve(world)
    try:
        connector = GoogleAdsConnector(
            google_sandbox.config(),
            endpoints=Endpoints(**server.endpoints_kwargs()),
            retry=fast_retry,
        )
        utc_today = dt.datetime.now(dt.UTC).date()
        for account in connector.list_accounts():
            rows = list(
                connector.fetch_daily(
                    account, utc_today - dt.timedelta(days=3), utc_today + dt.timedelta(days=1)
                )
            )
            local_today = world.account_today(world.account(account.external_id))
            assert max(r.date for r in rows) == local_today - dt.timedelta(days=1)
        connector.close()
    finally:
        server.stop()


def test_rate_limits_are_retried_to_success(connector, accounts, set_faults, sandbox):
    account = accounts["1234567890"]
    expected = list(connector.fetch_daily(account, *SHORT))
    set_faults(account.external_id, "rate_limit")
    since = len(sandbox.calls)
    assert list(connector.fetch_daily(account, *SHORT)) == expected
    statuses = [c.status for c in _calls_for(sandbox, account.external_id, since)]
    assert statuses == ["RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED", "OK"] * 2


def test_a_rate_limit_carries_the_platforms_retry_delay(make_connector, accounts, set_faults):
    connector = make_connector(retry=RetryPolicy(max_attempts=1))
    set_faults("1234567890", "rate_limit")
    with pytest.raises(RateLimitedError) as err:
        list(connector.fetch_daily(accounts["1234567890"], *SHORT))
    assert err.value.retry_after == 1.0


def test_the_retry_waits_at_least_the_retry_delay_up_to_the_cap(
    make_connector, accounts, set_faults
):
    waits: list[float] = []
    retry = RetryPolicy(base_delay=0.001, max_delay=0.5, jitter=False, sleep=waits.append)
    set_faults("1234567890", "rate_limit")
    list(make_connector(retry=retry).fetch_daily(accounts["1234567890"], *SHORT))
    assert waits and all(w == 0.5 for w in waits)


def test_server_errors_are_retried_to_success(connector, accounts, set_faults, sandbox):
    account = accounts["2345678901"]
    expected = list(connector.fetch_daily(account, *SHORT))
    set_faults(account.external_id, "server_error")
    since = len(sandbox.calls)
    assert list(connector.fetch_daily(account, *SHORT)) == expected
    statuses = [c.status for c in _calls_for(sandbox, account.external_id, since)]
    assert statuses == ["UNAVAILABLE", "OK"] * 2


def test_slow_answers_still_arrive(connector, accounts, set_faults):
    set_faults("3456789012", "slow")
    assert list(connector.fetch_daily(accounts["3456789012"], *SHORT))


def test_an_expired_token_raises_at_once_without_retry(connector, accounts, set_faults, sandbox):
    set_faults("1234567890", "expired_token")
    since = len(sandbox.calls)
    with pytest.raises(AuthenticationError, match="The OAuth token in the header has expired."):
        list(connector.fetch_daily(accounts["1234567890"], *SHORT))
    assert [c.status for c in _calls_for(sandbox, "1234567890", since)] == ["UNAUTHENTICATED"]


def test_a_revoked_refresh_token_raises_at_once_without_retry(make_connector, accounts, sandbox):
    connector = make_connector(google_sandbox.config(google_sandbox.REVOKED_REFRESH_TOKEN))
    before, calls = sandbox.token_requests, len(sandbox.calls)
    with pytest.raises(AuthenticationError, match="Token has been expired or revoked."):
        list(connector.fetch_daily(accounts["1234567890"], *SHORT))
    assert sandbox.token_requests == before + 1
    assert len(sandbox.calls) == calls


def test_a_malformed_row_is_rejected_naming_the_field(connector, accounts, set_faults):
    set_faults("1234567890", "malformed")
    with pytest.raises(BadResponseError) as err:
        list(connector.fetch_daily(accounts["1234567890"], *SHORT))
    assert err.value.field == "segments.date"
    assert err.value.position.startswith("row 0 of campaign")


def test_a_negative_account_cost_is_rejected(connector, accounts, set_faults):
    set_faults("1234567890", "malformed")
    with pytest.raises(BadResponseError) as err:
        connector.fetch_account_total(accounts["1234567890"], *SHORT)
    assert err.value.field == "metrics.cost_micros"


def test_the_access_token_is_minted_once_and_reused(make_connector, accounts, sandbox):
    connector = make_connector()
    before = sandbox.token_requests
    list(connector.fetch_daily(accounts["1234567890"], *SHORT))
    list(connector.fetch_daily(accounts["2345678901"], *SHORT))
    assert sandbox.token_requests == before + 1


def test_a_token_the_platform_refuses_is_not_reused(connector, accounts, sandbox):
    account = accounts["1234567890"]
    list(connector.fetch_daily(account, *SHORT))
    sandbox.expire_access_tokens()
    with pytest.raises(AuthenticationError):
        list(connector.fetch_daily(account, *SHORT))
    assert list(connector.fetch_daily(account, *SHORT))


def test_restated_days_are_fetched_again_with_new_numbers(endpoints, fast_retry):
    world = World(today=dt.date(2025, 3, 15))
    server = serve(world)
    try:
        connector = GoogleAdsConnector(
            google_sandbox.config(),
            endpoints=Endpoints(**server.endpoints_kwargs()),
            retry=fast_retry,
        )
        account = connector.list_accounts()[0]
        window = (dt.date(2025, 3, 1), dt.date(2025, 3, 14))
        before = sum(r.spend for r in connector.fetch_daily(account, *window))
        world.restate()
        after = sum(r.spend for r in connector.fetch_daily(account, *window))
        assert after != before
        assert after == world.total(world.account(account.external_id), *window).spend
        connector.close()
    finally:
        server.stop()


def test_secrets_never_reach_the_logs(make_connector, accounts, set_faults, caplog):
    caplog.set_level("DEBUG")
    connector = make_connector()
    set_faults("1234567890", "rate_limit")
    list(connector.fetch_daily(accounts["1234567890"], *SHORT))
    make_connector(google_sandbox.config(google_sandbox.REVOKED_REFRESH_TOKEN)).test_connection()
    token = connector._tokens.cached.token
    text = caplog.text
    for secret in (
        google_sandbox.REFRESH_TOKEN,
        google_sandbox.REVOKED_REFRESH_TOKEN,
        google_sandbox.CLIENT_SECRET,
        google_sandbox.DEVELOPER_TOKEN,
        token,
    ):
        assert secret not in text
