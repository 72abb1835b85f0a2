"""Recommendation tasks: thin wrappers around backend.services.recommendations."""

from __future__ import annotations

import logging

from celery import shared_task

from backend.services.recommendations import runs

log = logging.getLogger("spendlens.workers.recommendations")


@shared_task(
    name="workers.tasks.recommendations.run_recommendation",
    acks_late=True,
    bind=True,
    max_retries=60,
)
def run_recommendation(self, run_id: int) -> dict:
    """Fit the response curves, recommend and backtest one queued run (one waiting for the
    first LTV model is tried again every minute)."""
    run = runs.carry_out(run_id)
    if run.status == "queued":
        raise self.retry(countdown=60)
    if run.error:
        log.warning("recommendation run %s failed: %s", run_id, run.error)
    return {"run_id": run.id, "status": run.status}


@shared_task(name="workers.tasks.recommendations.weekly_recommendation")
def weekly_recommendation() -> dict:
    """Queue the weekly run (unless one is already under way)."""
    run = runs.schedule_weekly()
    return {"run_id": run.id if run else None}
