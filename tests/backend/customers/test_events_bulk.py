"""The bulk ways of an in-app events file in the plain form (into an empty table; into a table
holding events, merged by event id): they load what the full parse would, leave the table's keys
and indexes as they were, and hand every other file to the full parse untouched, which loads it
or names its problems by line and field."""

from __future__ import annotations

import datetime as dt
import io
import re

import psycopg2
import pytest

from backend.services.customers import LoadRejected, bulk, load_customers_csv, load_events_csv
from backend.services.customers.bulk import load_plain_events
from backend.services.customers.event_sources import CsvEvents

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


def bulk_rows(db, text: str) -> tuple[int, int, int] | None:
    """What the bulk way answers for `text` (rows, inserted, updated), in a transaction rolled
    back after."""
    stream = io.StringIO(text)
    cursor = db.session.connection().connection.cursor()
    try:
        cursor.execute("SET LOCAL TimeZone = 'UTC'")
        answer = load_plain_events(cursor, CsvEvents(stream))
        if answer is None:
            assert stream.tell() == 0  # handed back at its start
        return answer
    finally:
        db.session.rollback()


def keys_and_indexes(db) -> list:
    """The table's constraints, indexes and triggers (the check of its customers)."""
    return rows(
        db,
        """SELECT conname::text FROM pg_constraint WHERE conrelid = 'customer_events'::regclass
           UNION ALL
           SELECT indexname::text FROM pg_indexes WHERE tablename = 'customer_events'
           UNION ALL
           SELECT tgname::text || ' ' || tgenabled::text FROM pg_trigger
           WHERE tgrelid = 'customer_events'::regclass
           ORDER BY 1""",
    )


def test_a_plain_file_into_an_empty_table_loads_by_the_bulk_way(db, customers):
    assert bulk_rows(db, PLAIN) == (3, 3, 0)
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
    assert keys_and_indexes(db) == before and len(before) == 5  # key, its index, index,
    # the checks of customers on insert and update


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
    assert len(keys_and_indexes(db)) == 5


OTHER_FORMS = {
    "spaces around values": PLAIN + " v4 , c1 ,\t2025-01-01T10:00:05Z , app_open , 1.5 , \n",
    "a space for the T, no seconds": PLAIN + "v4,c1,2025-01-01 10:00,app_open,,\n",
    "a date alone": PLAIN + "v4,c1,2025-01-02,app_open,,\n",
    "offsets +hhmm and +hh": PLAIN
    + "v4,c1,2025-01-01T10:00+0530,app_open,,\nv5,c2,2025-01-01T10:00:00-03,app_open,,\n",
    "values with a sign or no digit before or after the point": PLAIN
    + "v4,c1,2025-01-01T10:00:05Z,app_open,+.5,\nv5,c1,2025-01-01T10:00:05Z,app_open,-7.,\n",
    "blank lines": PLAIN.replace("\nv2,", "\n\nv2,") + "\n\n",
    "every field quoted": PLAIN + '"v4","c1","2025-01-01T10:00:05Z","app_open","2",""\n',
    "properties over several lines": PLAIN
    + 'v4,c1,2025-01-01T10:00:05Z,app_open,,"{\n  ""a"": [1, 2],\n  ""b"": ""x,y""\n}"\n',
    "CRLF line ends": PLAIN.replace("\n", "\r\n"),
    "a byte order mark": "\ufeff" + PLAIN,
    "reordered columns without the optional ones": csv_text(
        "name,occurred_at, customer_id ,event_id",
        "app_open,2025-01-01T10:00:05Z,c1,v1",
        "level_up,2025-01-01T11:00:05Z,c2,v2",
    ),
}


@pytest.mark.parametrize("form", list(OTHER_FORMS))
def test_files_in_other_forms_take_the_bulk_way_and_store_what_the_full_parse_stores(
    db, customers, form
):
    text = OTHER_FORMS[form]
    lines = len(re.findall(r"\bv\d", text))  # the records' event ids
    assert bulk_rows(db, text) == (lines, lines, 0)
    assert load_events_csv(text).inserted == lines
    by_bulk = [r[:6] for r in stored_events(db)]
    db.session.execute(db.text("DELETE FROM customer_events"))
    db.session.commit()
    full = load_events_csv(io.StringIO(text, newline="").readlines())  # lines: the full parse
    assert full.inserted == lines
    assert [r[:6] for r in stored_events(db)] == by_bulk


