"""Loading in-app events (CSV, JSON batch, upload, command): the contract of revenue events —
idempotent on the event id, a bad file named by line and field and nothing loaded, flat memory."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from backend.services.customers import (
    LoadRejected,
    load_customers_csv,
    load_events_batch,
    load_events_csv,
)

from .conftest import CUSTOMER_HEADER, csv_text, rows
from .test_memory import peak_bytes_loading

EVENT_HEADER = "event_id,customer_id,occurred_at,name,value,properties"
CUSTOMERS = csv_text(
    CUSTOMER_HEADER, "c1,2025-01-01T10:00:00Z,organic,,,,", "c2,2025-01-01T11:00:00Z,,,,,"
)
EVENTS = csv_text(
    EVENT_HEADER,
    "v1,c1,2025-01-01T10:00:05Z,app_open,,",
    'v2,c1,2025-01-01T10:03:00Z,level_up,3,"{""level"": 3, ""note"": ""a\\tb""}"',
    "v3,c2,2025-01-02T09:00:00+02:00,tutorial_complete,,{}",
)


@pytest.fixture
def customers(db):
    load_customers_csv(CUSTOMERS)


def event_rows(db) -> list:
    return rows(
        db,
        """SELECT e.event_id, c.external_id, e.occurred_at, e.name, e.value, e.properties
           FROM customer_events e JOIN customers c ON c.id = e.customer_id ORDER BY e.event_id""",
    )


def test_events_load_with_their_customer_value_and_properties(db, customers):
    result = load_events_csv(EVENTS)
    assert (result.kind, result.rows, result.inserted, result.updated) == ("events", 3, 3, 0)
    loaded = event_rows(db)
    assert [(r[0], r[1], r[3]) for r in loaded] == [
        ("v1", "c1", "app_open"),
        ("v2", "c1", "level_up"),
        ("v3", "c2", "tutorial_complete"),
    ]
    assert loaded[1][4] == 3 and loaded[1][5] == {"level": 3, "note": "a\tb"}
    assert loaded[0][4] is None and loaded[0][5] is None and loaded[2][5] == {}
    assert loaded[2][2] == dt.datetime(2025, 1, 2, 7, tzinfo=dt.UTC)


def test_loading_events_again_changes_nothing_and_a_changed_event_is_updated(db, customers):
    load_events_csv(EVENTS)
    again = load_events_csv(EVENTS)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    changed = load_events_csv(csv_text(EVENT_HEADER, "v1,c1,2025-01-01T10:00:05Z,app_close,,"))
    assert (changed.inserted, changed.updated) == (0, 1)
    assert rows(db, "SELECT count(*), min(name) FROM customer_events") == [(3, "app_close")]


def test_a_bad_events_file_names_each_line_and_field_and_loads_nothing(db, customers):
    bad = csv_text(
        EVENT_HEADER,
        "v1,c1,2025-01-01T10:00:05Z,app_open,,",
        "v2,c1,yesterday,,x,[1]",
        "v1,c1,2025-01-01T10:00:05Z,app_open,,",
        "v4,c9,2025-01-01T10:00:05Z,app_open,,",
        'v5,c1,2025-01-01T10:00:05Z,app_open,,"{bad"',
    )
    with pytest.raises(LoadRejected) as rejected:
        load_events_csv(bad)
    errors = rejected.value.errors
    assert set(errors["line 3"]) == {"occurred_at", "name", "value", "properties"}
    assert errors["line 3"]["properties"] == ["must be a JSON object"]
    assert errors["line 4"] == {"event_id": ["the same event_id as line 2"]}
    assert errors["line 5"] == {"customer_id": ["no such customer (load the customers first)"]}
    assert errors["line 6"] == {"properties": ["not valid JSON"]}
    assert "In-app events not loaded" in rejected.value.message
    assert rows(db, "SELECT count(*) FROM customer_events") == [(0,)]


def test_json_batches_take_properties_as_objects_and_name_items(db, customers):
    result = load_events_batch(
        [
            {
                "event_id": "b1",
                "customer_id": "c1",
                "occurred_at": "2025-01-01T10:00:00Z",
                "name": "purchase_intent",
                "value": 2.5,
                "properties": {"sku": "gold"},
            },
        ]
    )
    assert result.inserted == 1
    assert event_rows(db)[0][5] == {"sku": "gold"}
    with pytest.raises(LoadRejected) as rejected:
        load_events_batch([{"event_id": "b2", "customer_id": "c1", "name": "x"}, "no"])
    assert rejected.value.errors == {
        "item 0": {"occurred_at": ["required"]},
        "item 1": {"item": ["must be an object"]},
    }


def test_events_upload_batch_and_summary_through_the_api(finance, marketer, db):
    finance.post(
        "/api/customers/upload",
        data={"file": (io.BytesIO(CUSTOMERS.encode()), "c.csv")},
        content_type="multipart/form-data",
    )
    answer = finance.post(
        "/api/events/upload",
        data={"file": (io.BytesIO(EVENTS.encode()), "events.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["inserted"] == 3
    batch = {"events": [{"event_id": "v9", "customer_id": "c2", "occurred_at": "bad", "name": "x"}]}
    answer = finance.post("/api/events/batch", json=batch)
    assert answer.status_code == 422
    assert answer.json["errors"] == {
        "item 0": {"occurred_at": ["not an ISO 8601 date-time (e.g. 2025-03-01T14:05:00Z)"]}
    }
    assert marketer.post("/api/events/batch", json=batch).status_code == 403
    summary = marketer.get("/api/customers/summary").json
    assert summary["in_app_events"] == 3
    assert summary["last_in_app_event_at"].startswith("2025-01-02T07:00:00")


def test_the_load_events_command_reports_bad_lines(runner, db, customers, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(EVENTS)
    result = runner.invoke(args=["load-events", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 events rows: 3 inserted" in result.output
    path.write_text(csv_text(EVENT_HEADER, "v7,c1,2025-01-01T10:00:05Z,,,"))
    result = runner.invoke(args=["load-events", str(path)])
    assert result.exit_code != 0 and "line 2: name: required" in result.output


def event_line(number: int) -> str:
    return f"ev-{number},c{1 + number % 2},2025-01-01T10:{number % 60:02d}:00Z,session_start,,"


def test_events_stream_with_flat_memory(db, customers):
    small = peak_bytes_loading(10_000, load_events_csv, EVENT_HEADER, event_line)
    large = peak_bytes_loading(100_000, load_events_csv, EVENT_HEADER, event_line)
    assert large < small + 2_000_000, (small, large)


def test_plain_lines_and_lines_needing_the_full_parse_are_stored_alike(db, customers):
    load_events_csv(
        csv_text(
            EVENT_HEADER,
            "p1,c1,2025-01-01T12:00:00+02:00,open,1.50,",  # the plain form
            " p2 ,c1, 2025-01-01T10:00:00Z ,open , 1.5,",  # spaces: the full parse
        )
    )
    assert [r[2:5] for r in event_rows(db)] == [
        (dt.datetime(2025, 1, 1, 10, tzinfo=dt.UTC), "open", 1.5),
        (dt.datetime(2025, 1, 1, 10, tzinfo=dt.UTC), "open", 1.5),
    ]
    with pytest.raises(LoadRejected) as rejected:
        load_events_csv(csv_text(EVENT_HEADER, "p3,c1,2025-02-30T10:00:00Z,open,,"))
    assert list(rejected.value.errors["line 2"]) == ["occurred_at"]
