"""Apple Search Ads v5 payloads as Apple sends them (shapes from Apple's documentation)."""

from __future__ import annotations

import copy
from typing import Any

ACLS: dict[str, Any] = {
    "data": [
        {
            "orgName": "Acme iOS US",
            "orgId": 40001,
            "currency": "USD",
            "timeZone": "America/Los_Angeles",
            "paymentModel": "LOC",
            "roleNames": ["API Account Read Only"],
            "parentOrgId": None,
            "displayName": "Acme iOS US",
        },
        {
            "orgName": "Acme iOS JP",
            "orgId": 40009,
            "currency": "JPY",
            "timeZone": "Asia/Tokyo",
            "paymentModel": "PAYG",
            "roleNames": ["API Campaign Manager"],
            "parentOrgId": 40000,
            "displayName": "Acme iOS JP",
        },
    ],
    "pagination": None,
    "error": None,
}


def _metrics(date: str | None, amount: str, impressions: int, taps: int, tap_i: int, view_i: int):
    entry: dict[str, Any] = {
        "impressions": impressions,
        "taps": taps,
        "ttr": 0.0209,
        "tapInstalls": tap_i,
        "viewInstalls": view_i,
        "totalInstalls": tap_i + view_i,
        "tapNewDownloads": tap_i - 1,
        "tapRedownloads": 1,
        "avgCPT": {"amount": "0.64", "currency": "USD"},
        "avgCPM": {"amount": "13.42", "currency": "USD"},
        "tapInstallCPI": {"amount": "4.10", "currency": "USD"},
        "localSpend": {"amount": amount, "currency": "USD"},
    }
    if date is not None:
        entry["date"] = date
    return entry


CAMPAIGN_REPORT_PAGE: dict[str, Any] = {
    "data": {
        "reportingDataResponse": {
            "row": [
                {
                    "other": False,
                    "granularity": [
                        _metrics("2025-03-01", "20.10", 1500, 31, 5, 1),
                        _metrics("2025-03-02", "0.10", 12, 1, 0, 0),
                    ],
                    "metadata": {
                        "campaignId": 5551001,
                        "campaignName": "Brand | US",
                        "deleted": False,
                        "campaignStatus": "ENABLED",
                        "app": {"appName": "Acme", "adamId": 1000040001},
                        "servingStatus": "RUNNING",
                        "countriesOrRegions": ["US"],
                        "orgId": 40001,
                        "dailyBudget": {"amount": "150", "currency": "USD"},
                        "displayStatus": "RUNNING",
                        "supplySources": ["APPSTORE_SEARCH_RESULTS"],
                        "adChannelType": "SEARCH",
                        "billingEvent": "TAPS",
                    },
                },
                {
                    "other": False,
                    "granularity": [_metrics("2025-03-01", "0.20", 40, 2, 1, 0)],
                    "metadata": {
                        "campaignId": 5551002,
                        "campaignName": "Competitor | US",
                        "deleted": False,
                        "campaignStatus": "PAUSED",
                        "orgId": 40001,
                    },
                },
            ]
        }
    },
    "pagination": {"totalResults": 5, "startIndex": 0, "itemsPerPage": 2},
    "error": None,
}


def campaign_report_grouped_by(key: str, values: list[str]) -> dict[str, Any]:
    """The recorded campaign page with `metadata[key]` set on its rows, as groupBy returns."""
    payload = copy.deepcopy(CAMPAIGN_REPORT_PAGE)
    for row, value in zip(payload["data"]["reportingDataResponse"]["row"], values, strict=True):
        row["metadata"][key] = value
    return payload


AD_GROUP_REPORT_PAGE: dict[str, Any] = {
    "data": {
        "reportingDataResponse": {
            "row": [
                {
                    "other": False,
                    "granularity": [_metrics("2025-03-01", "7.25", 300, 9, 2, 0)],
                    "metadata": {
                        "campaignId": 5551001,
                        "adGroupId": 7770011,
                        "adGroupName": "Exact brand terms",
                        "adGroupStatus": "ENABLED",
                        "adGroupServingStatus": "RUNNING",
                        "deleted": False,
                        "orgId": 40001,
                    },
                }
            ]
        }
    },
    "pagination": {"totalResults": 1, "startIndex": 0, "itemsPerPage": 1},
    "error": None,
}

TOTALS_REPORT_PAGE: dict[str, Any] = {
    "data": {
        "reportingDataResponse": {
            "row": [
                {
                    "other": False,
                    "total": _metrics(None, "20.20", 1512, 32, 5, 1),
                    "metadata": {"campaignId": 5551001, "campaignName": "Brand | US"},
                },
                {
                    "other": False,
                    "total": _metrics(None, "0.20", 40, 2, 1, 0),
                    "metadata": {"campaignId": 5551002, "campaignName": "Competitor | US"},
                },
            ],
            "grandTotals": {"other": False, "total": _metrics(None, "20.40", 1552, 34, 6, 1)},
        }
    },
    "pagination": {"totalResults": 2, "startIndex": 0, "itemsPerPage": 2},
    "error": None,
}

API_ERROR: dict[str, Any] = {
    "data": None,
    "pagination": None,
    "error": {
        "errors": [
            {
                "messageCode": "INVALID_DATE_RANGE",
                "message": "DAILY granularity supports a date range of up to 90 days",
                "field": "startTime",
            }
        ]
    },
}

OAUTH_ERROR: dict[str, Any] = {"error": "invalid_client"}
