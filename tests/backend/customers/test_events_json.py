"""In-app events from JSON (a batch through the API, a JSON array or JSON Lines file through the
`load-events` command): they take the bulk way and store what the full parse stores, a batch
sent again loads nothing twice, and a bad item anywhere is named by its index and field and
leaves the table as it was."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from backend.services.customers import (
    LoadRejected,
    bulk,
    event_sources,
    load_customers_csv,
    load_events_batch,
    load_events_csv,
    load_events_json,
)
from backend.services.customers.event_sources import JsonEvents

from .conftest import CUSTOMER_HEADER, csv_text
from .test_events_bulk import stored_events

CUSTOMERS = csv_text(
    CUSTOMER_HEADER, "c1,2025-01-01T10:00:00Z,organic,,,,", "c2,2025-01-01T11:00:00Z,,,,,"
)
ITEMS = [
    {"event_id": "j1", "customer_id": "c1", "occurred_at": "2025-01-01T10:00:05Z", "name": "open"},
    {
        "event_id": "j2",
        "customer_id": "c2",
        "occurred_at": "2025-01-01 12:03+02:00",
        "name": " level_up ",
        "value": 3.25,
        "properties": {"level": 3, "tags": ["a", "b"], "note": "x\ty"},
    },
    {
        "customer_id": "c1",
        "event_id": 17,
        "occurred_at": "2025-01-02",
        "name": "purchase_intent",
        "value": -2,
        "properties": None,
    },
]


@pytest.fixture
def customers(db):
    load_customers_csv(CUSTOMERS)


def bulk_rows(db, items: list) -> tuple[int, int, int] | None:
    cursor = db.session.connection().connection.cursor()
    try:
        cursor.execute("SET LOCAL TimeZone = 'UTC'")
        return bulk.load_plain_events(cursor, JsonEvents.of_list(items))
    finally:
        db.session.rollback()


def json_lines(items: list) -> str:
    return "".join(json.dumps(item) + "\n" for item in items)


@pytest.mark.parametrize("stored_first", [False, True])
def test_a_batch_takes_the_bulk_way_and_stores_what_the_full_parse_stores(
    db, customers, monkeypatch, stored_first
):
    if stored_first:  # the daily load: into a table holding events
        load_events_csv(csv_text("event_id,customer_id,occurred_at,name", "j0,c1,2025-01-01,x"))
    assert bulk_rows(db, ITEMS) == (3, 3, 0)
    assert load_events_batch(ITEMS).inserted == 3
    by_bulk = [r[:6] for r in stored_events(db)]
    assert by_bulk[-1][4:] == (3.25, {"level": 3, "tags": ["a", "b"], "note": "x\ty"})
    db.session.execute(db.text("DELETE FROM customer_events WHERE event_id IN ('j1', 'j2', '17')"))
    db.session.commit()
    monkeypatch.setattr(bulk, "load_plain_events", lambda cursor, source: None)
    assert load_events_batch(ITEMS).inserted == 3  # the full parse
    assert [r[:6] for r in stored_events(db)] == by_bulk


def test_a_batch_sent_again_through_the_api_loads_nothing_twice(finance, marketer, db):
    load_customers_csv(CUSTOMERS)
    first = finance.post("/api/events/batch", json={"events": ITEMS})
    assert first.status_code == 200, first.json
    assert (first.json["inserted"], first.json["unchanged"]) == (3, 0)
    before = stored_events(db)
    again = finance.post("/api/events/batch", json={"events": ITEMS})
    assert (again.json["rows"], again.json["inserted"], again.json["unchanged"]) == (3, 0, 3)
    assert stored_events(db) == before  # not even loaded_at
    assert marketer.post("/api/events/batch", json={"events": ITEMS}).status_code == 403


def test_a_bad_item_mid_batch_is_named_and_the_api_loads_nothing(finance, db):
    load_customers_csv(CUSTOMERS)
    finance.post("/api/events/batch", json={"events": ITEMS[:1]})
    before = stored_events(db)
    changed = dict(ITEMS[0], name="changed")
    bad = dict(ITEMS[1], event_id="j5", value="a lot")
    answer = finance.post("/api/events/batch", json={"events": [changed, ITEMS[2], bad, ITEMS[1]]})
    assert answer.status_code == 422
    assert answer.json["errors"] == {"item 2": {"value": ["not a number"]}}
    assert stored_events(db) == before


@pytest.mark.parametrize("form", ["jsonl", "json"])
def test_a_json_file_loads_through_the_command_and_again_changes_nothing(
    runner, db, customers, tmp_path, form
):
    path = tmp_path / f"events.{form}"
    path.write_text(json_lines(ITEMS) if form == "jsonl" else json.dumps(ITEMS, indent=2))
    result = runner.invoke(args=["load-events", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 events rows: 3 inserted, 0 updated, 0 unchanged" in result.output
    before = stored_events(db)
    again = runner.invoke(args=["load-events", str(path)])
    assert "3 events rows: 0 inserted, 0 updated, 3 unchanged" in again.output
    assert stored_events(db) == before


@pytest.mark.parametrize(
    ("third", "errors"),
    [
        (json.dumps(dict(ITEMS[1], event_id="j9", occurred_at="yesterday")),
         "item 2: occurred_at: not an ISO 8601 date-time"),
        (json.dumps(dict(ITEMS[1], event_id="j9", customer_id="c404")),
         "item 2: customer_id: no such customer"),
        (json.dumps(dict(ITEMS[1], event_id="j1")),
         "item 2: event_id: the same event_id as item 0"),
        ('{"event_id": "j9", "customer_id": ', "item 2: item: not valid JSON"),
    ],
)  # fmt: skip
def test_a_broken_json_file_mid_way_names_the_item_and_leaves_the_table_unchanged(
    runner, db, customers, tmp_path, third, errors
):
    load_events_batch([dict(ITEMS[0], name="as stored")])
    before = stored_events(db)
    text = json_lines([ITEMS[0], ITEMS[2]]) + third + "\n" + json_lines([ITEMS[1]])
    path = tmp_path / "events.jsonl"
    path.write_text(text)
    result = runner.invoke(args=["load-events", str(path)])
    assert result.exit_code != 0
    assert errors in result.output, result.output
    assert stored_events(db) == before


def test_a_json_array_not_closed_is_refused(db, customers, tmp_path):
    path = tmp_path / "events.json"
    path.write_text(json.dumps(ITEMS)[:-1])
    with path.open() as stream, pytest.raises(LoadRejected) as rejected:
        load_events_json(stream)
    assert rejected.value.errors == {
        "item 3": {"item": ["not valid JSON: parse error: premature EOF"]}
    }
    assert stored_events(db) == []


def test_a_json_file_streams_a_block_of_items_at_a_time(db, customers, tmp_path, monkeypatch):
    """The loader's Python heap holds a few blocks of items, whatever the file's length."""
    monkeypatch.setattr(event_sources, "BLOCK_ITEMS", 1_000)
    monkeypatch.setattr(event_sources, "_READ_CHARS", 1 << 16)  # the text read at a time

    def peak_loading(count: int, first: int) -> int:
        path = tmp_path / f"events-{count}.jsonl"
        with path.open("w") as out:
            for n in range(first, first + count):
                item = {"event_id": f"m{n}", "customer_id": f"c{1 + n % 2}", "name": "open"}
                out.write(json.dumps(item | {"occurred_at": "2025-01-01T10:00:00Z"}) + "\n")
        tracemalloc.start()
        try:
            with path.open() as stream:
                assert load_events_json(stream).inserted == count
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak_loading(10_000, 0), peak_loading(100_000, 10_000)
    assert large < small + 2_000_000, (small, large)


@pytest.mark.parametrize(
    ("form", "bad_name"),
    [("jsonl", b"level_\xff"), ("json", b"level_\xff"), ("jsonl", b"level_\\udcff")],
    ids=["jsonl-byte", "array-byte", "jsonl-escaped-surrogate"],
)
def test_a_json_file_that_is_not_utf8_is_named_and_loads_nothing(
    runner, db, customers, tmp_path, form, bad_name
):
    path = tmp_path / f"events.{form}"
    good, bad = json.dumps(ITEMS[0]).encode(), json.dumps(ITEMS[1]).encode()
    bad = bad.replace(b"level_up", bad_name)
    path.write_bytes(
        good + b"\n" + bad + b"\n" if form == "jsonl" else b"[" + good + b"," + bad + b"]"
    )
    result = runner.invoke(args=["load-events", str(path)])
    assert result.exit_code != 0
    assert "item 1: name: not valid UTF-8 text" in result.output, result.output
    assert stored_events(db) == []


@pytest.mark.parametrize("form", ["jsonl", "json"])
def test_a_json_file_with_a_byte_order_mark_loads(db, customers, tmp_path, form):
    path = tmp_path / f"events.{form}"
    text = json_lines(ITEMS) if form == "jsonl" else json.dumps(ITEMS)
    path.write_text("\ufeff" + text, encoding="utf-8")
    with path.open(encoding="utf-8") as stream:  # the mark stays in the text
        assert load_events_json(stream).inserted == 3


def test_text_after_a_json_array_is_named_after_its_last_item(db, customers, tmp_path):
    path = tmp_path / "events.json"
    path.write_text(json.dumps(ITEMS) + "\n{}")
    with path.open() as stream, pytest.raises(LoadRejected) as rejected:
        load_events_json(stream)
    assert rejected.value.errors == {
        "item 3": {"item": ["not valid JSON: parse error: trailing garbage"]}
    }
    assert stored_events(db) == []
