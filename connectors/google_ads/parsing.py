"""Pure functions from GoogleAdsRows (proto-plus messages) to SpendRow / AccountInfo / totals.

No network here: tests feed recorded rows. Money: `cost_micros` (int64) → Decimal exactly
(micros / 10**6, shown at the currency's minor unit when that is exact); conversion values are
doubles on the wire → Decimal(str(value)), the shortest decimal that round-trips the double.
Installs are the summed `all_conversions` of app-download actions, rounded half-even (Google may
report fractional conversions under data-driven attribution).

Countries: `geographic_view.country_criterion_id` is a geo target constant id; Google numbers
countries 2000 + ISO 3166-1 numeric code, mapped to alpha-2 through pycountry's ISO 3166 table
(every country, not a list of markets). An id that is no ISO country becomes "ZZ" (the ISO
user-assigned code for "unknown"), so no spend is dropped. Devices: MOBILE/TABLET/DESKTOP →
mobile/tablet/desktop; other enum values lower-cased (connected_tv, other, unknown).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pycountry

from connectors.base import NO_ID, AccountInfo, AccountTotal, Breakdown, Level, SpendRow
from connectors.errors import BadResponseError

PLATFORM = "google_ads"
#: ISO 4217 minor units that are not 2.
# fmt: off
_MINOR_UNITS = {
    "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "UGX": 0, "PYG": 0, "XAF": 0, "XOF": 0,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "IQD": 3, "LYD": 3,
}
# fmt: on
UNKNOWN_COUNTRY = "ZZ"
#: Country geo target constants are this plus the ISO 3166-1 numeric code.
COUNTRY_CRITERION_BASE = 2000
DEVICE_LABELS = {"MOBILE": "mobile", "TABLET": "tablet", "DESKTOP": "desktop"}


def minor_unit(currency: str) -> int:
    return _MINOR_UNITS.get(currency.upper(), 2)


def exact_money(amount: Decimal, currency: str) -> Decimal:
    """`amount` at the currency's minor unit when that loses nothing, else at the digits it has."""
    for places in range(minor_unit(currency), 7):
        quantum = Decimal(1).scaleb(-places)
        if amount == amount.quantize(quantum):
            return amount.quantize(quantum)
    return amount


def money_from_micros(micros: int, currency: str) -> Decimal:
    """cost_micros → Decimal, exactly (1 unit = 1,000,000 micros)."""
    return exact_money(Decimal(int(micros)).scaleb(-6), currency)


def decimal_from_double(value: float) -> Decimal:
    """A double from the API as the shortest decimal that round-trips it (never float math)."""
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    amount = Decimal(repr(float(value)))
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount


def country_code(criterion_id: int) -> str:
    """ISO 3166-1 alpha-2 of a country geo target constant ("ZZ" for anything else).

    Google numbers the country targets 2000 + the country's ISO 3166-1 numeric code
    (2840 United States, 2191 Croatia, 2566 Nigeria); pycountry holds the ISO table.
    """
    numeric = int(criterion_id) - COUNTRY_CRITERION_BASE
    if not 0 < numeric < 1000:
        return UNKNOWN_COUNTRY
    country = pycountry.countries.get(numeric=f"{numeric:03d}")
    return country.alpha_2 if country is not None else UNKNOWN_COUNTRY


def device_label(device: Any) -> str:
    name = getattr(device, "name", str(device))
    return DEVICE_LABELS.get(name, name.lower())


def customer_id_of(resource_name: str) -> str:
    """'customers/1234567890' → '1234567890'."""
    prefix, _, rest = resource_name.partition("/")
    if prefix != "customers" or not rest.isdigit():
        raise BadResponseError(
            f"unexpected customer resource name {resource_name!r}",
            field="resource_names",
            position="list_accessible_customers",
            platform=PLATFORM,
        )
    return rest


@dataclass(frozen=True)
class RowKey:
    date: dt.date
    campaign_id: str
    ad_group_id: str = NO_ID
    country: str = NO_ID
    device: str = NO_ID


@dataclass
class ParsedRow:
    """One row of either report, with the metrics it carries (the others zero)."""

    key: RowKey
    currency: str
    campaign_name: str
    ad_group_name: str = ""
    spend: Decimal = Decimal(0)
    impressions: int = 0
    clicks: int = 0
    conversions: Decimal = Decimal(0)
    conversion_value: Decimal = Decimal(0)
    installs: Decimal = Decimal(0)
    sources: list[str] = field(default_factory=list)


def _get(row: Any, name: str, position: str, *, required: bool = True) -> Any:
    """The value of a dotted GAQL field of a row; BadResponseError when required and absent."""
    head, _, tail = name.partition(".")
    message = getattr(row, head)
    if tail not in message:
        if required:
            raise BadResponseError(
                "required field missing", field=name, position=position, platform=PLATFORM
            )
        return None
    return getattr(message, tail)


def _count(row: Any, name: str, position: str) -> int:
    value = _get(row, name, position, required=False)
    if value is None:
        return 0
    if value < 0:
        raise BadResponseError(
            f"negative value {value}", field=name, position=position, platform=PLATFORM
        )
    return int(value)


def _double(row: Any, name: str, position: str) -> Decimal:
    value = _get(row, name, position, required=False)
    if value is None:
        return Decimal(0)
    try:
        return decimal_from_double(value)
    except ValueError as exc:
        raise BadResponseError(str(exc), field=name, position=position, platform=PLATFORM) from None


