"""Celery bound to the Flask app, as in Flask's own Celery example.

Every task runs inside an application context (reusing one that is already pushed, as in
Superset). Task code uses `shared_task` and never imports the app; the backend sends tasks by name.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask, has_app_context

from backend.redis_url import celery_urls


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            if has_app_context():
                return self.run(*args, **kwargs)
            with app.app_context():
                return self.run(*args, **kwargs)

    broker, backend = celery_urls(app.config["REDIS_URL"] or "redis://127.0.0.1:6379/0")
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.conf.update(
        broker_url=broker,
        result_backend=backend,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_track_started=True,
        result_expires=24 * 3600,
        broker_transport_options={
            "visibility_timeout": int(app.config.get("BROKER_VISIBILITY_TIMEOUT", 3600))
        },
        broker_connection_retry_on_startup=True,
        # a worker waits for Redis as long as it is away (the default gives up after 100 tries)
        broker_connection_max_retries=None,
        timezone="UTC",
        task_default_queue=app.config.get("CELERY_QUEUE", "celery"),
    )
    celery_app.conf.update(app.config.get("CELERY", {}))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def answer_as_queued(*rows: object) -> None:
    """Load committed rows and detach them from the session before their tasks are sent: the
    caller answers them as queued, whatever a worker does to them meanwhile."""
    from backend.extensions import db

    for row in rows:
        db.session.refresh(row)
        db.session.expunge(row)


def send_task(app: Flask, name: str, *args: object, **kwargs: object) -> str:
    """Queue a task by name (the backend never imports the workers package); return its id.

    The backend follows its tasks through the database, never through their Celery results, so
    it does not subscribe to them: the result backend's subscriber, once Redis has restarted
    under it, refuses every later send ("the Celery application must be restarted")."""
    options = kwargs.pop("_options", {}) or {}
    options.setdefault("ignore_result", True)
    result = app.extensions["celery"].send_task(name, args=args, kwargs=kwargs, **options)
    return result.id
