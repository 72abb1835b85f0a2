"""Concurrent writers of the active prediction set's narrow tables
(`backend/services/roi/sql/prediction_sums.py`): two bulk writes of the outputs of an active
version inside their statements at once both commit (none is rolled back by a deadlock on the
narrow tables' lock) and leave the sums equal to those computed afresh. (Two bulk writes of
roi_customers at once wait first for the groups' own lock, taken by their trigger before the
predictions' one; two small ones for each other's rows of the groups.)"""

from __future__ import annotations

import threading
import time

import psycopg2
import pytest
from sqlalchemy import text

from backend.services.customers import load_customers_batch, load_revenue_batch
from backend.services.roi.sql import prediction_sums
from tests.backend.roi.test_customer_groups import (
    RandomWorld,
    _set_rebuild_rows,
    activate,
    assert_groups_current,
)

_NARROW = list(prediction_sums.TABLES.values())


def _url(db) -> str:
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _together(db, writes: list) -> list:
    """Runs `writes` (functions of a psycopg2 connection, each in its own transaction, committed
    after it) at once: a third transaction holds a SHARE lock on a narrow table until every
    writer waits for a lock, so that both are inside their statements' triggers together. The
    exception each raised, or None."""
    url = _url(db)
    blocker = psycopg2.connect(url)
    connections = [psycopg2.connect(url) for _ in writes]
    errors: list = [None] * len(writes)

    def run(i: int) -> None:
        try:
            with connections[i]:
                writes[i](connections[i].cursor())
        except Exception as exc:  # noqa: BLE001 (reported by the test)
            errors[i] = exc

    try:
        with blocker.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {_NARROW[0]} IN SHARE MODE")
            pids = [c.get_backend_pid() for c in connections]
            threads = [threading.Thread(target=run, args=(i,)) for i in range(len(writes))]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                cursor.execute(
                    "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND pid = ANY(%s)",
                    (pids,),
                )
                if cursor.fetchone()[0] == len(writes):
                    break
                time.sleep(0.02)
            else:
                raise AssertionError(f"the writers never waited together: {errors}")
        blocker.commit()
        for thread in threads:
            thread.join(120)
    finally:
        blocker.close()
        for connection in connections:
            connection.close()
    return errors


@pytest.fixture
def scored_world(db):
    """Scored customers with an active set; every write a bulk one."""
    world = RandomWorld(db, 50)
    world.customers = [f"u{i}" for i in range(40)]
    load_customers_batch([world.customer(u) for u in world.customers])
    load_revenue_batch(world.payments(40))
    ltv, churn = world.predictions("first", 0.9)
    activate(ltv.id)
    activate(churn.id)
    assert_groups_current(db)
    version_id = ltv.id
    _set_rebuild_rows(db, "0")
    yield world, version_id
    _set_rebuild_rows(db, None)


def _rescore(version_id: int, ids: list[str]):
    def write(cursor) -> None:
        cursor.execute(
            "UPDATE model_outputs o SET predicted_ltv_365 = o.predicted_ltv_365 + 1 "
            "FROM customers c WHERE c.id = o.customer_id AND c.external_id = ANY(%s) "
            "AND o.model_version_id = %s",
            (ids, version_id),
        )

    return write


def test_two_bulk_writes_of_an_active_versions_outputs_at_once_both_commit(db, scored_world):
    world, ltv = scored_world
    before = db.session.execute(
        text("SELECT sum(predicted_ltv_365) FROM model_outputs WHERE model_version_id = :v"),
        {"v": ltv},
    ).scalar_one()
    db.session.remove()
    halves = [world.customers[:20], world.customers[20:]]
    errors = _together(db, [_rescore(ltv, h) for h in halves])
    assert errors == [None, None]
    after = db.session.execute(
        text("SELECT sum(predicted_ltv_365) FROM model_outputs WHERE model_version_id = :v"),
        {"v": ltv},
    ).scalar_one()
    assert after > before
    assert_groups_current(db)
