"""Alert tasks: thin wrappers around backend.services.alerts.

evaluate_for_account runs after every successful sync (workers.tasks.sync), evaluate_budgets on
beat's schedule; both hand over to deliver_outbox when they queued mail. deliver_outbox sends
what is due and, while messages wait for a retry, schedules itself for the earliest one (at
most one such follow-up at a time, held by a Redis key); beat also runs it every minute.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import redis
from celery import shared_task
from flask import current_app

from backend.models.types import utcnow
from backend.services.alerts import delivery, digest, evaluation

log = logging.getLogger("spendlens.workers.alerts")
#: A follow-up delivery waits at least this long, at most `delivery.RETRY_CAP`.
MIN_FOLLOW_UP_S = 1


@shared_task(name="workers.tasks.alerts.evaluate_for_account")
def evaluate_for_account(account_id: int) -> dict:
    """Evaluate the budgets whose scope covers the account (after a sync of it)."""
    report = evaluation.evaluate_for_account(account_id)
    if report.mails_queued:
        deliver_outbox.delay()
    return dataclasses.asdict(report)


@shared_task(name="workers.tasks.alerts.evaluate_budgets")
def evaluate_budgets() -> dict:
    """Beat: evaluate every live budget."""
    report = evaluation.evaluate_all()
    if report.mails_queued:
        deliver_outbox.delay()
    return dataclasses.asdict(report)


@shared_task(name="workers.tasks.alerts.deliver_outbox", acks_late=True)
def deliver_outbox(follow_up: bool = False) -> dict:
    """Send the outbox's due messages; schedule a retry for those that must wait."""
    if follow_up:
        _redis().delete(_follow_up_key())  # this is the scheduled one: another may be planned
    report = delivery.deliver_due()
    if report.next_due is not None:
        _follow_up(report.next_due)
    return {
        "sent": report.sent,
        "retried": report.retried,
        "failed": report.failed,
        "next_due": report.next_due.isoformat() if report.next_due else None,
    }


@shared_task(name="workers.tasks.alerts.send_digests")
def send_digests() -> int:
    """Beat, daily: one digest per recipient who asked for it, then deliver."""
    made = digest.gather_digests()
    if made:
        deliver_outbox.delay()
    return made


def _redis() -> redis.Redis:
    return redis.Redis.from_url(current_app.config["REDIS_URL"])


def _follow_up_key() -> str:
    return f"spendlens:outbox-follow-up:{current_app.config.get('CELERY_QUEUE', 'celery')}"


def _follow_up(due: dt.datetime) -> None:
    """Plan one delivery for when the earliest waiting message is due, unless one is planned
    (the key outlives the plan by a minute, in case its message is lost)."""
    wait = max((due - utcnow()).total_seconds(), MIN_FOLLOW_UP_S)
    wait = min(wait, delivery.RETRY_CAP.total_seconds())
    if _redis().set(_follow_up_key(), "1", nx=True, ex=int(wait) + 60):
        deliver_outbox.apply_async(kwargs={"follow_up": True}, countdown=wait)
        log.info("outbox: next delivery attempt in %.0fs", wait)