@pytest.mark.parametrize(
    ("line", "errors"),
    [
        ("v4,c1,2025-01-01T10:00:05Z,app_open,1e3,", None),  # an exponent
        ('v4,c1,2025-01-01T10:00:05Z,"app ""open""",,', None),  # a quote inside a value
        ("v4,c1,2000-01-01T00:30:00+01:00,app_open,,",  # 1999 in UTC
         {"occurred_at": ["outside the years 2000-2100"]}),
    ],
)  # fmt: skip
def test_a_file_in_a_rarer_form_loads_by_the_full_parse(db, customers, line, errors):
    text = PLAIN + line + "\n"
    assert bulk_rows(db, text) is None
    if errors is None:
        assert load_events_csv(text).inserted == 4
    else:
        with pytest.raises(LoadRejected) as rejected:
            load_events_csv(text)
        assert rejected.value.errors == {"line 5": errors}


STORED = csv_text(
    EVENT_HEADER,
    "v0,c2,2024-12-31T23:00:00Z,app_open,,",
    "v1,c1,2025-01-01T10:00:05Z,app_open,,",
)


@pytest.fixture
def stored(db, customers):
    """A table already holding two events (v1 as in PLAIN)."""
    load_events_csv(STORED)


def stored_events(db) -> list:
    return rows(
        db,
        """SELECT e.event_id, c.external_id, e.occurred_at, e.name, e.value, e.properties,
                  e.loaded_at
           FROM customer_events e JOIN customers c ON c.id = e.customer_id ORDER BY 1""",
    )


def test_a_plain_file_into_a_table_holding_events_is_merged_by_the_bulk_way(db, stored):
    assert bulk_rows(db, PLAIN) == (3, 2, 0)  # v1 is stored as it is
    before = keys_and_indexes(db)
    result = load_events_csv(PLAIN)
    assert (result.rows, result.inserted, result.updated, result.unchanged) == (3, 2, 0, 1)
    loaded = stored_events(db)
    assert [r[0] for r in loaded] == ["v0", "v1", "v2", "v3"]
    assert loaded[2][1:6] == (
        "c1",
        dt.datetime(2025, 1, 1, 10, 3, tzinfo=dt.UTC),
        "level_up",
        3.25,
        {"level": 3},
    )
    assert keys_and_indexes(db) == before


def test_the_bulk_merge_stores_what_the_full_parse_stores(db, stored):
    load_events_csv(PLAIN)
    by_bulk = [r[:6] for r in stored_events(db)]
    db.session.execute(db.text("DELETE FROM customer_events WHERE event_id <> 'v0'"))
    db.session.commit()
    load_events_csv(io.StringIO(PLAIN).readlines())  # lines, not a file: the full parse
    assert [r[:6] for r in stored_events(db)] == by_bulk


def test_loading_again_with_an_overlap_changes_only_what_changed(db, stored):
    load_events_csv(PLAIN)
    before = stored_events(db)
    again = load_events_csv(PLAIN)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert stored_events(db) == before  # not even loaded_at
    overlap = csv_text(
        EVENT_HEADER,
        'v2,c1,2025-01-01T12:03:00+02:00,level_up,3.25,"{""level"": 3}"',  # as stored
        "v3,c2,2025-01-02T09:00:00.5,tutorial_complete,-2,",  # its value changed
        "v4,c2,2025-01-03T09:00:00Z,app_open,,",  # new
    )
    assert bulk_rows(db, overlap) == (3, 1, 1)
    result = load_events_csv(overlap)
    assert (result.inserted, result.updated, result.unchanged) == (1, 1, 1)
    after = {r[0]: r for r in stored_events(db)}
    assert len(after) == 5 and after["v3"][4] == -2 and after["v3"][6] > before[3][6]
    assert after["v2"] == before[2]


def problem_in_the_middle(line: str) -> str:
    """A file changing a stored event (v1) and adding one, with `line` between them."""
    return csv_text(
        EVENT_HEADER,
        "v1,c1,2025-01-01T10:00:05Z,app_close,,",
        "v5,c2,2025-01-01T10:00:05Z,app_open,,",
        line,
        "v6,c2,2025-01-01T10:00:05Z,app_open,,",
    )


@pytest.mark.parametrize(
    ("line", "errors"),
    [
        ("v5,c2,2025-01-01T10:00:05Z,app_open,,", {"event_id": ["the same event_id as line 3"]}),
        ("v4,c9,2025-01-01T10:00:05Z,app_open,,", {"customer_id": NO_CUSTOMER}),
        ("v4,c1,2025-02-30T10:00:05Z,app_open,,", {"occurred_at": NOT_A_TIME}),
        ('v4,c1,2025-01-01T10:00:05Z,app_open,,"{bad"', {"properties": ["not valid JSON"]}),
        ("v4,c1,2025-01-01T10:00:05Z,app_open", {"row": ["4 fields where the header has 6"]}),
    ],
)  # fmt: skip
def test_a_bad_line_in_the_middle_loads_nothing_into_a_table_holding_events(
    db, stored, line, errors
):
    before = stored_events(db)
    bad = problem_in_the_middle(line)
    assert bulk_rows(db, bad) is None
    with pytest.raises(LoadRejected) as rejected:
        load_events_csv(bad)
    assert rejected.value.errors == {"line 4": errors}
    assert stored_events(db) == before
    assert len(keys_and_indexes(db)) == 5


