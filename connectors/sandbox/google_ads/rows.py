"""GoogleAdsRows for a parsed GAQL query, computed from the sandbox World.

What the sandbox serves (and refuses) mirrors the real API where it matters to a reporting client:

- resources `customer`, `customer_client`, `campaign`, `ad_group`, `geographic_view`;
- a row per resource (and per selected segment), `resource_name` of the FROM resource always set;
  rows whose selected metrics are all zero are left out, as the API does;
- `segments.date` in the account's time zone; metrics need a `segments.date` filter (the real API
  would answer all-time totals without one; the sandbox refuses, to keep the world finite);
- `geographic_view` answers each country twice, once per `location_type` (LOCATION_OF_PRESENCE and
  AREA_OF_INTEREST) - a client that does not filter on the type counts everything twice;
- `segments.conversion_action_category` splits conversions into DOWNLOAD (the world's installs,
  counted in `metrics.all_conversions` only: app installs are a secondary conversion action) and
  PURCHASE (the world's conversions, primary); with it only conversion metrics may be selected;
- metrics on a manager account are refused (REQUESTED_METRICS_FOR_MANAGER).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pycountry

from connectors.sandbox.generator import CURRENCY_EXPONENT, Cell, SandboxAccount, World
from connectors.sandbox.google_ads.gaql import GaqlError, Query

PLATFORM = "google_ads"
#: The manager (MCC) accounts of the sandbox, by id: (name, currency, time zone).
MANAGERS = {"9990001111": ("Acme Agency MCC", "USD", "America/New_York")}
#: Country geo target constants are this plus the ISO 3166-1 numeric code.
COUNTRY_CRITERION_BASE = 2000
DEVICE_ENUM = {"mobile": "MOBILE", "tablet": "TABLET", "desktop": "DESKTOP"}
LOCATION_TYPES = ("LOCATION_OF_PRESENCE", "AREA_OF_INTEREST")
CATEGORIES = ("DOWNLOAD", "PURCHASE")
_SEARCH_THEMES = ("Brand", "Generic", "Competitor")

METRICS = frozenset(
    {
        "metrics.cost_micros",
        "metrics.impressions",
        "metrics.clicks",
        "metrics.conversions",
        "metrics.conversions_value",
        "metrics.all_conversions",
    }
)
CONVERSION_METRICS = frozenset(
    {"metrics.conversions", "metrics.conversions_value", "metrics.all_conversions"}
)
SEGMENTS = frozenset({"segments.date", "segments.device", "segments.conversion_action_category"})
ATTRIBUTES = {
    "customer": frozenset(
        {
            "customer.id",
            "customer.descriptive_name",
            "customer.currency_code",
            "customer.time_zone",
            "customer.manager",
            "customer.resource_name",
        }
    ),
    "customer_client": frozenset(
        {
            "customer_client.client_customer",
            "customer_client.id",
            "customer_client.level",
            "customer_client.descriptive_name",
            "customer_client.currency_code",
            "customer_client.time_zone",
            "customer_client.manager",
            "customer_client.status",
            "customer_client.hidden",
            "customer_client.resource_name",
        }
    ),
    "campaign": frozenset(
        {
            "campaign.id",
            "campaign.name",
            "campaign.advertising_channel_type",
            "campaign.resource_name",
        }
    ),
    "ad_group": frozenset({"ad_group.id", "ad_group.name", "ad_group.resource_name"}),
    "geographic_view": frozenset(
        {
            "geographic_view.country_criterion_id",
            "geographic_view.location_type",
            "geographic_view.resource_name",
        }
    ),
}
#: Resources whose attributes may be selected with each FROM resource.
_ATTRIBUTED = {
    "customer": ("customer",),
    "customer_client": ("customer_client",),
    "campaign": ("customer", "campaign"),
    "ad_group": ("customer", "campaign", "ad_group"),
    "geographic_view": ("customer", "campaign", "ad_group", "geographic_view"),
}
_FILTERABLE = {
    "segments.date": ("BETWEEN", "="),
    "segments.conversion_action_category": ("=",),
    "geographic_view.location_type": ("=",),
    "customer_client.level": ("=", "<", "<=", ">", ">="),
    "customer_client.manager": ("=", "!="),
    "customer_client.status": ("=", "!="),
}


@dataclass(frozen=True)
class DateRange:
    start: dt.date
    end: dt.date


def _date(value: object) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise GaqlError(
            "INVALID_DATE_FORMAT", f"Error in query: invalid date {value!r}, expected YYYY-MM-DD."
        ) from None


def check(query: Query, *, is_manager: bool) -> DateRange | None:
    """Refuse what the real API (or this sandbox) would refuse; return the date filter."""
    if query.resource not in _ATTRIBUTED:
        raise GaqlError(
            "PROHIBITED_RESOURCE_TYPE_IN_FROM_CLAUSE",
            f"Error in query: resource {query.resource!r} is not served by the sandbox.",
        )
    allowed = set().union(*(ATTRIBUTES[r] for r in _ATTRIBUTED[query.resource]))
    if query.resource != "customer_client":
        allowed |= METRICS | SEGMENTS
    for field in query.fields:
        if field not in allowed:
            known = field in METRICS | SEGMENTS or any(field in a for a in ATTRIBUTES.values())
            code = "PROHIBITED_FIELD_IN_SELECT_CLAUSE" if known else "UNRECOGNIZED_FIELD"
            raise GaqlError(code, f"Error in query: field {field!r} cannot be selected here.")
    metrics = [f for f in query.fields if f in METRICS]
    if metrics and is_manager:
        raise GaqlError(
            "REQUESTED_METRICS_FOR_MANAGER",
            "Metrics cannot be requested for a manager account. To retrieve metrics, issue "
            "separate requests against each client account under the manager account.",
        )
    by_category = "segments.conversion_action_category" in query.fields or query.condition(
        "segments.conversion_action_category"
    )
    if by_category and set(metrics) - CONVERSION_METRICS:
        raise GaqlError(
            "PROHIBITED_SEGMENT_WITH_METRIC_IN_SELECT_OR_WHERE_CLAUSE",
            "Error in query: segments.conversion_action_category can only be used with "
            "conversion metrics.",
        )
    if "segments.device" in query.fields and query.resource == "geographic_view":
        raise GaqlError(
            "PROHIBITED_SEGMENT_IN_SELECT_OR_WHERE_CLAUSE",
            "Error in query: the sandbox cannot split geographic_view by device.",
        )
    dates = None
    for cond in query.conditions:
        ops = _FILTERABLE.get(cond.field)
        if ops is None:
            raise GaqlError(
                "PROHIBITED_FIELD_IN_WHERE_CLAUSE",
                f"Error in query: the sandbox cannot filter on {cond.field!r}.",
            )
        if cond.op not in ops:
            raise GaqlError("BAD_OPERATOR", f"Error in query: bad operator {cond.op} here.")
        if (
            cond.field.startswith("segments.")
            and cond.field != "segments.date"
            and (cond.field not in query.fields)
        ):
            raise GaqlError(
                "EXPECTED_REFERENCED_FIELD_IN_SELECT_CLAUSE",
                f"Error in query: {cond.field} is filtered on but not selected.",
            )
        if cond.field == "segments.date":
            low, high = cond.value if cond.op == "BETWEEN" else (cond.value, cond.value)
            dates = DateRange(_date(low), _date(high))
            if dates.start > dates.end:
                raise GaqlError(
                    "INVALID_VALUE_WITH_BETWEEN_OPERATOR",
                    "Error in query: the start of the date range is after its end.",
                )
    if dates is None and (metrics or "segments.date" in query.fields):
        raise GaqlError(
            "EXPECTED_FILTERS_ON_DATE_RANGE",
            "Error in query: a finite date range is required (segments.date BETWEEN ...).",
        )
    return dates


def _set(row: dict[str, Any], field: str, value: object) -> None:
    head, _, tail = field.partition(".")
    row.setdefault(head, {})[tail] = value


def _matches(value: object, op: str, expected: object) -> bool:
    ops = {
        "=": value == expected,
        "!=": value != expected,
        "<": value < expected,
        "<=": value <= expected,  # type: ignore[operator]
        ">": value > expected,
        ">=": value >= expected,  # type: ignore[operator]
    }
    return ops[op]


@dataclass(frozen=True)
class ExtraCustomer:
    """A customer the server adds beside the World's accounts, with no spend: a cancelled or
    not yet enabled one (status other than ENABLED), directly accessible when `manager_id` is
    None, else a client of that manager."""

    customer_id: str
    name: str
    currency: str = "USD"
    timezone: str = "America/New_York"
    status: str = "CANCELED"
    manager_id: str | None = None


def country_criterion_id(alpha_2: str) -> int:
    """The country's geo target constant id (2000 + its ISO 3166-1 numeric code)."""
    country = pycountry.countries.get(alpha_2=alpha_2)
    if country is None:
        raise ValueError(f"not an ISO 3166-1 alpha-2 code: {alpha_2!r}")
    return COUNTRY_CRITERION_BASE + int(country.numeric)


