"""The Celery entry point: `celery -A workers.app worker` (and `beat`).

Builds the Flask app once per process (as Flask's Celery example does in make_celery.py), takes its
Celery instance, loads the one beat schedule, and disposes the database engine after a worker fork
so that no connection is shared between processes. Workers and beat record themselves as seen in
Redis (workers/presence.py) for the health check.
"""

from __future__ import annotations

import os

# Model training runs in several worker processes side by side on few cores: one BLAS/OpenMP
# thread each (oversubscription slowed a 1M-customer fit several times over).
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from celery.signals import worker_process_init  # noqa: E402

from backend import create_app  # noqa: E402
from backend.extensions import db  # noqa: E402
from workers.presence import WorkerPresence  # noqa: E402
from workers.schedule import beat_schedule  # noqa: E402

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
celery_app.conf.beat_schedule = beat_schedule(flask_app.config)
celery_app.conf.update(
    spendlens_redis_url=flask_app.config["REDIS_URL"] or "redis://127.0.0.1:6379/0",
    spendlens_namespace=flask_app.config["CELERY_QUEUE"],
    beat_scheduler="workers.presence:PresentScheduler",
    # beat wakes at least this often, so that it is seen alive between its tasks
    beat_max_loop_interval=15,
)
celery_app.steps["worker"].add(WorkerPresence)
celery_app.autodiscover_tasks(["workers"], related_name="tasks", force=True)
app = celery_app


@worker_process_init.connect
def _dispose_engine_after_fork(**_: object) -> None:
    with flask_app.app_context():
        db.engine.dispose(close=False)
