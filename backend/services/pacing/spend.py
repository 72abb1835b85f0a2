"""What budgets are judged on: the daily spend of their scopes (from daily_rollups, in the
reporting currency, totals only: breakdown = 'none'), the ad accounts in each scope, and which
days are still inside a platform's restatement window.

Time zones: a rollup's date is the account's own reporting day (the platforms report in the
account's time zone; DESIGN.md). A budget's period is a range of those dates — the 1st of the
month is the 1st in each account's own zone — and spend is never re-bucketed into another zone.
The last complete day of a scope (`as_of`) is the earliest "yesterday" among its accounts' zones:
a day counts as elapsed once it is over everywhere in the scope. Customers (the predicted-ROAS
rule) are dated by their UTC acquisition date, the cohort date of the LTV models.

Spend is read for many scopes at once, one COPY per scope type, into numpy arrays.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import text

from backend.extensions import db
from backend.models import AccountStatus, ScopeType
from backend.services.ingestion.windows import restatement_days
from connectors import platform_label


@dataclass(frozen=True)
class Scope:
    type: str
    platform: str | None = None
    account_id: int | None = None
    campaign_id: int | None = None

    @property
    def key(self) -> str:
        """'all', 'platform:meta', 'account:3' or 'campaign:42'."""
        value = {
            ScopeType.ALL: None,
            ScopeType.PLATFORM: self.platform,
            ScopeType.ACCOUNT: self.account_id,
            ScopeType.CAMPAIGN: self.campaign_id,
        }[ScopeType(self.type)]
        return self.type if value is None else f"{self.type}:{value}"

    def covers(self, account: AccountFacts) -> bool:
        """Whether the account's spend counts in the scope (for a campaign: its account)."""
        if self.type == ScopeType.ALL:
            return True
        if self.type == ScopeType.PLATFORM:
            return account.platform == self.platform
        return account.id == self.account_id


@dataclass(frozen=True)
class AccountFacts:
    id: int
    name: str
    platform: str
    timezone: str
    status: str
    credentials_expire_at: dt.datetime | None
    created_at: dt.datetime
    #: Finish time of the latest successful sync run.
    last_success_at: dt.datetime | None
    #: Last day covered by a successful sync run.
    synced_through: dt.date | None

    def today(self, now: dt.datetime) -> dt.date:
        from zoneinfo import ZoneInfo

        return now.astimezone(ZoneInfo(self.timezone)).date()


@dataclass(frozen=True)
class ScopeSpend:
    """Spend per day from `start` (zero-filled) and the rows without an exchange rate."""

    start: dt.date
    values: np.ndarray
    missing_fx: np.ndarray
    first_data: dt.date | None
    last_data: dt.date | None


def load_accounts() -> dict[int, AccountFacts]:
    """Every ad account with its latest successful sync (one query)."""
    rows = db.session.execute(
        text(
            """
            SELECT a.id, a.name, a.platform, a.timezone, a.status, a.credentials_expire_at,
                   a.created_at, s.last_success_at, s.synced_through
            FROM ad_accounts a
            LEFT JOIN (
                SELECT ad_account_id, max(finished_at) AS last_success_at,
                       max(window_end) AS synced_through
                FROM sync_runs WHERE status = 'succeeded' GROUP BY ad_account_id
            ) s ON s.ad_account_id = a.id
            """
        )
    ).all()
    return {row.id: AccountFacts(**row._mapping) for row in rows}


