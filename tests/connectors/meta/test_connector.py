"""MetaConnector through the real facebook-business SDK against the sandbox Graph API."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from decimal import Decimal

import pytest

from connectors.base import NO_ID, Breakdown, Level, connector_class
from connectors.errors import AuthenticationError, BadResponseError, ConfigurationError
from connectors.meta import MetaConnector
from connectors.registry import platform_spec
from connectors.sandbox.generator import COUNTRIES, DEVICES
from connectors.sandbox.meta import world as meta_sandbox
from tests.connectors.meta.conftest import TODAY

START, END = TODAY - dt.timedelta(days=10), TODAY - dt.timedelta(days=1)


def insights_calls(graph, method: str = "GET") -> list:
    return [r for r in graph.calls("/insights") if r.method == method]


def test_registry_finds_the_meta_connector():
    assert connector_class("meta") is MetaConnector


def test_schema_marks_token_and_app_secret_as_secret():
    schema = MetaConnector.configuration_schema()
    assert set(schema["required"]) == {"access_token", "app_id", "app_secret"}
    assert "account_ids" in schema["properties"]
    assert MetaConnector.secret_fields() == ("access_token", "app_secret")


def test_a_config_without_a_token_is_refused():
    config = meta_sandbox.config()
    del config["access_token"]
    with pytest.raises(ConfigurationError, match="access_token"):
        MetaConnector(config)


def test_platform_facts():
    assert platform_spec("meta").restatement_days == 28  # Meta's longest attribution window
    assert set(MetaConnector.breakdowns) == {Breakdown.COUNTRY, Breakdown.DEVICE}


def test_list_accounts_gives_each_accounts_currency_and_time_zone(connector, world):
    accounts = connector.list_accounts()
    assert [(a.external_id, a.currency, a.timezone) for a in accounts] == [
        (a.external_id, a.currency, a.timezone) for a in world.accounts_of("meta")
    ]


def test_list_accounts_pages_through_small_pages(make_connector, graph, world):
    count = len(world.accounts_of("meta"))
    assert len(make_connector(page_size=1).list_accounts()) == count
    assert len(graph.calls("me/adaccounts")) == count


def test_account_ids_limit_the_accounts_listed(make_connector):
    config = {**meta_sandbox.config(), "account_ids": "act_1002, 1003"}
    assert [a.external_id for a in make_connector(config).list_accounts()] == [
        "act_1002",
        "act_1003",
    ]


def test_connection_check_counts_accounts_and_reports_token_expiry(connector, world):
    check = connector.test_connection()
    assert check.ok and check.accounts == len(world.accounts_of("meta"))
    now = dt.datetime.now(dt.UTC)
    assert check.expires_at is not None
    assert now + dt.timedelta(days=50) < check.expires_at < now + dt.timedelta(days=61)


def test_expiry_is_unknown_when_debug_token_refuses_the_app(make_connector):
    config = {**meta_sandbox.config(), "app_secret": "not-the-app-secret"}
    assert make_connector(config).credentials_expiry() is None


def test_connection_check_with_an_expired_token_fails_with_the_platform_message(
    make_connector, graph
):
    check = make_connector(meta_sandbox.config(meta_sandbox.EXPIRED_TOKEN)).test_connection()
    assert not check.ok
    assert check.message == "Error validating access token: Session has expired"
    assert check.expires_at is not None and check.expires_at < dt.datetime.now(dt.UTC)
    assert len(graph.calls("me/adaccounts")) == 1


def test_no_global_api_and_no_crash_reporter_are_installed(connector):
    from facebook_business.api import FacebookAdsApi

    hook, default_api = sys.excepthook, FacebookAdsApi.get_default_api()
    connector.list_accounts()
    assert sys.excepthook is hook
    assert FacebookAdsApi.get_default_api() is default_api


def test_daily_rows_page_through_several_pages(make_connector, graph, world, us_account):
    rows = list(make_connector(page_size=7).fetch_daily(us_account, START, END))
    calls = insights_calls(graph)
    assert len(calls) > 3
    assert all("after" in c.params for c in calls[1:])
    expected = {
        (c.campaign.campaign_id, c.date) for c in world.cells(world.account("act_1001"), START, END)
    }
    assert {(r.campaign_id, r.date) for r in rows} == expected
    assert len(rows) == len(expected)


def test_insights_request_asks_for_daily_rows_and_the_attribution_windows(
    connector, graph, us_account
):
    list(connector.fetch_daily(us_account, START, END, Level.AD, Breakdown.DEVICE))
    params = insights_calls(graph)[0].params
    assert params["level"] == "ad"
    assert params["time_increment"] == "1"
    assert params["breakdowns"] == '["impression_device"]'
    assert params["action_attribution_windows"] == '["7d_click","1d_view"]'
    assert params["time_range"] == '{"since":"2025-06-20","until":"2025-06-29"}'


def test_money_is_exact_decimal_in_the_accounts_currency(connector, world, us_account, jp_account):
    us = list(connector.fetch_daily(us_account, START, END))
    jp = list(connector.fetch_daily(jp_account, START, END))
    assert all(isinstance(r.spend, Decimal) and r.spend.as_tuple().exponent == -2 for r in us)
    assert all(r.spend.as_tuple().exponent == 0 and r.currency == "JPY" for r in jp)
    assert sum(r.spend for r in us) == world.total(world.account("act_1001"), START, END).spend


@pytest.mark.parametrize("account_id", ["act_1001", "act_1002", "act_1003"])
def test_dates_are_the_accounts_own_days(connector, world, account_id):
    from tests.connectors.meta.conftest import account_info

    account = world.account(account_id)
    rows = list(connector.fetch_daily(account_info(world, account_id), START, TODAY))
    assert {r.date for r in rows} == {c.date for c in world.cells(account, START, TODAY)}
    assert max(r.date for r in rows) == world.account_today(account) - dt.timedelta(days=1)


def test_breakdown_keys_are_normalized_and_absent_keys_are_no_id(connector, us_account):
    by_device = list(connector.fetch_daily(us_account, START, END, Level.AD, Breakdown.DEVICE))
    by_country = list(connector.fetch_daily(us_account, START, END, breakdown=Breakdown.COUNTRY))
    assert {r.device for r in by_device} == set(DEVICES["meta"])
    assert {r.country for r in by_device} == {NO_ID}
    assert {r.country for r in by_country} <= set(COUNTRIES)
    assert {r.device for r in by_country} == {NO_ID}
    assert all(r.ad_id == NO_ID and r.ad_group_id == NO_ID for r in by_country)


def test_ad_level_rows_name_ad_sets_and_ads(connector, us_account):
    rows = list(connector.fetch_daily(us_account, START, END, Level.AD))
    assert all(r.level is Level.AD and r.ad_group_id.startswith(r.campaign_id) for r in rows)
    assert all(r.ad_id.startswith(r.ad_group_id) for r in rows)


def test_rate_limits_are_retried_to_success(make_connector, graph, world, us_account, sleeps):
    world.set_faults("act_1001", {"rate_limit"})
    rows = list(make_connector(page_size=50).fetch_daily(us_account, START, END))
    assert sum(r.spend for r in rows) == world.total(world.account("act_1001"), START, END).spend
    statuses = [c.status for c in insights_calls(graph)]
    assert statuses.count(400) == 2 * statuses.count(200)
    assert sleeps and all(s == 0.05 for s in sleeps)  # retry-after capped by max_delay


def test_server_errors_are_retried(make_connector, graph, world, us_account):
    world.set_faults("act_1001", {"server_error"})
    rows = list(make_connector().fetch_daily(us_account, START, END))
    assert rows and [c.status for c in insights_calls(graph)] == [500, 200]


def test_expired_token_raises_at_once_without_retry(connector, graph, world, us_account, sleeps):
    world.set_faults("act_1001", {"expired_token"})
    with pytest.raises(AuthenticationError) as info:
        list(connector.fetch_daily(us_account, START, END))
    assert "Session has expired" in info.value.message
    assert len(insights_calls(graph)) == 1
    assert sleeps == []


def test_malformed_spend_is_rejected_naming_field_and_position(connector, world, us_account):
    world.set_faults("act_1001", {"malformed"})
    with pytest.raises(BadResponseError) as info:
        list(connector.fetch_daily(us_account, START, END))
    assert info.value.field == "spend"
    assert info.value.position == "page 1, row 2"


def test_high_usage_pauses_before_the_next_call(make_connector, graph, us_account, sleeps):
    graph.force_usage(95)
    connector = make_connector(page_size=7)
    list(connector.fetch_daily(us_account, START, END))
    assert connector.last_usage.peak == 95
    assert len(insights_calls(graph)) > 2
    assert sleeps == [0.05] * (len(insights_calls(graph)) - 1)


def test_last_usage_is_exposed(connector, us_account):
    list(connector.fetch_daily(us_account, START, END))
    assert 0 < connector.last_usage.ad_account_pct < 90


def test_account_total_matches_the_platform_total(connector, graph, world, us_account):
    total = connector.fetch_account_total(us_account, START, END)
    expected = world.total(world.account("act_1001"), START, END)
    assert (total.spend, total.impressions, total.clicks) == (
        expected.spend,
        expected.impressions,
        expected.clicks,
    )
    (call,) = insights_calls(graph)
    assert call.params["level"] == "account" and "time_increment" not in call.params


def test_restated_days_come_back_with_the_new_numbers(connector, world, us_account):
    before = sum(r.spend for r in connector.fetch_daily(us_account, START, END))
    world.restate()
    after = sum(r.spend for r in connector.fetch_daily(us_account, START, END))
    assert after != before
    assert after == world.total(world.account("act_1001"), START, END).spend


def test_secrets_never_reach_logs_or_errors(make_connector, world, us_account, caplog):
    caplog.set_level(logging.DEBUG)
    world.set_faults("act_1001", {"rate_limit", "expired_token"})
    connector = make_connector()
    with pytest.raises(AuthenticationError) as info:
        list(connector.fetch_daily(us_account, START, END))
    connector.test_connection()
    secrets = (meta_sandbox.GOOD_TOKEN, meta_sandbox.config()["app_secret"])
    text = caplog.text + info.value.message + repr(info.value)
    assert not any(secret in text for secret in secrets)


def test_an_unreachable_graph_is_transient_and_names_no_token(fast_retry):
    from connectors.base import Endpoints
    from connectors.errors import TransientError

    connector = MetaConnector(
        meta_sandbox.config(),
        endpoints=Endpoints(meta_graph_url="http://127.0.0.1:9"),
        retry=fast_retry,
    )
    with pytest.raises(TransientError) as info:
        connector.list_accounts()
    assert meta_sandbox.GOOD_TOKEN not in info.value.message
    assert info.value.__context__ is None


def test_a_wrong_app_secret_fails_the_connection_check(make_connector):
    config = {**meta_sandbox.config(), "app_secret": "not-the-app-secret"}
    check = make_connector(config).test_connection()
    assert not check.ok and "appsecret_proof" in check.message
