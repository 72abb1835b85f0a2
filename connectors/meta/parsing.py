"""Graph API payloads → Spendlens shapes. Pure functions, tested on recorded payloads.

Graph sends numbers as strings (`"spend": "12.34"`, `"impressions": "1200"`); installs and
purchases come inside `actions` / `action_values` lists keyed by `action_type`. Each entry's
`value` counts under the attribution setting of the ad sets (which differs between ad sets and
accounts); asked for `action_attribution_windows`, Graph adds one field per window
(`"7d_click": "39", "1d_view": "12"`). Rows read with windows count the sum of those fields and
are labelled with them; rows read without windows count `value` and are labelled
`DEFAULT_ATTRIBUTION`. Dates are already in the ad account's time zone and are taken as they
are. Money never passes through a float.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.base import AccountInfo, AccountTotal, Breakdown, Level, SpendRow
from connectors.errors import BadResponseError

PLATFORM = "meta"
INSTALL_ACTION = "mobile_app_install"
PURCHASE_ACTION = "omni_purchase"
#: The label of counts read from `value`: whatever each ad set's attribution setting is (Graph
#: calls that window "default").
DEFAULT_ATTRIBUTION = "default"
#: Graph's `impression_device` values → the normalized device vocabulary.
DEVICE_LABELS = {
    "iphone": "iphone",
    "ipod": "iphone",
    "ipad": "ipad",
    "android_smartphone": "android_phone",
    "android_tablet": "android_tablet",
    "desktop": "desktop",
}
OTHER_DEVICE = "other"
#: Graph's `country` for impressions it cannot place; ISO 3166 reserves ZZ for "unknown".
UNKNOWN_COUNTRY = "ZZ"
ACCOUNT_STATUS = {
    1: "active",
    2: "disabled",
    3: "unsettled",
    7: "pending_risk_review",
    8: "pending_settlement",
    9: "in_grace_period",
    100: "pending_closure",
    101: "closed",
    201: "any_active",
    202: "any_closed",
}
_DECIMAL = re.compile(r"-?\d+(\.\d+)?")
_COUNT = re.compile(r"\d+")
_CURRENCY = re.compile(r"[A-Z]{3}")
_COUNTRY = re.compile(r"[A-Z]{2}")


def _bad(message: str, field: str, position: str) -> BadResponseError:
    return BadResponseError(message, field=field, position=position, platform=PLATFORM)


def parse_decimal(value: Any, *, field: str, position: str) -> Decimal:
    """An exact decimal from Graph's string (or integer) number; floats are refused."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            pass
    raise _bad(f"not a decimal number: {value!r}", field, position)


def parse_count(value: Any, *, field: str, position: str) -> int:
    """A non-negative whole number from Graph's string (or integer); missing counts are 0."""
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and _COUNT.fullmatch(value.strip()):
        return int(value.strip())
    raise _bad(f"not a whole number: {value!r}", field, position)


def parse_date(value: Any, *, field: str, position: str) -> dt.date:
    if not isinstance(value, str):
        raise _bad("missing date" if value is None else f"not a date: {value!r}", field, position)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _bad(f"not a date: {value!r}", field, position) from None


def action_value(
    actions: Any,
    action_type: str,
    *,
    field: str,
    position: str,
    windows: Sequence[str] = (),
) -> Decimal:
    """One action type's count (or value) in an `actions` / `action_values` list, 0 if absent:
    the sum of its `windows` fields when windows are given (a window Graph leaves out counts 0),
    else its `value`."""
    if actions is None:
        return Decimal(0)
    if not isinstance(actions, list):
        raise _bad(f"expected a list, got {type(actions).__name__}", field, position)
    total = Decimal(0)
    for entry in actions:
        if not isinstance(entry, Mapping):
            raise _bad(f"expected an object, got {entry!r}", field, position)
        if entry.get("action_type") != action_type:
            continue
        for name in windows or ("value",):
            value = entry.get(name)
            if value is None and windows:
                continue
            total += parse_decimal(value, field=f"{field}[{action_type}].{name}", position=position)
    return total


def normalize_device(value: str) -> str:
    """Graph's `impression_device` in the normalized device vocabulary ("other" if unknown)."""
    return DEVICE_LABELS.get(value.strip().lower(), OTHER_DEVICE)


def normalize_country(value: Any, *, position: str) -> str:
    if not isinstance(value, str):
        raise _bad(f"not a country code: {value!r}", "country", position)
    code = value.strip().upper()
    if code == "UNKNOWN":
        return UNKNOWN_COUNTRY
    if not _COUNTRY.fullmatch(code):
        raise _bad(f"not an ISO 3166 alpha-2 code: {value!r}", "country", position)
    return code


def _text(raw: Mapping[str, Any], name: str, position: str, *, required: bool) -> str:
    value = raw.get(name)
    if value is None and not required:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or (required and not value):
        raise _bad(f"missing {name}" if value is None else f"not text: {value!r}", name, position)
    return value


def _currency(raw: Mapping[str, Any], default: str, position: str) -> str:
    value = raw.get("account_currency", default)
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise _bad(f"not an ISO 4217 code: {value!r}", "account_currency", position)
    return value


