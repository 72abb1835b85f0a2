"""Model versions: listing, activation (one active version per kind), and the data upkeep that
runs before a training (campaign links, revenue conversions)."""

from __future__ import annotations

from sqlalchemy import select, update

from backend.errors import Conflict, NotFound
from backend.extensions import db
from backend.models import ModelDrift, ModelKind, ModelStatus, ModelVersion
from backend.services import audit
from backend.services.customers.fx import refresh_revenue_conversion
from backend.services.customers.merging import resolve_campaigns


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


def _make_active(version: ModelVersion) -> None:
    """Within the caller's transaction: `version` becomes its kind's only active version."""
    if version.status != ModelStatus.READY:
        raise Conflict(
            f"model version {version.id} is {version.status}; only a ready one can be activated"
        )
    db.session.execute(
        select(ModelVersion.id).where(ModelVersion.kind == version.kind).with_for_update()
    )
    db.session.execute(
        update(ModelVersion)
        .where(ModelVersion.kind == version.kind, ModelVersion.id != version.id)
        .values(is_active=False)
    )
    db.session.flush()
    version.is_active = True
    db.session.flush()


def activate(actor, version_id: int) -> ModelVersion:
    """Make a ready version the active one of its kind (audited)."""
    version = get_version(version_id)
    before = active_version(ModelKind(version.kind))
    _make_active(version)
    audit.record(
        actor,
        "model_version.activate",
        "model_version",
        version.id,
        {"active_version_id": before.id if before else None},
        {"active_version_id": version.id, "kind": version.kind},
    )
    db.session.commit()
    return version


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