def _key(row: Any, level: Level, breakdown: Breakdown | None, position: str) -> RowKey:
    raw_date = _get(row, "segments.date", position)
    try:
        day = dt.date.fromisoformat(raw_date)
    except ValueError:
        raise BadResponseError(
            f"bad date {raw_date!r}", field="segments.date", position=position, platform=PLATFORM
        ) from None
    key = RowKey(day, str(_get(row, "campaign.id", position)))
    if level == Level.AD:
        key = replace(key, ad_group_id=str(_get(row, "ad_group.id", position)))
    if breakdown == Breakdown.COUNTRY:
        criterion = _get(row, "geographic_view.country_criterion_id", position)
        key = replace(key, country=country_code(criterion))
    elif breakdown == Breakdown.DEVICE:
        key = replace(key, device=device_label(_get(row, "segments.device", position)))
    return key


def _base(row: Any, level: Level, breakdown: Breakdown | None, position: str) -> ParsedRow:
    name = _get(row, "campaign.name", position, required=False) or ""
    group_name = ""
    if level == Level.AD:
        group_name = _get(row, "ad_group.name", position, required=False) or ""
    return ParsedRow(
        key=_key(row, level, breakdown, position),
        currency=_get(row, "customer.currency_code", position),
        campaign_name=name,
        ad_group_name=group_name,
        sources=[position],
    )


def parse_metrics_row(
    row: Any, level: Level, breakdown: Breakdown | None, position: str
) -> ParsedRow:
    """A row of `queries.metrics_query`."""
    parsed = _base(row, level, breakdown, position)
    micros = _count(row, "metrics.cost_micros", position)
    parsed.spend = money_from_micros(micros, parsed.currency)
    parsed.impressions = _count(row, "metrics.impressions", position)
    parsed.clicks = _count(row, "metrics.clicks", position)
    parsed.conversions = _double(row, "metrics.conversions", position)
    parsed.conversion_value = exact_money(
        _double(row, "metrics.conversions_value", position), parsed.currency
    )
    return parsed


def parse_installs_row(
    row: Any, level: Level, breakdown: Breakdown | None, position: str
) -> ParsedRow:
    """A row of `queries.installs_query` (only DOWNLOAD rows count)."""
    parsed = _base(row, level, breakdown, position)
    category = _get(row, "segments.conversion_action_category", position)
    if getattr(category, "name", category) == "DOWNLOAD":
        parsed.installs = _double(row, "metrics.all_conversions", position)
    return parsed


def _add(into: ParsedRow, row: ParsedRow) -> None:
    if row.currency != into.currency:
        raise BadResponseError(
            f"currency {row.currency} differs from {into.currency} of {into.sources[0]}",
            field="customer.currency_code",
            position=row.sources[0],
            platform=PLATFORM,
        )
    into.campaign_name = into.campaign_name or row.campaign_name
    into.ad_group_name = into.ad_group_name or row.ad_group_name
    into.spend += row.spend
    into.impressions += row.impressions
    into.clicks += row.clicks
    into.conversions += row.conversions
    into.conversion_value += row.conversion_value
    into.installs += row.installs


def merge_rows(parsed: Iterable[ParsedRow]) -> list[ParsedRow]:
    """Join rows of both reports on their key (metrics first, installs added), in order met."""
    merged: dict[RowKey, ParsedRow] = {}
    for row in parsed:
        if row.key in merged:
            _add(merged[row.key], row)
        else:
            merged[row.key] = replace(row, sources=list(row.sources))
    return list(merged.values())


def to_spend_row(row: ParsedRow, account_id: str) -> SpendRow:
    key = row.key
    return SpendRow(
        platform=PLATFORM,
        account_id=account_id,
        date=key.date,
        currency=row.currency,
        campaign_id=key.campaign_id,
        campaign_name=row.campaign_name,
        spend=row.spend,
        impressions=row.impressions,
        clicks=row.clicks,
        installs=int(row.installs.to_integral_value(rounding=ROUND_HALF_EVEN)),
        conversions=row.conversions,
        conversion_value=row.conversion_value,
        ad_group_id=key.ad_group_id,
        ad_group_name=row.ad_group_name,
        country=key.country,
        device=key.device,
    )


def parse_customer_clients(rows: Iterable[Any], root_id: str) -> list[AccountInfo]:
    """Non-manager accounts of a customer_client report run on `root_id`.

    Clients under a manager get `manager_id = root_id` (the login-customer-id to reach them);
    a root that is itself a plain account comes back as its own level-0 row, without manager.
    """
    accounts = []
    for i, row in enumerate(rows):
        position = f"customer_client row {i} of customer {root_id}"
        if _get(row, "customer_client.manager", position, required=False):
            continue
        cid = str(_get(row, "customer_client.id", position))
        status = _get(row, "customer_client.status", position, required=False)
        status_name = getattr(status, "name", "ENABLED") if status else "ENABLED"
        accounts.append(
            AccountInfo(
                platform=PLATFORM,
                external_id=cid,
                name=_get(row, "customer_client.descriptive_name", position, required=False) or cid,
                currency=_get(row, "customer_client.currency_code", position),
                timezone=_get(row, "customer_client.time_zone", position),
                manager_id=None if cid == root_id else root_id,
                status="active" if status_name == "ENABLED" else status_name.lower(),
            )
        )
    return accounts


def parse_account_total(
    rows: Iterable[Any], account: AccountInfo, start: dt.date, end: dt.date
) -> AccountTotal:
    """The `queries.account_total_query` answer (one row; none when nothing was spent)."""
    currency = account.currency
    spend, impressions, clicks = Decimal(0), 0, 0
    for i, row in enumerate(rows):
        position = f"customer row {i} of {account.external_id} {start}..{end}"
        currency = _get(row, "customer.currency_code", position)
        spend += money_from_micros(_count(row, "metrics.cost_micros", position), currency)
        impressions += _count(row, "metrics.impressions", position)
        clicks += _count(row, "metrics.clicks", position)
    return AccountTotal(
        account.external_id, start, end, currency, exact_money(spend, currency), impressions, clicks
    )
