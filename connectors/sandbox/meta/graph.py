"""Graph API payloads built from the sandbox `World`: ad accounts, insights rows, error bodies.

Pure functions of (world, account, query): the HTTP server (server.py) decides which
answer to give (faults, paging, async jobs) and these build the JSON the Graph API would send.
Values are strings the way Graph sends them (`"spend": "12.34"`, `"impressions": "1200"`).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connectors.sandbox.generator import Cell, SandboxAccount, World, to_decimal

#: The generator's device labels → Graph's `impression_device` values.
WIRE_DEVICE = {
    "iphone": "iphone",
    "ipad": "ipad",
    "android_phone": "android_smartphone",
    "desktop": "desktop",
}
LEVELS = ("account", "campaign", "adset", "ad")
BREAKDOWN_FIELD = {"country": "country", "impression_device": "impression_device"}
ATTRIBUTION_WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_view", "7d_view", "28d_view")
#: Ad set attribution settings (what an action's `value` counts) and their windows.
ATTRIBUTION_SETTINGS = {
    "7d_click_1d_view": ("7d_click", "1d_view"),
    "7d_click": ("7d_click",),
    "1d_click_1d_view": ("1d_click", "1d_view"),
    "1d_click": ("1d_click",),
}
DEFAULT_SETTING = "7d_click_1d_view"
INSIGHTS_FIELDS = frozenset(
    {
        "account_id",
        "account_name",
        "account_currency",
        "campaign_id",
        "campaign_name",
        "adset_id",
        "adset_name",
        "ad_id",
        "ad_name",
        "spend",
        "impressions",
        "clicks",
        "actions",
        "action_values",
        "date_start",
        "date_stop",
        "objective",
        "reach",
        "cpm",
        "ctr",
    }
)
ACCOUNT_FIELDS = frozenset(
    {
        "id",
        "account_id",
        "name",
        "currency",
        "timezone_name",
        "account_status",
        "business_name",
    }
)
#: Action types the sandbox reports; purchases come twice, as Graph does (omni and app event).
_COUNT_ACTIONS = (
    ("link_click", "clicks"),
    ("mobile_app_install", "installs"),
    ("omni_purchase", "conversions"),
    ("app_custom_event.fb_mobile_purchase", "conversions"),
)
_VALUE_ACTIONS = ("omni_purchase", "app_custom_event.fb_mobile_purchase")
_LEVEL_IDS = {
    "account": (),
    "campaign": ("campaign_id", "campaign_name"),
    "adset": ("campaign_id", "campaign_name", "adset_id", "adset_name"),
    "ad": ("campaign_id", "campaign_name", "adset_id", "adset_name", "ad_id", "ad_name"),
}


class GraphError(Exception):
    """An error answer in Graph's own format."""

    def __init__(
        self,
        message: str,
        *,
        code: int,
        subcode: int | None = None,
        kind: str = "OAuthException",
        status: int = 400,
        is_transient: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.subcode = subcode
        self.kind = kind
        self.status = status
        self.is_transient = is_transient

    def body(self, fbtrace_id: str) -> dict[str, Any]:
        error: dict[str, Any] = {
            "message": self.message,
            "type": self.kind,
            "code": self.code,
            "is_transient": self.is_transient,
            "fbtrace_id": fbtrace_id,
        }
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        return {"error": error}


def invalid_parameter(message: str) -> GraphError:
    return GraphError(f"(#100) {message}", code=100, kind="OAuthException")


def unknown_object(object_id: str, method: str = "get") -> GraphError:
    return GraphError(
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation. Please read the "
        "Graph API documentation at https://developers.facebook.com/docs/graph-api",
        code=100,
        subcode=33,
        kind="GraphMethodException",
    )


@dataclass(frozen=True)
class InsightsQuery:
    """The parameters of one insights request, validated."""

    level: str
    since: dt.date
    until: dt.date
    time_increment: int | None
    breakdowns: tuple[str, ...]
    fields: tuple[str, ...]
    windows: tuple[str, ...]

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1


def field_list(params: Mapping[str, str], default: str = "id") -> list[str]:
    """`fields` as Graph takes it: comma-joined (GET) or a JSON list (the SDK's POSTs)."""
    raw = params.get("fields") or default
    if raw.startswith("["):
        try:
            return [str(f) for f in json.loads(raw)]
        except ValueError:
            raise invalid_parameter("Param fields must be a list of field names") from None
    return [f for f in raw.split(",") if f]


def _json_param(params: Mapping[str, str], name: str, default: Any) -> Any:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return json.loads(raw)
    except ValueError:
        if name in ("breakdowns", "action_attribution_windows"):
            return [part for part in raw.split(",") if part]
        raise invalid_parameter(f"Param {name} must be a JSON value") from None


def parse_insights_query(params: Mapping[str, str], today: dt.date) -> InsightsQuery:
    """Validate an insights request's parameters the way Graph does (the parts the sandbox uses)."""
    level = params.get("level", "account")
    if level not in LEVELS:
        raise invalid_parameter(f"Param level must be one of {{{', '.join(LEVELS)}}}")
    fields = tuple(field_list(params, default="spend"))
    unknown = [f for f in fields if f not in INSIGHTS_FIELDS]
    if unknown:
        raise invalid_parameter(
            f"fields must be one of the following values: {', '.join(sorted(INSIGHTS_FIELDS))}"
        )
    time_range = _json_param(params, "time_range", None)
    if time_range is None:
        since, until = today - dt.timedelta(days=30), today - dt.timedelta(days=1)
    else:
        try:
            since = dt.date.fromisoformat(time_range["since"])
            until = dt.date.fromisoformat(time_range["until"])
        except (KeyError, TypeError, ValueError):
            raise invalid_parameter("Param time_range must be {since, until} dates") from None
    if since > until:
        raise invalid_parameter("Param time_range: since must be on or before until")
    increment = params.get("time_increment", "all_days")
    if increment == "all_days":
        step = None
    elif increment.isdigit() and 1 <= int(increment) <= 90:
        step = int(increment)
    else:
        raise invalid_parameter("Param time_increment must be 1-90, monthly or all_days")
    breakdowns = tuple(_json_param(params, "breakdowns", []))
    for name in breakdowns:
        if name not in BREAKDOWN_FIELD:
            raise invalid_parameter(f"Param breakdowns[0] must be one of {sorted(BREAKDOWN_FIELD)}")
    if len(breakdowns) > 1:
        raise invalid_parameter("Current combination of data breakdown columns is invalid")
    windows = tuple(_json_param(params, "action_attribution_windows", []))
    for name in windows:
        if name not in ATTRIBUTION_WINDOWS:
            raise invalid_parameter(f"Param action_attribution_windows has an invalid {name}")
    return InsightsQuery(level, since, until, step, breakdowns, fields, windows)


def account_node(account: SandboxAccount, fields: Sequence[str]) -> dict[str, Any]:
    """An ad account the way `/me/adaccounts` lists it (only the asked fields, plus id)."""
    values = {
        "id": account.external_id,
        "account_id": account.external_id.removeprefix("act_"),
        "name": account.name,
        "currency": account.currency,
        "timezone_name": account.timezone,
        "account_status": 1,
        "business_name": "Acme Apps",
    }
    node = {name: values[name] for name in fields if name in values}
    node["id"] = account.external_id
    return node


def _bucket(query: InsightsQuery, day: dt.date) -> tuple[dt.date, dt.date]:
    if query.time_increment is None:
        return query.since, query.until
    index = (day - query.since).days // query.time_increment
    start = query.since + dt.timedelta(days=index * query.time_increment)
    stop = min(query.until, start + dt.timedelta(days=query.time_increment - 1))
    return start, stop


def _identity(level: str, cell: Cell) -> tuple[str, ...]:
    values = {
        "campaign_id": cell.campaign.campaign_id,
        "campaign_name": cell.campaign.name,
        "adset_id": cell.ad.ad_group_id,
        "adset_name": cell.ad.ad_group_name,
        "ad_id": cell.ad.ad_id,
        "ad_name": cell.ad.name,
    }
    return tuple(values[name] for name in _LEVEL_IDS[level])


def _breakdown_value(query: InsightsQuery, cell: Cell) -> str | None:
    if not query.breakdowns:
        return None
    if query.breakdowns[0] == "country":
        return cell.country
    return WIRE_DEVICE[cell.device or ""]


def window_counts(total: int) -> dict[str, int]:
    """A World count (what Graph reports under its default setting, 7-day click or 1-day view)
    seen through each attribution window: a quarter of it comes from views, the rest from clicks;
    a longer window holds more, a shorter one less. Whole numbers, so money in minor units too."""
    view = total // 4
    click = total - view
    return {
        "1d_click": click * 3 // 4,
        "7d_click": click,
        "28d_click": click + click // 10,
        "1d_view": view,
        "7d_view": view + view // 2,
        "28d_view": 2 * view,
    }


def setting_count(total: int, setting: str) -> int:
    """What an action's `value` holds under an ad set attribution setting."""
    counts = window_counts(total)
    return sum(counts[window] for window in ATTRIBUTION_SETTINGS[setting])


def _action_list(
    items: Sequence[tuple[str, int]], windows: Sequence[str], setting: str, render: Any
) -> list[dict[str, str]]:
    out = []
    for action_type, amount in items:
        if not amount:
            continue
        entry = {"action_type": action_type, "value": render(setting_count(amount, setting))}
        counts = window_counts(amount)
        for window in windows:
            entry[window] = render(counts[window])
        out.append(entry)
    return out


def insight_rows(
    world: World, account: SandboxAccount, query: InsightsQuery, setting: str = DEFAULT_SETTING
) -> list[dict]:
    """The rows Graph would answer for `query`, sorted by date, then ids, then breakdown;
    `setting` is the attribution setting of the account's ad sets (what `value` counts)."""
    breakdown = None
    if query.breakdowns:
        breakdown = "country" if query.breakdowns[0] == "country" else "device"
    sums: dict[tuple, list[int]] = {}
    for cell in world.cells(account, query.since, query.until, breakdown):
        key = (
            _bucket(query, cell.date),
            _identity(query.level, cell),
            _breakdown_value(query, cell),
        )
        acc = sums.setdefault(key, [0, 0, 0, 0, 0, 0])
        for i, value in enumerate(
            (
                cell.spend_minor,
                cell.impressions,
                cell.clicks,
                cell.installs,
                cell.conversions,
                cell.value_minor,
            )
        ):
            acc[i] += value
    rows = []
    for (span, identity, split_value), acc in sorted(sums.items()):
        if not any(acc):
            continue
        rows.append(_row(account, query, span, identity, split_value, acc, setting))
    return rows


def _money(minor: int, currency: str) -> str:
    return format(to_decimal(minor, currency), "f")


def _row(
    account: SandboxAccount,
    query: InsightsQuery,
    span: tuple[dt.date, dt.date],
    identity: tuple[str, ...],
    split_value: str | None,
    acc: list[int],
    setting: str,
) -> dict[str, Any]:
    spend, impressions, clicks, installs, conversions, value = acc
    values: dict[str, Any] = {
        "account_id": account.external_id.removeprefix("act_"),
        "account_name": account.name,
        "account_currency": account.currency,
        **dict(zip(_LEVEL_IDS[query.level], identity, strict=True)),
        "spend": _money(spend, account.currency),
        "impressions": str(impressions),
        "clicks": str(clicks),
        "reach": str(int(impressions * 0.8)),
        "objective": "OUTCOME_APP_PROMOTION",
    }
    counts = {"clicks": clicks, "installs": installs, "conversions": conversions}
    actions = _action_list([(t, counts[k]) for t, k in _COUNT_ACTIONS], query.windows, setting, str)
    action_values = _action_list(
        [(t, value) for t in _VALUE_ACTIONS],
        query.windows,
        setting,
        lambda minor: _money(minor, account.currency),
    )
    if actions:
        values["actions"] = actions
    if action_values:
        values["action_values"] = action_values
    row = {name: values[name] for name in query.fields if name in values}
    if split_value is not None:
        row[BREAKDOWN_FIELD[query.breakdowns[0]]] = split_value
    row["date_start"] = span[0].isoformat()
    row["date_stop"] = span[1].isoformat()
    return row


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return int(base64.urlsafe_b64decode(padded.encode()).decode())
    except ValueError:
        raise invalid_parameter("Param after is not a valid cursor") from None


def page_of(
    items: Sequence[dict[str, Any]], params: Mapping[str, str], next_url: Any, default_limit: int
) -> dict[str, Any]:
    """One page of an edge with Graph's cursor paging; `next` only when more items follow."""
    try:
        limit = int(params.get("limit", default_limit))
    except ValueError:
        raise invalid_parameter("Param limit must be an integer") from None
    if not 1 <= limit <= 5000:
        raise invalid_parameter("Param limit must be between 1 and 5000")
    offset = decode_cursor(params["after"]) if params.get("after") else 0
    chunk = list(items[offset : offset + limit])
    body: dict[str, Any] = {"data": chunk}
    if chunk:
        body["paging"] = {
            "cursors": {
                "before": encode_cursor(offset),
                "after": encode_cursor(offset + len(chunk)),
            }
        }
        if offset + len(chunk) < len(items):
            body["paging"]["next"] = next_url(encode_cursor(offset + len(chunk)))
    return body
