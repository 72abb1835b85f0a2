"""The GAQL the connector sends, one builder per report.

- Rows come from `campaign`, `ad_group` (the "ad" level: Google's finest level with spend that
  maps onto our ad groups) or, for the country breakdown, `geographic_view` filtered on
  `location_type = LOCATION_OF_PRESENCE` (the view answers each country once per location type;
  without the filter every country is counted twice).
- Installs are app-download conversions: `metrics.all_conversions` segmented by
  `segments.conversion_action_category`, filtered on DOWNLOAD. The API allows that segment only
  with conversion metrics, so installs take a second query per window, joined on the row key.
  `all_conversions` is used because installs are usually a secondary conversion action (not in
  `metrics.conversions`). Campaigns without app-download actions simply have no such rows.
"""

from __future__ import annotations

import datetime as dt

from connectors.base import Breakdown, Level

METRICS = (
    "metrics.cost_micros",
    "metrics.impressions",
    "metrics.clicks",
    "metrics.conversions",
    "metrics.conversions_value",
)
INSTALL_METRICS = ("segments.conversion_action_category", "metrics.all_conversions")
LOCATION_OF_PRESENCE = "geographic_view.location_type = 'LOCATION_OF_PRESENCE'"
DOWNLOADS = "segments.conversion_action_category = 'DOWNLOAD'"

CUSTOMER_CLIENTS = (
    "SELECT customer_client.client_customer, customer_client.id, customer_client.level, "
    "customer_client.descriptive_name, customer_client.currency_code, "
    "customer_client.time_zone, customer_client.manager, customer_client.status "
    "FROM customer_client"
)


def _date_range(start: dt.date, end: dt.date) -> str:
    return f"segments.date BETWEEN '{start.isoformat()}' AND '{end.isoformat()}'"


def resource_for(level: Level, breakdown: Breakdown | None) -> str:
    if breakdown == Breakdown.COUNTRY:
        return "geographic_view"
    return "ad_group" if level == Level.AD else "campaign"


def dimensions(level: Level, breakdown: Breakdown | None) -> list[str]:
    """The fields that identify a row: currency, campaign, [ad group], date, [breakdown]."""
    fields = ["customer.currency_code", "campaign.id", "campaign.name"]
    if level == Level.AD:
        fields += ["ad_group.id", "ad_group.name"]
    fields.append("segments.date")
    if breakdown == Breakdown.COUNTRY:
        fields.append("geographic_view.country_criterion_id")
    elif breakdown == Breakdown.DEVICE:
        fields.append("segments.device")
    return fields


def _query(fields: list[str], resource: str, conditions: list[str]) -> str:
    return f"SELECT {', '.join(fields)} FROM {resource} WHERE {' AND '.join(conditions)}"


def _conditions(breakdown: Breakdown | None, start: dt.date, end: dt.date) -> list[str]:
    conditions = [_date_range(start, end)]
    if breakdown == Breakdown.COUNTRY:
        conditions.append(LOCATION_OF_PRESENCE)
    return conditions


def metrics_query(level: Level, breakdown: Breakdown | None, start: dt.date, end: dt.date) -> str:
    """Cost, impressions, clicks, conversions and their value per day."""
    return _query(
        dimensions(level, breakdown) + list(METRICS),
        resource_for(level, breakdown),
        _conditions(breakdown, start, end),
    )


def installs_query(level: Level, breakdown: Breakdown | None, start: dt.date, end: dt.date) -> str:
    """App-download conversions per day (see the module docstring)."""
    return _query(
        dimensions(level, breakdown) + list(INSTALL_METRICS),
        resource_for(level, breakdown),
        [*_conditions(breakdown, start, end), DOWNLOADS],
    )


def account_total_query(start: dt.date, end: dt.date) -> str:
    """The account's own totals for the whole window (one row, no date segment)."""
    return _query(
        ["customer.currency_code", "metrics.cost_micros", "metrics.impressions", "metrics.clicks"],
        "customer",
        [_date_range(start, end)],
    )
