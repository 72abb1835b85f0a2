"""Liveness tasks."""

from __future__ import annotations

from celery import shared_task
from sqlalchemy import text

from backend.extensions import db


@shared_task(name="workers.tasks.system.ping")
def ping() -> dict[str, object]:
    """Answer with the database's clock: proves the worker reaches the broker and the database."""
    now = db.session.execute(text("SELECT now()")).scalar_one()
    return {"pong": True, "database_time": now.isoformat()}
