"""LTV, churn and first-purchase prediction tasks: thin wrappers around
backend.services.predictions.

Each task is registered under its name, `workers.tasks.predictions.<task>`, and under the name it
had before the module was renamed, `workers.tasks.models.<task>`: a message sent under the old name
(queued in Redis while the web and workers were upgraded, or by a beat not yet restarted) still
runs the same function. Beat and the services send the new names. train_first_purchase came
after the rename and has its new name only.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from celery import shared_task

from backend.errors import ServiceError
from backend.services.predictions import drift, first_purchase, training, versions

log = logging.getLogger("spendlens.workers.predictions")


def renamed_task(name: str, *, former: str, **options: Any) -> Callable[[Callable], Any]:
    """`shared_task(name=name)`, and the same function registered again under its `former` name
    (with the same options) for messages sent before the rename."""

    def register(function: Callable) -> Any:
        shared_task(name=former, **options)(function)
        return shared_task(name=name, **options)(function)

    return register


@renamed_task(
    "workers.tasks.predictions.train_and_score",
    former="workers.tasks.models.train_and_score",
    acks_late=True,
)
def train_and_score(
    version_id: int | None = None,
    as_of: str | None = None,
    holdout_days: int | None = None,
    request: str | None = None,
) -> dict:
    """Train, score and activate (nightly with no arguments, or a version an admin requested),
    then measure drift and queue the first-purchase training. A run the data cannot support
    ends 'failed' with the reason."""
    try:
        trained = training.train_and_score(
            version_id,
            as_of=dt.date.fromisoformat(as_of) if as_of else None,
            holdout_days=holdout_days,
            request=request,
        )
    except ServiceError as exc:
        log.warning("model training %s not done: %s", version_id or "(nightly)", exc.message)
        return {"version_id": version_id, "status": "failed", "error": exc.message}
    drift.measure_drift()
    queued = first_purchase.request_training(
        None, as_of=dt.date.fromisoformat(as_of) if as_of else None
    )
    return {
        "first_purchase_version_id": queued.id,
        "version_id": trained.ltv.id,
        "churn_version_id": trained.churn.id,
        "status": trained.ltv.status,
        "algorithm": trained.ltv.algorithm,
    }


@shared_task(name="workers.tasks.predictions.train_first_purchase", acks_late=True)
def train_first_purchase(
    version_id: int | None = None, as_of: str | None = None, request: str | None = None
) -> dict:
    """Train, score and activate a first-purchase version (queued after each LTV training, or
    by an admin). A run the data cannot support ends 'failed' with the reason."""
    try:
        version = first_purchase.train_first_purchase(
            version_id, as_of=dt.date.fromisoformat(as_of) if as_of else None, request=request
        )
    except ServiceError as exc:
        log.warning("first-purchase training %s not done: %s", version_id, exc.message)
        return {"version_id": version_id, "status": "failed", "error": exc.message}
    return {"version_id": version.id, "status": version.status, "algorithm": version.algorithm}


@renamed_task(
    "workers.tasks.predictions.activate_version",
    former="workers.tasks.models.activate_version",
    acks_late=True,
)
def activate_version(version_id: int) -> dict:
    """Carry out an admin's request to activate a version: every customer's predictions are
    rewritten in this task's transaction; a request overtaken by a later one does nothing."""
    outcome = versions.carry_out_activation(version_id)
    log.info("model version %s activation: %s", version_id, outcome)
    return {"version_id": version_id, "outcome": outcome}


@renamed_task(
    "workers.tasks.predictions.resume_activations",
    former="workers.tasks.models.resume_activations",
)
def resume_activations() -> dict:
    """Carry out activation requests still pending ten minutes after they were made."""
    outcomes = versions.resume_activations()
    for version_id, outcome in outcomes.items():
        log.warning("model version %s activation resumed: %s", version_id, outcome)
    return {str(k): v for k, v in outcomes.items()}


@renamed_task(
    "workers.tasks.predictions.measure_drift",
    former="workers.tasks.models.measure_drift",
)
def measure_drift() -> dict:
    """Predicted vs realized revenue of the cohorts that matured, for every ready LTV version."""
    return {str(k): v for k, v in drift.measure_drift().items()}


@renamed_task(
    "workers.tasks.predictions.refresh_customer_data",
    former="workers.tasks.models.refresh_customer_data",
)
def refresh_customer_data() -> dict:
    """Link customers to campaigns synced since they were loaded; re-convert revenue whose
    exchange rate has arrived or changed."""
    return versions.prepare_data()
