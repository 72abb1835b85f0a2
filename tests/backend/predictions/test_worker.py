"""An admin's training request goes by name through Redis to a real Celery worker process, which
trains, scores and activates the versions in the test database."""

from __future__ import annotations

import time

from backend.models import ModelVersion
from connectors.sandbox.generator import World

from .conftest import AS_OF, TODAY, load_sandbox_year, query

WAIT_SECONDS = 180


def wait_until_done(db, version_id: int) -> ModelVersion:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        db.session.expire_all()
        version = db.session.get(ModelVersion, version_id)
        if version.status != "training":
            return version
        db.session.rollback()
        time.sleep(0.5)
    raise AssertionError(f"version {version_id} still training after {WAIT_SECONDS}s")


def test_a_requested_training_runs_on_the_worker_and_activates_the_versions(
    celery_worker, admin, db
):
    load_sandbox_year(World(seed=7, today=TODAY), days=150, share_scale=0.1)
    answer = admin.post("/api/models/train", json={"as_of": AS_OF.isoformat(), "holdout_days": 30})
    assert answer.status_code == 202, answer.json
    assert answer.json["status"] == "training"
    version = wait_until_done(db, answer.json["id"])
    assert version.status == "ready", version.metrics
    assert version.is_active and version.holdout_end == AS_OF
    assert version.metrics["holdout_days"] == 30
    scored = query("SELECT count(*) FROM model_outputs WHERE model_version_id = :v", v=version.id)
    # every customer acquired by the scoring date (UTC; a late Los Angeles customer is not)
    assert scored == query("SELECT count(*) FROM customers WHERE acquisition_date <= :d", d=AS_OF)
    churn = query("SELECT status, is_active FROM model_versions WHERE kind = 'churn'")
    assert churn == [("ready", True)]
    requested = query("SELECT actor_email FROM audit_log WHERE action = 'model_version.train'")
    assert requested == [(admin.user.email,)]
