"""Sync tasks: thin wrappers around backend.services.ingestion."""

from __future__ import annotations

import logging
import random

import redis
from celery import shared_task
from flask import current_app

from backend.extensions import db
from backend.models import AdAccount, SyncRun
from backend.services.ingestion import sync as sync_service
from connectors import RateLimitedError, RetryPolicy, TransientError
from workers.concurrency import PlatformSlots

log = logging.getLogger("spendlens.workers.sync")
#: In-task retries are short so a rate-limited platform does not hold a worker for long; beyond
#: them the task is re-queued with a countdown and the worker moves on.
IN_TASK_RETRY = RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=20.0)
MAX_ATTEMPTS = 12


def _slots() -> PlatformSlots:
    client = redis.Redis.from_url(current_app.config["REDIS_URL"])
    return PlatformSlots(
        client,
        current_app.config["PLATFORM_CONCURRENCY"],
        namespace=current_app.config["CELERY_QUEUE"],
    )


@shared_task(bind=True, name="workers.tasks.sync.sync_account", acks_late=True, max_retries=None)
def sync_account(self, sync_run_id: int) -> dict:
    run = db.session.get(SyncRun, sync_run_id)
    if run is None:
        return {"sync_run_id": sync_run_id, "status": "missing"}
    platform = db.session.get(AdAccount, run.ad_account_id).platform
    slots = _slots()
    with slots.slot(platform, holder=self.request.id) as granted:
        if not granted:
            raise self.retry(countdown=2 + random.random() * 3)
        try:
            run = sync_service.execute_sync_run(sync_run_id, IN_TASK_RETRY)
        except (RateLimitedError, TransientError) as exc:
            attempts = db.session.get(SyncRun, sync_run_id).attempts
            if attempts >= MAX_ATTEMPTS:
                sync_service.mark_failed(sync_run_id, exc.message, "retries_exhausted")
                return {"sync_run_id": sync_run_id, "status": "failed"}
            wait = getattr(exc, "retry_after", None) or min(2**attempts, 300)
            log.warning("sync run %s: %s; retrying in %ss", sync_run_id, exc.message, wait)
            raise self.retry(countdown=wait) from exc
    if run.status == "succeeded":
        from workers.tasks.alerts import evaluate_for_account

        evaluate_for_account.delay(run.ad_account_id)
    return {"sync_run_id": run.id, "status": run.status, "rows": run.rows}


@shared_task(name="workers.tasks.sync.schedule_syncs")
def schedule_syncs() -> int:
    """Beat: queue a sync for every active account."""
    return sync_service.schedule_all()
