"""A scratch database for a benchmark: from DATABASE_URL's server (embedded when unset),
migrated, dropped at the end.

`database` names an existing database to use instead (migrated, never dropped), `keep` keeps
the scratch database (its name goes to stderr): a benchmark with a long load can then be timed
again on the same data."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def scratch_app(database: str | None = None, keep: bool = False, **config) -> Iterator:
    from flask_migrate import upgrade

    from backend import create_app
    from backend.config import sqlalchemy_url

    handle = None
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        from devstack.embedded import start_postgres

        server_url, handle = start_postgres(ROOT / "var" / "bench", database="postgres")
    server_url = sqlalchemy_url(server_url)
    name = database or f"spendlens_bench_{secrets.token_hex(4)}"
    keep = keep or bool(database)
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    if not database:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    if keep:
        print(f"database {name} is kept", file=sys.stderr, flush=True)
    url = sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "bench",
                "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
                **config,
            }
        )
        with app.app_context():
            upgrade()
            yield app
            from backend.extensions import db

            db.session.remove()
            db.engine.dispose()
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        if handle is not None:
            handle.stop()
