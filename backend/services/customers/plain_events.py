"""The in-app events the bulk ways take (bulk.py), a block of columns at a time from a CSV file
or JSON items (event_sources.py; Arrow and NumPy, compiled code, beside the database rather than
one record at a time in Python): stripped, checked, given their customers' ids and streamed by
COPY into a table of customer_events' columns.

The form they take (as patterns of PostgreSQL's typed input and Arrow's RE2, accepting only what
records.py's parsers accept, and storing what they store): ids and names without control
characters, quotes or backslashes, spaces around a value stripped; an ISO 8601 date or date and
time of the years 2001-2099 ('T' or a space between, seconds optional, an offset as Z, +hh,
+hhmm or +hh:mm, or none for UTC); a decimal value (a sign, up to 14 digits and 6 decimals);
properties that start and end as a JSON object (PostgreSQL's jsonb input judges the rest);
customers already loaded. Anything else raises NotPlain (or Arrow's or PostgreSQL's own error)
and the load takes the full parse (loading.py), which loads it or names each problem by line or
item and field.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np
import psycopg2
import psycopg2.errors
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

# Python's str.strip() whitespace, which the full parse strips (RE2 syntax)
_SPACE = r"\s\x0b\x1c-\x1f\x85\xa0\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
_SPACE_CHARS = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_NOT = rf"\x00-\x1f\x7f\\\"{_SPACE}"  # nor a quote: CSV readers differ on quotes inside values
_PLAIN_ID = rf"^[^{_NOT}](?:[^\x00-\x1f\x7f\\\"]{{0,253}}[^{_NOT}])?$"
_PLAIN_NAME = rf"^[^{_NOT}](?:[^\x00-\x1f\x7f\\\"]{{0,126}}[^{_NOT}])?$"
# hours below 24 and seconds below 60: PostgreSQL takes 24:00:00 and leap seconds, Python not
_PLAIN_TIME = (
    r"^20(?:0[1-9]|[1-9]\d)-\d\d-\d\d(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?"
    r"(?:Z|[+-](?:0\d|1[0-4])(?::?[0-5]\d)?)?)?$"
)
_PLAIN_NUMBER = r"^(?:[+-]?(?:\d{1,14}(?:\.\d{0,6})?|\.\d{1,6}))?$"
_PLAIN_PROPERTIES = r"(?s)^(?:\{.*\})?$"
_PLAIN = {
    "event_id": _PLAIN_ID,
    "customer_id": _PLAIN_ID,
    "occurred_at": _PLAIN_TIME,
    "name": _PLAIN_NAME,
    "value": _PLAIN_NUMBER,
    "properties": _PLAIN_PROPERTIES,
}
T = TypeVar("T")
_NO_TEXT = pa.scalar(None, pa.string())
COLUMNS = ("event_id", "customer_id", "occurred_at", "name", "value", "properties")


class NotPlain(Exception):
    """The records are not for the bulk way; the full parse takes them."""


Columns = dict[str, pa.Array]


class EventSource(Protocol):
    """Events a bulk way reads (event_sources.py): the text of the columns the records name, a
    block at a time, from the start again after `rewind`."""

    rewindable: bool

    def rewind(self) -> None: ...

    def first_event_ids(self, count: int) -> list[str]: ...

    def blocks(self) -> Iterator[Columns]: ...


def copy_plain_events(cursor, source: EventSource, table: str, customers: CustomerIds) -> int:
    """COPY the events of `source`, checked and given their customers' ids, into `table`
    (customer_events' columns); the rows copied. NotPlain, or Arrow's or PostgreSQL's error,
    when they are not in the form this way takes."""
    chunks = _produced_ahead(_checked_chunks(source.blocks(), customers))
    reader = _ChunkReader(chunks)
    try:
        cursor.copy_expert(
            f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)", reader, 1 << 20
        )
    except psycopg2.errors.QueryCanceled:  # how psycopg2 reports a read that failed
        if reader.failure:
            raise reader.failure from None
        raise
    finally:
        chunks.close()  # the producing thread is done with the source before anyone rewinds it
    return reader.rows


class CustomerIds:
    """The id of each customer by its external id, in an open-addressing hash table built once
    with NumPy and searched a block at a time (pyarrow's index_in builds a hash set of every
    customer at each call: 2.2 s a block with 2.5M customers). External ids are compared as
    fixed-width bytes, so only ASCII ones: others take the full parse."""

    def __init__(self, cursor) -> None:
        out = io.BytesIO()
        cursor.copy_expert(
            "COPY (SELECT external_id, id FROM customers) TO STDOUT (FORMAT csv)", out
        )
        out.seek(0)
        table = pacsv.read_csv(
            out,
            read_options=pacsv.ReadOptions(column_names=["external_id", "id"]),
            convert_options=pacsv.ConvertOptions(
                column_types={"external_id": pa.string(), "id": pa.int64()},
                strings_can_be_null=False,
            ),
        )
        external = table["external_id"].combine_chunks()
        if len(external) == 0 or not pc.all(pc.string_is_ascii(external)).as_py():
            raise NotPlain("customer_id")
        self._width = -(-pc.max(pc.utf8_length(external)).as_py() // 8) * 8
        self._ids = table["id"].combine_chunks().to_numpy()
        self._keys = self._words(external)
        bits = (2 * len(external) - 1).bit_length()  # at most half full
        self._shift, self._mask = np.uint64(64 - bits), np.uint64((1 << bits) - 1)
        self._slots = np.full(1 << bits, -1, np.int64)
        start = self._start(self._keys)
        waiting, probe = np.arange(len(external)), np.uint64(0)
        while waiting.size:  # each round: the first of the keys wanting a free slot takes it
            slot = (start[waiting] + probe) & self._mask
            free = np.flatnonzero(self._slots[slot] == -1)
            taken, first = np.unique(slot[free], return_index=True)
            self._slots[taken] = waiting[free[first]]
            placed = np.zeros(waiting.size, bool)
            placed[free[first]] = True
            waiting, probe = waiting[~placed], probe + np.uint64(1)

    def _words(self, values: pa.Array) -> np.ndarray:
        """Each value as a row of 64-bit words (NUL-padded bytes)."""
        padded = pc.utf8_rpad(values, width=self._width, padding="\x00")
        flat = np.frombuffer(padded.buffers()[2], np.uint64, len(values) * self._width // 8)
        return flat.reshape(len(values), self._width // 8)

    def _start(self, words: np.ndarray) -> np.ndarray:
        """Each key's first slot (Fibonacci hashing: the product's high bits)."""
        hashed = np.zeros(len(words), np.uint64)
        for column in words.T:
            hashed = (hashed ^ column) * np.uint64(0x9E3779B97F4A7C15)
        return hashed >> self._shift

    def resolve(self, external: pa.Array) -> pa.Array:
        """The ids of `external`; NotPlain when one is not a customer's."""
        if len(external) == 0:
            return pa.array([], pa.int64())
        if not pc.all(pc.string_is_ascii(external)).as_py() or (
            pc.max(pc.utf8_length(external)).as_py() > self._width
        ):
            raise NotPlain("customer_id")
        wanted = self._words(external)
        start = self._start(wanted)
        found = np.empty(len(wanted), np.int64)
        looking, probe = np.arange(len(wanted)), np.uint64(0)
        while looking.size:
            slot = self._slots[(start[looking] + probe) & self._mask]
            if (slot < 0).any():  # an empty slot: not a customer
                raise NotPlain("customer_id")
            same = (self._keys[slot] == wanted[looking]).all(axis=1)
            found[looking[same]] = slot[same]
            looking, probe = looking[~same], probe + np.uint64(1)
        return pa.array(self._ids[found])


