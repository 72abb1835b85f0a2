"""Configuration read from the environment inside the app factory (never at import)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from connectors.registry import endpoint_defaults

PREFIX = "SPENDLENS_"

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,
    "REPORTING_CURRENCY": "USD",
    "ENCRYPTION_KEYS": "",
    "SYNC_INTERVAL_MINUTES": 60,
    "SYNC_ON_CREATE": True,
    # per platform, overrides of its PlatformSpec's restatement window / concurrency
    "RESTATEMENT_DAYS": {},
    "BACKFILL_CHUNK_DAYS": 30,
    "PLATFORM_CONCURRENCY": {},
    "MAIL_FROM": "Spendlens <alerts@spendlens.local>",
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": 8025,
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    "SMTP_SECURITY": "none",
    "DASHBOARD_URL": "http://127.0.0.1:8000",
    "FRONTEND_DIST": "",
    "LOG_LEVEL": "INFO",
    "CELERY_QUEUE": "celery",
    "BROKER_VISIBILITY_TIMEOUT": 7200,
    # a running sync's heartbeat; the reaper's period and when it gives a silent run up
    "SYNC_HEARTBEAT_SECONDS": 10,
    "SYNC_STALE_SECONDS": 90,
    "SYNC_QUEUED_SILENT_SECONDS": 180,
    "SYNC_REAPER_SECONDS": 60,
    # a bearer token for Prometheus to scrape /metrics with (admins may read it too)
    "METRICS_TOKEN": "",
    "HISTORY_DAYS": 90,
    "MODEL_TRAINING_HOUR_UTC": 3,
    "ALERT_EVALUATION_MINUTES": 5,
    "RECONCILIATION_TOLERANCE_PCT": "0.5",
    "ROI_MARGIN_RATE": "1.0",
    # the ROI endpoints' spend and customer queries on connections of their own, in parallel
    "ROI_CONCURRENT_READS": True,
    # PostgreSQL's work_mem of those concurrent reads: grouping the customer side in memory
    "ROI_READ_WORK_MEM": "32MB",
    # ROI, overview and cohort answers kept in Redis per data version (services/roi/cache.py)
    "ROI_CACHE": True,
    "ROI_CACHE_PREFIX": "spendlens:roi",
    # request bodies: JSON and forms, and the file uploads (CSV) of the routes that take them
    "MAX_REQUEST_MB": 8,
    "MAX_UPLOAD_MB": 512,
    # reverse proxies in front of the web server whose X-Forwarded-For/-Proto are trusted
    "PROXY_HOPS": 0,
    # where failed logins are counted in Redis (several installations may share one Redis)
    "LOGIN_THROTTLE_PREFIX": "spendlens:login",
    # where the report views' session checks are kept in Redis (services/user_sessions.py)
    "SESSION_CACHE_PREFIX": "spendlens:sessions",
}


def endpoint_settings() -> dict[str, str]:
    """Each platform's endpoint settings (declared by its connector package) as configuration
    keys, SPENDLENS_META_GRAPH_URL and so on, defaulting to the real platforms."""
    return {name.upper(): value or "" for name, value in endpoint_defaults().items()}


def _coerce(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, dict | list):
        return json.loads(raw)
    return raw


def sqlalchemy_url(database_url: str) -> str:
    """DATABASE_URL as SQLAlchemy wants it: the psycopg2 driver named explicitly."""
    for scheme in ("postgres://", "postgresql://"):
        if database_url.startswith(scheme):
            return "postgresql+psycopg2://" + database_url.removeprefix(scheme)
    return database_url


def load_config(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask configuration: SPENDLENS_* variables plus DATABASE_URL and REDIS_URL."""
    env = os.environ if environ is None else environ
    config: dict[str, Any] = {}
    for name, default in {**DEFAULTS, **endpoint_settings()}.items():
        raw = env.get(PREFIX + name)
        config[name] = default if raw is None else _coerce(raw, default)
    config["SQLALCHEMY_DATABASE_URI"] = sqlalchemy_url(env.get("DATABASE_URL", "")) or None
    config["REDIS_URL"] = env.get("REDIS_URL") or None
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SAMESITE"] = "Lax"
    config["SESSION_COOKIE_SECURE"] = env.get(PREFIX + "SECURE_COOKIES", "").lower() in {
        "1",
        "true",
        "yes",
    }
    config["API_TITLE"] = "Spendlens API"
    config["API_VERSION"] = "1"
    config["OPENAPI_VERSION"] = "3.0.3"
    config["OPENAPI_URL_PREFIX"] = "/api"
    config["OPENAPI_JSON_PATH"] = "openapi.json"
    return config
