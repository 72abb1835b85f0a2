"""Pure parsing of recorded Apple Search Ads payloads (no network)."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest

from connectors.apple_search_ads.parsing import (
    next_offset,
    parse_acls,
    parse_campaign_page,
    parse_report_page,
    platform_message,
    report_campaigns,
    report_totals,
    spend_rows,
)
from connectors.apple_search_ads.queries import date_chunks, report_request
from connectors.base import NO_ID, AccountInfo, Breakdown, Level
from connectors.errors import BadResponseError
from tests.connectors.apple_search_ads import payloads

ACCOUNT = AccountInfo(
    platform="apple_search_ads",
    external_id="40001",
    name="Acme iOS US",
    currency="USD",
    timezone="America/Los_Angeles",
)
MARCH = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))


def rows_of(payload, **kwargs):
    page = parse_report_page(payload, "POST /api/v5/reports/campaigns offset 0")
    kwargs.setdefault("window", MARCH)
    return list(spend_rows(page.rows, ACCOUNT, where="page offset 0", **kwargs))


def broken(path: list, value, payload=payloads.CAMPAIGN_REPORT_PAGE):
    """A copy of `payload` with the item at `path` (keys/indexes) replaced by `value`."""
    copied = copy.deepcopy(payload)
    target = copied
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return copied


def first_entry_path(*rest):
    return ["data", "reportingDataResponse", "row", 0, "granularity", 0, *rest]


def test_acls_become_accounts_with_currency_and_time_zone():
    accounts = parse_acls(payloads.ACLS)

    assert [(a.external_id, a.name, a.currency, a.timezone) for a in accounts] == [
        ("40001", "Acme iOS US", "USD", "America/Los_Angeles"),
        ("40009", "Acme iOS JP", "JPY", "Asia/Tokyo"),
    ]
    assert accounts[1].manager_id == "40000"


def test_acls_with_an_unknown_time_zone_are_rejected():
    payload = broken(["data", 1, "timeZone"], "Mars/Olympus", payloads.ACLS)

    with pytest.raises(BadResponseError) as err:
        parse_acls(payload)

    assert err.value.field == "timeZone"
    assert "org 1" in err.value.position


def test_each_granularity_entry_becomes_one_daily_row():
    rows = rows_of(payloads.CAMPAIGN_REPORT_PAGE)

    assert [(r.campaign_id, r.date) for r in rows] == [
        ("5551001", dt.date(2025, 3, 1)),
        ("5551001", dt.date(2025, 3, 2)),
        ("5551002", dt.date(2025, 3, 1)),
    ]
    assert rows[0].campaign_name == "Brand | US"
    assert rows[0].platform == "apple_search_ads" and rows[0].account_id == "40001"


def test_campaign_rows_have_no_ad_group_ad_or_breakdown():
    row = rows_of(payloads.CAMPAIGN_REPORT_PAGE)[0]

    assert (row.ad_group_id, row.ad_id, row.country, row.device) == (NO_ID,) * 4
    assert row.level is Level.CAMPAIGN


def test_spend_is_the_exact_decimal_of_local_spend():
    rows = rows_of(payloads.CAMPAIGN_REPORT_PAGE)

    assert [r.spend for r in rows] == [Decimal("20.10"), Decimal("0.10"), Decimal("0.20")]
    assert sum(r.spend for r in rows) == Decimal("20.40")
    assert all(isinstance(r.spend, Decimal) for r in rows)
    assert rows[0].currency == "USD"


def test_taps_are_clicks_and_total_installs_are_installs():
    row = rows_of(payloads.CAMPAIGN_REPORT_PAGE)[0]

    assert (row.impressions, row.clicks, row.installs) == (1500, 31, 6)


def test_installs_fall_back_to_tap_plus_view_installs():
    payload = broken(first_entry_path("totalInstalls"), KeyError)

    assert rows_of(payload)[0].installs == 5 + 1


def test_conversions_and_conversion_value_stay_zero_as_apple_reports_no_purchases():
    row = rows_of(payloads.CAMPAIGN_REPORT_PAGE)[0]

    assert (row.conversions, row.conversion_value) == (Decimal(0), Decimal(0))


def test_country_rows_carry_the_iso_code():
    payload = payloads.campaign_report_grouped_by("countryOrRegion", ["US", "gb"])

    rows = rows_of(payload, breakdown=Breakdown.COUNTRY)

    assert [r.country for r in rows] == ["US", "US", "GB"]
    assert all(r.device == NO_ID for r in rows)


def test_country_that_is_not_an_iso_code_is_rejected():
    payload = payloads.campaign_report_grouped_by("countryOrRegion", ["US", "Narnia"])

    with pytest.raises(BadResponseError) as err:
        rows_of(payload, breakdown=Breakdown.COUNTRY)

    assert err.value.field == "metadata.countryOrRegion"
    assert "row 1" in err.value.position


def test_device_classes_are_normalized():
    payload = payloads.campaign_report_grouped_by("deviceClass", ["IPHONE", "IPAD"])

    rows = rows_of(payload, breakdown=Breakdown.DEVICE)

    assert [r.device for r in rows] == ["iphone", "iphone", "ipad"]


def test_ad_group_rows_are_both_ad_group_and_ad_with_the_campaign_name_given():
    rows = rows_of(
        payloads.AD_GROUP_REPORT_PAGE, level=Level.AD, campaign_names={"5551001": "Brand | US"}
    )

    assert len(rows) == 1
    row = rows[0]
    assert (row.campaign_id, row.campaign_name) == ("5551001", "Brand | US")
    assert (row.ad_group_id, row.ad_group_name) == ("7770011", "Exact brand terms")
    assert (row.ad_id, row.ad_name) == ("7770011", "Exact brand terms")
    assert row.level is Level.AD


def test_amount_that_is_not_a_number_names_the_field_and_position():
    payload = broken(first_entry_path("localSpend", "amount"), "12,34x")

    with pytest.raises(BadResponseError) as err:
        rows_of(payload)

    assert err.value.field == "localSpend.amount"
    assert err.value.position == "page offset 0, row 0, granularity 0"
    assert "12,34x" in str(err.value)


def test_amount_given_as_a_json_float_is_rejected():
    payload = broken(first_entry_path("localSpend", "amount"), 20.1)

    with pytest.raises(BadResponseError) as err:
        rows_of(payload)

    assert err.value.field == "localSpend.amount"


def test_missing_local_spend_is_rejected():
    payload = broken(first_entry_path("localSpend"), KeyError)

    with pytest.raises(BadResponseError) as err:
        rows_of(payload)

    assert err.value.field == "localSpend"


def test_missing_date_names_the_field():
    payload = broken(
        ["data", "reportingDataResponse", "row", 1, "granularity", 0, "date"], KeyError
    )

    with pytest.raises(BadResponseError) as err:
        rows_of(payload)

    assert err.value.field == "date"
    assert err.value.position == "page offset 0, row 1, granularity 0"


def test_date_outside_the_requested_window_is_rejected():
    with pytest.raises(BadResponseError) as err:
        rows_of(payloads.CAMPAIGN_REPORT_PAGE, window=(dt.date(2025, 3, 2), dt.date(2025, 3, 31)))

    assert err.value.field == "date"


def test_count_that_is_not_a_number_is_rejected():
    payload = broken(first_entry_path("taps"), "many")

    with pytest.raises(BadResponseError) as err:
        rows_of(payload)

    assert err.value.field == "taps"


def test_missing_campaign_id_is_rejected():
    payload = broken(["data", "reportingDataResponse", "row", 0, "metadata", "campaignId"], None)

    with pytest.raises(BadResponseError) as err:
        rows_of(payload)

    assert err.value.field == "metadata.campaignId"


def test_missing_report_is_rejected():
    with pytest.raises(BadResponseError) as err:
        parse_report_page({"data": None, "pagination": None}, "page")

    assert err.value.field == "data.reportingDataResponse"


def test_missing_pagination_is_rejected():
    payload = broken(["pagination"], None)

    with pytest.raises(BadResponseError) as err:
        parse_report_page(payload, "page")

    assert err.value.field == "pagination"


def test_next_offset_moves_by_the_items_on_the_page():
    page = parse_report_page(payloads.CAMPAIGN_REPORT_PAGE, "page")

    assert next_offset(page, 0, "page") == 2


def test_next_offset_is_none_after_the_last_page():
    page = parse_report_page(payloads.AD_GROUP_REPORT_PAGE, "page")

    assert next_offset(page, 0, "page") is None


def test_page_without_rows_before_the_end_is_rejected():
    payload = broken(["pagination", "itemsPerPage"], 0)
    page = parse_report_page(payload, "page")

    with pytest.raises(BadResponseError) as err:
        next_offset(page, 0, "page")

    assert err.value.field == "pagination.itemsPerPage"


def test_campaigns_of_a_report_keep_id_and_name():
    page = parse_report_page(payloads.TOTALS_REPORT_PAGE, "page")

    assert report_campaigns(page.rows, "page") == [
        ("5551001", "Brand | US"),
        ("5551002", "Competitor | US"),
    ]


def test_report_totals_use_the_grand_totals():
    page = parse_report_page(payloads.TOTALS_REPORT_PAGE, "page")

    assert report_totals(page, ACCOUNT, "page") == (Decimal("20.40"), 1552, 34, "USD")


def test_report_totals_sum_the_row_totals_without_grand_totals():
    payload = broken(
        ["data", "reportingDataResponse", "grandTotals"], KeyError, payloads.TOTALS_REPORT_PAGE
    )
    page = parse_report_page(payload, "page")

    assert report_totals(page, ACCOUNT, "page") == (Decimal("20.40"), 1552, 34, "USD")


def test_campaign_list_page_gives_ids_names_and_pagination():
    payload = {
        "data": [{"id": 5551001, "name": "Brand | US"}, {"id": 5551002, "name": "Competitor"}],
        "pagination": {"totalResults": 3, "startIndex": 0, "itemsPerPage": 2},
        "error": None,
    }

    campaigns, page = parse_campaign_page(payload, "page")

    assert campaigns == [("5551001", "Brand | US"), ("5551002", "Competitor")]
    assert next_offset(page, 0, "page") == 2


def test_date_chunks_cover_the_range_in_windows_of_at_most_90_days():
    chunks = date_chunks(dt.date(2025, 1, 1), dt.date(2025, 7, 1))

    assert chunks[0][0] == dt.date(2025, 1, 1) and chunks[-1][1] == dt.date(2025, 7, 1)
    assert all((b - a).days + 1 <= 90 for a, b in chunks)
    assert all(
        nxt[0] == prev[1] + dt.timedelta(days=1)
        for prev, nxt in zip(chunks, chunks[1:], strict=False)
    )
    assert len(chunks) == 3


def test_date_chunks_of_an_empty_range_are_none():
    assert date_chunks(dt.date(2025, 1, 2), dt.date(2025, 1, 1)) == []


def test_report_request_asks_for_daily_rows_in_the_org_time_zone():
    body = report_request(dt.date(2025, 3, 1), dt.date(2025, 3, 31), offset=6, limit=3)

    assert body["startTime"] == "2025-03-01" and body["endTime"] == "2025-03-31"
    assert body["granularity"] == "DAILY"
    assert body["timeZone"] == "ORTZ"
    assert body["returnRecordsWithNoMetrics"] is False
    assert body["selector"] == {
        "orderBy": [{"field": "campaignId", "sortOrder": "ASCENDING"}],
        "pagination": {"offset": 6, "limit": 3},
    }
    assert "groupBy" not in body


@pytest.mark.parametrize(
    ("breakdown", "group_by"),
    [(Breakdown.COUNTRY, ["countryOrRegion"]), (Breakdown.DEVICE, ["deviceClass"])],
)
def test_report_request_groups_by_the_breakdown(breakdown, group_by):
    body = report_request(MARCH[0], MARCH[1], offset=0, limit=3, breakdown=breakdown)

    assert body["groupBy"] == group_by


def test_platform_message_of_an_api_error_names_its_field():
    assert platform_message(payloads.API_ERROR) == (
        "DAILY granularity supports a date range of up to 90 days (field startTime)"
    )


def test_platform_message_of_an_oauth_error_is_the_error_code():
    assert platform_message(payloads.OAUTH_ERROR) == "invalid_client"
