"""An admin's training request goes by name through Redis to a real Celery worker process, which
trains, scores and activates the versions in the test database."""

from __future__ import annotations

import time

from backend.models import ModelVersion
from connectors.sandbox.generator import World

from .conftest import AS_OF, TODAY, load_sandbox_year, query

WAIT_SECONDS = 180
#: The first-purchase backtest fits calibrated classifiers per horizon, kind and origin.
FIRST_PURCHASE_WAIT_SECONDS = 600


def wait_until_done(db, version_id: int, seconds: float = WAIT_SECONDS) -> ModelVersion:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        version = db.session.get(ModelVersion, version_id)
        if version.status != "training":
            return version
        db.session.rollback()
        time.sleep(0.5)
    raise AssertionError(f"version {version_id} still training after {seconds}s")


def queued_first_purchase(db) -> int:
    """The first-purchase version the LTV task queues once its versions are stored (a moment
    after they show 'ready': it measures drift first)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = query("SELECT id FROM model_versions WHERE kind = 'first_purchase'")
        if found:
            return found[0][0]
        db.session.rollback()
        time.sleep(0.5)
    raise AssertionError("the LTV training queued no first-purchase training")


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
    # the LTV training queued the first-purchase training (nobody asked: not audited)
    first_purchase = wait_until_done(db, queued_first_purchase(db), FIRST_PURCHASE_WAIT_SECONDS)
    assert first_purchase.status == "ready", first_purchase.metrics
    assert first_purchase.is_active and first_purchase.holdout_end == AS_OF
    assert set(first_purchase.metrics["by_age"]) == {"D1", "D3"}


def test_an_admin_queues_a_first_purchase_training_on_the_worker(celery_worker, admin, db):
    load_sandbox_year(World(seed=7, today=TODAY), days=150, share_scale=0.1)
    answer = admin.post("/api/models/first-purchase/train", json={"as_of": AS_OF.isoformat()})
    assert answer.status_code == 202, answer.json
    assert (answer.json["kind"], answer.json["status"]) == ("first_purchase", "training")
    version = wait_until_done(db, answer.json["id"], FIRST_PURCHASE_WAIT_SECONDS)
    assert version.status == "ready" and version.is_active, version.metrics
    scored = query("SELECT count(*) FROM model_outputs WHERE model_version_id = :v", v=version.id)
    assert scored[0][0] == version.params["scored_customers"] > 0
    requested = query("SELECT actor_email FROM audit_log WHERE action = 'model_version.train'")
    assert requested == [(admin.user.email,)]
