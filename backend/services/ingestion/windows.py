"""Which days a sync fetches: the platform's restatement window plus every day never fetched."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import text

from backend.extensions import db
from backend.models import AdAccount
from connectors import platform_spec, platform_specs


def account_today(account: AdAccount, now: dt.datetime | None = None) -> dt.date:
    """Today in the account's own time zone (the platforms report in it)."""
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(ZoneInfo(account.timezone)).date()


def restatement_days(config: Mapping, platform: str) -> int:
    """The days a sync re-fetches: the platform's own window (its PlatformSpec), unless the
    configuration's RESTATEMENT_DAYS overrides it for that platform."""
    override = config.get("RESTATEMENT_DAYS", {}).get(platform)
    return int(override if override is not None else platform_spec(platform).restatement_days)


def longest_restatement_days(config: Mapping) -> int:
    """The longest window of any platform (overrides included)."""
    return max(restatement_days(config, spec.name) for spec in platform_specs())


def last_complete_day(account: AdAccount, now: dt.datetime | None = None) -> dt.date:
    return account_today(account, now) - dt.timedelta(days=1)


def first_unfetched_day(account: AdAccount, history_start: dt.date, end: dt.date) -> dt.date | None:
    """The earliest day in [history_start, end] no succeeded sync run has covered."""
    return db.session.execute(
        text(
            """
            SELECT min(d)::date FROM generate_series(CAST(:start AS date), CAST(:end AS date),
                                                     interval '1 day') AS d
            WHERE NOT EXISTS (
                SELECT 1 FROM sync_runs r
                WHERE r.ad_account_id = :acc AND r.status = 'succeeded'
                  AND d BETWEEN r.window_start AND r.window_end)
            """
        ),
        {"start": history_start, "end": end, "acc": account.id},
    ).scalar()


def chunks(start: dt.date, end: dt.date, days: int) -> Iterator[tuple[dt.date, dt.date]]:
    """Split [start, end] into consecutive windows of at most `days` days, newest first."""
    if start > end:
        return
    chunk_end = end
    while chunk_end >= start:
        chunk_start = max(start, chunk_end - dt.timedelta(days=days - 1))
        yield chunk_start, chunk_end
        chunk_end = chunk_start - dt.timedelta(days=1)
