"""Sync tasks: thin wrappers around backend.services.ingestion.

A sync retries, with backoff, what a platform answers with (rate limits, transient errors) and
what the infrastructure does to it (the database or Redis restarting, a broken connection). While
it runs, a heartbeat thread shows it alive; beat's reaper re-queues the runs whose task is gone.
"""

from __future__ import annotations

import logging
import random
import time

import redis
from celery import shared_task
from flask import current_app

from backend.broker import tasks_in_broker
from backend.errors import OUTAGES, forget_session
from backend.extensions import db
from backend.models import AdAccount, SyncRun, SyncStatus
from backend.services.ingestion import recovery
from backend.services.ingestion import sync as sync_service
from connectors import RateLimitedError, RetryPolicy, TransientError, platform_specs
from workers.concurrency import PlatformSlots
from workers.heartbeat import Heartbeat, beating

log = logging.getLogger("spendlens.workers.sync")
#: In-task retries are short so a rate-limited platform does not hold a worker for long; beyond
#: them the task is re-queued with a countdown and the worker moves on.
IN_TASK_RETRY = RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=20.0)
MAX_ATTEMPTS = recovery.MAX_ATTEMPTS
#: Waiting out an outage: 2, 4, 8, 16, then every 30 s (with jitter), as long as it lasts.
OUTAGE_BACKOFF_CAP_S = 30
#: Publishing the retry itself waits for Redis to come back (about two minutes at most).
PUBLISH_RETRY = {"max_retries": 40, "interval_start": 1, "interval_step": 1, "interval_max": 3}


def _slots() -> PlatformSlots:
    client = redis.Redis.from_url(current_app.config["REDIS_URL"])
    return PlatformSlots(
        client,
        {spec.name: spec.default_concurrency for spec in platform_specs()}
        | current_app.config["PLATFORM_CONCURRENCY"],
        lease_s=max(60, 6 * int(current_app.config["SYNC_HEARTBEAT_SECONDS"])),
        namespace=current_app.config["CELERY_QUEUE"],
    )


def outage_backoff(retries: int) -> float:
    return min(2 ** (retries + 1), OUTAGE_BACKOFF_CAP_S) * (0.75 + random.random() / 2)


@shared_task(
    bind=True,
    name="workers.tasks.sync.sync_account",
    acks_late=True,
    max_retries=None,
    ignore_result=True,
)
def sync_account(self, sync_run_id: int) -> dict:
    try:
        return _sync(self, sync_run_id)
    except OUTAGES as exc:
        forget_session()
        wait = outage_backoff(self.request.retries)
        log.warning(
            "sync run %s: %s (%s); retrying in %.0fs",
            sync_run_id,
            type(exc).__name__,
            str(exc).splitlines()[0][:200] if str(exc) else "",
            wait,
        )
        raise self.retry(exc=exc, countdown=wait, retry_policy=PUBLISH_RETRY) from exc


def _sync(task, sync_run_id: int) -> dict:
    run = db.session.get(SyncRun, sync_run_id)
    if run is None:
        return {"sync_run_id": sync_run_id, "status": "missing"}
    if run.status in (SyncStatus.SUCCEEDED, SyncStatus.FAILED):
        return {"sync_run_id": run.id, "status": run.status}  # done, or reaped and re-queued
    platform = db.session.get(AdAccount, run.ad_account_id).platform
    slots = _slots()
    with slots.slot(platform, holder=task.request.id) as granted:
        if not granted:
            wait = 2 + random.random() * 3
            recovery.record_requeue(sync_run_id, wait)
            raise task.retry(countdown=wait)
        heartbeat = Heartbeat(
            current_app._get_current_object(),
            sync_run_id,
            float(current_app.config["SYNC_HEARTBEAT_SECONDS"]),
            slots,
            platform,
            task.request.id,
        )
        try:
            with beating(heartbeat):
                run = sync_service.execute_sync_run(sync_run_id, IN_TASK_RETRY)
        except (RateLimitedError, TransientError) as exc:
            attempts = db.session.get(SyncRun, sync_run_id).attempts
            if attempts >= MAX_ATTEMPTS:
                sync_service.mark_failed(sync_run_id, exc.message, "retries_exhausted")
                return {"sync_run_id": sync_run_id, "status": "failed"}
            wait = getattr(exc, "retry_after", None) or min(2**attempts, 300)
            log.warning("sync run %s: %s; retrying in %ss", sync_run_id, exc.message, wait)
            recovery.record_requeue(sync_run_id, wait)
            raise task.retry(countdown=wait) from exc
    if run.status == "succeeded":
        from workers.tasks.alerts import evaluate_for_account

        evaluate_for_account.delay(run.ad_account_id)
    return {"sync_run_id": run.id, "status": run.status, "rows": run.rows}


@shared_task(name="workers.tasks.sync.schedule_syncs")
def schedule_syncs() -> int:
    """Beat: queue a sync for every active account."""
    return sync_service.schedule_all()


@shared_task(name="workers.tasks.sync.reap_orphaned_runs")
def reap_orphaned_runs() -> dict:
    """Beat: fail the sync runs whose task is gone, free their slots and queue them again."""
    client = redis.Redis.from_url(current_app.config["REDIS_URL"])
    queue = current_app.config["CELERY_QUEUE"]
    before = tasks_in_broker(client, queue)
    time.sleep(0.5)  # a message being delivered is in neither place for an instant
    after = tasks_in_broker(client, queue)
    report = recovery.reap(before.queued | after.queued, before.unacked | after.unacked)
    slots = _slots()
    for reaped in report.reaped:
        if reaped["task_id"]:
            slots.release(reaped["platform"], reaped["task_id"])
    return {"reaped": [r["run_id"] for r in report.reaped], "requeued": report.requeued}