def campaign_accounts(campaign_ids: Iterable[int]) -> dict[int, int]:
    ids = sorted(set(campaign_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        text("SELECT id, ad_account_id FROM campaigns WHERE id = ANY(:ids)"), {"ids": ids}
    )
    return dict(rows.all())


def scope_accounts(scope: Scope, accounts: Mapping[int, AccountFacts]) -> list[AccountFacts]:
    return [a for a in accounts.values() if scope.covers(a)]


def last_complete_day(scope_accounts_: list[AccountFacts], now: dt.datetime) -> dt.date:
    """The earliest 'yesterday' among the scope's accounts (UTC's when it has none)."""
    todays = [a.today(now) for a in scope_accounts_] or [now.astimezone(dt.UTC).date()]
    return min(todays) - dt.timedelta(days=1)


def provisional_from(
    scope_accounts_: list[AccountFacts], now: dt.datetime, config: Mapping
) -> dt.date | None:
    """First day that a sync of some (enabled) account of the scope may still restate."""
    days = [
        a.today(now) - dt.timedelta(days=restatement_days(config, a.platform))
        for a in scope_accounts_
        if a.status != AccountStatus.DISABLED
    ]
    return min(days) if days else None


_GROUPS = {
    ScopeType.ALL: ("'all'", "true"),
    ScopeType.PLATFORM: ("'platform:' || platform", "platform = ANY(%(values)s)"),
    ScopeType.ACCOUNT: ("'account:' || ad_account_id", "ad_account_id = ANY(%(values)s)"),
    ScopeType.CAMPAIGN: ("'campaign:' || campaign_id", "campaign_id = ANY(%(values)s)"),
}


def load_spend(scopes: Iterable[Scope], start: dt.date, end: dt.date) -> dict[str, ScopeSpend]:
    """Daily spend of each scope over [start, end], keyed by `Scope.key`."""
    by_type: dict[str, set] = {}
    for scope in scopes:
        value = {
            ScopeType.ALL: "all",
            ScopeType.PLATFORM: scope.platform,
            ScopeType.ACCOUNT: scope.account_id,
            ScopeType.CAMPAIGN: scope.campaign_id,
        }[ScopeType(scope.type)]
        by_type.setdefault(scope.type, set()).add(value)
    days = (end - start).days + 1
    frames = [
        _copy_spend(kind, sorted(values, key=str), start, end) for kind, values in by_type.items()
    ]
    out: dict[str, ScopeSpend] = {}
    for frame in frames:
        frame = frame.sort_values("scope", kind="stable")
        keys = frame["scope"].to_numpy()
        day, spend, missing = (frame[c].to_numpy() for c in ("day", "spend", "missing_fx"))
        bounds = np.flatnonzero(keys[1:] != keys[:-1]) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(keys)], strict=True):
            if hi > lo:
                out[str(keys[lo])] = _to_series(
                    day[lo:hi], spend[lo:hi], missing[lo:hi], start, days
                )
    empty = ScopeSpend(start, np.zeros(days), np.zeros(days), None, None)
    for scope in scopes:
        out.setdefault(scope.key, empty)
    return out


def _copy_spend(kind: str, values: list, start: dt.date, end: dt.date) -> pd.DataFrame:
    label, condition = _GROUPS[ScopeType(kind)]
    sql = f"""
        COPY (
            SELECT {label} AS scope, date - %(start)s::date AS day,
                   coalesce(sum(spend), 0)::float8 AS spend,
                   count(*) FILTER (WHERE spend IS NULL) AS missing_fx
            FROM daily_rollups
            WHERE breakdown = 'none' AND date BETWEEN %(start)s AND %(end)s AND {condition}
            GROUP BY 1, 2
        ) TO STDOUT WITH (FORMAT csv, HEADER true)
    """
    cursor = db.session.connection().connection.dbapi_connection.cursor()
    params = {"start": start, "end": end, "values": list(values)}
    buffer = io.StringIO()
    cursor.copy_expert(cursor.mogrify(sql, params).decode(), buffer)
    buffer.seek(0)
    return pd.read_csv(buffer, dtype={"scope": str, "day": np.int64, "missing_fx": np.int64})


def _to_series(
    index: np.ndarray, spend: np.ndarray, missing_fx: np.ndarray, start: dt.date, days: int
) -> ScopeSpend:
    values = np.zeros(days)
    missing = np.zeros(days)
    values[index] = spend
    missing[index] = missing_fx
    with_data = np.flatnonzero((values != 0) | (missing > 0))
    first = start + dt.timedelta(days=int(with_data[0])) if len(with_data) else None
    last = start + dt.timedelta(days=int(with_data[-1])) if len(with_data) else None
    return ScopeSpend(start, values, missing, first, last)


def scope_label(
    scope: Scope, accounts: Mapping[int, AccountFacts], campaign_name: str | None
) -> str:
    """The scope in words: 'All channels', 'Meta', 'Meta · Main account', a campaign's name."""
    if scope.type == ScopeType.ALL:
        return "All channels"
    platform = platform_label(scope.platform or "")
    if scope.type == ScopeType.PLATFORM:
        return platform
    account = accounts.get(scope.account_id or 0)
    account_name = account.name if account else f"account {scope.account_id}"
    if scope.type == ScopeType.ACCOUNT:
        return f"{platform} · {account_name}"
    return f"{platform} · {account_name} · {campaign_name or f'campaign {scope.campaign_id}'}"