def customer_client_rows(
    world: World, customer_id: str, query: Query, extra: Sequence[ExtraCustomer] = ()
) -> list[dict[str, Any]]:
    """The customer itself (level 0) and, for a manager, its client accounts (level 1)."""
    entries = []
    if customer_id in MANAGERS:
        name, currency, tz = MANAGERS[customer_id]
        entries.append((customer_id, name, currency, tz, True, 0, "ENABLED"))
        for acc in world.accounts_of(PLATFORM):
            if acc.manager_id == customer_id:
                entries.append(
                    (acc.external_id, acc.name, acc.currency, acc.timezone, False, 1, "ENABLED")
                )
        for more in extra:
            if more.manager_id == customer_id:
                entries.append(
                    (
                        more.customer_id,
                        more.name,
                        more.currency,
                        more.timezone,
                        False,
                        1,
                        more.status,
                    )
                )
    else:
        acc = world.account(customer_id)
        entries.append((acc.external_id, acc.name, acc.currency, acc.timezone, False, 0, "ENABLED"))
    rows = []
    for cid, name, currency, tz, manager, level, status in entries:
        values = {
            "customer_client.client_customer": f"customers/{cid}",
            "customer_client.id": int(cid),
            "customer_client.level": level,
            "customer_client.descriptive_name": name,
            "customer_client.currency_code": currency,
            "customer_client.time_zone": tz,
            "customer_client.manager": manager,
            "customer_client.status": status,
            "customer_client.hidden": False,
            "customer_client.resource_name": f"customers/{customer_id}/customerClients/{cid}",
        }
        if not all(_matches(values[c.field], c.op, c.value) for c in query.conditions):
            continue
        row: dict[str, Any] = {}
        for field in (*query.fields, "customer_client.resource_name"):
            _set(row, field, values[field])
        rows.append(row)
    return rows