def test_an_event_id_given_twice_as_it_is_stored_is_refused(db, stored):
    """Both lines would leave the stored event as it is: the file is refused all the same."""
    twice = csv_text(EVENT_HEADER, *STORED.splitlines()[1:], *STORED.splitlines()[1:])
    assert bulk_rows(db, twice) is None
    with pytest.raises(LoadRejected) as rejected:
        load_events_csv(twice)
    assert rejected.value.errors == {
        "line 4": {"event_id": ["the same event_id as line 2"]},
        "line 5": {"event_id": ["the same event_id as line 3"]},
    }


def test_an_unknown_customer_is_named_by_its_line(db, stored):
    unknown = csv_text(
        EVENT_HEADER,
        "v7,c1,2025-01-01T10:00:05Z,app_open,,",
        "v8,nobody,2025-01-01T10:00:05Z,app_open,,",
        "v9,c2,2025-01-01T10:00:05Z,app_open,,",
    )
    with pytest.raises(LoadRejected) as rejected:
        load_events_csv(unknown)
    assert rejected.value.errors == {"line 3": {"customer_id": NO_CUSTOMER}}
    assert [r[0] for r in stored_events(db)] == ["v0", "v1"]


def test_a_large_file_is_merged_a_slice_at_a_time(db, stored, monkeypatch):
    monkeypatch.setattr(bulk, "SLICE_PAGES", 2)
    many = csv_text(
        EVENT_HEADER,
        "v1,c1,2025-01-01T10:00:05Z,app_close,,",
        *(f"m{n},c{1 + n % 2},2025-01-01T10:00:05Z,app_open,{n},{{}}" for n in range(3000)),
    )
    assert bulk_rows(db, many) == (3001, 3000, 1)
    result = load_events_csv(many)
    assert (result.inserted, result.updated) == (3000, 1)
    assert rows(db, "SELECT count(*), sum(value) FROM customer_events") == [
        (3002, sum(range(3000)))
    ]


NEW_ONLY = csv_text(EVENT_HEADER, *PLAIN.splitlines()[2:])  # v2 and v3: none stored


@pytest.mark.parametrize(("text", "counts", "staged"), [(NEW_ONLY, (2, 2, 0), False),
                                                         (PLAIN, (3, 2, 0), True)])  # fmt: skip
def test_new_events_go_straight_in_others_by_staging_and_readers_never_wait(
    db, stored, text, counts, staged
):
    cursor = db.session.connection().connection.cursor()
    cursor.execute("SET LOCAL TimeZone = 'UTC'")
    try:
        assert load_plain_events(cursor, CsvEvents(io.StringIO(text))) == counts
        cursor.execute("SELECT to_regclass('stage_plain_events') IS NOT NULL")
        assert cursor.fetchone()[0] is staged
        with db.engine.connect() as reader:
            reader.execute(db.text("SET lock_timeout = '1s'"))
            seen = reader.execute(db.text("SELECT count(*) FROM customer_events")).scalar()
        assert seen == 2  # what is committed, without waiting
    finally:
        db.session.rollback()
    result = load_events_csv(text)
    assert (result.inserted, result.updated) == counts[1:]
    assert [r[0] for r in stored_events(db)] == ["v0", "v1", "v2", "v3"]


@pytest.mark.parametrize("probe_lines", [1_000, 1])
def test_a_stored_event_after_new_ones_is_merged_whether_or_not_the_probe_sees_it(
    db, stored, monkeypatch, probe_lines
):
    """With one line probed the COPY straight into the table meets v1 and is undone."""
    monkeypatch.setattr(bulk, "PROBE_LINES", probe_lines)
    late = csv_text(
        EVENT_HEADER,
        "v5,c2,2025-01-03T09:00:00Z,app_open,,",
        "v1,c1,2025-01-01T10:00:05Z,app_close,,",  # stored as app_open
    )
    cursor = db.session.connection().connection.cursor()
    assert bulk._starts_stored(cursor, CsvEvents(io.StringIO(late))) is (probe_lines > 1)
    db.session.rollback()
    assert bulk_rows(db, late) == (2, 1, 1)
    result = load_events_csv(late)
    assert (result.inserted, result.updated) == (1, 1)
    assert [(r[0], r[3]) for r in stored_events(db)] == [
        ("v0", "app_open"),
        ("v1", "app_close"),
        ("v5", "app_open"),
    ]
