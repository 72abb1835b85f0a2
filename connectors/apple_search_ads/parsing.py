"""Pure functions between Spendlens and the Apple Search Ads v5 JSON (no network).

Reports: `data.reportingDataResponse.row[]`, each `{metadata, granularity[], total}`, with
`pagination {totalResults, startIndex, itemsPerPage}`; money is `{amount: "12.34", currency}`.
Apple has no purchase revenue in Search Ads reports, so conversions and conversion value stay 0
(`totalInstalls` is reported as installs).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connectors.base import AccountInfo, Breakdown, Level, SpendRow
from connectors.errors import BadResponseError

PLATFORM = "apple_search_ads"
DEVICE_CLASSES = {"IPHONE": "iphone", "IPAD": "ipad"}

_COUNTRY = re.compile(r"[A-Z]{2}")


def _bad(message: str, field: str, where: str) -> BadResponseError:
    return BadResponseError(message, field=field, position=where, platform=PLATFORM)


def platform_message(payload: Any) -> str:
    """The human message of an Apple error body (API or OAuth), or '' when there is none."""
    if not isinstance(payload, Mapping):
        return ""
    error = payload.get("error")
    if isinstance(error, str):  # OAuth: {"error": "invalid_client", "error_description": ...}
        description = payload.get("error_description")
        return f"{error}: {description}" if description else error
    if isinstance(error, Mapping):
        parts = []
        for item in error.get("errors") or ():
            if isinstance(item, Mapping):
                text = str(item.get("message") or item.get("messageCode") or "")
                if item.get("field"):
                    text += f" (field {item['field']})"
                parts.append(text)
        return "; ".join(p for p in parts if p)
    return ""


def parse_acls(payload: Any, where: str = "GET /api/v5/acls") -> list[AccountInfo]:
    """The orgs of `GET /api/v5/acls` as AccountInfo."""
    data = payload.get("data") if isinstance(payload, Mapping) else None
    if not isinstance(data, list):
        raise _bad("expected a list of orgs", "data", where)
    accounts = []
    for i, org in enumerate(data):
        at = f"{where}, org {i}"
        if not isinstance(org, Mapping):
            raise _bad("expected an object", "data[]", at)
        org_id = _identifier(org, "orgId", at)
        timezone = _text(org, "timeZone", at)
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise _bad(f"unknown time zone {timezone!r}", "timeZone", at) from None
        parent = org.get("parentOrgId")
        accounts.append(
            AccountInfo(
                platform=PLATFORM,
                external_id=org_id,
                name=_text(org, "orgName", at),
                currency=_currency(org.get("currency"), "currency", at),
                timezone=timezone,
                manager_id=str(parent) if parent not in (None, "") else None,
            )
        )
    return accounts


@dataclass(frozen=True)
class ReportPage:
    rows: Sequence[Mapping[str, Any]]
    total_results: int
    items_per_page: int
    start_index: int
    grand_totals: Mapping[str, Any] | None = None


def parse_report_page(payload: Any, where: str) -> ReportPage:
    """The rows and pagination of one report page."""
    data = payload.get("data") if isinstance(payload, Mapping) else None
    response = data.get("reportingDataResponse") if isinstance(data, Mapping) else None
    if not isinstance(response, Mapping):
        raise _bad("missing report", "data.reportingDataResponse", where)
    rows = response.get("row")
    if rows is None:
        rows = []
    if not isinstance(rows, list):
        raise _bad("expected a list", "data.reportingDataResponse.row", where)
    grand = response.get("grandTotals")
    grand_total = grand.get("total") if isinstance(grand, Mapping) else None
    pagination = payload.get("pagination")
    if not isinstance(pagination, Mapping):
        raise _bad("missing pagination", "pagination", where)
    return ReportPage(
        rows=rows,
        total_results=_count(pagination, "totalResults", where, prefix="pagination."),
        items_per_page=_count(pagination, "itemsPerPage", where, prefix="pagination."),
        start_index=_count(pagination, "startIndex", where, prefix="pagination."),
        grand_totals=grand_total if isinstance(grand_total, Mapping) else None,
    )


def next_offset(page: ReportPage, offset: int, where: str) -> int | None:
    """The offset of the next page, or None after the last one."""
    if offset + page.items_per_page >= page.total_results:
        return None
    if page.items_per_page <= 0:
        raise _bad(
            f"no rows on a page before the end ({page.total_results} results)",
            "pagination.itemsPerPage",
            where,
        )
    return offset + page.items_per_page


def report_campaigns(rows: Sequence[Mapping[str, Any]], where: str) -> list[tuple[str, str]]:
    """(campaignId, campaignName) of each row of a campaign report, in order."""
    out = []
    for i, row in enumerate(rows):
        meta = _metadata(row, f"{where}, row {i}")
        out.append(
            (
                _identifier(meta, "campaignId", f"{where}, row {i}", "metadata."),
                str(meta.get("campaignName") or ""),
            )
        )
    return out


def spend_rows(
    rows: Sequence[Mapping[str, Any]],
    account: AccountInfo,
    *,
    window: tuple[dt.date, dt.date],
    level: Level = Level.CAMPAIGN,
    breakdown: Breakdown | None = None,
    campaign_names: Mapping[str, str] | None = None,
    where: str = "report",
) -> Iterator[SpendRow]:
    """SpendRows of the `granularity[]` entries of report rows (campaigns or ad groups)."""
    names = campaign_names or {}
    for i, row in enumerate(rows):
        at = f"{where}, row {i}"
        meta = _metadata(row, at)
        campaign_id = _identifier(meta, "campaignId", at, "metadata.")
        keys: dict[str, str] = {
            "campaign_id": campaign_id,
            "campaign_name": str(meta.get("campaignName") or names.get(campaign_id, "")),
        }
        if level is Level.AD:
            group_id = _identifier(meta, "adGroupId", at, "metadata.")
            group_name = str(meta.get("adGroupName") or "")
            # Apple's finest spend grain is the ad group: it is both the ad group and the "ad".
            keys.update(
                ad_group_id=group_id, ad_group_name=group_name, ad_id=group_id, ad_name=group_name
            )
        if breakdown is Breakdown.COUNTRY:
            keys["country"] = _country(meta.get("countryOrRegion"), at)
        elif breakdown is Breakdown.DEVICE:
            keys["device"] = _device(meta.get("deviceClass"), at)
        entries = row.get("granularity")
        if entries is None:
            entries = []
        if not isinstance(entries, list):
            raise _bad("expected a list", "granularity", at)
        for j, entry in enumerate(entries):
            yield _spend_row(entry, account, window, keys, f"{at}, granularity {j}")


def _spend_row(
    entry: Any,
    account: AccountInfo,
    window: tuple[dt.date, dt.date],
    keys: Mapping[str, str],
    at: str,
) -> SpendRow:
    if not isinstance(entry, Mapping):
        raise _bad("expected an object", "granularity[]", at)
    day = _date(entry.get("date"), at)
    if not window[0] <= day <= window[1]:
        raise _bad(f"date {day} outside the requested {window[0]}..{window[1]}", "date", at)
    spend, currency = money(entry, "localSpend", at, default_currency=account.currency)
    return SpendRow(
        platform=PLATFORM,
        account_id=account.external_id,
        date=day,
        currency=currency,
        spend=spend,
        impressions=_count(entry, "impressions", at),
        clicks=_count(entry, "taps", at),
        installs=installs(entry, at),
        **keys,
    )


def installs(entry: Mapping[str, Any], at: str) -> int:
    """`totalInstalls`, else `tapInstalls + viewInstalls`, else the older `installs`."""
    if entry.get("totalInstalls") is not None:
        return _count(entry, "totalInstalls", at)
    if entry.get("tapInstalls") is not None:
        view = _count(entry, "viewInstalls", at) if entry.get("viewInstalls") is not None else 0
        return _count(entry, "tapInstalls", at) + view
    if entry.get("installs") is not None:
        return _count(entry, "installs", at)
    return 0


def money(
    obj: Mapping[str, Any], name: str, at: str, *, default_currency: str
) -> tuple[Decimal, str]:
    """The exact Decimal amount and the currency of a `{amount, currency}` field."""
    value = obj.get(name)
    if not isinstance(value, Mapping):
        raise _bad("missing money object", name, at)
    amount = value.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, str | int | Decimal):
        raise _bad(f"amount is not a number: {amount!r}", f"{name}.amount", at)
    try:
        parsed = Decimal(str(amount).strip())
    except InvalidOperation:
        raise _bad(f"amount is not a number: {amount!r}", f"{name}.amount", at) from None
    if not parsed.is_finite():
        raise _bad(f"amount is not a number: {amount!r}", f"{name}.amount", at)
    currency = value.get("currency")
    if currency in (None, ""):
        return parsed, default_currency
    return parsed, _currency(currency, f"{name}.currency", at)


def report_totals(
    page: ReportPage, account: AccountInfo, where: str
) -> tuple[Decimal, int, int, str]:
    """(spend, impressions, taps, currency) of a totals report page: grandTotals, else rows."""
    if page.grand_totals is not None:
        totals = [page.grand_totals]
        places = [f"{where}, grandTotals"]
    else:
        totals = []
        places = []
        for i, row in enumerate(page.rows):
            total = row.get("total") if isinstance(row, Mapping) else None
            if not isinstance(total, Mapping):
                raise _bad("missing row total", "total", f"{where}, row {i}")
            totals.append(total)
            places.append(f"{where}, row {i}")
    spend, impressions, taps, currency = Decimal(0), 0, 0, account.currency
    for total, at in zip(totals, places, strict=True):
        amount, currency = money(total, "localSpend", at, default_currency=account.currency)
        spend += amount
        impressions += _count(total, "impressions", at)
        taps += _count(total, "taps", at)
    return spend, impressions, taps, currency


def _metadata(row: Any, at: str) -> Mapping[str, Any]:
    meta = row.get("metadata") if isinstance(row, Mapping) else None
    if not isinstance(meta, Mapping):
        raise _bad("missing metadata", "metadata", at)
    return meta


def _identifier(obj: Mapping[str, Any], name: str, at: str, prefix: str = "") -> str:
    value = obj.get(name)
    if isinstance(value, bool) or not isinstance(value, int | str) or str(value).strip() == "":
        raise _bad(f"missing or invalid id {value!r}", prefix + name, at)
    return str(value)


def _text(obj: Mapping[str, Any], name: str, at: str) -> str:
    value = obj.get(name)
    if not isinstance(value, str) or not value:
        raise _bad(f"missing text {value!r}", name, at)
    return value


def _currency(value: Any, field: str, at: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{3}", value):
        raise _bad(f"not an ISO 4217 currency: {value!r}", field, at)
    return value


def _count(obj: Mapping[str, Any], name: str, at: str, prefix: str = "") -> int:
    value = obj.get(name)
    integral_decimal = (
        isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value()
    )
    digits = isinstance(value, str) and value.strip().isdigit()
    if isinstance(value, int) and not isinstance(value, bool) or integral_decimal or digits:
        number = int(value)
    else:
        raise _bad(f"not a count: {value!r}", prefix + name, at)
    if number < 0:
        raise _bad(f"negative count: {value!r}", prefix + name, at)
    return number


def _date(value: Any, at: str) -> dt.date:
    if not isinstance(value, str):
        raise _bad(f"missing date: {value!r}", "date", at)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _bad(f"not a date: {value!r}", "date", at) from None


def _country(value: Any, at: str) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if not _COUNTRY.fullmatch(code):
        raise _bad(f"not an ISO country code: {value!r}", "metadata.countryOrRegion", at)
    return code


def _device(value: Any, at: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _bad(f"missing device class: {value!r}", "metadata.deviceClass", at)
    return DEVICE_CLASSES.get(value.strip().upper(), value.strip().lower())


def parse_campaign_page(payload: Any, where: str) -> tuple[list[tuple[str, str]], ReportPage]:
    """(id, name) of the campaigns on a `GET /api/v5/campaigns` page, and its pagination."""
    data = payload.get("data") if isinstance(payload, Mapping) else None
    if not isinstance(data, list):
        raise _bad("expected a list of campaigns", "data", where)
    pagination = payload.get("pagination")
    if not isinstance(pagination, Mapping):
        raise _bad("missing pagination", "pagination", where)
    campaigns = []
    for i, item in enumerate(data):
        if not isinstance(item, Mapping):
            raise _bad("expected an object", "data[]", f"{where}, campaign {i}")
        campaigns.append(
            (_identifier(item, "id", f"{where}, campaign {i}"), str(item.get("name") or ""))
        )
    page = ReportPage(
        rows=data,
        total_results=_count(pagination, "totalResults", where, prefix="pagination."),
        items_per_page=_count(pagination, "itemsPerPage", where, prefix="pagination."),
        start_index=_count(pagination, "startIndex", where, prefix="pagination."),
    )
    return campaigns, page
