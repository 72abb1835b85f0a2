"""A real Celery worker process round-trips a task through Redis and reaches the database."""

from __future__ import annotations

from workers.schedule import beat_schedule


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


def test_beat_schedule_names_only_registered_tasks(app):
    import workers.app  # noqa: F401  (registers the tasks)

    registered = set(app.extensions["celery"].tasks) | set(workers.app.celery_app.tasks)
    for entry in beat_schedule(app.config).values():
        assert entry["task"] in registered
