"""The connector against the Apple sandbox: orgs, paging, time zones, and totals that reconcile."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest

from connectors.base import NO_ID, Breakdown, Endpoints, Level
from connectors.sandbox.apple_search_ads import world as apple_sandbox
from connectors.sandbox.generator import to_decimal
from tests.connectors.apple_search_ads.support import PAGE_LIMIT, TODAY, WINDOW, account_info

REPORT = "/api/v5/reports/campaigns"
APPLE_ORGS = ("40001", "40002")


def test_list_accounts_reads_the_orgs_from_the_acls(connector, world):
    accounts = connector.list_accounts()

    assert [(a.external_id, a.name, a.currency, a.timezone) for a in accounts] == [
        (acc.external_id, acc.name, acc.currency, acc.timezone)
        for acc in world.accounts_of("apple_search_ads")
    ]


def test_org_id_in_the_config_limits_the_accounts_to_that_org(make_connector):
    connector = make_connector({**apple_sandbox.config(), "org_id": "40002"})

    assert [a.external_id for a in connector.list_accounts()] == ["40002"]


def test_test_connection_counts_the_orgs_and_reports_the_secret_expiry(connector, world):
    check = connector.test_connection()

    assert check.ok and check.accounts == len(world.accounts_of("apple_search_ads"))
    assert check.expires_at == connector.credentials_expiry()


def test_test_connection_with_an_org_the_credentials_cannot_read_fails(make_connector):
    check = make_connector({**apple_sandbox.config(), "org_id": "99999"}).test_connection()

    assert not check.ok
    assert "99999" in check.message


def test_every_report_call_carries_the_org_context(connector, sandbox, us_org):
    list(connector.fetch_daily(us_org, *WINDOW))

    calls = sandbox.calls(REPORT)
    assert calls and all(c.org_id == "40001" and c.status == 200 for c in calls)


def test_reports_come_back_in_several_pages(connector, sandbox, us_org):
    rows = list(connector.fetch_daily(us_org, *WINDOW))

    offsets = [c.body["selector"]["pagination"]["offset"] for c in sandbox.calls(REPORT)]
    assert offsets == list(range(0, len(offsets) * PAGE_LIMIT, PAGE_LIMIT))
    assert len(offsets) >= 3
    assert len({r.campaign_id for r in rows}) > PAGE_LIMIT


def test_reports_are_asked_for_daily_in_the_org_time_zone(connector, sandbox, au_org):
    list(connector.fetch_daily(au_org, *WINDOW))

    bodies = [c.body for c in sandbox.calls(REPORT)]
    assert all(b["timeZone"] == "ORTZ" and b["granularity"] == "DAILY" for b in bodies)


def test_dates_are_the_account_days_up_to_yesterday_in_its_time_zone(connector, world, au_org):
    rows = list(connector.fetch_daily(au_org, *WINDOW))

    account = world.account("40002")
    expected = {(c.campaign.campaign_id, c.date) for c in world.ad_cells(account, *WINDOW)}
    assert {(r.campaign_id, r.date) for r in rows} == expected
    assert max(r.date for r in rows) == TODAY - dt.timedelta(days=1)


def test_campaign_rows_match_the_world_cell_by_cell_in_exact_money(connector, world, au_org):
    rows = list(connector.fetch_daily(au_org, *WINDOW))

    expected: dict[tuple[str, dt.date], int] = defaultdict(int)
    for cell in world.ad_cells(world.account("40002"), *WINDOW):
        expected[(cell.campaign.campaign_id, cell.date)] += cell.spend_minor
    assert {(r.campaign_id, r.date): r.spend for r in rows} == {
        key: to_decimal(minor, "AUD") for key, minor in expected.items()
    }
    assert all(r.currency == "AUD" and isinstance(r.spend, Decimal) for r in rows)


def test_ad_level_rows_are_the_ad_groups_of_the_world(connector, world, us_org):
    rows = list(connector.fetch_daily(us_org, *WINDOW, level=Level.AD))

    cells = list(world.ad_cells(world.account("40001"), *WINDOW))
    assert {(r.ad_group_id, r.date): r.spend for r in rows} == {
        (c.ad.ad_group_id, c.date): to_decimal(c.spend_minor, "USD") for c in cells
    }
    names = {c.campaign.campaign_id: c.campaign.name for c in cells}
    assert all(r.ad_id == r.ad_group_id and r.campaign_name == names[r.campaign_id] for r in rows)


def test_ad_level_asks_each_campaign_for_its_ad_groups(connector, sandbox, world, us_org):
    list(connector.fetch_daily(us_org, *WINDOW, level=Level.AD))

    asked = {c.path.split("/")[-2] for c in sandbox.calls() if c.path.endswith("/adgroups")}
    spending = {c.campaign.campaign_id for c in world.ad_cells(world.account("40001"), *WINDOW)}
    assert asked == spending


def test_country_breakdown_rows_match_the_world_slices(connector, world, us_org):
    rows = list(connector.fetch_daily(us_org, *WINDOW, breakdown=Breakdown.COUNTRY))

    expected: dict[tuple, int] = defaultdict(int)
    for cell in world.cells(world.account("40001"), *WINDOW, breakdown="country"):
        expected[(cell.campaign.campaign_id, cell.date, cell.country)] += cell.spend_minor
    assert {(r.campaign_id, r.date, r.country): r.spend for r in rows} == {
        key: to_decimal(minor, "USD") for key, minor in expected.items()
    }
    assert all(r.device == NO_ID for r in rows)


def test_device_breakdown_uses_the_normalized_device_labels(connector, au_org):
    rows = list(connector.fetch_daily(au_org, *WINDOW, breakdown=Breakdown.DEVICE))

    assert {r.device for r in rows} == {"iphone", "ipad"}
    assert all(r.country == NO_ID for r in rows)


@pytest.mark.parametrize("org", APPLE_ORGS)
@pytest.mark.parametrize("level", [Level.CAMPAIGN, Level.AD])
@pytest.mark.parametrize("breakdown", [None, Breakdown.COUNTRY, Breakdown.DEVICE])
def test_rows_sum_to_the_world_total(connector, world, org, level, breakdown):
    rows = list(connector.fetch_daily(account_info(world, org), *WINDOW, level, breakdown))

    total = world.total(world.account(org), *WINDOW)
    assert sum(r.spend for r in rows) == total.spend
    assert sum(r.impressions for r in rows) == total.impressions
    assert sum(r.clicks for r in rows) == total.clicks
    assert sum(r.installs for r in rows) == total.installs


def test_a_range_longer_than_90_days_is_fetched_in_chunks(connector, sandbox, world, us_org):
    start, end = TODAY - dt.timedelta(days=200), TODAY - dt.timedelta(days=1)

    rows = list(connector.fetch_daily(us_org, start, end))

    windows = {(c.body["startTime"], c.body["endTime"]) for c in sandbox.calls(REPORT)}
    assert len(windows) == 3
    assert all((dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days < 90 for a, b in windows)
    assert sum(r.spend for r in rows) == world.total(world.account("40001"), start, end).spend


def test_an_empty_range_fetches_nothing(connector, sandbox, us_org):
    assert list(connector.fetch_daily(us_org, WINDOW[1], WINDOW[0])) == []
    assert sandbox.calls(REPORT) == []


@pytest.mark.parametrize("org", APPLE_ORGS)
def test_account_total_is_the_world_total(connector, world, org):
    total = connector.fetch_account_total(account_info(world, org), *WINDOW)

    expected = world.total(world.account(org), *WINDOW)
    assert (total.spend, total.impressions, total.clicks) == (
        expected.spend,
        expected.impressions,
        expected.clicks,
    )
    assert total.currency == world.account(org).currency
    assert (total.start, total.end) == WINDOW


def test_account_total_reads_the_grand_totals_of_one_page(connector, sandbox, us_org):
    connector.fetch_account_total(us_org, *WINDOW)

    calls = sandbox.calls(REPORT)
    assert len(calls) == 1
    assert calls[0].body["returnGrandTotals"] is True and "granularity" not in calls[0].body


def test_account_total_over_a_long_range_adds_up_the_chunks(connector, world, us_org):
    start, end = TODAY - dt.timedelta(days=200), TODAY - dt.timedelta(days=1)

    total = connector.fetch_account_total(us_org, start, end)

    assert total.spend == world.total(world.account("40001"), start, end).spend


def test_restated_days_are_fetched_with_their_new_numbers(connector, world, us_org):
    yesterday = TODAY - dt.timedelta(days=1)
    before = sum(r.spend for r in connector.fetch_daily(us_org, yesterday, yesterday))

    world.restate()
    after = sum(r.spend for r in connector.fetch_daily(us_org, yesterday, yesterday))

    assert after != before
    assert after == world.total(world.account("40001"), yesterday, yesterday).spend


def test_list_campaigns_pages_through_every_campaign(connector, sandbox, world, us_org):
    campaigns = connector.list_campaigns(us_org)

    assert campaigns == [(c.campaign_id, c.name) for c in world.campaigns(world.account("40001"))]
    assert len(sandbox.calls("/api/v5/campaigns")) > 1


def test_the_connector_reuses_one_http_connection(connector, sandbox, us_org):
    list(connector.fetch_daily(us_org, *WINDOW))

    calls = sandbox.calls()
    assert len(calls) > 3
    assert len({c.peer for c in calls}) == 1


def test_default_endpoints_are_apple(make_connector):
    endpoints = Endpoints()

    assert endpoints.apple_api_url == "https://api.searchads.apple.com"
    assert endpoints.apple_token_url == "https://appleid.apple.com/auth/oauth2/token"
