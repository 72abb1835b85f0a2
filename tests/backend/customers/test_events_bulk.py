"""The bulk way of an in-app events file (a plain file into an empty table): it loads what the
full parse would, leaves the table's keys and indexes as they were, and hands every other file
to the full parse untouched, which loads it or names its problems by line and field."""

from __future__ import annotations

import datetime as dt
import io

import psycopg2
import pytest

from backend.services.customers import LoadRejected, load_customers_csv, load_events_csv
from backend.services.customers.bulk import load_plain_events

from .conftest import CUSTOMER_HEADER, csv_text, rows

EVENT_HEADER = "event_id,customer_id,occurred_at,name,value,properties"
PLAIN = csv_text(
    EVENT_HEADER,
    "v1,c1,2025-01-01T10:00:05Z,app_open,,",
    'v2,c1,2025-01-01T12:03:00+02:00,level_up,3.25,"{""level"": 3}"',
    "v3,c2,2025-01-02T09:00:00.5,tutorial_complete,-1,",
)


@pytest.fixture
def customers(db):
    load_customers_csv(
        csv_text(
            CUSTOMER_HEADER, "c1,2025-01-01T10:00:00Z,organic,,,,", "c2,2025-01-01T11:00:00Z,,,,,"
        )
    )


def bulk_rows(db, text: str) -> int | None:
    """What the bulk way answers for `text`, in a transaction rolled back after."""
    stream = io.StringIO(text)
    cursor = db.session.connection().connection.cursor()
    try:
        cursor.execute("SET LOCAL TimeZone = 'UTC'")
        answer = load_plain_events(cursor, stream)
        if answer is None:
            assert stream.tell() == 0  # handed back at its start
        return answer
    finally:
        db.session.rollback()


def keys_and_indexes(db) -> list:
    return rows(
        db,
        """SELECT conname::text FROM pg_constraint WHERE conrelid = 'customer_events'::regclass
           UNION ALL
           SELECT indexname::text FROM pg_indexes WHERE tablename = 'customer_events'
           ORDER BY 1""",
    )


def test_a_plain_file_into_an_empty_table_loads_by_the_bulk_way(db, customers):
    assert bulk_rows(db, PLAIN) == 3
    before = keys_and_indexes(db)
    result = load_events_csv(PLAIN)
    assert (result.rows, result.inserted, result.updated) == (3, 3, 0)
    loaded = rows(
        db,
        """SELECT e.event_id, c.external_id, e.occurred_at, e.name, e.value, e.properties
           FROM customer_events e JOIN customers c ON c.id = e.customer_id ORDER BY 1""",
    )
    first = ("c1", dt.datetime(2025, 1, 1, 10, 0, 5, tzinfo=dt.UTC), "app_open", None, None)
    assert tuple(loaded[0][1:]) == first
    assert loaded[1][2] == dt.datetime(2025, 1, 1, 10, 3, tzinfo=dt.UTC)
    assert (loaded[1][4], loaded[1][5]) == (3.25, {"level": 3})
    assert loaded[2][2] == dt.datetime(2025, 1, 2, 9, 0, 0, 500000, tzinfo=dt.UTC)
    assert loaded[2][4] == -1
    assert keys_and_indexes(db) == before and len(before) == 4  # key and its index, fk, index


def test_the_keys_hold_after_a_bulk_load(db, customers):
    load_events_csv(PLAIN)
    cursor = db.session.connection().connection.cursor()
    with pytest.raises(psycopg2.IntegrityError):
        cursor.execute(
            "INSERT INTO customer_events (event_id, customer_id, occurred_at, name) "
            "SELECT 'v1', id, now(), 'x' FROM customers LIMIT 1"
        )
    db.session.rollback()
    with pytest.raises(psycopg2.IntegrityError):
        cursor = db.session.connection().connection.cursor()
        cursor.execute(
            "INSERT INTO customer_events (event_id, customer_id, occurred_at, name) "
            "VALUES ('v9', -1, now(), 'x')"
        )
    db.session.rollback()


NOT_A_TIME = ["not an ISO 8601 date-time (e.g. 2025-03-01T14:05:00Z)"]
NO_CUSTOMER = ["no such customer (load the customers first)"]


@pytest.mark.parametrize(
    ("line", "errors"),
    [
        ("v1,c1,2025-01-01T10:00:05Z,app_open,,", {"event_id": ["the same event_id as line 2"]}),
        ("v4,c9,2025-01-01T10:00:05Z,app_open,,", {"customer_id": NO_CUSTOMER}),
        ("v4,c1,2025-02-30T10:00:05Z,app_open,,", {"occurred_at": NOT_A_TIME}),
        ("v4,c1,2025-01-01T24:00:00Z,app_open,,", {"occurred_at": NOT_A_TIME}),
        ('v4,c1,2025-01-01T10:00:05Z,app_open,,"{bad"', {"properties": ["not valid JSON"]}),
        ("v4,c1,2025-01-01T10:00:05Z,app_open", {"row": ["4 fields where the header has 6"]}),
    ],
)  # fmt: skip
def test_a_plain_file_with_a_problem_goes_to_the_full_parse(db, customers, line, errors):
    bad = PLAIN + line + "\n"
    assert bulk_rows(db, bad) is None
    with pytest.raises(LoadRejected) as rejected:
        load_events_csv(bad)
    assert rejected.value.errors == {"line 5": errors}
    assert rows(db, "SELECT count(*) FROM customer_events") == [(0,)]
    assert len(keys_and_indexes(db)) == 4


@pytest.mark.parametrize(
    "line",
    [
        " v4,c1,2025-01-01T10:00:05Z,app_open,,",  # spaces around a value
        "v4,c1,2025-01-01 10:00:05,app_open,,",  # a space for the T
        "v4,c1,2025-01-01T10:00:05Z,app_open,1e3,",  # an exponent
        "",  # a blank line
    ],
)
def test_a_file_not_in_the_plain_form_loads_by_the_full_parse(db, customers, line):
    text = PLAIN + line + "\n"
    assert bulk_rows(db, text) is None
    result = load_events_csv(text)
    assert result.inserted == (3 if line == "" else 4)


def test_a_table_holding_events_takes_the_full_parse(db, customers):
    load_events_csv(csv_text(EVENT_HEADER, "v0,c1,2025-01-01T10:00:05Z,app_open,,"))
    assert bulk_rows(db, PLAIN) is None
