"""Graph payloads → SpendRow / AccountInfo / AccountTotal, on recorded payloads, no network."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from connectors.base import NO_ID, AccountInfo, Breakdown, Level
from connectors.errors import BadResponseError
from connectors.meta.parsing import (
    normalize_device,
    parse_account,
    parse_insight_row,
    parse_token_expiry,
    parse_total,
)
from connectors.sandbox.generator import DEVICES
from tests.connectors.meta.conftest import load_payload

US = AccountInfo("meta", "act_1001", "Acme Apps US", "USD", "America/Los_Angeles")
EU = AccountInfo("meta", "act_1002", "Acme Apps EU", "EUR", "Europe/Berlin")
JP = AccountInfo("meta", "act_1003", "Acme Apps JP", "JPY", "Asia/Tokyo")
WINDOWS = ("7d_click", "1d_view")


def first_row(name: str) -> dict:
    return load_payload(name)["data"][0]


def campaign_row(raw: dict, account: AccountInfo = US, breakdown: Breakdown | None = None):
    return parse_insight_row(
        raw,
        account=account,
        level=Level.CAMPAIGN,
        breakdown=breakdown,
        attribution=WINDOWS,
        position="page 1, row 1",
    )


def test_campaign_row_has_exact_money_and_the_ids_of_its_level():
    row = campaign_row(first_row("insights_campaign_daily.json"))
    assert row.spend == Decimal("217.72") and isinstance(row.spend, Decimal)
    assert row.campaign_id == "1001001"
    assert row.campaign_name == "Acme Apps US | Evergreen 1"
    assert (row.ad_group_id, row.ad_id, row.country, row.device) == (NO_ID,) * 4
    assert (row.impressions, row.clicks) == (20288, 269)
    assert row.currency == "USD"
    assert row.platform == "meta" and row.account_id == "act_1001"


def test_installs_come_from_mobile_app_install_actions():
    assert campaign_row(first_row("insights_campaign_daily.json")).installs == 51


def test_purchases_and_their_value_come_from_omni_purchase_only():
    row = campaign_row(first_row("insights_campaign_daily.json"))
    assert row.conversions == Decimal(5)
    assert row.conversion_value == Decimal("204.54")


def test_purchase_variants_beside_omni_purchase_are_not_counted_twice():
    row = campaign_row(first_row("insights_graph_shape.json"), breakdown=Breakdown.COUNTRY)
    assert row.conversions == Decimal(2)
    assert row.conversion_value == Decimal("19.98")
    assert row.installs == 3


def test_a_row_without_actions_has_zero_installs_and_conversions():
    raw = load_payload("insights_graph_shape.json")["data"][1]
    row = campaign_row(raw, breakdown=Breakdown.COUNTRY)
    assert (row.installs, row.conversions, row.conversion_value) == (0, 0, 0)
    assert row.spend == Decimal("1034.07")


def test_attribution_windows_are_recorded_on_the_row():
    assert campaign_row(first_row("insights_campaign_daily.json")).attribution == "7d_click,1d_view"


def _with_actions(actions: list[dict], values: list[dict] | None = None) -> dict:
    raw = dict(first_row("insights_campaign_daily.json"))
    raw["actions"], raw["action_values"] = actions, values or []
    return raw


def test_counts_are_the_sum_of_the_requested_windows_not_value():
    raw = _with_actions(
        [{"action_type": "mobile_app_install", "value": "4", "7d_click": "9", "1d_view": "3"}],
        [{"action_type": "omni_purchase", "value": "1.00", "7d_click": "20.50", "1d_view": "4"}],
    )
    row = campaign_row(raw)
    assert row.installs == 12
    assert row.conversion_value == Decimal("24.50")


def test_a_window_graph_leaves_out_counts_zero():
    raw = _with_actions([{"action_type": "mobile_app_install", "value": "9", "7d_click": "7"}])
    assert campaign_row(raw).installs == 7


def test_a_window_that_is_not_a_number_is_refused_naming_it():
    raw = _with_actions([{"action_type": "mobile_app_install", "7d_click": "7x"}])
    with pytest.raises(BadResponseError) as err:
        campaign_row(raw)
    assert err.value.field == "actions[mobile_app_install].7d_click"


def test_without_windows_value_is_counted_and_labelled_as_the_default_setting():
    raw = _with_actions(
        [{"action_type": "mobile_app_install", "value": "4", "7d_click": "9", "1d_view": "3"}]
    )
    row = parse_insight_row(
        raw, account=US, level=Level.CAMPAIGN, breakdown=None, attribution=(), position="p"
    )
    assert row.installs == 4
    assert row.attribution == "default"


def test_date_is_the_accounts_own_day_as_reported():
    raw = first_row("insights_ad_device_jpy.json")
    row = parse_insight_row(
        raw, account=JP, level=Level.AD, breakdown=Breakdown.DEVICE, position="page 1, row 1"
    )
    assert row.date == dt.date(2025, 6, 1)


def test_ad_level_row_carries_ad_set_and_ad():
    raw = first_row("insights_ad_device_jpy.json")
    row = parse_insight_row(
        raw, account=JP, level=Level.AD, breakdown=Breakdown.DEVICE, position="page 1, row 1"
    )
    assert (row.ad_group_id, row.ad_group_name) == ("10030011", "Evergreen group 1")
    assert (row.ad_id, row.ad_name) == ("100300111", "Evergreen 1.1")
    assert row.campaign_id == "1003001"


def test_yen_spend_has_no_minor_units():
    raw = first_row("insights_ad_device_jpy.json")
    row = parse_insight_row(
        raw, account=JP, level=Level.AD, breakdown=Breakdown.DEVICE, position="page 1, row 1"
    )
    assert row.spend == Decimal("880") and row.currency == "JPY"


def test_impression_device_is_normalized_to_the_device_vocabulary():
    rows = load_payload("insights_ad_device_jpy.json")["data"]
    devices = {
        parse_insight_row(
            raw, account=JP, level=Level.AD, breakdown=Breakdown.DEVICE, position="row"
        ).device
        for raw in rows
    }
    assert devices == {"android_phone", "desktop", "ipad"}
    assert devices <= set(DEVICES["meta"])


@pytest.mark.parametrize(
    ("wire", "label"),
    [
        ("iphone", "iphone"),
        ("ipad", "ipad"),
        ("android_smartphone", "android_phone"),
        ("desktop", "desktop"),
        ("smart_tv", "other"),
    ],
)
def test_device_names_map_from_graph_to_our_labels(wire, label):
    assert normalize_device(wire) == label


def test_country_breakdown_gives_iso_codes():
    row = campaign_row(first_row("insights_campaign_country_eur.json"), EU, Breakdown.COUNTRY)
    assert row.country == "DE" and row.device == NO_ID and row.currency == "EUR"


def test_unknown_country_becomes_zz():
    row = campaign_row(first_row("insights_graph_shape.json"), breakdown=Breakdown.COUNTRY)
    assert row.country == "ZZ"


def test_spend_that_is_not_a_number_is_rejected_naming_field_and_position():
    raw = {**first_row("insights_campaign_daily.json"), "spend": "12,34x"}
    with pytest.raises(BadResponseError) as info:
        parse_insight_row(
            raw, account=US, level=Level.CAMPAIGN, breakdown=None, position="page 3, row 7"
        )
    assert info.value.field == "spend"
    assert info.value.position == "page 3, row 7"
    assert "12,34x" in info.value.message


def test_spend_sent_as_a_float_is_rejected():
    raw = {**first_row("insights_campaign_daily.json"), "spend": 217.72}
    with pytest.raises(BadResponseError) as info:
        campaign_row(raw)
    assert info.value.field == "spend"


def test_missing_date_is_rejected():
    raw = dict(first_row("insights_campaign_daily.json"))
    del raw["date_start"]
    with pytest.raises(BadResponseError) as info:
        campaign_row(raw)
    assert info.value.field == "date_start"


def test_a_row_spanning_several_days_is_rejected():
    raw = {**first_row("insights_campaign_daily.json"), "date_stop": "2025-06-02"}
    with pytest.raises(BadResponseError) as info:
        campaign_row(raw)
    assert info.value.field == "date_stop"


def test_malformed_install_count_names_the_action():
    raw = dict(first_row("insights_campaign_daily.json"))
    raw["actions"] = [{"action_type": "mobile_app_install", "value": "many"}]
    with pytest.raises(BadResponseError) as info:
        parse_insight_row(
            raw, account=US, level=Level.CAMPAIGN, breakdown=None, attribution=(), position="p"
        )
    assert info.value.field == "actions[mobile_app_install].value"


def test_missing_breakdown_key_is_rejected():
    with pytest.raises(BadResponseError) as info:
        campaign_row(first_row("insights_campaign_daily.json"), breakdown=Breakdown.COUNTRY)
    assert info.value.field == "country"


def test_ad_accounts_parse_with_act_ids_currency_and_time_zone():
    rows = load_payload("adaccounts.json")["data"]
    accounts = [parse_account(raw, position=f"row {i}") for i, raw in enumerate(rows, 1)]
    assert accounts[0] == AccountInfo(
        "meta", "act_1001", "Acme Apps US", "USD", "America/Los_Angeles", status="active"
    )
    assert accounts[1].currency == "EUR" and accounts[1].timezone == "Europe/Berlin"


def test_closed_account_status_is_named():
    raw = {**load_payload("adaccounts.json")["data"][0], "account_status": 101}
    assert parse_account(raw, position="row 1").status == "closed"


def test_account_total_sums_the_account_level_rows():
    rows = load_payload("insights_account_total.json")["data"]
    total = parse_total(rows, account=US, start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 29))
    assert total.spend == Decimal("60675.50")
    assert (total.impressions, total.clicks, total.currency) == (5323738, 81769, "USD")


def test_token_expiry_is_an_aware_utc_time():
    expires = parse_token_expiry(load_payload("debug_token.json"))
    payload = load_payload("debug_token.json")
    assert expires is not None and expires.utcoffset() == dt.timedelta(0)
    assert expires.timestamp() == payload["data"]["expires_at"]


def test_token_that_never_expires_has_no_expiry():
    assert parse_token_expiry({"data": {"is_valid": True, "expires_at": 0}}) is None
