"""The report requests sent to Apple Search Ads: body shape, date windows, page sizes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from connectors.base import Breakdown

#: Apple answers DAILY reports for at most this many days per request.
MAX_DAILY_DAYS = 90
#: The largest `pagination.limit` Apple accepts.
MAX_PAGE_LIMIT = 1000
#: `groupBy` dimension per breakdown, and the metadata key that carries its value.
GROUP_BY = {Breakdown.COUNTRY: "countryOrRegion", Breakdown.DEVICE: "deviceClass"}


def date_chunks(
    start: dt.date, end: dt.date, max_days: int = MAX_DAILY_DAYS
) -> list[tuple[dt.date, dt.date]]:
    """Consecutive inclusive windows of at most `max_days` days covering start..end."""
    chunks = []
    while start <= end:
        stop = min(end, start + dt.timedelta(days=max_days - 1))
        chunks.append((start, stop))
        start = stop + dt.timedelta(days=1)
    return chunks


def report_request(
    start: dt.date,
    end: dt.date,
    *,
    offset: int,
    limit: int,
    order_by: str = "campaignId",
    daily: bool = True,
    breakdown: Breakdown | None = None,
    grand_totals: bool = False,
) -> dict[str, Any]:
    """The body of a report request, in the org's own time zone (ORTZ)."""
    body: dict[str, Any] = {
        "startTime": start.isoformat(),
        "endTime": end.isoformat(),
        "timeZone": "ORTZ",
        "selector": {
            "orderBy": [{"field": order_by, "sortOrder": "ASCENDING"}],
            "pagination": {"offset": offset, "limit": limit},
        },
        "returnRowTotals": not daily,
        "returnGrandTotals": grand_totals,
        "returnRecordsWithNoMetrics": False,
    }
    if daily:
        body["granularity"] = "DAILY"
    if breakdown is not None:
        body["groupBy"] = [GROUP_BY[breakdown]]
    return body
