"""Pure parsing of recorded Google Ads rows: no network."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from google.ads.googleads.v26.services.types.google_ads_service import GoogleAdsRow

from connectors.base import NO_ID, AccountInfo, Breakdown, Level
from connectors.errors import BadResponseError
from connectors.google_ads import parsing

ACCOUNT = AccountInfo("google_ads", "1234567890", "Acme Search US", "USD", "America/New_York")


def _row(**parts: dict) -> GoogleAdsRow:
    base = {
        "customer": {"currency_code": "USD"},
        "campaign": {"id": 11, "name": "Brand"},
        "segments": {"date": "2025-03-03"},
        "metrics": {"cost_micros": 1_230_000, "impressions": 100, "clicks": 5},
    }
    for key, value in parts.items():
        base[key] = value
    return GoogleAdsRow(base)


def test_cost_micros_become_exact_decimal_at_the_minor_unit():
    assert parsing.money_from_micros(15_240_770_000, "USD") == Decimal("15240.77")
    assert str(parsing.money_from_micros(15_240_770_000, "USD")) == "15240.77"
    assert str(parsing.money_from_micros(1_000_000, "JPY")) == "1"


def test_cost_micros_keep_digits_below_the_minor_unit_when_there_are_any():
    assert str(parsing.money_from_micros(1_234_567, "USD")) == "1.234567"
    assert str(parsing.money_from_micros(1_234_500, "USD")) == "1.2345"


def test_doubles_become_the_shortest_decimal_that_round_trips():
    assert parsing.decimal_from_double(0.1 + 0.2) == Decimal("0.30000000000000004")
    assert parsing.decimal_from_double(776.07) == Decimal("776.07")
    assert str(parsing.decimal_from_double(11.0)) == "11"


def test_non_finite_doubles_are_refused():
    with pytest.raises(ValueError):
        parsing.decimal_from_double(float("nan"))


def test_campaign_metrics_rows_parse_from_a_recorded_stream(recorded):
    data, rows = recorded("campaign_metrics")
    parsed = [
        parsing.parse_metrics_row(row, Level.CAMPAIGN, None, f"row {i}")
        for i, row in enumerate(rows)
    ]
    first = parsed[0]
    assert first.key == parsing.RowKey(dt.date(2025, 3, 3), "1234567890001")
    assert first.currency == "USD"
    assert first.campaign_name == "Acme Search US | Holiday 1"
    assert isinstance(first.spend, Decimal)
    assert first.spend == Decimal(int(rows[0].metrics.cost_micros)) / 10**6
    assert first.impressions == rows[0].metrics.impressions
    assert first.conversion_value == Decimal(str(rows[0].metrics.conversions_value))
    assert len(parsed) == len(rows) > 2  # several recorded batches


def test_installs_come_from_download_all_conversions(recorded):
    _, rows = recorded("campaign_installs")
    parsed = parsing.parse_installs_row(rows[0], Level.CAMPAIGN, None, "row 0")
    assert parsed.installs == Decimal("128")
    assert parsed.spend == 0 and parsed.impressions == 0


def test_installs_of_other_conversion_categories_are_ignored():
    row = _row(
        segments={"date": "2025-03-03", "conversion_action_category": "PURCHASE"},
        metrics={"all_conversions": 4.0},
    )
    assert parsing.parse_installs_row(row, Level.CAMPAIGN, None, "row 0").installs == 0


def test_metrics_and_installs_merge_on_the_row_key(recorded):
    _, metric_rows = recorded("campaign_metrics")
    _, install_rows = recorded("campaign_installs")
    parsed = [parsing.parse_metrics_row(r, Level.CAMPAIGN, None, "m") for r in metric_rows]
    parsed += [parsing.parse_installs_row(r, Level.CAMPAIGN, None, "i") for r in install_rows]
    merged = {row.key.campaign_id: row for row in parsing.merge_rows(parsed)}
    holiday = merged["1234567890001"]
    assert holiday.installs == 128
    assert holiday.spend > 0


def test_installs_without_spend_still_make_a_row():
    installs = _row(
        segments={"date": "2025-03-03", "conversion_action_category": "DOWNLOAD"},
        metrics={"all_conversions": 3.0},
    )
    merged = parsing.merge_rows([parsing.parse_installs_row(installs, Level.CAMPAIGN, None, "i")])
    row = parsing.to_spend_row(merged[0], "1234567890")
    assert (row.spend, row.installs, row.campaign_name) == (Decimal(0), 3, "Brand")


def test_fractional_installs_round_half_even():
    parsed = parsing.parse_installs_row(
        _row(
            segments={"date": "2025-03-03", "conversion_action_category": "DOWNLOAD"},
            metrics={"all_conversions": 2.5},
        ),
        Level.CAMPAIGN,
        None,
        "i",
    )
    assert parsing.to_spend_row(parsed, "1").installs == 2


def test_ad_level_rows_are_ad_groups_without_an_ad_id(recorded):
    _, rows = recorded("ad_group_device_metrics")
    parsed = parsing.parse_metrics_row(rows[0], Level.AD, Breakdown.DEVICE, "row 0")
    row = parsing.to_spend_row(parsed, "2345678901")
    assert row.ad_group_id == str(rows[0].ad_group.id)
    assert row.ad_group_name == rows[0].ad_group.name
    assert row.ad_id == NO_ID
    assert row.device in ("mobile", "tablet", "desktop")
    assert row.country == NO_ID


def test_geographic_view_criterion_ids_become_iso_countries(recorded):
    _, rows = recorded("geographic_view_metrics")
    parsed = parsing.parse_metrics_row(rows[0], Level.CAMPAIGN, Breakdown.COUNTRY, "row 0")
    assert parsed.key.country == parsing.country_code(rows[0].geographic_view.country_criterion_id)
    assert parsing.country_code(2840) == "US"
    assert parsing.country_code(2826) == "GB"
    assert parsing.country_code(9999) == "ZZ"


def test_device_enum_values_become_normalized_labels():
    assert parsing.device_label(_row(segments={"device": "MOBILE"}).segments.device) == "mobile"
    assert parsing.device_label(_row(segments={"device": "TABLET"}).segments.device) == "tablet"
    assert parsing.device_label(_row(segments={"device": "DESKTOP"}).segments.device) == "desktop"
    assert parsing.device_label(_row(segments={"device": "CONNECTED_TV"}).segments.device) == (
        "connected_tv"
    )


def test_a_row_without_a_date_is_rejected_naming_field_and_position():
    row = _row(segments={})
    with pytest.raises(BadResponseError) as err:
        parsing.parse_metrics_row(row, Level.CAMPAIGN, None, "row 4 of campaign rows")
    assert err.value.field == "segments.date"
    assert err.value.position == "row 4 of campaign rows"


def test_a_negative_cost_is_rejected():
    with pytest.raises(BadResponseError) as err:
        parsing.parse_metrics_row(_row(metrics={"cost_micros": -5}), Level.CAMPAIGN, None, "r")
    assert err.value.field == "metrics.cost_micros"


def test_an_ad_level_row_without_an_ad_group_is_rejected():
    with pytest.raises(BadResponseError) as err:
        parsing.parse_metrics_row(_row(), Level.AD, None, "r")
    assert err.value.field == "ad_group.id"


def test_absent_metrics_count_as_zero():
    parsed = parsing.parse_metrics_row(_row(metrics={}), Level.CAMPAIGN, None, "r")
    assert (parsed.spend, parsed.impressions, parsed.conversions) == (0, 0, 0)


def test_customer_clients_give_the_non_manager_accounts_under_the_manager(recorded):
    data, rows = recorded("customer_clients")
    accounts = parsing.parse_customer_clients(rows, data["customer_id"])
    assert [a.external_id for a in accounts] == ["1234567890", "2345678901", "3456789012"]
    assert {a.manager_id for a in accounts} == {"9990001111"}
    first = accounts[0]
    assert (first.name, first.currency, first.timezone, first.status) == (
        "Acme Search US",
        "USD",
        "America/New_York",
        "active",
    )


def test_a_plain_account_queried_on_itself_has_no_manager():
    row = GoogleAdsRow(
        {
            "customer_client": {
                "id": 42,
                "manager": False,
                "currency_code": "EUR",
                "time_zone": "Europe/Paris",
                "descriptive_name": "Solo",
                "status": "CANCELED",
                "level": 0,
            }
        }
    )
    [account] = parsing.parse_customer_clients([row], "42")
    assert account.manager_id is None
    assert account.status == "canceled"


def test_the_account_total_parses_from_a_recorded_customer_row(recorded):
    _, rows = recorded("customer_total")
    total = parsing.parse_account_total(rows, ACCOUNT, dt.date(2025, 3, 3), dt.date(2025, 3, 9))
    assert total.spend == Decimal("15240.77")
    assert (total.impressions, total.clicks, total.currency) == (1173765, 22927, "USD")


def test_an_empty_account_total_is_zero_in_the_account_currency():
    total = parsing.parse_account_total([], ACCOUNT, dt.date(2025, 3, 3), dt.date(2025, 3, 9))
    assert (total.spend, total.impressions, total.currency) == (Decimal(0), 0, "USD")


def test_customer_resource_names_give_ids():
    assert parsing.customer_id_of("customers/9990001111") == "9990001111"
    with pytest.raises(BadResponseError):
        parsing.customer_id_of("campaigns/1")
