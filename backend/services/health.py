"""Health of the components the app depends on, and of the background processes it needs: the
database and the broker (without them the web cannot answer: 503), and whether a Celery worker
and beat were seen recently (without them nothing syncs or alerts: reported, status degraded)."""

from __future__ import annotations

from typing import Any

import redis
from flask import Flask
from sqlalchemy import text

from backend.extensions import db
from backend.services import presence

#: Components without which the web itself cannot serve.
ESSENTIAL = ("database", "broker")


def _database() -> dict[str, Any]:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True, "error": None}
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        db.session.rollback()
        return {"ok": False, "error": type(exc).__name__}


def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)


def _broker(url: str | None) -> dict[str, Any]:
    if not url:
        return {"ok": False, "error": "REDIS_URL is not set"}
    try:
        client = _client(url)
        try:
            client.ping()
        finally:
            client.close()
        return {"ok": True, "error": None}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": type(exc).__name__}


def _background(url: str | None, namespace: str, kind: str) -> dict[str, Any]:
    if not url:
        return {"ok": False, "last_seen_s": None, "seen": [], "error": "REDIS_URL is not set"}
    client = _client(url)
    try:
        return presence.describe(client, namespace, kind)
    except redis.RedisError as exc:
        return {"ok": False, "last_seen_s": None, "seen": [], "error": type(exc).__name__}
    finally:
        client.close()


def check(app: Flask) -> dict[str, Any]:
    url = app.config.get("REDIS_URL")
    namespace = str(app.config.get("CELERY_QUEUE", "celery"))
    report = {"database": _database(), "broker": _broker(url)}
    report["worker"] = _background(url, namespace, "worker")
    report["beat"] = _background(url, namespace, "beat")
    failing = [name for name, state in report.items() if not state["ok"]]
    return {**report, "failing": failing, "status": "degraded" if failing else "ok"}


def essential_failing(report: dict[str, Any]) -> bool:
    return any(name in ESSENTIAL for name in report["failing"])
