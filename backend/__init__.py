"""Spendlens web backend: the Flask app factory."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app: environment configuration, overridden by `config` (tests)."""
    from backend import api, auth, cli, errors, http_guards, web
    from backend.celery_app import celery_init_app
    from backend.config import load_config
    from backend.extensions import db, migrate

    app = Flask(__name__, static_folder=None)
    app.config.update(load_config())
    if config:
        app.config.update(config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        raise RuntimeError(
            "DATABASE_URL is not set: set it, or start through `make demo`, which runs the "
            "embedded PostgreSQL"
        )
    _ensure_secret_key(app)
    _check_reporting_currency(app)
    logging.getLogger("spendlens").setLevel(app.config["LOG_LEVEL"])

    import backend.models  # noqa: F401  (registers the models with the metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir())
    celery_init_app(app)
    api.register(app)
    errors.register(app)  # after the API: flask-smorest installs its own HTTPException handler
    http_guards.init_app(app)  # before auth: a refused body is refused before anything else
    auth.init_app(app)  # after the API: sessions, bearer tokens, CSRF, OpenAPI security
    cli.register(app)
    web.register(app)
    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    return app


def _check_reporting_currency(app: Flask) -> None:
    from backend.currencies import is_currency

    currency = app.config["REPORTING_CURRENCY"]
    if not isinstance(currency, str) or not is_currency(currency):
        raise RuntimeError(
            f"SPENDLENS_REPORTING_CURRENCY {currency!r} is not an ISO 4217 currency code "
            "(three capital letters, e.g. USD or EUR)"
        )


def _ensure_secret_key(app: Flask) -> None:
    """A production server refuses to start without SPENDLENS_SECRET_KEY: each of its worker
    processes would invent a key of its own, and a session signed by one would be refused by
    the others. Elsewhere (a CLI command, a Celery worker, `flask run`) a random key will do."""
    if app.config.get("SECRET_KEY"):
        return
    if os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn"):
        raise RuntimeError(
            "SPENDLENS_SECRET_KEY is not set: the web server refuses to start without it (each "
            "worker process would sign sessions with a key of its own). Set it to a long random "
            'string, e.g. python -c "import secrets; print(secrets.token_hex(32))"'
        )
    app.config["SECRET_KEY"] = secrets.token_hex(32)
    app.logger.warning("SPENDLENS_SECRET_KEY is not set: sessions end when the app restarts")


def _migrations_dir() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent / "migrations")
