"""Sync health per account: last success, freshness, provisional days, errors, FX gaps,
reconciliation and credentials' expiry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from sqlalchemy import Connection, text

from backend.extensions import db
from backend.models.types import utcnow
from backend.services.ingestion import windows

#: The latest successful run and the latest finished run of each account (aliases last_ok,
#: last_run), and the last day with data.
_RUNS = """
    LEFT JOIN LATERAL (SELECT * FROM sync_runs r WHERE r.ad_account_id = a.id
                       AND r.status = 'succeeded' ORDER BY r.finished_at DESC LIMIT 1) last_ok
           ON true
    LEFT JOIN LATERAL (SELECT * FROM sync_runs r WHERE r.ad_account_id = a.id
                       AND r.finished_at IS NOT NULL ORDER BY r.finished_at DESC LIMIT 1) last_run
           ON true
"""
_DATA_THROUGH = """(SELECT max(date) FROM campaign_daily_metrics m
                    WHERE m.ad_account_id = a.id) AS data_through"""
_QUERY = text(
    f"""
    SELECT a.id, a.platform, a.name, a.external_id, a.currency, a.timezone, a.status,
           a.last_error, a.credentials_expire_at,
           last_ok.finished_at AS last_success_at,
           last_run.status AS last_status, last_run.error AS last_run_error,
           last_run.finished_at AS last_run_at,
           last_ok.platform_spend, last_ok.stored_spend, last_ok.reconciliation_diff,
           last_ok.reconciliation_flagged,
           (SELECT count(*) FROM sync_runs q WHERE q.ad_account_id = a.id
              AND q.status IN ('queued', 'running')) AS pending_runs,
           (SELECT array_agg(DISTINCT r.currency) FROM daily_rollups r
              WHERE r.ad_account_id = a.id AND r.fx_status = 'missing') AS fx_missing,
           (SELECT count(*) FROM daily_rollups r
              WHERE r.ad_account_id = a.id AND r.fx_status = 'carried') AS fx_carried_rows,
           {_DATA_THROUGH}
    FROM ad_accounts a
    {_RUNS}
    WHERE (CAST(:acc AS int) IS NULL OR a.id = :acc)
    ORDER BY a.platform, a.name
    """
)
#: What `freshness` tells, without the FX and reconciliation figures (whole-table counts).
_FRESHNESS = text(
    f"""
    SELECT a.id, a.platform, a.name, a.status, a.last_error,
           last_ok.finished_at AS last_success_at,
           last_run.status AS last_status, last_run.error AS last_run_error,
           {_DATA_THROUGH}
    FROM ad_accounts a
    {_RUNS}
    ORDER BY a.platform, a.name
    """
)


def sync_health(account_id: int | None = None, now: dt.datetime | None = None) -> list[dict]:
    now = now or utcnow()
    rows = db.session.execute(_QUERY, {"acc": account_id}).mappings().all()
    return [_describe(row, now) for row in rows]


def freshness(now: dt.datetime | None = None, connection: Connection | None = None) -> list[dict]:
    """Per account: id, name, platform, status, last success, its age in hours, the last day
    with data and the last error (a cheap part of `sync_health`, for every overview); read on
    `connection` when given, else in the session."""
    now = now or utcnow()
    reader = connection if connection is not None else db.session
    return [
        {
            "account_id": row["id"],
            "name": row["name"],
            "platform": row["platform"],
            "status": row["status"],
            "last_success_at": row["last_success_at"],
            "freshness_hours": _hours_since(row["last_success_at"], now),
            "data_through": row["data_through"],
            "last_error": _last_error(row),
        }
        for row in reader.execute(_FRESHNESS).mappings()
    ]


def _hours_since(moment: dt.datetime | None, now: dt.datetime) -> float | None:
    return round((now - moment).total_seconds() / 3600, 2) if moment else None


def _last_error(row: Any) -> str | None:
    """The account's error, else the error of its last run when that run failed."""
    return row["last_error"] or (row["last_run_error"] if row["last_status"] == "failed" else None)


def _describe(row: Any, now: dt.datetime) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    today = now.astimezone(ZoneInfo(row["timezone"])).date()
    window = windows.restatement_days(current_app.config, row["platform"])
    last_ok = row["last_success_at"]
    platform_spend = row["platform_spend"]
    diff = row["reconciliation_diff"]
    expires = row["credentials_expire_at"]
    return {
        "account_id": row["id"],
        "platform": row["platform"],
        "name": row["name"],
        "external_id": row["external_id"],
        "currency": row["currency"],
        "status": row["status"],
        "last_success_at": last_ok,
        "freshness_hours": _hours_since(last_ok, now),
        "data_through": row["data_through"],
        "provisional_from": today - dt.timedelta(days=window),
        "provisional_days": window,
        "last_status": row["last_status"],
        "last_error": _last_error(row),
        "pending_runs": row["pending_runs"],
        "credentials_expire_at": expires,
        "credentials_expire_in_days": (expires - now).days if expires else None,
        "fx_missing_currencies": list(row["fx_missing"] or []),
        "fx_carried_rows": row["fx_carried_rows"],
        "reconciliation": None
        if platform_spend is None
        else {
            "platform_spend": platform_spend,
            "stored_spend": row["stored_spend"],
            "diff": diff,
            "diff_pct": float(diff / platform_spend * 100) if platform_spend else None,
            "flagged": row["reconciliation_flagged"],
        },
    }
