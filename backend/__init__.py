"""Spendlens web backend: the Flask app factory."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app: environment configuration, overridden by `config` (tests)."""
    from backend import api, auth, cli, errors, web
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
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        app.logger.warning("SPENDLENS_SECRET_KEY is not set: sessions end when the app restarts")
    logging.getLogger("spendlens").setLevel(app.config["LOG_LEVEL"])

    import backend.models  # noqa: F401  (registers the models with the metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir())
    celery_init_app(app)
    api.register(app)
    errors.register(app)  # after the API: flask-smorest installs its own HTTPException handler
    auth.init_app(app)  # after the API: sessions, bearer tokens, CSRF, OpenAPI security
    cli.register(app)
    web.register(app)
    return app


def _migrations_dir() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent / "migrations")
