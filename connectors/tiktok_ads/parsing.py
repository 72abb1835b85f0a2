"""TikTok payloads → AccountInfo and SpendRows (pure functions, no network).

Report rows are `{"dimensions": {...}, "metrics": {...}}` with every value a string
(Reporting → "Synchronous reports"); `stat_time_day` reads "YYYY-MM-DD HH:MM:SS" at midnight of
the day in the advertiser's time zone. Money is in the advertiser's currency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connectors.base import NO_ID, AccountInfo, Breakdown, Level, SpendRow
from connectors.errors import BadResponseError

PLATFORM = "tiktok_ads"
#: The synchronous report with `stat_time_day` covers at most 30 days per request (the
#: Reporting guide's limit for daily breakdowns; singer tap-tiktok-ads and Airbyte's
#: source-tiktok-marketing slice by it too).
MAX_DAYS_PER_REPORT = 30
#: `page_size` is 1-1000 (report/integrated/get/ reference).
PAGE_SIZE = 1000
#: The `platform` dimension of AUDIENCE reports, in Spendlens's device vocabulary.
DEVICES = {"IPHONE": "iphone", "IPAD": "ipad", "ANDROID": "android_phone", "PC": "desktop"}
#: Metrics asked for on every report: spend, delivery, app installs and purchase events
#: ("In-app event metrics": app_install, total_purchase, total_purchase_value).
METRICS = (
    "spend",
    "impressions",
    "clicks",
    "app_install",
    "total_purchase",
    "total_purchase_value",
)
#: Attribute metrics that name the row's objects (they are metrics, not dimensions, in v1.3).
NAMES = {
    Level.CAMPAIGN: ("campaign_name",),
    Level.AD: ("campaign_id", "campaign_name", "adgroup_id", "adgroup_name", "ad_name"),
}
ACTIVE_STATUS = "STATUS_ENABLE"


def date_chunks(
    start: dt.date, end: dt.date, days: int = MAX_DAYS_PER_REPORT
) -> Iterator[tuple[dt.date, dt.date]]:
    """[start, end] in consecutive windows of at most `days` days."""
    while start <= end:
        stop = min(end, start + dt.timedelta(days=days - 1))
        yield start, stop
        start = stop + dt.timedelta(days=1)


def report_params(
    advertiser_id: str,
    start: dt.date,
    end: dt.date,
    level: Level,
    breakdown: Breakdown | None,
    page: int,
    page_size: int = PAGE_SIZE,
) -> dict[str, Any]:
    """Query of one page of report/integrated/get/.

    Country and device splits come from the AUDIENCE report (dimensions `country_code`,
    `platform`), the only report type that offers them; the plain report is BASIC.
    """
    key = "ad_id" if level is Level.AD else "campaign_id"
    dimensions = [key, "stat_time_day"]
    if breakdown is Breakdown.COUNTRY:
        dimensions.append("country_code")
    elif breakdown is Breakdown.DEVICE:
        dimensions.append("platform")
    return {
        "advertiser_id": advertiser_id,
        "service_type": "AUCTION",
        "report_type": "AUDIENCE" if breakdown else "BASIC",
        "data_level": "AUCTION_AD" if level is Level.AD else "AUCTION_CAMPAIGN",
        "dimensions": dimensions,
        "metrics": [*NAMES[level], *METRICS],
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "page": page,
        "page_size": page_size,
    }


def total_params(
    advertiser_id: str, start: dt.date, end: dt.date, page: int, page_size: int = PAGE_SIZE
) -> dict[str, Any]:
    """Query of one page of the advertiser-level report (AUCTION_ADVERTISER), by day."""
    return {
        "advertiser_id": advertiser_id,
        "service_type": "AUCTION",
        "report_type": "BASIC",
        "data_level": "AUCTION_ADVERTISER",
        "dimensions": ["advertiser_id", "stat_time_day"],
        "metrics": ["spend", "impressions", "clicks"],
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "page": page,
        "page_size": page_size,
    }


def total_pages(data: Mapping[str, Any], where: str) -> int:
    info = data.get("page_info")
    if not isinstance(info, Mapping):
        return 1
    try:
        return max(int(info.get("total_page") or 1), 1)
    except (TypeError, ValueError):
        raise BadResponseError(
            "total_page is not a number",
            field="page_info.total_page",
            position=where,
            platform=PLATFORM,
        ) from None


def advertiser_ids(data: Mapping[str, Any]) -> list[str]:
    """The advertisers of oauth2/advertiser/get/ (`data.list[].advertiser_id`)."""
    return [str(item["advertiser_id"]) for item in data.get("list") or []]


def account_info(record: Mapping[str, Any], position: str) -> AccountInfo:
    """One advertiser of advertiser/info/: its currency and time zone (`display_timezone`,
    an IANA name; `timezone` when that is missing)."""
    try:
        external_id = str(record["advertiser_id"])
        currency = str(record["currency"]).upper()
    except KeyError as exc:
        raise BadResponseError(
            "advertiser without it", field=str(exc.args[0]), position=position, platform=PLATFORM
        ) from None
    timezone = record.get("display_timezone") or record.get("timezone") or ""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadResponseError(
            f"unknown time zone {timezone!r}",
            field="display_timezone",
            position=position,
            platform=PLATFORM,
        ) from None
    status = record.get("status") or ACTIVE_STATUS
    return AccountInfo(
        platform=PLATFORM,
        external_id=external_id,
        name=str(record.get("name") or external_id),
        currency=currency,
        timezone=timezone,
        status="active" if status == ACTIVE_STATUS else str(status).lower(),
    )


def spend_rows(
    rows: list[Mapping[str, Any]],
    account: AccountInfo,
    level: Level,
    breakdown: Breakdown | None,
    where: str,
) -> Iterator[SpendRow]:
    """The report's rows as SpendRows (rows with nothing in them are left out)."""
    for n, row in enumerate(rows):
        position = f"{where} list[{n}]"
        dims, metrics = row.get("dimensions") or {}, row.get("metrics") or {}
        spend = _decimal(metrics, "spend", position)
        impressions = int(_decimal(metrics, "impressions", position))
        clicks = int(_decimal(metrics, "clicks", position))
        installs = int(_decimal(metrics, "app_install", position))
        conversions = _decimal(metrics, "total_purchase", position)
        value = _decimal(metrics, "total_purchase_value", position)
        if not (spend or impressions or clicks or installs or conversions or value):
            continue
        ids: dict[str, str] = {}
        if level is Level.AD:
            ids = {
                "campaign_id": _text(metrics, "campaign_id", position),
                "ad_group_id": _text(metrics, "adgroup_id", position),
                "ad_group_name": str(metrics.get("adgroup_name") or ""),
                "ad_id": _text(dims, "ad_id", position),
                "ad_name": str(metrics.get("ad_name") or ""),
            }
        else:
            ids = {"campaign_id": _text(dims, "campaign_id", position)}
        yield SpendRow(
            platform=PLATFORM,
            account_id=account.external_id,
            date=_day(dims, position),
            currency=account.currency,
            campaign_name=str(metrics.get("campaign_name") or ""),
            spend=spend,
            impressions=impressions,
            clicks=clicks,
            installs=installs,
            conversions=conversions,
            conversion_value=value,
            country=_country(dims) if breakdown is Breakdown.COUNTRY else NO_ID,
            device=_device(dims) if breakdown is Breakdown.DEVICE else NO_ID,
            **ids,
        )


