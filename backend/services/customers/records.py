"""The record layouts users load (customers, revenue events, in-app events), their validation,
and their encoding as lines of PostgreSQL's COPY text format.

Files are CSV with a header line naming the columns (any order; unknown names are refused). The
same names are the keys of the JSON batch items:

- customers: `customer_id` (your id for the customer) and `acquired_at` (ISO 8601; UTC when it
  has no offset) are required; `platform` ('meta', 'google_ads', 'apple_search_ads', or another
  lower-case source name such as 'organic'), `account_external_id` (the platform's account id,
  e.g. act_1001; needs `platform`), `campaign_external_id`, `country` (ISO 3166 alpha-2) and
  `device` are optional;
- revenue events: `event_id`, `customer_id`, `occurred_at`, `amount` (a decimal number, at most
  six decimals; negative for a refund) and `currency` (ISO 4217), all required;
- in-app events: `event_id`, `customer_id`, `occurred_at` and `name` (e.g. tutorial_complete)
  are required; `value` (a decimal number) and `properties` (a JSON object) are optional.

A problem is reported against the record's label ("line 17" in a file, "item 3" in a batch) and
the field: {"line 17": {"amount": ["not a number"]}}.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from backend.currencies import is_currency

NULL = "\\N"
MAX_ID_LENGTH = 255
MAX_TEXT_LENGTH = 128
_PLATFORM = re.compile(r"^[a-z0-9_]{1,32}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_MAX_AMOUNT = Decimal(10) ** 14
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class FieldProblem(ValueError):
    """A field's value is refused; the message says why, for the person fixing the file."""


