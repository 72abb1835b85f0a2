"""The TikTok connector against the sandbox server: the real connector code over HTTP."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from connectors.base import NO_ID, Breakdown, Level, connector_class
from connectors.errors import AuthenticationError, BadResponseError, RateLimitedError
from connectors.registry import platform_spec
from connectors.sandbox.generator import DEVICES
from connectors.sandbox.tiktok_ads.world import PLATFORM, REVOKED_TOKEN, config
from connectors.tiktok_ads import TikTokAdsConnector
from tests.connectors.tiktok_ads.conftest import TODAY, fast_retry

REPORT = "/report/integrated/get/"
END = TODAY - dt.timedelta(days=1)


def report_calls(sandbox) -> list:
    return sandbox.calls(REPORT)


def test_registry_builds_the_connector_from_its_package():
    assert connector_class(PLATFORM) is TikTokAdsConnector
    spec = platform_spec(PLATFORM)
    assert spec.label == "TikTok Ads" and spec.endpoints == {
        "tiktok_api_url": "https://business-api.tiktok.com"
    }


def test_secret_fields_are_the_token_and_the_app_secret():
    assert set(TikTokAdsConnector.secret_fields()) == {"access_token", "secret"}


def test_list_accounts_gives_each_advertisers_currency_and_time_zone(connector, world):
    accounts = connector.list_accounts()
    expected = {(a.external_id, a.currency, a.timezone) for a in world.accounts_of(PLATFORM)}
    assert {(a.external_id, a.currency, a.timezone) for a in accounts} == expected


def test_every_call_carries_the_access_token_header_and_list_params_as_json(connector, sandbox):
    connector.list_accounts()
    info = sandbox.calls("/advertiser/info/")[0]
    assert json.loads(info.query["advertiser_ids"][0]) == [
        a.external_id for a in connector.list_accounts()
    ]
    # the server accepts only the Access-Token header (no token in the query string)
    assert all("access_token" not in call.query for call in sandbox.calls())
    assert all(call.code == 0 for call in sandbox.calls())


def test_daily_campaign_spend_matches_the_world_to_the_cent(connector, world, us_advertiser):
    start = END - dt.timedelta(days=9)
    rows = list(connector.fetch_daily(us_advertiser, start, END))
    truth = world.total(world.account(us_advertiser.external_id), start, END)
    assert sum(r.spend for r in rows) == truth.spend
    assert sum(r.installs for r in rows) == truth.installs
    assert sum(r.conversions for r in rows) == truth.conversions
    assert sum(r.conversion_value for r in rows) == truth.conversion_value
    assert {r.currency for r in rows} == {"USD"} and {r.ad_id for r in rows} == {NO_ID}
    assert min(r.date for r in rows) >= start and max(r.date for r in rows) <= END


def test_a_long_window_is_asked_in_chunks_of_at_most_30_days(
    connector, sandbox, world, us_advertiser
):
    start = END - dt.timedelta(days=74)  # 75 days: 30 + 30 + 15
    rows = list(connector.fetch_daily(us_advertiser, start, END))
    ranges = [
        (
            dt.date.fromisoformat(c.query["start_date"][0]),
            dt.date.fromisoformat(c.query["end_date"][0]),
        )
        for c in report_calls(sandbox)
    ]
    assert [(e - s).days + 1 for s, e in ranges] == [30, 30, 15]
    assert ranges[0][0] == start and ranges[-1][1] == END
    assert all(
        later[0] == earlier[1] + dt.timedelta(days=1)
        for earlier, later in zip(ranges, ranges[1:], strict=False)
    )
    assert (
        sum(r.spend for r in rows)
        == world.total(world.account(us_advertiser.external_id), start, END).spend
    )


def test_the_sandbox_refuses_a_range_longer_than_30_days_as_tiktok_does(sandbox):
    import requests

    from connectors.sandbox.tiktok_ads.world import GOOD_TOKEN

    answer = requests.get(
        f"{sandbox.url}/open_api/v1.3{REPORT}",
        params={
            "advertiser_id": "7100000000000000001",
            "report_type": "BASIC",
            "data_level": "AUCTION_CAMPAIGN",
            "dimensions": '["campaign_id","stat_time_day"]',
            "metrics": '["spend"]',
            "start_date": "2026-09-01",
            "end_date": "2026-10-15",
        },
        headers={"Access-Token": GOOD_TOKEN},
        timeout=10,
    ).json()
    assert answer["code"] == 40002 and "30 days" in answer["message"]


def test_pages_are_followed_to_total_page(make_connector, sandbox, world, us_advertiser):
    start = END - dt.timedelta(days=6)
    small = make_connector(page_size=7)
    rows = list(small.fetch_daily(us_advertiser, start, END, Level.AD))
    calls = report_calls(sandbox)
    pages = [int(c.query["page"][0]) for c in calls]
    assert len(calls) > 2 and pages == list(range(1, len(calls) + 1))
    assert {c.query["page_size"][0] for c in calls} == {"7"}
    whole = list(make_connector().fetch_daily(us_advertiser, start, END, Level.AD))
    assert sorted(rows, key=repr) == sorted(whole, key=repr)
    assert (
        sum(r.spend for r in rows)
        == world.total(world.account(us_advertiser.external_id), start, END).spend
    )


def test_ad_level_rows_name_campaign_ad_group_and_ad(connector, sandbox, us_advertiser):
    rows = list(connector.fetch_daily(us_advertiser, END, END, Level.AD))
    assert rows and all(r.level is Level.AD for r in rows)
    row = rows[0]
    assert row.campaign_id != NO_ID and row.campaign_name and row.ad_group_name and row.ad_name
    call = report_calls(sandbox)[0]
    assert call.query["data_level"] == ["AUCTION_AD"] and call.query["report_type"] == ["BASIC"]
    assert json.loads(call.query["dimensions"][0]) == ["ad_id", "stat_time_day"]


@pytest.mark.parametrize(
    ("breakdown", "dimension"),
    [(Breakdown.COUNTRY, "country_code"), (Breakdown.DEVICE, "platform")],
)
def test_breakdowns_use_the_audience_report_and_sum_to_the_plain_one(
    connector, sandbox, us_advertiser, breakdown, dimension
):
    start = END - dt.timedelta(days=3)
    split = list(connector.fetch_daily(us_advertiser, start, END, breakdown=breakdown))
    call = report_calls(sandbox)[0]
    assert call.query["report_type"] == ["AUDIENCE"]
    assert dimension in json.loads(call.query["dimensions"][0])
    plain = list(connector.fetch_daily(us_advertiser, start, END))
    assert sum(r.spend for r in split) == sum(r.spend for r in plain)
    if breakdown is Breakdown.DEVICE:
        assert {r.device for r in split} <= set(DEVICES[PLATFORM])
    else:
        assert all(len(r.country) == 2 for r in split)


def test_a_rate_limit_answer_is_retried_until_it_passes(
    make_connector, sandbox, world, us_advertiser
):
    world.set_faults(us_advertiser.external_id, ["rate_limit"])
    slept: list[float] = []
    retry = fast_retry()
    retry.sleep = slept.append
    rows = list(make_connector(retry=retry).fetch_daily(us_advertiser, END, END))
    codes = [c.code for c in report_calls(sandbox)]
    assert codes == [40100, 40100, 0] and len(slept) == 2
    assert (
        sum(r.spend for r in rows)
        == world.total(world.account(us_advertiser.external_id), END, END).spend
    )


def test_a_rate_limit_that_lasts_gives_up_as_rate_limited(make_connector, world, us_advertiser):
    world.set_faults(us_advertiser.external_id, ["rate_limit"])
    with pytest.raises(RateLimitedError, match="40100"):
        list(make_connector(retry=fast_retry(attempts=2)).fetch_daily(us_advertiser, END, END))


def test_a_server_error_code_is_retried(connector, sandbox, world, us_advertiser):
    world.set_faults(us_advertiser.external_id, ["server_error"])
    rows = list(connector.fetch_daily(us_advertiser, END, END))
    assert [c.code for c in report_calls(sandbox)] == [50000, 0] and rows


def test_a_revoked_token_is_an_authentication_error_and_never_retried(
    make_connector, sandbox, us_advertiser
):
    connector = make_connector(config(REVOKED_TOKEN))
    with pytest.raises(AuthenticationError, match="40105"):
        list(connector.fetch_daily(us_advertiser, END, END))
    assert [c.code for c in report_calls(sandbox)] == [40105]
    check = connector.test_connection()
    assert not check.ok and "40105" in check.message


def test_test_connection_counts_the_advertisers(connector, world):
    check = connector.test_connection()
    assert check.ok and check.accounts == len(world.accounts_of(PLATFORM))


def test_a_wrong_app_secret_fails_the_connection_test(make_connector):
    check = make_connector({**config(), "secret": "wrong"}).test_connection()
    assert not check.ok and "40001" in check.message


def test_a_malformed_spend_names_the_field_and_the_row(connector, world, us_advertiser):
    world.set_faults(us_advertiser.external_id, ["malformed"])
    with pytest.raises(BadResponseError, match="metrics.spend"):
        list(connector.fetch_daily(us_advertiser, END, END))


def test_account_total_comes_from_the_advertiser_level_report(
    connector, sandbox, world, us_advertiser
):
    start = END - dt.timedelta(days=40)
    total = connector.fetch_account_total(us_advertiser, start, END)
    truth = world.total(world.account(us_advertiser.external_id), start, END)
    assert (total.spend, total.impressions, total.clicks) == (
        truth.spend,
        truth.impressions,
        truth.clicks,
    )
    assert {c.query["data_level"][0] for c in report_calls(sandbox)} == {"AUCTION_ADVERTISER"}
    assert isinstance(total.spend, Decimal)


def test_restated_days_are_fetched_anew(connector, world, us_advertiser):
    before = sum(r.spend for r in connector.fetch_daily(us_advertiser, END, END))
    world.restate()
    after = sum(r.spend for r in connector.fetch_daily(us_advertiser, END, END))
    assert after == world.total(world.account(us_advertiser.external_id), END, END).spend
    assert after != before
