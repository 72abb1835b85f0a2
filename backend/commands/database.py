"""Database commands beyond Flask-Migrate's `flask db ...`."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import text

from backend.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("wait-for-db")
    @click.option("--timeout", default=30.0, show_default=True, help="Seconds to wait.")
    def wait_for_db(timeout: float) -> None:
        """Wait until the database answers (for containers that start together)."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            try:
                db.session.execute(text("SELECT 1"))
                click.echo("database is up")
                return
            except Exception as exc:  # noqa: BLE001
                db.session.rollback()
                if time.monotonic() > deadline:
                    raise click.ClickException(f"database did not answer: {exc}") from exc
                time.sleep(0.5)
