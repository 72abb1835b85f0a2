"""Loading customers, revenue events and in-app events from CSV files and JSON batches, in one
transaction.

Records are parsed and validated one at a time while they stream into PostgreSQL's COPY, into a
temporary staging table (constant memory, whatever the size of the file); checks that need the
whole load (an id given twice, an unknown ad account or customer) run in SQL on the staging
table. Any problem rolls the transaction back: a bad file loads nothing and is answered with
line numbers and field names. Otherwise the staging table is merged: a customer is keyed by its
external id and an event (revenue or in-app) by its event id, so loading the same data again
changes nothing (changed values are updated). Revenue is converted to the reporting currency on
the way in.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from backend.extensions import db
from backend.services import audit
from backend.services.customers import merging
from backend.services.customers.problems import LISTED, Problems
from backend.services.customers.records import CUSTOMERS, EVENTS, REVENUE, RecordLayout

#: Largest JSON batch; bigger loads are files.
MAX_BATCH_ITEMS = 10_000
_COPY_BATCH_LINES = 2_000


@dataclass(frozen=True)
class LoadResult:
    kind: str
    rows: int
    inserted: int
    updated: int

    @property
    def unchanged(self) -> int:
        return self.rows - self.inserted - self.updated

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def load_customers_csv(stream: IO[str] | str, *, actor=None, source: str = "csv") -> LoadResult:
    """Load a customers CSV (see records.py for the columns)."""
    problems = Problems("line")
    return _load(
        CUSTOMERS, csv_records(_text(stream), CUSTOMERS, problems), problems, actor, source
    )


def load_revenue_csv(stream: IO[str] | str, *, actor=None, source: str = "csv") -> LoadResult:
    """Load a revenue events CSV (see records.py for the columns)."""
    problems = Problems("line")
    return _load(REVENUE, csv_records(_text(stream), REVENUE, problems), problems, actor, source)


def load_events_csv(stream: IO[str] | str, *, actor=None, source: str = "csv") -> LoadResult:
    """Load an in-app events CSV (see records.py for the columns); it takes a bulk way
    (bulk.py) unless it has a problem, which the full parse names."""
    from backend.services.customers.event_sources import CsvEvents  # Arrow: only when loading

    problems = Problems("line")
    text = _text(stream)
    records = csv_records(text, EVENTS, problems)  # reads nothing until the full parse runs
    return _load_events(CsvEvents(text), records, problems, actor, source)


def load_events_json(stream: IO[str], *, actor=None, source: str = "json") -> LoadResult:
    """Load in-app events from a JSON file: an array of objects keyed like the CSV columns, or
    JSON Lines (one object a line); problems are named by item index from 0."""
    from backend.services.customers.event_sources import JsonEvents, json_items

    problems = Problems("item")
    records = batch_records(_reported_items(json_items(stream), problems), EVENTS, problems)
    return _load_events(JsonEvents.of_file(stream), records, problems, actor, source)


def _reported_items(items: Iterator[object], problems: Problems) -> Iterator[object]:
    """`items`, until text that is not JSON, whose problem goes to `problems`."""
    from backend.services.customers.event_sources import JsonTextProblem

    try:
        yield from items
    except JsonTextProblem as exc:
        problems.add(exc.index, {exc.field: [str(exc)]})


def _load_events(events, records, problems: Problems, actor, source: str) -> LoadResult:
    """Load in-app events by a bulk way, or by the full parse of `records` when it cannot."""
    from backend.services.customers.bulk import load_plain_events

    def bulk(cursor) -> tuple[int, int, int] | None:
        return load_plain_events(cursor, events)

    return _load(EVENTS, records, problems, actor, source, bulk=bulk)


def load_customers_batch(items: list, *, actor=None, source: str = "api") -> LoadResult:
    """Load a JSON batch of customers (objects keyed like the CSV columns)."""
    problems = Problems("item")
    return _load(CUSTOMERS, batch_records(items, CUSTOMERS, problems), problems, actor, source)


def load_revenue_batch(items: list, *, actor=None, source: str = "api") -> LoadResult:
    """Load a JSON batch of revenue events (objects keyed like the CSV columns)."""
    problems = Problems("item")
    return _load(REVENUE, batch_records(items, REVENUE, problems), problems, actor, source)


def _text(stream: IO[str] | str) -> IO[str]:
    return io.StringIO(stream) if isinstance(stream, str) else stream


def csv_records(
    stream: IO[str], layout: RecordLayout, problems: Problems
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, values by column) of each non-empty record; problems of the layout of the
    file (header, field counts, quoting, encoding) are added to `problems`."""
    reader = csv.reader(stream)
    try:
        header = [name.strip().lstrip("\ufeff") for name in next(reader)]
    except StopIteration:
        problems.add("file", {"file": ["the file is empty"]})
        return
    except (csv.Error, UnicodeDecodeError) as exc:
        problems.add(1, {"file": [_reading_problem(exc)]})
        return
    header_problems = layout.check_header(header)
    if header_problems:
        problems.add(1, header_problems)
        return
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            problems.add(start, {"file": [_reading_problem(exc)]})
            if isinstance(exc, UnicodeDecodeError):
                return
            start = reader.line_num + 1
            continue
        if not any(cell.strip() for cell in row):
            pass  # a blank line
        elif len(row) != len(header):
            found = f"{len(row)} fields where the header has {len(header)}"
            problems.add(start, {"row": [found]})
        else:
            yield start, dict(zip(header, row, strict=True))
        start = reader.line_num + 1