def parse_insight_row(
    raw: Mapping[str, Any],
    *,
    account: AccountInfo,
    level: Level,
    breakdown: Breakdown | None,
    attribution: Sequence[str] = (),
    position: str,
) -> SpendRow:
    """One daily insights row (`time_increment=1`) at campaign or ad level."""
    day = parse_date(raw.get("date_start"), field="date_start", position=position)
    if "date_stop" in raw:
        stop = parse_date(raw.get("date_stop"), field="date_stop", position=position)
        if stop != day:
            raise _bad(f"expected a daily row, got {day}..{stop}", "date_stop", position)
    ad_fields: dict[str, str] = {}
    if level is Level.AD:
        ad_fields = {
            "ad_group_id": _text(raw, "adset_id", position, required=True),
            "ad_group_name": _text(raw, "adset_name", position, required=False),
            "ad_id": _text(raw, "ad_id", position, required=True),
            "ad_name": _text(raw, "ad_name", position, required=False),
        }
    split: dict[str, str] = {}
    if breakdown is Breakdown.COUNTRY:
        split["country"] = normalize_country(raw.get("country"), position=position)
    elif breakdown is Breakdown.DEVICE:
        split["device"] = normalize_device(_text(raw, "impression_device", position, required=True))
    actions = raw.get("actions")
    windows = tuple(attribution)
    return SpendRow(
        platform=PLATFORM,
        account_id=account.external_id,
        date=day,
        currency=_currency(raw, account.currency, position),
        campaign_id=_text(raw, "campaign_id", position, required=True),
        campaign_name=_text(raw, "campaign_name", position, required=False),
        spend=parse_decimal(raw.get("spend"), field="spend", position=position),
        impressions=parse_count(raw.get("impressions"), field="impressions", position=position),
        clicks=parse_count(raw.get("clicks"), field="clicks", position=position),
        installs=_whole(
            action_value(
                actions, INSTALL_ACTION, field="actions", position=position, windows=windows
            ),
            field=f"actions[{INSTALL_ACTION}]",
            position=position,
        ),
        conversions=action_value(
            actions, PURCHASE_ACTION, field="actions", position=position, windows=windows
        ),
        conversion_value=action_value(
            raw.get("action_values"),
            PURCHASE_ACTION,
            field="action_values",
            position=position,
            windows=windows,
        ),
        attribution=",".join(windows) if windows else DEFAULT_ATTRIBUTION,
        **ad_fields,
        **split,
    )


def _whole(value: Decimal, *, field: str, position: str) -> int:
    if value != value.to_integral_value():
        raise _bad(f"not a whole number: {value}", field, position)
    return int(value)


def parse_account(raw: Mapping[str, Any], *, position: str) -> AccountInfo:
    """An entry of `/me/adaccounts` (fields id, account_id, name, currency, timezone_name,
    account_status)."""
    external_id = raw.get("id") or (f"act_{raw['account_id']}" if raw.get("account_id") else None)
    if not isinstance(external_id, str) or not external_id:
        raise _bad("missing id", "id", position)
    currency = raw.get("currency")
    if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
        raise _bad(f"not an ISO 4217 code: {currency!r}", "currency", position)
    timezone = _text(raw, "timezone_name", position, required=True)
    status = raw.get("account_status")
    return AccountInfo(
        platform=PLATFORM,
        external_id=act_id(external_id),
        name=_text(raw, "name", position, required=False),
        currency=currency,
        timezone=timezone,
        status=ACCOUNT_STATUS.get(status, f"status_{status}") if status is not None else "active",
    )


def parse_total(
    rows: Iterable[Mapping[str, Any]], *, account: AccountInfo, start: dt.date, end: dt.date
) -> AccountTotal:
    """Account-level insights without `time_increment` (usually one row; none if no delivery)."""
    spend, impressions, clicks, currency = Decimal(0), 0, 0, account.currency
    for i, raw in enumerate(rows, 1):
        position = f"row {i}"
        currency = _currency(raw, account.currency, position)
        spend += parse_decimal(raw.get("spend"), field="spend", position=position)
        impressions += parse_count(raw.get("impressions"), field="impressions", position=position)
        clicks += parse_count(raw.get("clicks"), field="clicks", position=position)
    return AccountTotal(account.external_id, start, end, currency, spend, impressions, clicks)


def parse_token_expiry(payload: Mapping[str, Any]) -> dt.datetime | None:
    """`expires_at` of a `/debug_token` answer as an aware UTC time (None: never expires)."""
    data = payload.get("data")
    if not isinstance(data, Mapping):
        raise _bad("missing data", "data", "debug_token")
    expires = data.get("expires_at")
    if expires in (None, 0):
        return None
    if not isinstance(expires, int) or isinstance(expires, bool):
        raise _bad(f"not a timestamp: {expires!r}", "expires_at", "debug_token")
    return dt.datetime.fromtimestamp(expires, dt.UTC)


def act_id(account_id: str) -> str:
    """Graph's node id of an ad account (`act_<number>`) from either spelling."""
    account_id = account_id.strip()
    return account_id if account_id.startswith("act_") else f"act_{account_id}"
