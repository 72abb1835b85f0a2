"""Traffic-quality tasks: thin wrappers around backend.services.early.suspicion."""

from __future__ import annotations

from celery import shared_task

from backend.services.early.suspicion import refresh_suspicion


@shared_task(name="workers.tasks.traffic.score_traffic", acks_late=True)
def score_traffic() -> dict:
    """Score the recent customers' traffic quality and mark the suspects for the ROI figures."""
    return refresh_suspicion()
