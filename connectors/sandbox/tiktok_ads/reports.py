"""TikTok API for Business v1.3 payloads built from the sandbox World (pure; no HTTP here).

The wire format follows the Marketing API reference: the envelope {code, message, request_id,
data}; oauth2/advertiser/get/ → data.list[{advertiser_id, advertiser_name}];
advertiser/info/ → data.list[{advertiser_id, name, currency, timezone, display_timezone,
status}]; report/integrated/get/ → data.list[{dimensions, metrics}] with string values and
data.page_info {page, page_size, total_number, total_page}.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from connectors.sandbox.generator import SandboxAccount, World, to_decimal
from connectors.sandbox.tiktok_ads.world import PLATFORM

MAX_DAYS = 30
MAX_PAGE_SIZE = 1000
WIRE_DEVICES = {"iphone": "IPHONE", "ipad": "IPAD", "android_phone": "ANDROID"}
LEVELS = {
    "AUCTION_ADVERTISER": "advertiser_id",
    "AUCTION_CAMPAIGN": "campaign_id",
    "AUCTION_AD": "ad_id",
}
#: Dimensions a report may add to its level's id and stat_time_day, by report type.
EXTRA_DIMENSIONS = {"BASIC": set(), "AUDIENCE": {"country_code", "platform"}}


class ApiProblem(Exception):
    """A refusal TikTok answers with a non-zero code (HTTP 200)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def envelope(data: Any = None, code: int = 0, message: str = "OK") -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": uuid.uuid4().hex, "data": data or {}}


def advertisers_payload(world: World) -> dict[str, Any]:
    accounts = world.accounts_of(PLATFORM)
    return {"list": [{"advertiser_id": a.external_id, "advertiser_name": a.name} for a in accounts]}


def advertiser_info_payload(world: World, query: Mapping[str, list[str]]) -> dict[str, Any]:
    ids = _json_list(query, "advertiser_ids")
    if not ids or len(ids) > 100:
        raise ApiProblem(40002, "advertiser_ids: 1 to 100 advertiser ids are required")
    out = []
    for external_id in ids:
        account = _account(world, str(external_id))
        out.append(
            {
                "advertiser_id": account.external_id,
                "name": account.name,
                "currency": account.currency,
                "timezone": account.timezone,
                "display_timezone": account.timezone,
                "status": "STATUS_ENABLE",
            }
        )
    return {"list": out}


def report_payload(world: World, query: Mapping[str, list[str]], malformed: bool) -> dict:
    """One page of report/integrated/get/, refusing what the reference refuses."""
    account = _account(world, _one(query, "advertiser_id"))
    report_type = _one(query, "report_type")
    if report_type not in EXTRA_DIMENSIONS:
        raise ApiProblem(40002, f"report_type: {report_type} is not supported here")
    level = _one(query, "data_level")
    if level not in LEVELS:
        raise ApiProblem(40002, f"data_level: {level} is not supported")
    dimensions = _json_list(query, "dimensions")
    key = LEVELS[level]
    extra = set(dimensions) - {key, "stat_time_day"}
    if key not in dimensions or "stat_time_day" not in dimensions:
        raise ApiProblem(40002, f"dimensions: {key} and stat_time_day are required")
    if not extra <= EXTRA_DIMENSIONS[report_type] or len(extra) > 1:
        raise ApiProblem(40002, f"dimensions: {sorted(extra)} not allowed in {report_type}")
    metrics = _json_list(query, "metrics")
    start, end = _date(query, "start_date"), _date(query, "end_date")
    if end < start:
        raise ApiProblem(40002, "end_date must not be before start_date")
    if (end - start).days + 1 > MAX_DAYS:
        raise ApiProblem(40002, f"The time span of stat_time_day cannot exceed {MAX_DAYS} days")
    page = int(_one(query, "page", "1"))
    page_size = int(_one(query, "page_size", "10"))
    if not 1 <= page_size <= MAX_PAGE_SIZE or page < 1:
        raise ApiProblem(40002, f"page_size: 1 to {MAX_PAGE_SIZE}; page from 1")
    breakdown = {"country_code": "country", "platform": "device"}.get(next(iter(extra), ""))
    rows = _rows(world, account, start, end, key, breakdown, metrics, malformed)
    total_page = max((len(rows) + page_size - 1) // page_size, 1)
    return {
        "list": rows[(page - 1) * page_size : page * page_size],
        "page_info": {
            "page": page,
            "page_size": page_size,
            "total_number": len(rows),
            "total_page": total_page,
        },
    }


def _rows(
    world: World,
    account: SandboxAccount,
    start: dt.date,
    end: dt.date,
    key: str,
    breakdown: str | None,
    metrics: list[str],
    malformed: bool,
) -> list[dict[str, Any]]:
    sums: dict[tuple, list] = defaultdict(lambda: [None, 0, 0, 0, 0, 0, 0])
    for cell in world.cells(account, start, end, breakdown):
        ident = {
            "advertiser_id": account.external_id,
            "campaign_id": cell.campaign.campaign_id,
            "ad_id": cell.ad.ad_id,
        }[key]
        split = cell.country if breakdown == "country" else cell.device
        entry = sums[(cell.date, ident, split)]
        entry[0] = cell
        for i, value in enumerate(
            (
                cell.spend_minor,
                cell.impressions,
                cell.clicks,
                cell.installs,
                cell.conversions,
                cell.value_minor,
            ),
            start=1,
        ):
            entry[i] += value
    out = []
    for (day, ident, split), (cell, spend, imp, clicks, installs, buys, value) in sorted(
        sums.items(), key=lambda item: (item[0][0], item[0][1], item[0][2] or "")
    ):
        dims = {key: ident, "stat_time_day": f"{day.isoformat()} 00:00:00"}
        if breakdown == "country":
            dims["country_code"] = split
        elif breakdown == "device":
            dims["platform"] = WIRE_DEVICES[split]
        values = {
            "spend": str(to_decimal(spend, account.currency)),
            "impressions": str(imp),
            "clicks": str(clicks),
            "app_install": str(installs),
            "total_purchase": str(buys),
            "total_purchase_value": str(to_decimal(value, account.currency)),
            "campaign_id": cell.campaign.campaign_id,
            "campaign_name": cell.campaign.name,
            "adgroup_id": cell.ad.ad_group_id,
            "adgroup_name": cell.ad.ad_group_name,
            "ad_name": cell.ad.name,
        }
        if malformed:
            values["spend"] = "12,5"
        out.append({"dimensions": dims, "metrics": {m: values.get(m, "-") for m in metrics}})
    return out


def _account(world: World, external_id: str) -> SandboxAccount:
    for account in world.accounts_of(PLATFORM):
        if account.external_id == external_id:
            return account
    raise ApiProblem(40001, f"No permission to operate advertiser {external_id}")


def _one(query: Mapping[str, list[str]], name: str, default: str | None = None) -> str:
    values = query.get(name)
    if not values:
        if default is not None:
            return default
        raise ApiProblem(40002, f"{name}: required")
    return values[0]


def _json_list(query: Mapping[str, list[str]], name: str) -> list:
    try:
        value = json.loads(_one(query, name))
    except ValueError:
        raise ApiProblem(40002, f"{name}: must be a JSON array") from None
    if not isinstance(value, list):
        raise ApiProblem(40002, f"{name}: must be a JSON array")
    return value


def _date(query: Mapping[str, list[str]], name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(_one(query, name))
    except ValueError:
        raise ApiProblem(40002, f"{name}: YYYY-MM-DD") from None
