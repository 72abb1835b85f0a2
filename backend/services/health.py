"""Health of the components the app depends on."""

from __future__ import annotations

from typing import Any

import redis
from flask import Flask
from sqlalchemy import text

from backend.extensions import db


def _database() -> dict[str, Any]:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True, "error": None}
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        db.session.rollback()
        return {"ok": False, "error": type(exc).__name__}


def _broker(url: str | None) -> dict[str, Any]:
    if not url:
        return {"ok": False, "error": "REDIS_URL is not set"}
    try:
        client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        try:
            client.ping()
        finally:
            client.close()
        return {"ok": True, "error": None}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": type(exc).__name__}


def check(app: Flask) -> dict[str, Any]:
    report = {"database": _database(), "broker": _broker(app.config.get("REDIS_URL"))}
    failing = [name for name, state in report.items() if not state["ok"]]
    return {**report, "failing": failing, "status": "degraded" if failing else "ok"}
