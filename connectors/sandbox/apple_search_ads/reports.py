"""Apple Search Ads v5 payloads built from the sandbox World (pure; no HTTP here).

The report request is checked as Apple checks it (dates, 90 days for DAILY, pagination limit,
orderBy, groupBy) and answered in Apple's shape: `data.reportingDataResponse.row[]` of
`{metadata, granularity[], total}`, `grandTotals`, and `pagination`. Dates are the org's own
dates (`timeZone: ORTZ`), which is what the World generates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from connectors.sandbox.generator import (
    Cell,
    SandboxAccount,
    SandboxCampaign,
    World,
    to_decimal,
)

PLATFORM = "apple_search_ads"
MAX_DAILY_DAYS = 90
MAX_LIMIT = 1000
DEFAULT_LIMIT = 20
WIRE_DEVICES = {"iphone": "IPHONE", "ipad": "IPAD"}
GROUP_BY = {"countryOrRegion": "country", "deviceClass": "device"}
#: What a broken payload carries in place of `localSpend.amount` (fault "malformed").
MALFORMED_AMOUNT = "12,34x"


class ApiProblem(Exception):
    """An Apple API error answer: HTTP status and one `{messageCode, message, field}`."""

    def __init__(self, status: int, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.field)


def error_body(code: str, message: str, field: str = "") -> dict[str, Any]:
    errors = [{"messageCode": code, "message": message, "field": field}]
    return {"data": None, "pagination": None, "error": {"errors": errors}}


def pagination(total: int, offset: int, items: int) -> dict[str, int]:
    return {"totalResults": total, "startIndex": offset, "itemsPerPage": items}


def acls_payload(world: World) -> dict[str, Any]:
    orgs = [
        {
            "orgName": acc.name,
            "orgId": int(acc.external_id),
            "currency": acc.currency,
            "timeZone": acc.timezone,
            "paymentModel": "LOC",
            "roleNames": ["API Account Read Only"],
            "parentOrgId": None,
            "displayName": acc.name,
        }
        for acc in world.accounts_of(PLATFORM)
    ]
    return {"data": orgs, "pagination": None, "error": None}


def campaigns_payload(
    world: World, account: SandboxAccount, offset: int, limit: int
) -> dict[str, Any]:
    """`GET /api/v5/campaigns`: the org's campaigns, paged."""
    if offset < 0 or not 1 <= limit <= MAX_LIMIT:
        raise ApiProblem(400, "INVALID_INPUT", f"limit must be 1..{MAX_LIMIT}", "limit")
    campaigns = sorted(world.campaigns(account), key=lambda c: int(c.campaign_id))
    page = campaigns[offset : offset + limit]
    data = [_campaign_object(c) for c in page]
    return {
        "data": data,
        "pagination": pagination(len(campaigns), offset, len(page)),
        "error": None,
    }


def _campaign_object(campaign: SandboxCampaign) -> dict[str, Any]:
    currency = campaign.account.currency
    return {
        "id": int(campaign.campaign_id),
        "orgId": int(campaign.account.external_id),
        "name": campaign.name,
        "adamId": 1_000_000_000 + int(campaign.account.external_id),
        "dailyBudgetAmount": _money(campaign.daily_budget_minor, currency),
        "countriesOrRegions": [c for c, _ in campaign.countries],
        "status": "ENABLED",
        "servingStatus": "RUNNING" if campaign.end is None else "NOT_RUNNING",
        "displayStatus": "RUNNING" if campaign.end is None else "PAUSED",
        "startTime": f"{campaign.start.isoformat()}T00:00:00.000",
        "endTime": f"{campaign.end.isoformat()}T23:59:59.000" if campaign.end else None,
        "adChannelType": "SEARCH",
        "supplySources": ["APPSTORE_SEARCH_RESULTS"],
        "billingEvent": "TAPS",
        "deleted": False,
    }


@dataclass(frozen=True)
class ReportQuery:
    start: dt.date
    end: dt.date
    daily: bool
    group_by: str | None
    order_field: str
    descending: bool
    offset: int
    limit: int
    row_totals: bool
    grand_totals: bool


