"""Sync runs whose task is gone: heartbeats, and the reaper that fails and re-queues them.

A running run's task records a heartbeat every `SYNC_HEARTBEAT_SECONDS`; a task put back in the
queue to retry later records when it is due (its next sign of life). Beat's reaper (every
`SYNC_REAPER_SECONDS`) treats as orphaned:

- a *running* run whose last heartbeat is older than `SYNC_STALE_SECONDS` (its worker died, or
  lost the database for that long);
- a *queued* run whose task is not waiting in the broker's queue: gone from the broker altogether
  (a message lost with a Redis that restarted empty, a publish that failed) once it has shown no
  sign of life for `SYNC_STALE_SECONDS`, or held unacknowledged by a worker and silent for
  `SYNC_QUEUED_SILENT_SECONDS` (that worker died; the broker would only give it back after the
  visibility timeout).

An orphaned run is marked failed (error_kind `orphaned`, the reason in `error`) and a run of the
same window is queued with `retry_of_id` pointing at it, so an account's schedule goes on and no
window stays unfetched. The dead run's task, should it come back, finds its run finished and does
nothing; a live task whose run was reaped under it gives up before writing (see
`still_running`).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import or_, select, text

from backend.celery_app import answer_as_queued, send_task
from backend.extensions import db
from backend.models import AccountStatus, AdAccount, SyncRun, SyncStatus
from backend.models.types import utcnow

log = logging.getLogger("spendlens.ingestion.recovery")
ORPHANED = "orphaned"
#: The sync attempts of a window, counted across the runs that re-queue each other.
MAX_ATTEMPTS = 12


@dataclass
class ReapReport:
    reaped: list[dict] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)


def record_heartbeat(run_id: int) -> bool:
    """Stamp a running run's heartbeat on a connection of its own (safe from any thread);
    False when the run is no longer running (the reaper gave up on it)."""
    with db.engine.begin() as conn:
        touched = conn.execute(
            text(
                "UPDATE sync_runs SET heartbeat_at = now() "
                "WHERE id = :id AND status = 'running' RETURNING id"
            ),
            {"id": run_id},
        ).first()
    return touched is not None


def record_requeue(run_id: int, countdown_s: float) -> None:
    """A run's task was put back in the queue to run in `countdown_s`: its next sign of life
    is due then, and the reaper counts its silence from that moment."""
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE sync_runs SET heartbeat_at = now() + make_interval(secs => :wait) "
                "WHERE id = :id AND status IN ('queued', 'running')"
            ),
            {"id": run_id, "wait": float(countdown_s)},
        )


def still_running(run: SyncRun) -> bool:
    """Lock the run's row and tell whether it is still this task's to finish."""
    status = db.session.execute(
        text("SELECT status FROM sync_runs WHERE id = :id FOR UPDATE"), {"id": run.id}
    ).scalar_one_or_none()
    return status == SyncStatus.RUNNING


def find_orphans(
    queued_task_ids: Collection[str],
    unacked_task_ids: Collection[str],
    now: dt.datetime | None = None,
) -> list[tuple[SyncRun, str]]:
    """Unfinished runs with no live task behind them, each with the reason."""
    config = current_app.config
    now = now or utcnow()
    stale = now - dt.timedelta(seconds=int(config["SYNC_STALE_SECONDS"]))
    silent = now - dt.timedelta(seconds=int(config["SYNC_QUEUED_SILENT_SECONDS"]))
    candidates = db.session.scalars(
        select(SyncRun)
        .where(SyncRun.status.in_([SyncStatus.QUEUED, SyncStatus.RUNNING]))
        .where(
            or_(
                SyncRun.heartbeat_at < stale,
                (SyncRun.heartbeat_at.is_(None) & (SyncRun.created_at < stale)),
            )
        )
        .order_by(SyncRun.id)
    ).all()
    orphans = []
    for run in candidates:
        seen = run.heartbeat_at or run.created_at
        quiet = max(0, int((now - seen).total_seconds()))
        if run.status == SyncStatus.RUNNING:
            orphans.append((run, f"no heartbeat from its worker for {quiet}s"))
        elif run.task_id in queued_task_ids:
            continue  # waiting its turn in the queue
        elif run.task_id in unacked_task_ids:
            if seen < silent:
                orphans.append((run, f"held by a worker that has been silent for {quiet}s"))
        else:
            orphans.append((run, "its task is no longer in the broker"))
    return orphans


def reap(
    queued_task_ids: Collection[str],
    unacked_task_ids: Collection[str],
    now: dt.datetime | None = None,
) -> ReapReport:
    """Fail every orphaned run with its reason and queue a run of the same window."""
    report = ReapReport()
    for run, reason in find_orphans(queued_task_ids, unacked_task_ids, now):
        replacement = _reap_one(run.id, run.status, run.heartbeat_at, reason)
        if replacement is None:
            continue
        report.reaped.append(replacement["reaped"])
        if replacement.get("requeued") is not None:
            report.requeued.append(replacement["requeued"])
    db.session.commit()
    return report


def _reap_one(
    run_id: int, status: str, heartbeat_at: dt.datetime | None, reason: str
) -> dict | None:
    """Reap one run under its row lock, unless its task showed a sign of life meanwhile."""
    run = db.session.scalar(
        select(SyncRun)
        .where(SyncRun.id == run_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if run is None or run.status != status or run.heartbeat_at != heartbeat_at:
        db.session.commit()
        return None
    account = db.session.get(AdAccount, run.ad_account_id)
    run.status, run.error_kind, run.finished_at = SyncStatus.FAILED, ORPHANED, utcnow()
    run.error = f"task lost: {reason}"
    reaped = {
        "run_id": run.id,
        "platform": account.platform,
        "task_id": run.task_id,
        "reason": reason,
    }
    replacement = None
    if run.attempts < MAX_ATTEMPTS and account.status == AccountStatus.ACTIVE:
        replacement = SyncRun(
            ad_account_id=run.ad_account_id,
            kind=run.kind,
            created_at=run.created_at,  # part of the same request (ingestion/history.py)
            window_start=run.window_start,
            window_end=run.window_end,
            status=SyncStatus.QUEUED,
            attempts=run.attempts,
            rows=0,
            task_id=str(uuid.uuid4()),
            retry_of_id=run.id,
            heartbeat_at=utcnow(),
        )
        db.session.add(replacement)
        run.error += "; queued again"
    db.session.commit()
    log.warning("sync run %s of account %s reaped: %s", run.id, run.ad_account_id, reason)
    if replacement is None:
        return {"reaped": reaped}
    answer_as_queued(replacement)
    send_task(
        current_app,
        "workers.tasks.sync.sync_account",
        replacement.id,
        _options={"task_id": replacement.task_id},
    )
    return {"reaped": reaped, "requeued": replacement.id}


def latest_attempt(run_id: int) -> SyncRun | None:
    """The run that last took over this run's window (the run itself if never reaped)."""
    row = db.session.execute(
        text(
            """
            WITH RECURSIVE chain AS (
                SELECT id, 0 AS depth FROM sync_runs WHERE id = :id
                UNION ALL
                SELECT r.id, c.depth + 1 FROM sync_runs r JOIN chain c ON r.retry_of_id = c.id
            )
            SELECT id FROM chain ORDER BY depth DESC, id DESC LIMIT 1
            """
        ),
        {"id": run_id},
    ).scalar_one_or_none()
    return None if row is None else db.session.get(SyncRun, row)