@dataclass
class _Sums:
    spend_minor: int = 0
    impressions: int = 0
    clicks: int = 0
    conversions: int = 0
    value_minor: int = 0
    all_conversions: int = 0


def _expand(cell: Cell, by_category: bool) -> Iterator[tuple[str | None, _Sums]]:
    if not by_category:
        yield (
            None,
            _Sums(
                cell.spend_minor,
                cell.impressions,
                cell.clicks,
                cell.conversions,
                cell.value_minor,
                cell.installs + cell.conversions,
            ),
        )
        return
    yield "DOWNLOAD", _Sums(all_conversions=cell.installs)
    yield (
        "PURCHASE",
        _Sums(
            conversions=cell.conversions,
            value_minor=cell.value_minor,
            all_conversions=cell.conversions,
        ),
    )


def channel_type(campaign_name: str) -> str:
    """Search for brand/generic/competitor campaigns, App (MULTI_CHANNEL) for the rest."""
    return "SEARCH" if any(t in campaign_name for t in _SEARCH_THEMES) else "MULTI_CHANNEL"


def metric_rows(
    world: World,
    account: SandboxAccount,
    query: Query,
    dates: DateRange,
    country_labels: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Rows of campaign / ad_group / geographic_view / customer for one client account.

    `country_labels` reports a World country as another (same numbers, another criterion id).
    """
    geo = query.resource == "geographic_view"
    by_device = "segments.device" in query.fields
    by_category = "segments.conversion_action_category" in query.fields or bool(
        query.condition("segments.conversion_action_category")
    )
    with_campaign = query.resource in ("campaign", "ad_group") or query.selects("campaign.")
    with_ad_group = query.resource == "ad_group" or query.selects("ad_group.")
    with_date = "segments.date" in query.fields
    breakdown = "country" if geo else "device" if by_device else None
    groups: dict[tuple, tuple[Cell, str | None, str | None, _Sums]] = {}
    for cell in world.cells(account, dates.start, dates.end, breakdown):
        for category, sums in _expand(cell, by_category):
            for location in LOCATION_TYPES if geo else (None,):
                key = (
                    cell.date if with_date else None,
                    cell.campaign.campaign_id if with_campaign else None,
                    cell.ad.ad_group_id if with_ad_group else None,
                    cell.country,
                    location,
                    cell.device,
                    category,
                )
                if key not in groups:
                    groups[key] = (cell, location, category, _Sums())
                acc = groups[key][3]
                for name in vars(acc):
                    setattr(acc, name, getattr(acc, name) + getattr(sums, name))
    exp = CURRENCY_EXPONENT.get(account.currency, 2)
    base = f"customers/{account.external_id}"
    rows = []
    for key in sorted(groups, key=lambda k: tuple("" if v is None else str(v) for v in k)):
        cell, location, category, sums = groups[key]
        values: dict[str, object] = {
            "customer.id": int(account.external_id),
            "customer.descriptive_name": account.name,
            "customer.currency_code": account.currency,
            "customer.time_zone": account.timezone,
            "customer.manager": False,
            "customer.resource_name": f"customers/{account.external_id}",
            "campaign.id": int(cell.campaign.campaign_id),
            "campaign.name": cell.campaign.name,
            "campaign.advertising_channel_type": channel_type(cell.campaign.name),
            "campaign.resource_name": f"{base}/campaigns/{cell.campaign.campaign_id}",
            "ad_group.id": int(cell.ad.ad_group_id),
            "ad_group.name": cell.ad.ad_group_name,
            "ad_group.resource_name": f"{base}/adGroups/{cell.ad.ad_group_id}",
            "segments.date": cell.date.isoformat(),
            "segments.device": DEVICE_ENUM.get(cell.device or "", "UNKNOWN"),
            "segments.conversion_action_category": category,
            "metrics.cost_micros": sums.spend_minor * 10 ** (6 - exp),
            "metrics.impressions": sums.impressions,
            "metrics.clicks": sums.clicks,
            "metrics.conversions": float(sums.conversions),
            "metrics.conversions_value": sums.value_minor / 10**exp,
            "metrics.all_conversions": float(sums.all_conversions),
        }
        if geo:
            country = cell.country or ""
            criterion = country_criterion_id((country_labels or {}).get(country, country))
            values["geographic_view.country_criterion_id"] = criterion
            values["geographic_view.location_type"] = location
            values["geographic_view.resource_name"] = (
                f"customers/{account.external_id}/geographicViews/{criterion}~{location}"
            )
        filters = [c for c in query.conditions if c.field != "segments.date"]
        if not all(_matches(values[c.field], c.op, c.value) for c in filters):
            continue
        selected_metrics = [f for f in query.fields if f in METRICS]
        if selected_metrics and not any(values[f] for f in selected_metrics):
            continue
        row: dict[str, Any] = {}
        for field in (*query.fields, f"{query.resource}.resource_name"):
            _set(row, field, values[field])
        rows.append(row)
    return rows