def parse_report_query(body: Any, *, id_fields: Iterable[str]) -> ReportQuery:
    """Check a ReportingRequest body the way Apple does; ApiProblem(400) when it is wrong."""
    if not isinstance(body, Mapping):
        raise ApiProblem(400, "INVALID_JSON_REQUEST", "the body must be a JSON object")
    start, end = _day(body, "startTime"), _day(body, "endTime")
    if start > end:
        raise ApiProblem(
            400, "INVALID_DATE_RANGE", "startTime must not be after endTime", "startTime"
        )
    if body.get("timeZone", "UTC") != "ORTZ":
        raise ApiProblem(
            400,
            "INVALID_INPUT",
            "the sandbox serves reports in the org time zone only (ORTZ)",
            "timeZone",
        )
    granularity = body.get("granularity")
    if granularity not in (None, "DAILY"):
        raise ApiProblem(
            400, "INVALID_INPUT", "the sandbox serves DAILY granularity only", "granularity"
        )
    if granularity == "DAILY" and (end - start).days + 1 > MAX_DAILY_DAYS:
        raise ApiProblem(
            400,
            "INVALID_DATE_RANGE",
            f"DAILY granularity supports a date range of up to {MAX_DAILY_DAYS} days",
            "startTime",
        )
    if body.get("returnRecordsWithNoMetrics"):
        raise ApiProblem(
            400,
            "INVALID_INPUT",
            "the sandbox answers returnRecordsWithNoMetrics=false only",
            "returnRecordsWithNoMetrics",
        )
    group_by = body.get("groupBy") or []
    if (
        not isinstance(group_by, list)
        or len(group_by) > 1
        or any(g not in GROUP_BY for g in group_by)
    ):
        raise ApiProblem(
            400, "INVALID_INPUT", f"groupBy must be one of {sorted(GROUP_BY)}", "groupBy"
        )
    selector = body.get("selector")
    if not isinstance(selector, Mapping):
        raise ApiProblem(400, "INVALID_INPUT", "selector is required", "selector")
    order_field, descending = _order_by(selector.get("orderBy"), tuple(id_fields))
    offset, limit = _page(selector.get("pagination") or {})
    return ReportQuery(
        start=start,
        end=end,
        daily=granularity == "DAILY",
        group_by=group_by[0] if group_by else None,
        order_field=order_field,
        descending=descending,
        offset=offset,
        limit=limit,
        row_totals=bool(body.get("returnRowTotals")),
        grand_totals=bool(body.get("returnGrandTotals")),
    )


def _day(body: Mapping[str, Any], name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(body.get(name)))
    except ValueError:
        raise ApiProblem(400, "INVALID_DATE_FORMAT", f"{name} must be YYYY-MM-DD", name) from None


def _order_by(value: Any, id_fields: tuple[str, ...]) -> tuple[str, bool]:
    if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], Mapping):
        raise ApiProblem(
            400, "INVALID_INPUT", "selector.orderBy needs one field", "selector.orderBy"
        )
    field, order = value[0].get("field"), value[0].get("sortOrder", "ASCENDING")
    if field not in id_fields or order not in ("ASCENDING", "DESCENDING"):
        raise ApiProblem(
            400,
            "INVALID_INPUT",
            f"the sandbox orders by {', '.join(id_fields)} only",
            "selector.orderBy",
        )
    return field, order == "DESCENDING"


def _page(value: Any) -> tuple[int, int]:
    offset = value.get("offset", 0) if isinstance(value, Mapping) else None
    limit = value.get("limit", DEFAULT_LIMIT) if isinstance(value, Mapping) else None
    if not isinstance(offset, int) or offset < 0:
        raise ApiProblem(400, "INVALID_INPUT", "offset must be >= 0", "selector.pagination.offset")
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ApiProblem(
            400, "INVALID_INPUT", f"limit must be 1..{MAX_LIMIT}", "selector.pagination.limit"
        )
    return offset, limit


def report_payload(
    world: World,
    account: SandboxAccount,
    query: ReportQuery,
    *,
    campaign_id: str | None = None,
    malformed: bool = False,
) -> dict[str, Any]:
    """A campaign report, or the ad-group report of `campaign_id`."""
    rows_by_key = _aggregate(
        world.seed,
        world.revision,
        world.account_today(account),
        account,
        query.start,
        query.end,
        query.group_by,
        campaign_id,
    )
    keys = sorted(rows_by_key, key=lambda k: (int(k[0]), k[1]))
    if query.descending:
        keys.sort(key=lambda k: int(k[0]), reverse=True)
    page = keys[query.offset : query.offset + query.limit]
    currency = account.currency
    rows = []
    for key in page:
        meta, days = rows_by_key[key]
        row: dict[str, Any] = {"other": False, "metadata": dict(meta)}
        if query.daily:
            row["granularity"] = [
                dict(_metrics(*values, currency), date=day.isoformat()) for day, values in days
            ]
        if query.row_totals or not query.daily:
            row["total"] = _metrics(*_column_sums(v for _, v in days), currency)
        if malformed:
            target = row["granularity"][0] if query.daily else row["total"]
            target["localSpend"]["amount"] = MALFORMED_AMOUNT
        rows.append(row)
    response: dict[str, Any] = {"row": rows}
    if query.grand_totals:
        everything = (v for k in keys for _, v in rows_by_key[k][1])
        grand = _metrics(*_column_sums(everything), currency)
        if malformed:
            grand["localSpend"]["amount"] = MALFORMED_AMOUNT
        response["grandTotals"] = {"other": False, "total": grand}
    return {
        "data": {"reportingDataResponse": response},
        "pagination": pagination(len(keys), query.offset, len(page)),
        "error": None,
    }


