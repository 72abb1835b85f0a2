"""External outputs imported as versions of their own, activation (one active version per kind),
the models API, drift of an imported version, failed runs, and pruning old outputs."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from sqlalchemy.exc import IntegrityError

from backend.errors import Invalid
from backend.models import ModelVersion
from backend.services.customers import load_customers_csv, load_revenue_csv
from backend.services.customers.problems import LoadRejected
from backend.services.predictions import imports, outputs, training, versions
from backend.services.predictions.drift import measure_drift

from .conftest import query

CUSTOMERS = """customer_id,acquired_at,platform
c1,2025-01-06T10:00:00Z,meta
c2,2025-01-07T10:00:00Z,google_ads
c3,2025-03-03T10:00:00Z,meta
"""
REVENUE = """event_id,customer_id,occurred_at,amount,currency
e1,c1,2025-01-06T12:00:00Z,5,USD
e2,c1,2025-01-20T12:00:00Z,5,USD
e3,c2,2025-02-20T12:00:00Z,20,USD
"""
EXTERNAL = """customer_id,predicted_ltv_30,predicted_ltv_90,predicted_ltv_365,churn_probability
c1,9,12,30,0.4
c2,1,25,40,0.2
c3,2,4,8,
"""


@pytest.fixture
def loaded(db):
    load_customers_csv(CUSTOMERS)
    load_revenue_csv(REVENUE)


def import_file(body: str = EXTERNAL, name: str = "ds-team", **kwargs) -> list[ModelVersion]:
    return imports.import_outputs(io.StringIO(body), name, **kwargs)


def test_an_import_becomes_an_ltv_and_a_churn_version_of_its_own(loaded):
    ltv, churn = import_file()
    assert (ltv.kind, ltv.algorithm, ltv.source, ltv.status) == (
        "ltv",
        "external",
        "import:ds-team",
        "ready",
    )
    assert (churn.kind, churn.source) == ("churn", "import:ds-team")
    assert not ltv.is_active and not churn.is_active
    stored = query(
        """SELECT c.external_id, o.predicted_ltv_90, o.churn_probability FROM model_outputs o
           JOIN customers c ON c.id = o.customer_id WHERE o.model_version_id = :v
           ORDER BY 1""",
        v=ltv.id,
    )
    assert [(c, float(v), p if p is None else float(p)) for c, v, p in stored] == [
        ("c1", 12.0, 0.4),
        ("c2", 25.0, 0.2),
        ("c3", 4.0, None),
    ]


def test_an_import_without_churn_makes_only_an_ltv_version(loaded):
    body = "customer_id,predicted_ltv_30,predicted_ltv_90,predicted_ltv_365\nc1,1,2,3\n"
    assert [v.kind for v in import_file(body)] == ["ltv"]


def test_a_bad_import_names_line_and_field_and_imports_nothing(loaded):
    body = EXTERNAL + "c9,1,2,3,0.1\nc2,1,2,3,0.1\nc3,-1,2,x,1.5\n"
    with pytest.raises(LoadRejected) as rejected:
        import_file(body)
    assert rejected.value.errors == {
        "line 5": {"customer_id": ["no such customer (load the customers first)"]},
        "line 6": {"customer_id": ["the same customer_id as line 3"]},
        "line 7": {
            "predicted_ltv_30": ["must be a number of at least 0"],
            "predicted_ltv_365": ["not a number"],
            "churn_probability": ["must be between 0 and 1"],
        },
    }
    assert query("SELECT count(*) FROM model_versions") == [(0,)]


def test_an_import_needs_a_name_and_the_ltv_columns(loaded):
    with pytest.raises(Invalid):
        import_file(name="no spaces please")
    with pytest.raises(LoadRejected) as rejected:
        import_file("customer_id,predicted_ltv_30\nc1,1\n")
    assert set(rejected.value.errors["line 1"]) == {"predicted_ltv_90", "predicted_ltv_365"}


def test_only_one_version_per_kind_is_ever_active(loaded, db):
    first = import_file(name="first", activate=True)
    second = import_file(name="second", activate=True)
    active = query("SELECT id FROM model_versions WHERE is_active ORDER BY id")
    assert active == [(second[0].id,), (second[1].id,)]
    with pytest.raises(IntegrityError):
        db.session.execute(
            ModelVersion.__table__.update()
            .where(ModelVersion.id == first[0].id)
            .values(is_active=True)
        )
    db.session.rollback()


def wait_until_active(client, version_id: int, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        version = client.get(f"/api/models/{version_id}").json
        if version["is_active"]:
            return version
        time.sleep(0.2)
    raise AssertionError(f"version {version_id} not active after {timeout}s")


def test_the_api_lists_imports_and_a_worker_activates_versions(
    celery_worker, admin, marketer, loaded
):
    answer = admin.post(
        "/api/models/import",
        data={"file": (io.BytesIO(EXTERNAL.encode()), "scores.csv"), "name": "ds"},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 201, answer.json
    ltv_id = answer.json[0]["id"]
    listed = marketer.get("/api/models?kind=ltv").json
    assert [(v["id"], v["is_active"]) for v in listed] == [(ltv_id, False)]
    assert listed[0]["activation_requested_at"] is None
    answer = admin.post(f"/api/models/{ltv_id}/activate")
    # answered as requested; the real worker builds the new pair's prediction sums
    assert answer.status_code == 202, answer.json
    assert answer.json["is_active"] is False and answer.json["activation_requested_at"]
    active = wait_until_active(marketer, ltv_id)
    assert active["activation_requested_at"] == answer.json["activation_requested_at"]
    scored = query("SELECT count(*) FROM roi_customer_predictions WHERE ltv_scored")
    assert scored == [(3,)]
    assert marketer.post(f"/api/models/{ltv_id}/activate").status_code == 403
    entry = query("SELECT action, after FROM audit_log WHERE action = 'model_version.activate'")
    assert entry[0][1]["active_version_id"] == ltv_id


def test_of_two_activation_requests_the_later_wins_in_any_order(loaded):
    first, _ = import_file(name="first")
    second, _ = import_file(name="second")
    versions.record_activation_request(None, first.id)
    versions.record_activation_request(None, second.id)
    # the later request reaches a worker first: the earlier one, arriving after, does nothing
    assert versions.carry_out_activation(second.id) == "activated"
    assert versions.carry_out_activation(first.id) == "superseded"
    assert active_ltv() == second.id
    # in order: the earlier is overtaken all the same, the later is carried out
    versions.record_activation_request(None, first.id)
    versions.record_activation_request(None, second.id)
    assert versions.carry_out_activation(first.id) == "superseded"
    assert active_ltv() == second.id
    assert versions.carry_out_activation(second.id) == "active"
    # one after the other: each is carried out
    versions.record_activation_request(None, first.id)
    assert versions.carry_out_activation(first.id) == "activated"
    assert active_ltv() == first.id
    versions.record_activation_request(None, second.id)
    assert versions.carry_out_activation(second.id) == "activated"
    assert active_ltv() == second.id
    # carried out again (a redelivered task): nothing changes
    assert versions.carry_out_activation(second.id) == "active"
    assert versions.carry_out_activation(first.id) == "superseded"
    assert active_ltv() == second.id


def test_an_import_activated_after_a_request_overtakes_it(loaded):
    requested, _ = import_file(name="requested")
    versions.record_activation_request(None, requested.id)
    imported, _ = import_file(name="newer", activate=True)
    assert versions.carry_out_activation(requested.id) == "superseded"
    assert active_ltv() == imported.id
    versions.record_activation_request(None, requested.id)  # asked again: now the latest
    assert versions.carry_out_activation(requested.id) == "activated"
    assert active_ltv() == requested.id


def test_a_request_for_a_version_gone_or_failed_meanwhile_does_nothing(loaded, db):
    ltv, _ = import_file()
    versions.record_activation_request(None, ltv.id)
    db.session.execute(
        ModelVersion.__table__.update().where(ModelVersion.id == ltv.id).values(status="failed")
    )
    db.session.commit()
    assert versions.carry_out_activation(ltv.id) == "not_ready"
    assert versions.carry_out_activation(999999) == "gone"
    assert active_ltv() is None


def test_a_request_whose_task_was_lost_is_resumed_by_the_sweep(loaded, db):
    first, first_churn = import_file(name="first")
    second, _ = import_file(name="second")
    versions.record_activation_request(None, first.id)
    versions.record_activation_request(None, second.id)  # the latest; both tasks lost
    versions.record_activation_request(None, first_churn.id)
    assert versions.stalled_activations() == []  # just asked: their tasks may be on the way
    assert versions.resume_activations(dt.timedelta(0)) == {
        second.id: "activated",
        first_churn.id: "activated",
    }
    assert active_ltv() == second.id
    assert versions.resume_activations(dt.timedelta(0)) == {}  # nothing left


def active_ltv() -> int | None:
    rows = query("SELECT id FROM model_versions WHERE kind = 'ltv' AND is_active")
    return rows[0][0] if rows else None


def test_a_bad_import_upload_is_a_422(admin, loaded):
    answer = admin.post(
        "/api/models/import",
        data={"file": (io.BytesIO(b"customer_id,predicted_ltv_30\n"), "x.csv"), "name": "x"},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    assert "line 1" in answer.json["errors"]


def test_a_version_that_is_not_ready_cannot_be_activated(admin, db):
    version = ModelVersion(
        kind="ltv",
        algorithm="pending",
        status="failed",
        params={},
        metrics={"error": "x"},
        source="spendlens",
    )
    db.session.add(version)
    db.session.commit()
    assert admin.post(f"/api/models/{version.id}/activate").status_code == 409
    assert admin.post("/api/models/999999/activate").status_code == 404


def test_drift_of_an_imported_version_covers_every_mature_cohort(loaded, marketer):
    ltv, _ = import_file()
    measure_drift(through=dt.date(2025, 4, 30), version_ids=[ltv.id])
    drift = marketer.get(f"/api/models/{ltv.id}/drift").json
    assert [
        (d["cohort_date"], d["horizon_days"], d["customers"], d["predicted"], d["realized"])
        for d in drift
    ] == [
        ("2025-01-06", 30, 2, "10.000000", "10.000000"),
        ("2025-03-03", 30, 1, "2.000000", "0.000000"),
        ("2025-01-06", 90, 2, "37.000000", "30.000000"),
    ]


def test_a_training_without_enough_data_ends_failed_with_the_reason(loaded):
    with pytest.raises(Invalid):
        training.train_and_score(as_of=dt.date(2025, 3, 31))
    version = query("SELECT kind, status, metrics FROM model_versions")
    assert version[0][:2] == ("ltv", "failed")
    assert "training needs at least" in version[0][2]["error"]


def test_only_the_newest_inactive_versions_keep_their_outputs(loaded):
    versions = [import_file(name=f"v{n}")[0] for n in range(4)]
    from backend.extensions import db

    assert outputs.prune_old_outputs(kept=2) > 0
    db.session.commit()
    kept = {
        v
        for (v,) in query(
            "SELECT DISTINCT model_version_id FROM model_outputs WHERE predicted_ltv_30 IS NOT NULL"
        )
    }
    assert kept == {versions[2].id, versions[3].id}
