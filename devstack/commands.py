"""The demo's `flask` commands, on the app of devstack.app (`flask --app devstack.app ...`; the
product's own app does not have them): `demo-seed` (the demo's users, sandbox accounts, exchange
rates, a year of history, budgets and the backfill of the recent days) and `demo-customers` (the
sandbox's customers and purchases for the stored sandbox ad accounts)."""

from __future__ import annotations

import json
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
        from devstack.demo import seed

        result = seed(var_dir, days, history_days, train_in_worker)
        click.echo(", ".join(f"{k}: {v}" for k, v in result.items()))

    @app.cli.command("demo-customers")
    @click.option("--days", default=180, show_default=True, help="Days of acquisitions.")
    @click.option("--seed", default=7, show_default=True, help="The sandbox World's seed.")
    @click.option(
        "--share-scale",
        default=1.0,
        show_default=True,
        help="Scale of the share of installs that become customers.",
    )
    @click.option(
        "--train/--no-train",
        default=True,
        show_default=True,
        help="Train a model when none is active.",
    )
    def demo_customers_command(days: int, seed: int, share_scale: float, train: bool) -> None:
        """Load the sandbox's customers and purchases for the stored sandbox ad accounts."""
        from connectors.sandbox.generator import World
        from devstack.demo_customers import load_demo_customers

        result = load_demo_customers(
            days, world=World(seed=seed), share_scale=share_scale, train=train
        )
        click.echo(json.dumps(result, default=str))