def parse_identifier(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise FieldProblem("required")
    if len(value) > MAX_ID_LENGTH:
        raise FieldProblem(f"longer than {MAX_ID_LENGTH} characters")
    _check_storable(value)
    return value


def _check_storable(value: str) -> None:
    if _CONTROL.search(value):
        raise FieldProblem("contains control characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise FieldProblem("not valid UTF-8 text") from None


def _timestamp(raw: str) -> dt.datetime:
    value = raw.strip()
    if not value:
        raise FieldProblem("required")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise FieldProblem("not an ISO 8601 date-time (e.g. 2025-03-01T14:05:00Z)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    parsed = parsed.astimezone(dt.UTC)
    if not 2000 <= parsed.year <= 2100:
        raise FieldProblem("outside the years 2000-2100")
    return parsed


def _optional_text(raw: str) -> str | None:
    value = raw.strip()
    if not value:
        return None
    if len(value) > MAX_TEXT_LENGTH:
        raise FieldProblem(f"longer than {MAX_TEXT_LENGTH} characters")
    _check_storable(value)
    return value


def _platform(raw: str) -> str | None:
    value = raw.strip().lower()
    if value and not _PLATFORM.match(value):
        raise FieldProblem("a lower-case name such as meta, google_ads or apple_search_ads")
    return value or None


def _country(raw: str) -> str | None:
    value = raw.strip().upper()
    if value and not _COUNTRY.match(value):
        raise FieldProblem("not an ISO 3166 two-letter country code")
    return value or None


def _amount(raw: str) -> Decimal:
    value = raw.strip()
    if not value:
        raise FieldProblem("required")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise FieldProblem("not a number") from None
    if not amount.is_finite():
        raise FieldProblem("not a number")
    if abs(amount) >= _MAX_AMOUNT:
        raise FieldProblem("too large")
    if amount.as_tuple().exponent < -6:  # type: ignore[operator]
        raise FieldProblem("more than six decimals")
    return amount


def _optional_amount(raw: str) -> Decimal | None:
    return _amount(raw) if raw.strip() else None


def _event_name(raw: str) -> str:
    value = _optional_text(raw)
    if value is None:
        raise FieldProblem("required")
    return value


def _properties(raw: str) -> str | None:
    """A JSON object, stored as compact JSON text (control characters escaped by json)."""
    value = raw.strip()
    if not value:
        return None
    try:
        parsed = json.loads(value)
    except ValueError:
        raise FieldProblem("not valid JSON") from None
    if not isinstance(parsed, dict):
        raise FieldProblem("must be a JSON object")
    return json.dumps(parsed, separators=(",", ":"), ensure_ascii=False)


def _currency(raw: str) -> str:
    value = raw.strip().upper()
    if not value:
        raise FieldProblem("required")
    if not is_currency(value):
        raise FieldProblem("not an ISO 4217 currency code")
    return value


@dataclass(frozen=True)
class RecordLayout:
    """Columns of a record kind, the required ones, how each is parsed, the checks across fields,
    and the values of a valid record in its staging table (`stage_columns`: name and type,
    the first being the record's line or item number)."""

    name: str
    #: What the records are, in a message ("revenue events"), and the table they merge into.
    label: str
    table: str
    columns: tuple[str, ...]
    required: frozenset[str]
    parsers: Mapping[str, Callable[[str], object]]
    stage_table: str
    stage_columns: tuple[tuple[str, str], ...]
    stage_values: Callable[[Mapping[str, Any]], tuple[str, ...]]
    cross_checks: Callable[[Mapping[str, object]], dict[str, list[str]]] = lambda _: {}
    #: Columns whose JSON batch value may be an object (kept as JSON text).
    json_columns: frozenset[str] = frozenset()
    #: The staging values of a record in the common plain form, checked by patterns and
    #: passed on as text (None: take the full parse); must accept only what `parse` accepts.
    fast_values: Callable[[Mapping[str, str]], tuple[str, ...] | None] | None = None

    @property
    def stage_names(self) -> str:
        return ", ".join(name for name, _ in self.stage_columns)

    def create_stage(self, cursor) -> None:
        """The temporary staging table, dropped at the end of the transaction."""
        columns = ", ".join(f"{name} {kind}" for name, kind in self.stage_columns)
        cursor.execute(f"DROP TABLE IF EXISTS {self.stage_table}")
        cursor.execute(f"CREATE TEMP TABLE {self.stage_table} ({columns}) ON COMMIT DROP")

    def check_header(self, header: list[str]) -> dict[str, list[str]]:
        """Problems of a header line, by column name (empty when it is fine)."""
        problems: dict[str, list[str]] = {}
        for name in dict.fromkeys(header):
            if name not in self.columns:
                problems.setdefault(name or "(empty)", []).append(
                    "unknown column; expected " + ", ".join(self.columns)
                )
            elif header.count(name) > 1:
                problems.setdefault(name, []).append("appears twice")
        for name in sorted(self.required - set(header)):
            problems.setdefault(name, []).append("required column is missing")
        return problems

    def parse(self, values: Mapping[str, str]) -> tuple[dict[str, object], dict[str, list[str]]]:
        """Parsed values and problems by field, for one record of raw text values."""
        parsed: dict[str, object] = {}
        problems: dict[str, list[str]] = {}
        for name in self.columns:
            raw = values.get(name, "")
            try:
                parsed[name] = self.parsers[name](raw)
            except FieldProblem as exc:
                problems[name] = [str(exc)]
        if not problems:
            problems = self.cross_checks(parsed)
        return parsed, problems

    def copy_line(self, number: int, parsed: Mapping[str, object]) -> str:
        """One line of COPY text for the staging table: the record's number, then its values."""
        return f"{number}\t" + "\t".join(self.stage_values(parsed)) + "\n"


def copy_text(value: object) -> str:
    """A value in COPY's text format (text values hold no control characters: validated)."""
    if value is None:
        return NULL
    text = str(value)
    return text.replace("\\", "\\\\") if "\\" in text else text


def _customer_checks(parsed: Mapping[str, object]) -> dict[str, list[str]]:
    if parsed["account_external_id"] is not None and parsed["platform"] is None:
        return {"platform": ["required with account_external_id"]}
    return {}


def _customer_values(parsed: Mapping[str, Any]) -> tuple[str, ...]:
    acquired = parsed["acquired_at"].isoformat(sep=" ")
    return (
        copy_text(parsed["customer_id"]),
        acquired,
        acquired[:10],
        copy_text(parsed["platform"]),
        copy_text(parsed["account_external_id"]),
        copy_text(parsed["campaign_external_id"]),
        copy_text(parsed["country"]),
        copy_text(parsed["device"]),
    )


def _revenue_values(parsed: Mapping[str, Any]) -> tuple[str, ...]:
    occurred = parsed["occurred_at"].isoformat(sep=" ")
    return (
        copy_text(parsed["event_id"]),
        copy_text(parsed["customer_id"]),
        occurred,
        occurred[:10],
        str(parsed["amount"]),
        parsed["currency"],
    )


def _event_values(parsed: Mapping[str, Any]) -> tuple[str, ...]:
    return (
        copy_text(parsed["event_id"]),
        copy_text(parsed["customer_id"]),
        parsed["occurred_at"].isoformat(sep=" "),
        copy_text(parsed["name"]),
        copy_text(parsed["value"]),
        copy_text(parsed["properties"]),
    )


CUSTOMERS = RecordLayout(
    name="customers",
    label="customers",
    table="customers",
    columns=(
        "customer_id",
        "acquired_at",
        "platform",
        "account_external_id",
        "campaign_external_id",
        "country",
        "device",
    ),
    required=frozenset({"customer_id", "acquired_at"}),
    parsers={
        "customer_id": parse_identifier,
        "acquired_at": _timestamp,
        "platform": _platform,
        "account_external_id": _optional_text,
        "campaign_external_id": _optional_text,
        "country": _country,
        "device": _optional_text,
    },
    stage_table="stage_customers",
    stage_columns=(
        ("line", "bigint"),
        ("external_id", "text"),
        ("acquired_at", "timestamptz"),
        ("acquisition_date", "date"),
        ("platform", "text"),
        ("account_external_id", "text"),
        ("campaign_external_id", "text"),
        ("country", "text"),
        ("device", "text"),
    ),
    stage_values=_customer_values,
    cross_checks=_customer_checks,
)

REVENUE = RecordLayout(
    name="revenue",
    label="revenue events",
    table="revenue_events",
    columns=("event_id", "customer_id", "occurred_at", "amount", "currency"),
    required=frozenset({"event_id", "customer_id", "occurred_at", "amount", "currency"}),
    parsers={
        "event_id": parse_identifier,
        "customer_id": parse_identifier,
        "occurred_at": _timestamp,
        "amount": _amount,
        "currency": _currency,
    },
    stage_table="stage_revenue",
    stage_columns=(
        ("line", "bigint"),
        ("event_id", "text"),
        ("customer_external_id", "text"),
        ("occurred_at", "timestamptz"),
        ("event_date", "date"),
        ("amount", "numeric(20, 6)"),
        ("currency", "text"),
    ),
    stage_values=_revenue_values,
)

# The plain forms of the fast path: no surrounding spaces, no backslash or control character,
# a UTC-offset time of the years 2001-2099 (the range check holds whatever the offset).
_PLAIN_CHAR = r"\\\x00-\x1f\x7f\ud800-\udfff"
_PLAIN_ID = re.compile(rf"^[^\s{_PLAIN_CHAR}](?:[^{_PLAIN_CHAR}]{{0,253}}[^\s{_PLAIN_CHAR}])?\Z")
_PLAIN_NAME = re.compile(rf"^[^\s{_PLAIN_CHAR}](?:[^{_PLAIN_CHAR}]{{0,126}}[^\s{_PLAIN_CHAR}])?\Z")
_PLAIN_TIME = re.compile(
    r"^20(?:0[1-9]|[1-9]\d)-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)?\Z"
)
_PLAIN_NUMBER = re.compile(r"^-?\d{1,14}(?:\.\d{1,6})?\Z")


def _fast_event_values(values: Mapping[str, str]) -> tuple[str, ...] | None:
    event, customer = values.get("event_id", ""), values.get("customer_id", "")
    occurred, name = values.get("occurred_at", ""), values.get("name", "")
    value = values.get("value", "")
    if values.get("properties") or not (
        _PLAIN_ID.match(event)
        and _PLAIN_ID.match(customer)
        and _PLAIN_TIME.match(occurred)
        and _PLAIN_NAME.match(name)
        and (not value or _PLAIN_NUMBER.match(value))
    ):
        return None
    try:
        dt.datetime.fromisoformat(occurred)  # a real day and time of day
    except ValueError:
        return None
    return (event, customer, occurred, name, value or NULL, NULL)


EVENTS = RecordLayout(
    name="events",
    label="in-app events",
    table="customer_events",
    columns=("event_id", "customer_id", "occurred_at", "name", "value", "properties"),
    required=frozenset({"event_id", "customer_id", "occurred_at", "name"}),
    parsers={
        "event_id": parse_identifier,
        "customer_id": parse_identifier,
        "occurred_at": _timestamp,
        "name": _event_name,
        "value": _optional_amount,
        "properties": _properties,
    },
    stage_table="stage_events",
    stage_columns=(
        ("line", "bigint"),
        ("event_id", "text"),
        ("customer_external_id", "text"),
        ("occurred_at", "timestamptz"),
        ("name", "text"),
        ("value", "numeric(20, 6)"),
        ("properties", "jsonb"),
    ),
    stage_values=_event_values,
    json_columns=frozenset({"properties"}),
    fast_values=_fast_event_values,
)