def _checked_chunks(
    blocks: Iterable[Columns], customers: CustomerIds
) -> Iterator[tuple[bytes, int]]:
    """(CSV for COPY, its rows), a block of columns at a time: values stripped as the full parse
    strips them, checked, customer ids resolved."""
    options = pacsv.WriteOptions(include_header=False)
    for block in blocks:
        columns = {}
        for name, column in block.items():
            column = pc.utf8_trim(column, characters=_SPACE_CHARS)
            if not pc.all(pc.match_substring_regex(column, _PLAIN[name])).as_py():
                raise NotPlain(name)
            columns[name] = column
        rows = len(columns["event_id"])
        columns["customer_id"] = customers.resolve(columns["customer_id"])
        for name in ("value", "properties"):
            if name in columns:
                column = columns[name]
                columns[name] = pc.if_else(pc.equal(column, ""), _NO_TEXT, column)
            else:
                columns[name] = pa.nulls(rows, pa.string())
        out = pa.BufferOutputStream()
        pacsv.write_csv(pa.table([columns[name] for name in COLUMNS], COLUMNS), out, options)
        yield out.getvalue().to_pybytes(), rows


_DONE = object()


def _produced_ahead(items: Iterator[T], depth: int = 4) -> Iterator[T]:
    """`items`, produced by a thread at most `depth` ahead: Arrow and NumPy release the GIL,
    so the next blocks are read, checked and resolved while COPY sends this one."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> None:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            for item in items:
                put(item)
                if stop.is_set():
                    return
        except BaseException as exc:  # handed to the consumer
            put(_Failed(exc))
            return
        put(_DONE)

    thread = threading.Thread(target=produce, name="events-bulk-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join()


@dataclass(frozen=True)
class _Failed:
    exc: BaseException


class _ChunkReader(io.RawIOBase):
    """A file COPY reads from: the next chunk at each read; counts the rows."""

    def __init__(self, chunks: Iterator[tuple[bytes, int]]) -> None:
        self._chunks = chunks
        self.rows = 0
        self.failure: Exception | None = None

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        try:
            for chunk, rows in self._chunks:
                self.rows += rows
                if chunk:
                    return chunk
        except (NotPlain, pa.ArrowException) as exc:
            self.failure = exc
            raise
        return b""
