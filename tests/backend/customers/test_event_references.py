"""customer_events' reference to customers, kept by statement-level triggers (migration 0034)
instead of a per-row foreign key: a write naming a missing customer fails whole, and deleting
or truncating customers deletes their events."""

from __future__ import annotations

import pytest
from psycopg2 import errors
from sqlalchemy import text

from backend.services.customers import load_customers_csv, load_events_csv

from .conftest import CUSTOMER_HEADER, csv_text, rows

EVENTS = csv_text(
    "event_id,customer_id,occurred_at,name",
    "v1,c1,2025-01-01T10:00:05Z,app_open",
    "v2,c2,2025-01-01T10:00:05Z,app_open",
)


@pytest.fixture
def stored(db):
    load_customers_csv(
        csv_text(CUSTOMER_HEADER, "c1,2025-01-01T10:00:00Z,,,,,", "c2,2025-01-01T11:00:00Z,,,,,")
    )
    load_events_csv(EVENTS)


def events(db) -> list[str]:
    db.session.rollback()
    return [r[0] for r in rows(db, "SELECT event_id FROM customer_events ORDER BY 1")]


@pytest.mark.parametrize(
    "sql",
    [
        """INSERT INTO customer_events (event_id, customer_id, occurred_at, name)
           SELECT 'w' || id, id, now(), 'x' FROM customers
           UNION ALL SELECT 'v9', 999999, now(), 'x'""",
        "UPDATE customer_events SET customer_id = 999999 WHERE event_id = 'v2'",
    ],
)
def test_a_write_naming_a_missing_customer_fails_whole(db, stored, sql):
    cursor = db.session.connection().connection.cursor()
    with pytest.raises(errors.ForeignKeyViolation, match="customer 999999"):
        cursor.execute(sql)
    assert events(db) == ["v1", "v2"]


def test_deleting_or_truncating_customers_deletes_their_events(db, stored):
    db.session.execute(text("DELETE FROM customers WHERE external_id = 'c1'"))
    db.session.commit()
    assert events(db) == ["v2"]
    db.session.execute(text("TRUNCATE customers CASCADE"))
    db.session.commit()
    assert events(db) == []
