"""A real Celery worker process round-trips a task through Redis and reaches the database."""

from __future__ import annotations

import pytest

from tests.conftest import RUN_ID
from workers.schedule import beat_schedule

pytestmark = pytest.mark.smoke


def test_worker_answers_a_task_sent_by_name_through_redis(app, celery_worker, test_queue):
    result = app.extensions["celery"].send_task("workers.tasks.system.ping", queue=test_queue)
    answer = result.get(timeout=30)
    assert answer["pong"] is True
    assert answer["database_time"]


def test_celery_is_configured_to_survive_a_worker_crash(app):
    conf = app.extensions["celery"].conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_connection_max_retries is None  # waits out a Redis outage of any length


def test_beat_schedule_names_only_registered_tasks(app, celery_worker, test_queue):
    """Every task beat sends is one the real worker knows (asked over the broker, so that the
    check holds whatever the test process imported, and needs no DATABASE_URL of its own)."""
    replies = app.extensions["celery"].control.inspect(timeout=5).registered() or {}
    registered = {
        name.split()[0] for worker, names in replies.items() if RUN_ID in worker for name in names
    }
    assert registered, f"the test worker did not answer: {replies}"
    for entry in beat_schedule(app.config).values():
        assert entry["task"] in registered