def _decimal(metrics: Mapping[str, Any], name: str, position: str) -> Decimal:
    raw = metrics.get(name)
    if raw in (None, "", "-"):
        return Decimal(0)  # TikTok writes "-" where a metric does not apply
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise BadResponseError(
            f"{raw!r} is not a number",
            field=f"metrics.{name}",
            position=position,
            platform=PLATFORM,
        ) from None
    if not value.is_finite():
        raise BadResponseError(
            f"{raw!r} is not a number",
            field=f"metrics.{name}",
            position=position,
            platform=PLATFORM,
        )
    return value


def _text(values: Mapping[str, Any], name: str, position: str) -> str:
    raw = values.get(name)
    if raw in (None, ""):
        raise BadResponseError("missing", field=name, position=position, platform=PLATFORM)
    return str(raw)


def _day(dims: Mapping[str, Any], position: str) -> dt.date:
    raw = str(dims.get("stat_time_day") or "")
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise BadResponseError(
            f"{raw!r} is not a day",
            field="dimensions.stat_time_day",
            position=position,
            platform=PLATFORM,
        ) from None


def _country(dims: Mapping[str, Any]) -> str:
    code = str(dims.get("country_code") or "").upper()
    return code if len(code) == 2 and code.isalpha() else "ZZ"


def _device(dims: Mapping[str, Any]) -> str:
    raw = str(dims.get("platform") or "").upper()
    return DEVICES.get(raw, raw.lower() or "unknown")
