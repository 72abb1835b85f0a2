"""The predictions of the ROI read model kept apart from the customers' rows and groups
(`backend/services/roi/sql/prediction_sums.py`): a switch of the active LTV or churn version in
either order, back to an earlier version, the deletion of the active or an inactive version,
and a revenue load that moves scored customers between lifetime groups each leave one active
prediction set whose sums equal those computed afresh from roi_customers and the active
versions' outputs; an activation writes no customer's row and no group's row; and no trigger
runs per row on what a bulk load or an activation writes."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from backend.models import ModelKind
from backend.services.customers import load_customers_batch, load_revenue_batch
from backend.services.roi.sql import prediction_sums
from backend.services.roi.sql.customer_groups import AGGREGATES, COARSE
from tests.backend.roi.test_customer_groups import (
    RandomWorld,
    _rows,
    activate,
    assert_groups_current,
    empty_version,
    way,  # noqa: F401 (a fixture)
)


def _active_pair(db) -> tuple:
    return tuple(
        db.session.execute(
            text("SELECT ltv_version_id, churn_version_id FROM roi_prediction_sets WHERE active")
        ).one()
    )


def _predictions(db) -> list[tuple]:
    """Every customer's predictions and every group's prediction sums, as the reports read
    them."""
    out = _rows(db, "SELECT * FROM roi_customer_predictions")
    for view in prediction_sums.READ_VIEWS.values():
        out += _rows(db, f"SELECT * FROM {view}")
    return out


def _scored(world, db) -> None:
    load_customers_batch([world.customer(u) for u in world.customers])
    load_revenue_batch(world.payments(60))


@pytest.mark.parametrize("kind", [ModelKind.LTV, ModelKind.CHURN])
@pytest.mark.parametrize("order", ["outputs first", "active first"])
@pytest.mark.usefixtures("way")
def test_a_switch_of_one_kind_in_either_order_ends_as_computed_afresh(db, kind, order):
    world = RandomWorld(db, 40)
    _scored(world, db)
    ltv, churn = world.predictions("first", 0.7)
    activate(ltv.id)
    activate(churn.id)
    assert_groups_current(db)
    before = _predictions(db)
    second = dict(
        zip((ModelKind.LTV, ModelKind.CHURN), world.predictions("second", 0.6), strict=True)
    )
    if order == "outputs first":
        activate(second[kind].id)
    else:
        version = empty_version(db, kind)
        activate(version)
        assert_groups_current(db)
        db.session.execute(
            text(
                "INSERT INTO model_outputs (model_version_id, customer_id, predicted_ltv_30, "
                "predicted_ltv_90, predicted_ltv_365, churn_probability, p_alive) "
                "SELECT :new, customer_id, predicted_ltv_30, predicted_ltv_90, "
                "predicted_ltv_365, churn_probability, p_alive FROM model_outputs "
                "WHERE model_version_id = :old"
            ),
            {"new": version, "old": second[kind].id},
        )
        db.session.commit()
    assert_groups_current(db)
    after = _predictions(db)
    assert after != before
    pair = _active_pair(db)
    assert pair[kind != ModelKind.LTV] != (ltv.id, churn.id)[kind != ModelKind.LTV]


@pytest.mark.usefixtures("way")
def test_switching_back_to_an_earlier_version_brings_its_sums_back(db):
    world = RandomWorld(db, 41)
    _scored(world, db)
    first, _ = world.predictions("first", 0.8)
    activate(first.id)
    sums = _predictions(db)
    second, _ = world.predictions("second", 0.8)
    activate(second.id)
    assert_groups_current(db)
    assert _predictions(db) != sums
    activate(first.id)
    assert_groups_current(db)
    assert _predictions(db) == sums
    assert _active_pair(db) == (first.id, None)


@pytest.mark.usefixtures("way")
def test_deleting_the_active_version_leaves_the_sums_of_the_other_kind(db):
    world = RandomWorld(db, 42)
    _scored(world, db)
    ltv, churn = world.predictions("first", 0.8)
    activate(ltv.id)
    activate(churn.id)
    db.session.execute(text("DELETE FROM model_versions WHERE id = :v"), {"v": churn.id})
    db.session.commit()
    assert _active_pair(db) == (ltv.id, None)
    assert_groups_current(db)
    db.session.execute(text("DELETE FROM model_versions WHERE id = :v"), {"v": ltv.id})
    db.session.commit()
    assert _active_pair(db) == (None, None)
    assert_groups_current(db)
    scored = "SELECT count(*) FILTER (WHERE ltv_scored OR churn_probability IS NOT NULL) "
    assert db.session.execute(text(scored + "FROM roi_customer_predictions")).scalar_one() == 0
    for narrow in prediction_sums.TABLES.values():
        assert db.session.execute(text(f"SELECT count(*) FROM {narrow}")).scalar_one() == 0


@pytest.mark.usefixtures("way")
def test_deleting_an_inactive_version_changes_no_sum(db):
    world = RandomWorld(db, 43)
    _scored(world, db)
    ltv, churn = world.predictions("first", 0.8)
    old, _ = world.predictions("old", 0.8)
    activate(ltv.id)
    activate(churn.id)
    sets = _rows(db, "SELECT * FROM roi_prediction_sets")
    sums = _predictions(db)
    db.session.execute(text("DELETE FROM model_versions WHERE id = :v"), {"v": old.id})
    db.session.commit()
    assert _rows(db, "SELECT * FROM roi_prediction_sets") == sets
    assert _predictions(db) == sums
    assert_groups_current(db)


@pytest.mark.usefixtures("way")
def test_a_revenue_load_moves_the_churn_sums_between_lifetime_groups(db):
    world = RandomWorld(db, 44)
    world.customers = [f"u{i}" for i in range(40)]
    load_customers_batch([world.customer(u) for u in world.customers])
    load_revenue_batch(world.payments(20))
    ltv, churn = world.predictions("first", 0.9)
    activate(ltv.id)
    activate(churn.id)
    assert_groups_current(db)
    lifetimes = f"SELECT * FROM {prediction_sums.TABLES['roi_customer_lifetimes']}"
    before = _rows(db, lifetimes)
    load_revenue_batch(world.payments(40))  # later purchases: other last purchase days
    assert _rows(db, lifetimes) != before
    assert_groups_current(db)


def test_an_activation_writes_no_customer_row_and_no_group_row(db):
    world = RandomWorld(db, 45)
    _scored(world, db)
    ltv, churn = world.predictions("first", 0.8)
    tables = ("roi_customers", *AGGREGATES, *COARSE)
    written = " UNION ALL ".join(f"SELECT CAST(xmin AS text) FROM {t}" for t in tables)
    before = _rows(db, written)
    activate(ltv.id)
    activate(churn.id)
    assert _rows(db, written) == before
    assert_groups_current(db)


def test_no_trigger_runs_per_row_on_the_bulk_paths(db):
    tables = ("roi_customers", "model_outputs", *AGGREGATES, *COARSE,
              *prediction_sums.TABLES.values())  # fmt: skip
    per_row = db.session.execute(
        text(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
            "WHERE tgrelid = ANY(CAST(:t AS regclass[])) AND NOT tgisinternal "
            "AND tgtype & 1 = 1"
        ),
        {"t": list(tables)},
    ).all()
    assert per_row == []
