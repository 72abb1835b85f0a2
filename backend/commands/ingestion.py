"""CLI: sync, backfill, exchange rates, sync health."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from flask import Flask, current_app

from backend.errors import ServiceError


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def register(app: Flask) -> None:
    @app.cli.command("sync")
    @click.option("--account", "account_id", type=int, required=True, help="Ad account id.")
    def sync_command(account_id: int) -> None:
        """Queue a sync of the account's restatement window and any day never fetched."""
        from backend.services.ingestion.sync import request_sync

        try:
            runs = request_sync(account_id, "manual")
        except ServiceError as exc:
            raise click.ClickException(f"{exc.field or 'account'}: {exc.message}") from exc
        for run in runs:
            click.echo(f"queued sync run {run.id}: {run.window_start}..{run.window_end}")

    @app.cli.command("backfill")
    @click.option("--account", "account_id", type=int, required=True, help="Ad account id.")
    @click.option("--start", required=True, help="First day, YYYY-MM-DD.")
    @click.option("--end", required=True, help="Last day, YYYY-MM-DD.")
    def backfill_command(account_id: int, start: str, end: str) -> None:
        """Queue a backfill of a date range, split into chunks."""
        from backend.services.ingestion.sync import request_sync

        try:
            runs = request_sync(account_id, "backfill", _date(start), _date(end))
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from exc
        except ServiceError as exc:
            raise click.ClickException(f"{exc.field or 'account'}: {exc.message}") from exc
        click.echo(f"queued {len(runs)} backfill runs for account {account_id}")

    @app.cli.command("load-fx")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--source", default="ECB", show_default=True)
    @click.option(
        "--overwrite", is_flag=True, help="Replace rates already stored that the file changes."
    )
    def load_fx_command(path: Path, source: str, overwrite: bool) -> None:
        """Load exchange rates from a CSV in the ECB reference format.

        A file that would change a stored rate loads nothing unless --overwrite is given; an
        overwrite is written to the audit log."""
        from backend.services.ingestion.fx import load_fx_csv

        try:
            with path.open(newline="") as stream:
                result = load_fx_csv(
                    stream, current_app.config["REPORTING_CURRENCY"], source, overwrite=overwrite
                )
        except ServiceError as exc:
            raise click.ClickException(f"{path.name}: {exc.message}") from exc
        replaced = f", {result.overwritten} replaced" if result.overwritten else ""
        click.echo(
            f"loaded {result.rows} rates for {', '.join(result.currencies) or 'nothing'}"
            f" ({result.first_date}..{result.last_date}){replaced}"
        )

    @app.cli.command("sync-health")
    def sync_health_command() -> None:
        """Print the sync health of every account as JSON lines."""
        from backend.services.ingestion.health import sync_health

        for row in sync_health():
            click.echo(json.dumps(row, default=str))