_Days = tuple[tuple[dt.date, tuple[int, int, int, int]], ...]


@lru_cache(maxsize=256)
def _aggregate(
    seed: int,
    revision: int,
    today: dt.date,
    account: SandboxAccount,
    start: dt.date,
    end: dt.date,
    group_by: str | None,
    campaign_id: str | None,
) -> dict[tuple[str, str], tuple[dict[str, Any], _Days]]:
    """(row id, group value) → (metadata, daily [spend_minor, impressions, taps, installs]).

    Cached on everything the World's numbers depend on (seed, revision, the account's today).
    """
    world = World(seed=seed, revision=revision, today=today)
    breakdown = GROUP_BY.get(group_by) if group_by else None
    sums: dict[tuple[str, str], dict[dt.date, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0, 0, 0])
    )
    meta: dict[tuple[str, str], dict[str, Any]] = {}
    for cell in world.cells(account, start, end, breakdown):
        if campaign_id is not None and cell.campaign.campaign_id != campaign_id:
            continue
        group = _group_value(cell, breakdown)
        key = (cell.campaign.campaign_id if campaign_id is None else cell.ad.ad_group_id, group)
        if key not in meta:
            meta[key] = _row_metadata(cell, campaign_id is None, group_by, group)
        day = sums[key][cell.date]
        for i, value in enumerate((cell.spend_minor, cell.impressions, cell.clicks, cell.installs)):
            day[i] += value
    return {
        key: (meta[key], tuple((d, tuple(v)) for d, v in sorted(sums[key].items()))) for key in meta
    }


def _group_value(cell: Cell, breakdown: str | None) -> str:
    if breakdown == "country":
        return cell.country or ""
    if breakdown == "device":
        return WIRE_DEVICES[cell.device or ""]
    return ""


def _row_metadata(cell: Cell, campaign_level: bool, group_by: str | None, group: str) -> dict:
    campaign = cell.campaign
    org_id = int(campaign.account.external_id)
    if campaign_level:
        meta: dict[str, Any] = {
            "campaignId": int(campaign.campaign_id),
            "campaignName": campaign.name,
            "deleted": False,
            "campaignStatus": "ENABLED",
            "app": {"appName": "Acme", "adamId": 1_000_000_000 + org_id},
            "servingStatus": "RUNNING",
            "countriesOrRegions": [c for c, _ in campaign.countries],
            "orgId": org_id,
            "dailyBudget": _money(campaign.daily_budget_minor, campaign.account.currency),
            "displayStatus": "RUNNING",
            "supplySources": ["APPSTORE_SEARCH_RESULTS"],
            "adChannelType": "SEARCH",
            "billingEvent": "TAPS",
        }
    else:
        meta = {
            "campaignId": int(campaign.campaign_id),
            "adGroupId": int(cell.ad.ad_group_id),
            "adGroupName": cell.ad.ad_group_name,
            "adGroupStatus": "ENABLED",
            "adGroupServingStatus": "RUNNING",
            "adGroupDisplayStatus": "RUNNING",
            "deleted": False,
            "orgId": org_id,
        }
    if group_by:
        meta[group_by] = group
    return meta


def _column_sums(days: Iterable[list[int]]) -> list[int]:
    totals = [0, 0, 0, 0]
    for day in days:
        for i, value in enumerate(day):
            totals[i] += value
    return totals


def _metrics(
    spend_minor: int, impressions: int, taps: int, installs: int, currency: str
) -> dict[str, Any]:
    """Apple's metric object; installs are split into tap- and view-through installs."""
    view_installs = installs // 5
    tap_installs = installs - view_installs
    spend = to_decimal(spend_minor, currency)
    return {
        "impressions": impressions,
        "taps": taps,
        "ttr": round(taps / impressions, 4) if impressions else 0,
        "tapInstalls": tap_installs,
        "viewInstalls": view_installs,
        "totalInstalls": installs,
        "tapNewDownloads": tap_installs - tap_installs // 10,
        "tapRedownloads": tap_installs // 10,
        "avgCPT": _ratio(spend, taps, currency),
        "avgCPM": _ratio(spend * 1000, impressions, currency),
        "tapInstallCPI": _ratio(spend, tap_installs, currency),
        "localSpend": {"amount": str(spend), "currency": currency},
    }


def _ratio(amount: Decimal, count: int, currency: str) -> dict[str, str]:
    value = (amount / count) if count else Decimal(0)
    return {"amount": str(value.quantize(Decimal("0.01"), ROUND_HALF_UP)), "currency": currency}


def _money(minor: int, currency: str) -> dict[str, str]:
    return {"amount": str(to_decimal(minor, currency)), "currency": currency}
