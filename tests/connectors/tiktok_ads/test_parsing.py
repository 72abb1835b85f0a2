"""TikTok payloads → SpendRows and errors, without a network (recorded-shape payloads)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from connectors.base import AccountInfo, Breakdown, Level
from connectors.errors import (
    AuthenticationError,
    BadResponseError,
    ConnectorError,
    RateLimitedError,
    TransientError,
)
from connectors.tiktok_ads import parsing
from connectors.tiktok_ads.client import envelope_data

ACCOUNT = AccountInfo("tiktok_ads", "7100", "Acme", "EUR", "Europe/Paris")


def body(code: int, data=None, message="OK") -> bytes:
    return json.dumps({"code": code, "message": message, "request_id": "r1", "data": data}).encode()


def test_chunks_cover_the_window_in_at_most_30_days():
    chunks = list(parsing.date_chunks(dt.date(2026, 1, 1), dt.date(2026, 3, 1)))
    assert chunks[0] == (dt.date(2026, 1, 1), dt.date(2026, 1, 30))
    assert chunks[-1][1] == dt.date(2026, 3, 1)
    assert all((e - s).days < 30 for s, e in chunks) and len(chunks) == 2
    assert list(parsing.date_chunks(dt.date(2026, 1, 2), dt.date(2026, 1, 1))) == []


def test_report_rows_become_spend_rows_with_exact_money():
    rows = [
        {
            "dimensions": {"campaign_id": "17", "stat_time_day": "2026-03-01 00:00:00"},
            "metrics": {
                "campaign_name": "Launch",
                "spend": "12.34",
                "impressions": "1000",
                "clicks": "20",
                "app_install": "3",
                "total_purchase": "1",
                "total_purchase_value": "9.99",
            },
        },
        {
            "dimensions": {"campaign_id": "18", "stat_time_day": "2026-03-01 00:00:00"},
            "metrics": {"campaign_name": "Idle", "spend": "0", "impressions": "0", "clicks": "-"},
        },
    ]
    (row,) = parsing.spend_rows(rows, ACCOUNT, Level.CAMPAIGN, None, "test")
    assert row.spend == Decimal("12.34") and row.currency == "EUR"
    assert (row.impressions, row.clicks, row.installs) == (1000, 20, 3)
    assert row.conversion_value == Decimal("9.99") and row.date == dt.date(2026, 3, 1)


def test_device_and_country_breakdowns_use_spendlens_vocabulary():
    def row(**dims):
        return {
            "dimensions": {"campaign_id": "1", "stat_time_day": "2026-03-01 00:00:00", **dims},
            "metrics": {"spend": "1"},
        }

    (device,) = parsing.spend_rows(
        [row(platform="IPHONE")], ACCOUNT, Level.CAMPAIGN, Breakdown.DEVICE, "t"
    )
    (country,) = parsing.spend_rows(
        [row(country_code="None")], ACCOUNT, Level.CAMPAIGN, Breakdown.COUNTRY, "t"
    )
    assert device.device == "iphone" and country.country == "ZZ"


def test_a_spend_that_is_not_a_number_names_field_and_row():
    rows = [
        {
            "dimensions": {"campaign_id": "1", "stat_time_day": "2026-03-01"},
            "metrics": {"spend": "1,5"},
        }
    ]
    with pytest.raises(BadResponseError, match=r"metrics.spend.*list\[0\]"):
        list(parsing.spend_rows(rows, ACCOUNT, Level.CAMPAIGN, None, "page 1"))


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(BadResponseError, match="time zone"):
        parsing.account_info(
            {"advertiser_id": "1", "currency": "USD", "timezone": "Mars/Base"}, "x"
        )


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (40100, RateLimitedError),
        (40001, AuthenticationError),
        (40102, AuthenticationError),
        (40105, AuthenticationError),
        (50000, TransientError),
        (40002, ConnectorError),
    ],
)
def test_return_codes_map_to_the_shared_error_types(code, error):
    with pytest.raises(error) as raised:
        envelope_data("/report/integrated/get/", 200, {}, body(code, message="refused"))
    assert str(code) in raised.value.message and "r1" in raised.value.message
    assert type(raised.value) is error


def test_http_429_and_5xx_are_retryable():
    with pytest.raises(RateLimitedError) as limited:
        envelope_data("/x/", 429, {"Retry-After": "3"}, b"")
    assert limited.value.retry_after == 3.0
    with pytest.raises(TransientError):
        envelope_data("/x/", 503, {}, b"")


def test_success_returns_the_data():
    assert envelope_data("/x/", 200, {}, body(0, {"list": []})) == {"list": []}
