"""An account's sync history as an admin reads it: one entry per request (a sync, a backfill, a
scheduled or first sync), with the runs it was split into, their progress and their errors.

The runs of one request are queued together by `plan_sync`, which gives them one `created_at`;
that instant and the kind identify the request. A run the reaper queued again in place of a lost
one (`retry_of_id`) keeps its request's `created_at`: the request counts the latest run of each
window, and lists the errors of the runs it replaced as "retried".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, tuple_

from backend.errors import NotFound
from backend.extensions import db
from backend.models import AdAccount, SyncRun, SyncStatus

FINISHED = (SyncStatus.SUCCEEDED, SyncStatus.FAILED)


@dataclass
class SyncRequest:
    """The runs one request queued, summed up."""

    kind: str
    requested_at: dt.datetime
    runs: list[SyncRun] = field(default_factory=list)

    @property
    def current(self) -> list[SyncRun]:
        """The latest run of each window: those no other run of the request replaced."""
        replaced = {run.retry_of_id for run in self.runs if run.retry_of_id is not None}
        return [run for run in self.runs if run.id not in replaced]

    @property
    def status(self) -> str:
        """queued, running, succeeded or failed (failed when any of its runs failed)."""
        states = {run.status for run in self.current}
        if states <= set(FINISHED):
            return SyncStatus.FAILED if SyncStatus.FAILED in states else SyncStatus.SUCCEEDED
        if states == {SyncStatus.QUEUED}:
            return SyncStatus.QUEUED
        return SyncStatus.RUNNING

    def as_dict(self, now: dt.datetime) -> dict[str, Any]:
        runs = sorted(self.current, key=lambda r: (r.window_start, r.id))
        replaced = [r for r in self.runs if r not in runs]
        done = [r for r in runs if r.status == SyncStatus.SUCCEEDED]
        failed = [r for r in runs if r.status == SyncStatus.FAILED]
        started = [r.started_at for r in self.runs if r.started_at is not None]
        status = self.status
        finished_at = (
            max((r.finished_at for r in runs if r.finished_at), default=None)
            if status in FINISHED
            else None
        )
        began = min(started, default=None)
        return {
            "id": min(r.id for r in self.runs),
            "kind": self.kind,
            "requested_at": self.requested_at,
            "status": status,
            "window_start": runs[0].window_start,
            "window_end": max(r.window_end for r in runs),
            "days": sum(_days(r) for r in runs),
            "days_done": sum(_days(r) for r in done),
            "days_failed": sum(_days(r) for r in failed),
            "runs": len(runs),
            "runs_done": len(done),
            "runs_failed": len(failed),
            "runs_running": sum(r.status == SyncStatus.RUNNING for r in runs),
            "rows": sum(r.rows or 0 for r in runs),
            "started_at": began,
            "finished_at": finished_at,
            "duration_ms": _duration_ms(began, finished_at or (now if began else None)),
            "errors": [
                {
                    "window_start": r.window_start,
                    "window_end": r.window_end,
                    "status": "retried" if r in replaced else r.status,
                    "error": r.error,
                    "error_kind": r.error_kind,
                }
                for r in sorted(self.runs, key=lambda r: (r.window_start, r.id))
                if r.error
            ],
        }


def _days(run: SyncRun) -> int:
    return (run.window_end - run.window_start).days + 1


def _duration_ms(began: dt.datetime | None, until: dt.datetime | None) -> int | None:
    if began is None or until is None:
        return None
    return max(0, int((until - began).total_seconds() * 1000))


def sync_requests(account_id: int, limit: int = 20, now: dt.datetime | None = None) -> list[dict]:
    """The account's latest requests, newest first, with their progress (days done of total)."""
    if db.session.get(AdAccount, account_id) is None:
        raise NotFound(f"ad account {account_id} does not exist")
    now = now or dt.datetime.now(dt.UTC)
    latest = (
        select(SyncRun.kind, SyncRun.created_at)
        .where(SyncRun.ad_account_id == account_id)
        .group_by(SyncRun.kind, SyncRun.created_at)
        .order_by(func.max(SyncRun.id).desc())
        .limit(limit)
    )
    keys = [tuple(row) for row in db.session.execute(latest)]
    if not keys:
        return []
    runs = db.session.scalars(
        select(SyncRun).where(
            SyncRun.ad_account_id == account_id,
            tuple_(SyncRun.kind, SyncRun.created_at).in_(keys),
        )
    )
    requests: dict[tuple[str, dt.datetime], SyncRequest] = {
        key: SyncRequest(key[0], key[1]) for key in keys
    }
    for run in runs:
        requests[(run.kind, run.created_at)].runs.append(run)
    return [requests[key].as_dict(now) for key in keys]