def _reading_problem(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "the file is not UTF-8 text"
    return f"not valid CSV: {exc}"


def batch_records(
    items: Iterable[object], layout: RecordLayout, problems: Problems
) -> Iterator[tuple[int, dict[str, str]]]:
    """(index, values by column as text) of each item of a JSON batch."""
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            problems.add(index, {"item": ["must be an object"]})
            continue
        values: dict[str, str] = {}
        item_problems: dict[str, list[str]] = {}
        for key, value in item.items():
            if key not in layout.columns:
                item_problems[str(key)] = ["unknown field; expected " + ", ".join(layout.columns)]
            elif value is None:
                values[key] = ""
            elif isinstance(value, str | int | float | Decimal) and not isinstance(value, bool):
                values[key] = str(value)
            elif isinstance(value, Mapping) and key in layout.json_columns:
                values[key] = json.dumps(value)
            else:
                item_problems[key] = ["must be a string or a number"]
        if item_problems:
            problems.add(index, item_problems)
        else:
            yield index, values


def valid_copy_lines(
    layout: RecordLayout, records: Iterable[tuple[int, Mapping[str, str]]], problems: Problems
) -> Iterator[str]:
    """COPY lines of the valid records; the problems of the others go to `problems`."""
    fast = layout.fast_values
    for number, values in records:
        plain = fast(values) if fast else None
        if plain is not None:
            yield f"{number}\t" + "\t".join(plain) + "\n"
            continue
        parsed, field_problems = layout.parse(values)
        if field_problems:
            problems.add(number, field_problems)
        else:
            yield layout.copy_line(number, parsed)


class LineStream(io.TextIOBase):
    """A file-like object COPY reads from: each read returns the next batch of lines."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        batch = []
        for line in self._lines:
            batch.append(line)
            if len(batch) >= _COPY_BATCH_LINES:
                break
        self.count += len(batch)
        return "".join(batch)

    readline = read


def copy_into_stage(
    cursor, layout: RecordLayout, records: Iterable[tuple[int, Mapping[str, str]]], problems
) -> LineStream:
    """Create the layout's staging table and stream the valid records into it."""
    layout.create_stage(cursor)
    stream = LineStream(valid_copy_lines(layout, records, problems))
    cursor.copy_expert(f"COPY {layout.stage_table} ({layout.stage_names}) FROM STDIN", stream)
    return stream


def _load(
    layout: RecordLayout,
    records: Iterable[tuple[int, Mapping[str, str]]],
    problems: Problems,
    actor,
    source: str,
    bulk: Callable[[Any], tuple[int, int, int] | None] | None = None,
) -> LoadResult:
    try:
        cursor = db.session.connection().connection.cursor()
        cursor.execute("SET LOCAL TimeZone = 'UTC'")
        # the whole-load checks sort and hash every staged key: in memory, not on disk
        cursor.execute("SET LOCAL work_mem = '64MB'")
        counts = bulk(cursor) if bulk else None
        if counts is not None:
            result = LoadResult(layout.name, *counts)
        else:
            result = _load_staged(cursor, layout, records, problems)
        audit.record(
            actor,
            f"{layout.name}.load",
            layout.table,
            None,
            None,
            {"source": source[:200], **result.as_dict()},
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def _load_staged(
    cursor, layout: RecordLayout, records: Iterable[tuple[int, Mapping[str, str]]], problems
) -> LoadResult:
    """The full parse: each record validated into the staging table, the whole-load checks,
    then the keyed merge."""
    stream = copy_into_stage(cursor, layout, records, problems)
    if problems.count < LISTED:
        merging.check_stage(cursor, layout, problems)
    if problems:
        raise problems.rejection(layout.label.capitalize())
    inserted, updated = merging.merge_stage(cursor, layout)
    return LoadResult(layout.name, stream.count, inserted, updated)


def load_events_batch(items: list, *, actor=None, source: str = "api") -> LoadResult:
    """Load a JSON batch of in-app events (objects keyed like the CSV columns; `properties` may
    be an object); it takes a bulk way (bulk.py) unless it has a problem, which the full parse
    names."""
    from backend.services.customers.event_sources import JsonEvents

    problems = Problems("item")
    records = batch_records(items, EVENTS, problems)
    return _load_events(JsonEvents.of_list(items), records, problems, actor, source)
