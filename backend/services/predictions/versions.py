"""Model versions: their life (created as 'training' and queued, claimed by the worker that
trains them, marked 'failed' with the error), listing, activation (one active version per kind),
and the data upkeep that runs before a training (campaign links, revenue conversions).

Activating an LTV or churn version builds the ROI read model's prediction sums for the new pair
of active versions at commit (`roi/sql/prediction_sums.py`: grouped inserts of every customer's
predictions, seconds to a minute at a million customers; a first-purchase version's outputs
are read where they are used), so an admin's request is recorded and answered at once and
carried out by a worker. Each version
keeps the time it was last asked to become active (or made active by a training or an import);
a request that reaches a worker after a later one of the same kind does nothing."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from backend.celery_app import answer_as_queued, send_task
from backend.errors import Conflict, Invalid, NotFound
from backend.extensions import db
from backend.models import ModelDrift, ModelKind, ModelStatus, ModelVersion
from backend.models.types import utcnow
from backend.services import audit
from backend.services.customers.fx import refresh_revenue_conversion
from backend.services.customers.merging import resolve_campaigns
from backend.services.transaction import unit_of_work


def new_version(kind: ModelKind, algorithm: str = "pending") -> ModelVersion:
    """A version of `kind` in 'training', added to the session (not committed)."""
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


def queue_training(
    actor, kind: ModelKind, task: str, task_args: tuple, audit_details: dict[str, Any]
) -> ModelVersion:
    """Create a `kind` version in 'training' and queue `task` for it with `task_args` followed by
    a token only this request knows (a stale message can never train another version). An
    actor's request is audited; None is a training queued by another (nobody asked for it)."""
    version = new_version(kind)
    request = secrets.token_hex(8)
    as_of = audit_details.get("as_of")
    version.params = {"request": request, "as_of": as_of.isoformat() if as_of else None}
    db.session.flush()
    if actor is not None:
        audit.record(actor, "model_version.train", "model_version", version.id, None, audit_details)
    db.session.commit()  # before the task is sent: the worker must find the version
    answer_as_queued(version)
    send_task(current_app, task, version.id, *task_args, request)
    return version


def claim(kind: ModelKind, version_id: int | None, request: str | None) -> ModelVersion:
    """The version a training works on: a new `kind` version, or the requested one (`version_id`
    with its `request` token), which must still be 'training'."""
    if version_id is None:
        version = new_version(kind)
        # committed at once: the version shows as 'training' meanwhile, and a failure can mark
        # it 'failed' after the training's rollback
        db.session.commit()
        return version
    version = db.session.get(ModelVersion, version_id)
    if (
        version is None
        or version.kind != kind.value
        or (request is not None and version.params.get("request") != request)
    ):
        raise NotFound(f"no {kind.value} model version {version_id} requested as {request}")
    if version.status != ModelStatus.TRAINING:
        raise Invalid(f"model version {version_id} is {version.status}, not training")
    return version


def mark_failed(version_id: int, exc: Exception) -> None:
    """Mark a version 'failed' with the error (after the training's rollback)."""
    version = db.session.get(ModelVersion, version_id)
    if version is None:
        return
    message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
    with unit_of_work():
        version.status = ModelStatus.FAILED
        version.metrics = {"error": message[:2000]}
        version.trained_at = dt.datetime.now(dt.UTC)


def list_versions(kind: str | None = None, limit: int = 100) -> list[ModelVersion]:
    """Newest first."""
    query = select(ModelVersion).order_by(ModelVersion.id.desc()).limit(limit)
    if kind:
        query = query.where(ModelVersion.kind == kind)
    return list(db.session.scalars(query))


def get_version(version_id: int) -> ModelVersion:
    version = db.session.get(ModelVersion, version_id)
    if version is None:
        raise NotFound(f"no model version {version_id}")
    return version


def active_version(kind: ModelKind) -> ModelVersion | None:
    return db.session.scalar(
        select(ModelVersion).where(ModelVersion.kind == kind, ModelVersion.is_active.is_(True))
    )


def drift_of(version_id: int) -> list[ModelDrift]:
    get_version(version_id)
    query = (
        select(ModelDrift)
        .where(ModelDrift.model_version_id == version_id)
        .order_by(ModelDrift.horizon_days, ModelDrift.cohort_date)
    )
    return list(db.session.scalars(query))


ACTIVATE_TASK = "workers.tasks.predictions.activate_version"


def _check_ready(version: ModelVersion) -> None:
    if version.status != ModelStatus.READY:
        raise Conflict(
            f"model version {version.id} is {version.status}; only a ready one can be activated"
        )


