"""Sync runs: planning the windows of an account, and executing one run.

A run fetches every level and breakdown of its window from the platform first (no transaction is
open while the network is used), then writes all slices, their rollups and the run's outcome in
one transaction under a per-account advisory lock. A crash at any point leaves the previous data
intact; the redelivered task simply runs again.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from sqlalchemy import select, text

from backend.celery_app import answer_as_queued, send_task
from backend.errors import Invalid, NotFound
from backend.extensions import db
from backend.models import AccountStatus, AdAccount, SyncRun, SyncStatus
from backend.models.types import utcnow
from backend.services.connectors import account_info, connector_for
from backend.services.ingestion import recovery, windows
from backend.services.ingestion.slices import Slice, replace_metric_slice
from backend.services.roi.rollups import refresh_rollups
from backend.services.transaction import unit_of_work
from connectors import (
    AccountTotal,
    AuthenticationError,
    Breakdown,
    Connector,
    ConnectorError,
    Level,
    RateLimitedError,
    RetryPolicy,
    SpendRow,
    TransientError,
)

log = logging.getLogger("spendlens.ingestion")
SYNC_TASK = "workers.tasks.sync.sync_account"
_LOCK_NAMESPACE = 7301


@dataclass(frozen=True)
class FetchedWindow:
    slices: list[tuple[Slice, list[SpendRow]]]
    total: AccountTotal


def plan_sync(
    account: AdAccount,
    kind: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    now: dt.datetime | None = None,
) -> list[SyncRun]:
    """Queue the runs that bring an account up to date (or cover a backfill range)."""
    config = current_app.config
    today = windows.account_today(account, now)
    if kind == "backfill":
        if start is None or end is None:
            raise Invalid("a backfill needs a start and an end", field="start")
        if start > end:
            raise Invalid("start is after end", field="start")
        if end > today:
            raise Invalid(f"end is after today ({today}) in the account's time zone", field="end")
    else:
        end = today
        history = account.history_start or today - dt.timedelta(days=config["HISTORY_DAYS"])
        restated = today - dt.timedelta(days=windows.restatement_days(config, account.platform))
        gap = windows.first_unfetched_day(account, history, restated)
        start = min(restated, gap) if gap else restated
    requested_at = utcnow()  # one instant for the runs of one request (see history.py)
    runs = [
        SyncRun(
            ad_account_id=account.id,
            kind=kind,
            created_at=requested_at,
            window_start=s,
            window_end=e,
            status=SyncStatus.QUEUED,
            attempts=0,
            rows=0,
        )
        for s, e in windows.chunks(start, end, config["BACKFILL_CHUNK_DAYS"])
    ]
    for run in runs:
        run.task_id = str(uuid.uuid4())
    with unit_of_work():  # before the tasks are sent: each worker must find its run
        db.session.add_all(runs)
    answer_as_queued(*runs)
    for run in runs:
        send_task(current_app, SYNC_TASK, run.id, _options={"task_id": run.task_id})
    return runs


def request_sync(
    account_id: int,
    kind: str = "manual",
    start: dt.date | None = None,
    end: dt.date | None = None,
    actor=None,
) -> list[SyncRun]:
    """The service the API and the CLI call: a sync or a backfill of one account."""
    account = db.session.get(AdAccount, account_id)
    if account is None:
        raise NotFound(f"ad account {account_id} does not exist")
    if account.status == AccountStatus.DISABLED:
        raise Invalid("the account is disabled", field="status")
    if kind == "backfill":
        from backend.services import audit

        audit.record(
            actor,
            "ad_account.backfill",
            "ad_account",
            account.id,
            None,
            {"start": str(start), "end": str(end)},
        )
    return plan_sync(account, kind, start, end)


def list_campaigns(
    account_id: int | None = None,
    platform: str | None = None,
    q: str | None = None,
    limit: int = 500,
) -> list[dict]:
    from backend.models import Campaign

    query = select(Campaign, AdAccount.platform).join(
        AdAccount, AdAccount.id == Campaign.ad_account_id
    )
    if account_id is not None:
        query = query.where(Campaign.ad_account_id == account_id)
    if platform:
        query = query.where(AdAccount.platform == platform)
    if q:
        query = query.where(Campaign.name.ilike(f"%{q}%"))
    query = query.order_by(Campaign.last_seen.desc().nulls_last(), Campaign.name).limit(limit)
    return [
        {
            "id": c.id,
            "ad_account_id": c.ad_account_id,
            "platform": p,
            "external_id": c.external_id,
            "name": c.name,
            "first_seen": c.first_seen,
            "last_seen": c.last_seen,
        }
        for c, p in db.session.execute(query)
    ]


def recent_runs(account_id: int, limit: int = 50) -> list[SyncRun]:
    if db.session.get(AdAccount, account_id) is None:
        raise NotFound(f"ad account {account_id} does not exist")
    return list(
        db.session.scalars(
            select(SyncRun)
            .where(SyncRun.ad_account_id == account_id)
            .order_by(SyncRun.created_at.desc(), SyncRun.id.desc())
            .limit(limit)
        )
    )


def schedule_all(now: dt.datetime | None = None) -> int:
    """Beat's entry: one sync per active account that has no sync waiting already."""
    accounts = db.session.scalars(
        select(AdAccount).where(AdAccount.status == AccountStatus.ACTIVE)
    ).all()
    queued = 0
    for account in accounts:
        pending = db.session.scalar(
            select(SyncRun.id)
            .where(
                SyncRun.ad_account_id == account.id,
                SyncRun.kind == "scheduled",
                SyncRun.status.in_([SyncStatus.QUEUED, SyncStatus.RUNNING]),
            )
            .limit(1)
        )
        if pending is None:
            queued += len(plan_sync(account, "scheduled", now=now))
    return queued


