"""`flask demo-seed`: the demo's users, sandbox accounts, exchange rates, a year of history,
budgets and the backfill of the recent days."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.command("demo-seed")
    @click.option(
        "--var",
        "var_dir",
        type=click.Path(path_type=Path),
        default=Path("var"),
        show_default=True,
        help="Where the demo keeps its files.",
    )
    @click.option("--days", default=30, show_default=True, help="Recent days the worker backfills.")
    @click.option(
        "--history-days",
        default=400,
        show_default=True,
        help="Days of history (older ones load straight from the sandbox).",
    )
    @click.option(
        "--train-in-worker/--train-now",
        default=True,
        show_default=True,
        help="Queue the first LTV model's training for the worker, or train it here.",
    )
    def demo_seed(var_dir: Path, days: int, history_days: int, train_in_worker: bool) -> None:
        """Seed the demo (idempotent)."""
        from backend.services.demo import seed

        result = seed(var_dir, days, history_days, train_in_worker)
        click.echo(", ".join(f"{k}: {v}" for k, v in result.items()))
