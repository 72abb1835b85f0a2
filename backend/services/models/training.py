"""Training and scoring: a time-split selection between the BTYD pair and gradient boosting
(analytics.ltv.select_model), a refit of the chosen kind on all data through the scoring date,
and the outputs of every customer — stored as an LTV version and a churn version.

Windows: data through `as_of` (default yesterday, UTC); the holdout is the last `holdout_days`
(default 90, at most a third of the history); candidates are fitted on the data before it. The
LTV version's metrics hold the chosen candidate's holdout metrics at the top level, both
candidates' under "candidates", per-platform holdout totals under "by_platform", and the churn
metrics under "churn"; the churn version holds the churn metrics.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import secrets
from dataclasses import dataclass
from typing import Any

import pandas as pd
from flask import current_app

from analytics.ltv import BOOSTING, BTYD, select_model, train_ltv_model
from analytics.ltv.columns import CUSTOMER_ID, PLATFORM
from analytics.ltv.selection import ACTUAL, ModelSelection
from backend.celery_app import answer_as_queued, send_task
from backend.errors import Invalid, NotFound
from backend.extensions import db
from backend.models import ModelKind, ModelStatus, ModelVersion
from backend.services import audit
from backend.services.models import outputs, versions
from backend.services.models.data import ModelInputs, read_model_inputs
from backend.services.models.scoring import CHURN_HORIZON_DAYS, score_customers

log = logging.getLogger("spendlens.models")
TRAIN_TASK = "workers.tasks.models.train_and_score"
MIN_CUSTOMERS = 200
MIN_HISTORY_DAYS = 21
DEFAULT_HOLDOUT_DAYS = 90


@dataclass(frozen=True)
class TrainedVersions:
    ltv: ModelVersion
    churn: ModelVersion


def request_training(
    actor, *, as_of: dt.date | None = None, holdout_days: int | None = None
) -> ModelVersion:
    """Create a version in 'training' and queue the training task for it (with a token only
    this request knows, so that a stale message can never train another version)."""
    version = _new_version(ModelKind.LTV, "pending")
    request = secrets.token_hex(8)
    version.params = {"request": request, "as_of": as_of.isoformat() if as_of else None}
    db.session.flush()
    audit.record(
        actor,
        "model_version.train",
        "model_version",
        version.id,
        None,
        {"as_of": as_of, "holdout_days": holdout_days},
    )
    db.session.commit()
    answer_as_queued(version)
    send_task(
        current_app,
        TRAIN_TASK,
        version.id,
        as_of.isoformat() if as_of else None,
        holdout_days,
        request,
    )
    return version


def train_and_score(
    version_id: int | None = None,
    *,
    as_of: dt.date | None = None,
    holdout_days: int | None = None,
    activate: bool = True,
    modified: bool = True,
    request: str | None = None,
) -> TrainedVersions:
    """Train, score and store (a new version, or the requested one: `version_id` with its
    `request` token); on failure the version is marked 'failed' with the error."""
    version = _claim(version_id, request)
    try:
        prepared = versions.prepare_data()
        as_of = as_of or dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
        inputs = read_model_inputs(as_of)
        trained = _train(version, inputs, holdout_days, modified)
        if activate:
            versions.activate_pair(trained.ltv, trained.churn)
        trained.ltv.params = {**trained.ltv.params, **prepared}
        db.session.commit()
        outputs.prune_old_outputs()
        db.session.commit()
        return trained
    except Exception as exc:
        db.session.rollback()
        _mark_failed(version.id, exc)
        raise


def _train(
    version: ModelVersion, inputs: ModelInputs, holdout_days: int | None, modified: bool
) -> TrainedVersions:
    calibration_end, holdout_days = _windows(inputs, holdout_days)
    selection = select_model(
        inputs.transactions,
        inputs.customers,
        pd.Timestamp(calibration_end),
        pd.Timestamp(inputs.as_of),
        modified=modified,
    )
    model = train_ltv_model(
        inputs.transactions,
        inputs.customers,
        pd.Timestamp(inputs.as_of),
        selection.chosen,
        modified=modified,
    )
    scores = score_customers(model, inputs)
    family = "mbgnbd" if modified else "bgnbd"
    version.algorithm = model.algorithm
    _set_windows(version, inputs, calibration_end)
    version.params = {
        **model.parameters(),
        "scored_as_of": inputs.as_of.isoformat(),
        "modified": modified,
        "churn_horizon_days": CHURN_HORIZON_DAYS,
        "customers": len(inputs.customers),
        "purchase_days": len(inputs.transactions),
        "events_without_rate": inputs.events_without_rate,
    }
    version.metrics = ltv_metrics(selection, inputs, holdout_days)
    churn = _new_version(ModelKind.CHURN, family)
    _set_windows(churn, inputs, calibration_end)
    churn.params = {
        "ltv_version_id": version.id,
        "horizon_days": CHURN_HORIZON_DAYS,
        "btyd": model.btyd.parameters(),
    }
    churn.metrics = {**json_ready(selection.metrics["churn"]), "holdout_days": holdout_days}
    db.session.flush()
    outputs.write_outputs(version.id, scores, ltv=True)
    outputs.write_outputs(churn.id, scores, ltv=False)
    now = dt.datetime.now(dt.UTC)
    for trained in (version, churn):
        trained.status, trained.trained_at = ModelStatus.READY, now
    log.info(
        "model version %s (%s) scored %s customers", version.id, version.algorithm, len(scores)
    )
    return TrainedVersions(version, churn)


def _windows(inputs: ModelInputs, holdout_days: int | None) -> tuple[dt.date, int]:
    first = inputs.first_acquisition
    history = (inputs.as_of - first).days + 1 if first else 0
    if history < MIN_HISTORY_DAYS:
        raise Invalid(
            f"{history} days of customer history; training needs at least {MIN_HISTORY_DAYS}",
            field="as_of",
        )
    holdout = holdout_days or min(DEFAULT_HOLDOUT_DAYS, history // 3)
    if not 7 <= holdout <= history // 2:
        raise Invalid(
            f"holdout_days must be between 7 and half the history ({history // 2})",
            field="holdout_days",
        )
    calibration_end = inputs.as_of - dt.timedelta(days=holdout)
    born = (inputs.customers["acquired_at"] < pd.Timestamp(calibration_end + dt.timedelta(1))).sum()
    if born < MIN_CUSTOMERS:
        raise Invalid(
            f"{born} customers acquired before the holdout; training needs at least "
            f"{MIN_CUSTOMERS}",
            field="as_of",
        )
    return calibration_end, holdout


def _set_windows(version: ModelVersion, inputs: ModelInputs, calibration_end: dt.date) -> None:
    version.training_start = inputs.first_acquisition
    version.training_end = calibration_end
    version.holdout_start = calibration_end + dt.timedelta(days=1)
    version.holdout_end = inputs.as_of


def ltv_metrics(selection: ModelSelection, inputs: ModelInputs, holdout_days: int) -> dict:
    """The chosen candidate's holdout metrics, both candidates', per-platform totals, churn."""
    platform = inputs.customers.set_index(CUSTOMER_ID)[PLATFORM].reindex(selection.holdout.index)
    columns = [c for c in (ACTUAL, BTYD, BOOSTING) if c in selection.holdout]
    totals = selection.holdout[columns].groupby(platform.fillna("(none)")).sum()
    by_platform = {
        str(name): {"actual": row[ACTUAL], "predicted": row[selection.chosen]}
        for name, row in totals.iterrows()
    }
    candidates = {k: v for k, v in selection.metrics.items() if k in (BTYD, BOOSTING)}
    return json_ready(
        {
            **selection.metrics[selection.chosen],
            "chosen": selection.chosen,
            "criterion": selection.criterion,
            "holdout_days": holdout_days,
            "holdout_customers": len(selection.holdout),
            "candidates": candidates,
            "by_platform": by_platform,
            "churn": {**selection.metrics["churn"], "horizon_days": holdout_days},
        }
    )


def json_ready(value: Any) -> Any:
    """NaN and infinities become None (JSONB refuses them); numpy numbers become floats."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _new_version(kind: ModelKind, algorithm: str) -> ModelVersion:
    version = ModelVersion(
        kind=kind.value,
        algorithm=algorithm,
        status=ModelStatus.TRAINING,
        is_active=False,
        params={},
        metrics={},
        source="spendlens",
    )
    db.session.add(version)
    return version


def _claim(version_id: int | None, request: str | None) -> ModelVersion:
    if version_id is None:
        version = _new_version(ModelKind.LTV, "pending")
        db.session.commit()
        return version
    version = db.session.get(ModelVersion, version_id)
    if version is None or (request is not None and version.params.get("request") != request):
        raise NotFound(f"no model version {version_id} requested as {request}")
    if version.status != ModelStatus.TRAINING:
        raise Invalid(f"model version {version_id} is {version.status}, not training")
    return version


def _mark_failed(version_id: int, exc: Exception) -> None:
    version = db.session.get(ModelVersion, version_id)
    if version is None:
        return
    message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
    version.status = ModelStatus.FAILED
    version.metrics = {"error": message[:2000]}
    version.trained_at = dt.datetime.now(dt.UTC)
    db.session.commit()