def _lock_kind(kind: str) -> None:
    """Lock every version of a kind: activations of one kind happen one at a time."""
    db.session.execute(select(ModelVersion.id).where(ModelVersion.kind == kind).with_for_update())


def _make_active(version: ModelVersion) -> None:
    """Within the caller's transaction: a ready `version` becomes its kind's only active
    version, as requested now (a training or an import)."""
    _check_ready(version)
    _lock_kind(version.kind)
    _switch_active(version, utcnow())


def _switch_active(version: ModelVersion, requested_at: dt.datetime) -> None:
    """The kind's other versions off, `version` on (the kind locked, the version ready)."""
    db.session.execute(
        update(ModelVersion)
        .where(ModelVersion.kind == version.kind, ModelVersion.id != version.id)
        .values(is_active=False)
    )
    db.session.flush()
    version.is_active = True
    version.activation_requested_at = requested_at
    db.session.flush()


def request_activation(actor, version_id: int) -> ModelVersion:
    """Ask for a ready version to become the active one of its kind (audited), and queue the
    activation for a worker. Answers the version as requested (detached before the task leaves,
    so that the worker cannot change what the caller is told)."""
    version = record_activation_request(actor, version_id)
    answer_as_queued(version)
    send_task(current_app, ACTIVATE_TASK, version.id)
    return version


def record_activation_request(actor, version_id: int) -> ModelVersion:
    """The request itself, committed and audited: what `carry_out_activation` will act on."""
    version = get_version(version_id)
    _check_ready(version)
    before = active_version(ModelKind(version.kind))
    version.activation_requested_at = utcnow()
    audit.record(
        actor,
        "model_version.activate",
        "model_version",
        version.id,
        {"active_version_id": before.id if before else None},
        {
            "active_version_id": version.id,
            "kind": version.kind,
            "requested_at": version.activation_requested_at.isoformat(),
        },
    )
    db.session.commit()
    return version


def carry_out_activation(version_id: int) -> str:
    """The worker's side of a request, committed: 'activated'; or, doing nothing, 'active'
    (already), 'superseded' (a later request, training or import of the kind came first),
    'not_ready', 'not_requested' or 'gone'. Running it again changes nothing."""
    version = db.session.get(ModelVersion, version_id)
    if version is None:
        return "gone"
    _lock_kind(version.kind)
    db.session.refresh(version)
    requested = version.activation_requested_at
    later = select(ModelVersion.id).where(
        ModelVersion.kind == version.kind,
        ModelVersion.id != version.id,
        ModelVersion.activation_requested_at > requested,
    )
    if version.is_active:
        outcome = "active"
    elif version.status != ModelStatus.READY:
        outcome = "not_ready"
    elif requested is None:
        outcome = "not_requested"
    elif db.session.scalar(later.limit(1)) is not None:
        outcome = "superseded"
    else:
        _switch_active(version, requested)
        outcome = "activated"
    db.session.commit()
    return outcome


def stalled_activations(older_than: dt.timedelta = dt.timedelta(minutes=10)) -> list[int]:
    """Versions whose request is the latest of their kind, still not carried out that long
    after it was made (its task lost, say the broker was down when it was sent)."""
    requested_at = ModelVersion.activation_requested_at
    latest = (
        select(ModelVersion.id, ModelVersion.is_active, ModelVersion.status, requested_at)
        .where(requested_at.is_not(None))
        .order_by(ModelVersion.kind, requested_at.desc())
        .distinct(ModelVersion.kind)
    )
    before = utcnow() - older_than
    return [
        version_id
        for version_id, active, status, requested in db.session.execute(latest)
        if not active and status == ModelStatus.READY and requested <= before
    ]


def resume_activations(older_than: dt.timedelta = dt.timedelta(minutes=10)) -> dict[int, str]:
    """Carry out the stalled requests (beat, every few minutes): version id -> outcome."""
    return {v: carry_out_activation(v) for v in stalled_activations(older_than)}


def activate_pair(*versions: ModelVersion) -> None:
    """Activate freshly trained versions (the caller commits and audits)."""
    for version in versions:
        _make_active(version)


def prepare_data() -> dict[str, int]:
    """Link customers to campaigns synced since they were loaded, and re-convert revenue whose
    rate has arrived or changed since; committed."""
    cursor = db.session.connection().connection.cursor()
    linked = resolve_campaigns(cursor)
    converted = refresh_revenue_conversion()
    db.session.commit()
    return {"customers_linked_to_campaigns": linked, "revenue_events_reconverted": converted}
