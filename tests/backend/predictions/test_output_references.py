"""model_outputs' references to customers and model versions, kept by statement-level triggers
(migration 0026) instead of per-row foreign keys: a write naming a missing customer or version
fails whole, deleting or truncating customers or versions deletes their outputs, and a delete
waits for the writers of outputs in flight, so that no output outlives what it names."""

from __future__ import annotations

import datetime as dt
import threading
import time

import psycopg2
import pytest
from psycopg2 import errors
from sqlalchemy import text

from backend.models import ModelKind, ModelStatus
from backend.services.customers import load_customers_batch
from backend.services.predictions import versions

INSERT = """
    INSERT INTO model_outputs (model_version_id, customer_id, predicted_ltv_30, predicted_ltv_90,
                               predicted_ltv_365)
    SELECT %(v)s, id, 1, 2, 3 FROM customers WHERE external_id = ANY(%(customers)s)
"""


@pytest.fixture
def stored(db):
    load_customers_batch(
        [{"customer_id": f"u{i}", "acquired_at": "2024-01-02T09:00:00Z"} for i in range(3)]
    )
    version = versions.new_version(ModelKind.LTV, "test")
    version.status, version.trained_at = ModelStatus.READY, dt.datetime.now(dt.UTC)
    db.session.commit()
    ids = dict(db.session.execute(text("SELECT external_id, id FROM customers")).all())
    return version.id, ids


def connect(db):
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg2.connect(url)


def outputs(db) -> list[tuple[int, int]]:
    db.session.rollback()
    rows = db.session.execute(text("SELECT model_version_id, customer_id FROM model_outputs"))
    return sorted(tuple(r) for r in rows)


def test_a_write_naming_a_missing_customer_or_version_fails_whole(db, stored):
    version, ids = stored
    conn = connect(db)
    try:
        with conn.cursor() as cursor:
            values = ", ".join(f"({version}, {i}, 1)" for i in [*ids.values(), 999_999])
            with pytest.raises(errors.ForeignKeyViolation, match="customer 999999"):
                cursor.execute(
                    "INSERT INTO model_outputs (model_version_id, customer_id, predicted_ltv_30) "
                    f"VALUES {values}"
                )
        conn.rollback()
        missing_version = pytest.raises(errors.ForeignKeyViolation, match="model version 424242")
        with conn.cursor() as cursor, missing_version:
            cursor.execute(INSERT, {"v": 424242, "customers": ["u0"]})
        conn.rollback()
        with conn.cursor() as cursor:
            cursor.execute(INSERT, {"v": version, "customers": ["u0"]})
            with pytest.raises(errors.ForeignKeyViolation, match="customer 999999"):
                cursor.execute("UPDATE model_outputs SET customer_id = 999999")
        conn.rollback()
    finally:
        conn.close()
    assert outputs(db) == []


def test_deleting_customers_or_versions_deletes_their_outputs(db, stored):
    version, ids = stored
    db.session.execute(text(INSERT.replace("%(v)s", ":v").replace("%(customers)s", ":c")),
                       {"v": version, "c": list(ids)})  # fmt: skip
    db.session.commit()
    assert len(outputs(db)) == 3
    db.session.execute(text("DELETE FROM customers WHERE external_id = 'u0'"))
    db.session.commit()
    assert outputs(db) == sorted((version, ids[u]) for u in ("u1", "u2"))
    db.session.execute(text("DELETE FROM model_versions WHERE id = :v"), {"v": version})
    db.session.commit()
    assert outputs(db) == []


def test_truncating_customers_deletes_every_output(db, stored):
    version, ids = stored
    db.session.execute(text(INSERT.replace("%(v)s", ":v").replace("%(customers)s", ":c")),
                       {"v": version, "c": list(ids)})  # fmt: skip
    db.session.commit()
    db.session.execute(text("TRUNCATE customers CASCADE"))
    db.session.commit()
    assert outputs(db) == []


def test_a_delete_waits_for_a_writer_of_outputs_in_flight(db, stored):
    """The writer's check found the customer; the delete must not commit in between and leave
    the writer's outputs naming a customer that is gone."""
    version, ids = stored
    writer, deleter, watcher = connect(db), connect(db), connect(db)
    watcher.autocommit = True
    try:
        with writer.cursor() as cursor:
            cursor.execute(INSERT, {"v": version, "customers": ["u0", "u1"]})  # not committed
        done = threading.Event()

        def delete() -> None:
            with deleter.cursor() as cursor:
                cursor.execute("DELETE FROM customers WHERE external_id = 'u0'")
            deleter.commit()
            done.set()

        thread = threading.Thread(target=delete)
        thread.start()
        waiting = False
        for _ in range(100):
            with watcher.cursor() as cursor:
                cursor.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                    (deleter.get_backend_pid(),),
                )
                waiting = cursor.fetchone()[0] == "Lock"
            if waiting:
                break
            time.sleep(0.05)
        assert waiting and not done.is_set()
        writer.commit()
        thread.join(timeout=30)
        assert done.is_set()
    finally:
        for conn in (writer, deleter, watcher):
            conn.close()
    assert outputs(db) == [(version, ids["u1"])]
