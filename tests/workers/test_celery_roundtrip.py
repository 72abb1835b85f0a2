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


# The LTV and churn tasks moved from workers.tasks.models to workers.tasks.predictions; messages
# queued under the old names (during an upgrade, or by a beat not yet restarted) must still run.
FORMER, CURRENT = "workers.tasks.models.", "workers.tasks.predictions."
#: the tasks that were sent as workers.tasks.models.<name> before the rename
MOVED = (
    "train_and_score",
    "activate_version",
    "resume_activations",
    "measure_drift",
    "refresh_customer_data",
)


def test_a_prediction_task_sent_under_its_former_name_runs_on_the_worker(
    app, db, celery_worker, test_queue
):
    celery = app.extensions["celery"]
    former = celery.send_task(f"{FORMER}refresh_customer_data", queue=test_queue).get(timeout=30)
    current = celery.send_task(f"{CURRENT}refresh_customer_data", queue=test_queue).get(timeout=30)
    assert set(former) == {"customers_linked_to_campaigns", "revenue_events_reconverted"}
    assert former == current


def test_the_worker_knows_every_prediction_task_under_its_former_name(app, celery_worker):
    replies = app.extensions["celery"].control.inspect(timeout=5).registered() or {}
    registered = {
        name.split()[0] for worker, names in replies.items() if RUN_ID in worker for name in names
    }
    assert registered, f"the test worker did not answer: {replies}"
    for name in MOVED:
        assert {f"{FORMER}{name}", f"{CURRENT}{name}"} <= registered, name


def test_a_former_task_name_runs_the_same_function_with_the_same_options(app):
    from workers.tasks import predictions

    tasks = app.extensions["celery"].tasks
    for name in MOVED:
        former, current = tasks[f"{FORMER}{name}"], tasks[f"{CURRENT}{name}"]
        assert current.run is getattr(predictions, name).run
        assert former.run is current.run
        for option in ("acks_late", "ignore_result", "max_retries"):
            assert getattr(former, option) == getattr(current, option), (name, option)


def test_beat_sends_the_prediction_tasks_under_their_new_names(app):
    sent = [entry["task"] for entry in beat_schedule(app.config).values()]
    assert any(name.startswith(CURRENT) for name in sent)
    assert not any(name.startswith(FORMER) for name in sent)