def fetch_window(connector: Connector, account: AdAccount, run: SyncRun) -> FetchedWindow:
    info = account_info(account)
    start, end = run.window_start, run.window_end
    plan: list[tuple[Level, Breakdown | None]] = [(Level.CAMPAIGN, None), (Level.AD, None)]
    plan += [(Level.CAMPAIGN, b) for b in connector.breakdowns]
    slices = []
    for level, breakdown in plan:
        rows = list(connector.fetch_daily(info, start, end, level, breakdown))
        target = Slice(account.id, level, breakdown.value if breakdown else "none", start, end)
        slices.append((target, rows))
    return FetchedWindow(slices, connector.fetch_account_total(info, start, end))


def execute_sync_run(run_id: int, retry: RetryPolicy | None = None) -> SyncRun:
    """Run one sync; raises RateLimitedError / TransientError for the task to retry later."""
    run = db.session.get(SyncRun, run_id)
    if run is None:
        raise NotFound(f"sync run {run_id} does not exist")
    if run.status in (SyncStatus.SUCCEEDED, SyncStatus.FAILED):
        return run
    account = db.session.get(AdAccount, run.ad_account_id)
    if account.status != AccountStatus.ACTIVE:
        return _finish(run, SyncStatus.FAILED, error=f"account is {account.status}", kind="skipped")
    # committed at once: the run shows as running, and its heartbeat tells the reaper it lives
    with unit_of_work():
        run.status, run.started_at = SyncStatus.RUNNING, utcnow()
        run.heartbeat_at = run.started_at
        run.attempts += 1
    began = time.monotonic()
    try:
        fetched = fetch_window(connector_for(account, retry), account, run)
    except AuthenticationError as exc:
        account.status = AccountStatus.NEEDS_CREDENTIALS
        account.last_error = exc.message
        return _finish(run, SyncStatus.FAILED, error=exc.message, kind="authentication")
    except (RateLimitedError, TransientError) as exc:
        # committed before the task retries: the run shows as queued again, with the reason
        with unit_of_work():
            run.status, run.error, run.error_kind = SyncStatus.QUEUED, exc.message, _kind(exc)
        raise
    except ConnectorError as exc:
        account.last_error = exc.message
        return _finish(run, SyncStatus.FAILED, error=exc.message, kind=_kind(exc))
    if not _write(run, account, fetched):
        db.session.rollback()
        log.warning("sync run %s was reaped while it ran; its successor writes it", run_id)
        return db.session.get(SyncRun, run_id)
    run.duration_ms = int((time.monotonic() - began) * 1000)
    account.last_error = None
    return _finish(run, SyncStatus.SUCCEEDED)


def _write(run: SyncRun, account: AdAccount, fetched: FetchedWindow) -> bool:
    """All slices, rollups and the reconciliation of the run, in the session's transaction;
    False (nothing written) when the reaper has given the run up meanwhile."""
    reporting = current_app.config["REPORTING_CURRENCY"]
    db.session.execute(
        text("SELECT pg_advisory_xact_lock(:ns, :acc)"), {"ns": _LOCK_NAMESPACE, "acc": account.id}
    )
    if not recovery.still_running(run):
        return False
    cursor = db.session.connection().connection.dbapi_connection.cursor()
    rows = 0
    for target, slice_rows in fetched.slices:
        result = replace_metric_slice(cursor, target, slice_rows, sync_run_id=run.id)
        rows += result.rows
        if target.level == Level.CAMPAIGN:
            refresh_rollups(cursor, target, reporting)
    run.rows = rows
    from backend.services.customers.merging import resolve_campaigns

    resolve_campaigns(cursor)  # customers loaded before their campaign was first synced
    _reconcile(run, account, fetched.total)
    return True


def _reconcile(run: SyncRun, account: AdAccount, total: AccountTotal) -> None:
    stored = db.session.execute(
        text(
            """
            SELECT coalesce(sum(spend), 0) FROM campaign_daily_metrics
            WHERE ad_account_id = :acc AND breakdown = 'none' AND date BETWEEN :s AND :e
            """
        ),
        {"acc": account.id, "s": run.window_start, "e": run.window_end},
    ).scalar_one()
    tolerance = Decimal(str(current_app.config["RECONCILIATION_TOLERANCE_PCT"])) / 100
    diff = total.spend - stored
    run.platform_spend, run.stored_spend, run.reconciliation_diff = total.spend, stored, diff
    run.reconciliation_flagged = (
        abs(diff) > tolerance * abs(total.spend) if total.spend else (diff != 0)
    )
    if run.reconciliation_flagged:
        log.warning(
            "account %s: stored spend %s differs from the platform's %s",
            account.id,
            stored,
            total.spend,
        )


def mark_failed(run_id: int, error: str, kind: str) -> None:
    """Give up on a run (retries exhausted)."""
    run = db.session.get(SyncRun, run_id)
    if run is not None and run.status != SyncStatus.SUCCEEDED:
        _finish(run, SyncStatus.FAILED, error=error, kind=kind)


def _finish(
    run: SyncRun, status: SyncStatus, *, error: str | None = None, kind: str | None = None
) -> SyncRun:
    """End the run's unit of work: its outcome, with everything written since it started
    (a successful run's slices, rollups and reconciliation), in one transaction."""
    with unit_of_work():
        run.status, run.error, run.error_kind, run.finished_at = status, error, kind, utcnow()
    log.info("sync run %s of account %s: %s %s", run.id, run.ad_account_id, status, error or "")
    return run


def _kind(exc: Exception) -> str:
    return {
        RateLimitedError: "rate_limited",
        TransientError: "transient",
        AuthenticationError: "authentication",
    }.get(type(exc), type(exc).__name__)
