"""The read model's SQL files: split into whole statements (function bodies keep their own
semicolons), and the database has every trigger they and `data_change_triggers` define."""

from __future__ import annotations

import re

from sqlalchemy import text

from backend.services import roi_sql


def test_a_sql_file_splits_into_its_statements():
    statements = roi_sql.statements("data_changes")
    created = [re.search(r"CREATE FUNCTION (\w+)", s).group(1) for s in statements]
    assert created == ["record_roi_data_change", "roi_data_changed", "roi_rows_changed"]
    assert all(s.rstrip().endswith("END $$") for s in statements)


def test_the_migrated_database_has_every_data_change_trigger(db):
    names = {s.split()[2] for s in roi_sql.data_change_triggers()}
    found = set(
        db.session.execute(
            text("SELECT tgname FROM pg_trigger WHERE tgname LIKE '%\\_roi\\_%'")
        ).scalars()
    )
    assert names <= found
    assert {s.split()[2] for s in roi_sql.drop_data_change_triggers()} == names
