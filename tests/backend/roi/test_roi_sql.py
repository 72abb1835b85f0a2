"""The read model's SQL files: split into whole statements (function bodies keep their own
semicolons), and the database has every trigger they and `data_change_triggers` define."""

from __future__ import annotations

import re

from sqlalchemy import text

from backend.models import ModelVersion
from backend.services.roi import sql as roi_sql
from backend.services.roi.sql import roi_customers
from backend.services.roi.tables import REVENUE_CHECKPOINTS, RoiCustomer, revenue_column


def test_a_sql_file_splits_into_its_statements():
    statements = roi_sql.statements("data_changes")
    created = [re.search(r"CREATE (?:OR REPLACE )?FUNCTION (\w+)", s).group(1) for s in statements]
    assert created == ["record_roi_data_change", "roi_data_changed", "roi_rows_changed"]
    assert all(s.rstrip().endswith("END $$") for s in statements)


TRIGGERS = """
    SELECT t.tgname, p.proname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
    WHERE t.tgname LIKE '%\\_roi\\_%'
"""


def test_the_migrated_database_has_every_data_change_trigger(db):
    names = {s.split()[2] for s in roi_sql.data_change_triggers()}
    assert {s.split()[2] for s in roi_sql.drop_data_change_triggers()} == names
    found = dict(db.session.execute(text(TRIGGERS)).all())
    new_rows_only = {f"{table}_roi_insert" for table in roi_sql.NAMED_COLUMNS}
    assert set(found) == names - new_rows_only
    for table in roi_sql.DATED_TABLES:
        for event in ("insert", "update", "delete"):
            assert found[f"{table}_roi_{event}"] == "roi_days_changed"


CUSTOMERS = """
    INSERT INTO customers (external_id, acquired_at, acquisition_date, platform)
    SELECT 'u' || i, TIMESTAMPTZ '2024-01-01 10:00Z', DATE '2024-01-01', 'meta'
    FROM generate_series(1, :n) i
"""
OUTPUTS = """
    INSERT INTO model_outputs (model_version_id, customer_id, predicted_ltv_30, predicted_ltv_90,
                               predicted_ltv_365, churn_probability)
    SELECT :v, id, id, 2 * id, 3 * id, 0.25 FROM customers
"""
SCORED = """
    SELECT count(*) FROM roi_customer_predictions
    WHERE ltv_scored AND predicted_ltv_30 = customer_id AND predicted_ltv_365 = 3 * customer_id
      AND churn_probability = 0.25
"""


def scored_version(db, customers: int, active: bool) -> ModelVersion:
    """`customers` customers, and a version (active or not) with outputs for each, committed."""
    db.session.execute(text(CUSTOMERS), {"n": customers})
    version = ModelVersion(kind="ltv", algorithm="hgb", status="ready", is_active=active,
                           params={}, metrics={}, source="spendlens")  # fmt: skip
    db.session.add(version)
    db.session.flush()
    db.session.execute(text(OUTPUTS), {"v": version.id})
    db.session.commit()
    return version


def test_outputs_stored_under_an_active_version_reach_every_customer(db):
    scored_version(db, 3000, active=True)
    assert db.session.execute(text(SCORED)).scalar_one() == 3000


def test_activating_a_version_gives_every_customer_its_outputs(db):
    version = scored_version(db, 3000, active=False)
    assert db.session.execute(text(SCORED)).scalar_one() == 0
    version.is_active = True
    db.session.commit()
    assert db.session.execute(text(SCORED)).scalar_one() == 3000
    version.is_active = False
    db.session.commit()
    unscored = (
        "SELECT count(*) FROM roi_customer_predictions "
        "WHERE NOT ltv_scored AND predicted_ltv_30 IS NULL"
    )
    assert db.session.execute(text(unscored)).scalar_one() == 3000


def test_roi_customers_has_a_revenue_column_per_checkpoint():
    columns = {c.name for c in RoiCustomer.__table__.columns if c.name.startswith("revenue_")}
    assert columns == {revenue_column(n) for n in REVENUE_CHECKPOINTS}


def test_the_migrated_database_has_every_roi_customers_trigger(db):
    names = set(roi_customers.TRIGGERS) | set(roi_customers.COMMIT_TRIGGERS)
    found = set(db.session.execute(text("SELECT tgname FROM pg_trigger")).scalars())
    assert names <= found
