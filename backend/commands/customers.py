"""CLI: load customers, revenue and in-app events, the sandbox's customers, and LTV / churn model
runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import Flask

from backend.errors import ServiceError

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _fail(name: str, exc: ServiceError) -> click.ClickException:
    lines = [f"{name}: {exc.message}"]
    for label, fields in (getattr(exc, "errors", None) or {}).items():
        for field, messages in fields.items():
            lines.append(f"  {label}: {field}: {'; '.join(messages)}")
    return click.ClickException("\n".join(lines))


def _load(path: Path, load) -> None:
    try:
        with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as stream:
            result = load(stream, source=f"file:{path.name}")
    except ServiceError as exc:
        raise _fail(path.name, exc) from exc
    click.echo(
        f"{result.rows} {result.kind} rows: {result.inserted} inserted, "
        f"{result.updated} updated, {result.unchanged} unchanged"
    )


def register(app: Flask) -> None:
    @app.cli.command("load-customers")
    @click.argument("path", type=_FILE)
    def load_customers_command(path: Path) -> None:
        """Load customers from a CSV (customer_id, acquired_at, platform, ...)."""
        from backend.services.customers import load_customers_csv

        _load(path, load_customers_csv)

    @app.cli.command("load-revenue")
    @click.argument("path", type=_FILE)
    def load_revenue_command(path: Path) -> None:
        """Load revenue events from a CSV (event_id, customer_id, occurred_at, amount, currency)."""
        from backend.services.customers import load_revenue_csv

        _load(path, load_revenue_csv)

    @app.cli.command("load-events")
    @click.argument("path", type=_FILE)
    def load_events_command(path: Path) -> None:
        """Load in-app events from a CSV (event_id, customer_id, occurred_at, name, value,
        properties), or from JSON (a .json, .jsonl or .ndjson file: an array of objects keyed
        like the columns, or one object a line)."""
        from backend.services.customers import load_events_csv, load_events_json

        json_file = path.suffix.lower() in (".json", ".jsonl", ".ndjson")
        _load(path, load_events_json if json_file else load_events_csv)

    @app.cli.command("train-models")
    @click.option(
        "--as-of", default=None, help="Data through this day (YYYY-MM-DD); default yesterday."
    )
    @click.option("--holdout-days", type=int, default=None, help="Length of the holdout.")
    @click.option("--activate/--no-activate", default=True, show_default=True)
    def train_models_command(as_of: str | None, holdout_days: int | None, activate: bool) -> None:
        """Train and score the LTV and churn models now (in this process)."""
        from backend.services.predictions.drift import measure_drift
        from backend.services.predictions.training import train_and_score

        try:
            trained = train_and_score(
                as_of=dt.date.fromisoformat(as_of) if as_of else None,
                holdout_days=holdout_days,
                activate=activate,
            )
        except ServiceError as exc:
            raise _fail("training", exc) from exc
        measure_drift()
        metrics = trained.ltv.metrics
        click.echo(
            f"LTV version {trained.ltv.id} ({trained.ltv.algorithm}), churn version "
            f"{trained.churn.id}: holdout total ratio {metrics.get('total_ratio')}, "
            f"normalized Gini {metrics.get('normalized_gini')}, "
            f"churn AUC {metrics.get('churn', {}).get('auc')}"
        )

    @app.cli.command("import-model")
    @click.argument("path", type=_FILE)
    @click.option("--name", required=True, help="Name of the model (source import:<name>).")
    @click.option("--activate/--no-activate", default=False, show_default=True)
    def import_model_command(path: Path, name: str, activate: bool) -> None:
        """Import external model outputs (customer_id, predicted_ltv_30/90/365, ...)."""
        from backend.services.predictions.imports import import_outputs

        try:
            with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as stream:
                created = import_outputs(stream, name, activate=activate)
        except ServiceError as exc:
            raise _fail(path.name, exc) from exc
        for version in created:
            click.echo(f"imported {version.kind} version {version.id} ({version.source})")

    @app.cli.command("activate-model")
    @click.argument("version_id", type=int)
    def activate_model_command(version_id: int) -> None:
        """Make a ready model version the active one of its kind, here and now (the API queues
        the same request for a worker)."""
        from backend.services.predictions import versions

        try:
            version = versions.record_activation_request(None, version_id)
            kind, outcome = version.kind, versions.carry_out_activation(version_id)
        except ServiceError as exc:
            raise _fail("activate", exc) from exc
        if outcome not in ("activated", "active"):
            raise click.ClickException(f"version {version_id} was not activated: {outcome}")
        click.echo(f"{kind} version {version_id} is active")

    @app.cli.command("measure-drift")
    @click.option("--through", default=None, help="Last complete day; default yesterday.")
    def measure_drift_command(through: str | None) -> None:
        """Measure predicted vs realized revenue of the cohorts that matured."""
        from backend.services.predictions.drift import measure_drift

        written = measure_drift(dt.date.fromisoformat(through) if through else None)
        for version_id, rows in written.items():
            click.echo(f"version {version_id}: {rows} cohort-horizon rows")
