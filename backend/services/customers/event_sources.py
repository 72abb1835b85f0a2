"""Where the bulk ways (bulk.py) read in-app events from, a block of columns at a time: a CSV
file read by Apache Arrow (`CsvEvents`), or JSON items, a batch's list or a JSON array / JSON
Lines file read an item at a time (`JsonEvents`). Each gives the text of every column the
records name ("" for a value not given), may be read again from its start, and names no
problem: text it cannot give raises NotPlain, and the full parse (loading.py) reads the same
records again and names each problem by line or item and field."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import IO

import pyarrow as pa
import pyarrow.csv as pacsv

from backend.services.customers.plain_events import Columns, NotPlain
from backend.services.customers.records import EVENTS

#: Bytes of a CSV file Arrow reads and checks at a time (the memory of the load does not grow
#: with the file: about this much is held, times the few blocks in flight).
BLOCK_BYTES = 4 << 20
#: JSON items turned into columns at a time.
BLOCK_ITEMS = 20_000
#: Longest JSON item read (a longer one is not read whole: the full parse names it).
MAX_ITEM_CHARS = 16 << 20
_READ_CHARS = 1 << 20
_JSON_SPACE = " \t\n\r"


class CsvEvents:
    """An events CSV file (text stream), its records in blocks of Arrow columns."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    @property
    def rewindable(self) -> bool:
        seekable = getattr(self._stream, "seekable", None)  # a file, not an iterable of lines
        return bool(seekable and seekable())

    def rewind(self) -> None:
        self._stream.seek(0)

    def first_event_ids(self, count: int) -> list[str]:
        """The event ids of the first `count` records (fewer when the file is not read so);
        the stream back at its start."""
        try:
            records = list(csv.reader(itertools.islice(self._stream, count + 1)))
            column = _header(records[0]).index("event_id") if records else -1
            ids = [r[column].strip() for r in records[1:] if len(r) > column]
        except (csv.Error, ValueError, UnicodeDecodeError):
            ids = []  # not for this probe to judge: the reading says what is wrong
        self.rewind()
        return ids

    def blocks(self) -> Iterator[Columns]:
        header = self._header_line()
        self.rewind()
        reader = pacsv.open_csv(
            _bytes_of(self._stream),
            read_options=pacsv.ReadOptions(
                block_size=BLOCK_BYTES, skip_rows=1, column_names=header
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        for batch in reader:
            yield {name: batch.column(i) for i, name in enumerate(header)}

    def _header_line(self) -> list[str]:
        """The column names of the first line (as the full parse reads them); NotPlain for a
        header the full parse must judge."""
        self.rewind()
        try:
            line = self._stream.readline()
        except UnicodeDecodeError:
            raise NotPlain("the header") from None
        if '"' in line or not line.strip():
            raise NotPlain("the header")
        header = _header(next(csv.reader([line])))
        if EVENTS.check_header(header):
            raise NotPlain("the header")
        return header


def _header(names: list[str]) -> list[str]:
    return [name.strip().lstrip("\ufeff") for name in names]


class JsonEvents:
    """JSON items of events (objects keyed like the CSV columns), in blocks of Arrow columns:
    `items()` gives them from the start each time it is called."""

    def __init__(
        self, items: Callable[[], Iterable[object]], rewind: Callable[[], object] | None = None
    ) -> None:
        self._items = items
        self._rewind = rewind
        self.rewindable = True

    @classmethod
    def of_list(cls, items: list) -> JsonEvents:
        return cls(lambda: items)

    @classmethod
    def of_file(cls, stream: IO[str]) -> JsonEvents:
        """A JSON array or JSON Lines file."""
        seekable = getattr(stream, "seekable", None)

        def items() -> Iterator[object]:
            stream.seek(0)
            return json_items(stream)

        events = cls(items, lambda: stream.seek(0))
        events.rewindable = bool(seekable and seekable())
        return events

    def rewind(self) -> None:
        if self._rewind:
            self._rewind()

    def first_event_ids(self, count: int) -> list[str]:
        """The event ids of the first `count` items (fewer when they are not read so); the
        source back at its start."""
        try:
            first = itertools.islice(self._items(), count)
            return [str(i.get("event_id", "")).strip() for i in first if isinstance(i, Mapping)]
        except ValueError:
            return []
        finally:
            self.rewind()

    def blocks(self) -> Iterator[Columns]:
        items = iter(self._items())
        while True:
            try:
                block = list(itertools.islice(items, BLOCK_ITEMS))
            except JsonTextProblem:
                raise NotPlain("item") from None
            if not block:
                return
            yield item_columns(block)


def item_columns(items: list) -> Columns:
    """The text of each column of a block of items, as `loading.batch_records` reads an item
    (a number as its text, a properties object as JSON, a null as no value)."""
    if not all(type(item) is dict for item in items):
        raise NotPlain("item")
    keys: set = set()
    for item in items:
        keys.update(item)
    if not keys <= set(EVENTS.columns):
        raise NotPlain("item")
    keys |= EVENTS.required  # a required value not given: "", which the check refuses
    return {name: _text_column([item.get(name) for item in items], name) for name in keys}


def _text_column(values: list, name: str) -> pa.Array:
    try:
        if all(type(v) is str or v is None for v in values):
            return pa.array(values, pa.string()).fill_null("")
        return pa.array([_text(v, name) for v in values], pa.string())
    except UnicodeEncodeError:  # text that was not UTF-8 (read with surrogate escapes)
        raise NotPlain(name) from None


def _text(value: object, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str | int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Mapping) and name in EVENTS.json_columns:
        return json.dumps(value)
    raise NotPlain(name)


class JsonTextProblem(ValueError):
    """The text of a JSON file is not an array or JSON Lines; `index`: the item it reached."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


def json_items(stream: IO[str]) -> Iterator[object]:
    """The items of a JSON array, or of JSON Lines (one value after another), read a block of
    text at a time; JsonTextProblem where the text is neither."""
    text = _JsonText(stream)
    first = text.next_char()
    if first == "\ufeff":
        text.at += 1
        first = text.next_char()
    in_array = first == "["
    if in_array:
        text.at += 1
    for index in itertools.count():
        char = text.next_char()
        if in_array and char == "]":
            text.at += 1
            if text.next_char():
                raise JsonTextProblem(index, "text after the closing ]")
            return
        if not char:
            if in_array:
                raise JsonTextProblem(index, "the array is not closed with ]")
            return
        if in_array and index:
            if char != ",":
                raise JsonTextProblem(index, "expected , between items")
            text.at += 1
            text.next_char()
        yield text.value(index)


class _JsonText:
    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._decode = json.JSONDecoder().raw_decode
        self.text, self.at, self.ended = "", 0, False

    def _more(self) -> bool:
        if self.ended or len(self.text) - self.at > MAX_ITEM_CHARS:
            return False
        chunk = self._stream.read(_READ_CHARS)
        if not chunk:
            self.ended = True
            return False
        self.text, self.at = self.text[self.at :] + chunk, 0
        return True

    def next_char(self) -> str:
        """The next character that is not JSON whitespace ("" at the end)."""
        while True:
            while self.at < len(self.text) and self.text[self.at] in _JSON_SPACE:
                self.at += 1
            if self.at < len(self.text):
                return self.text[self.at]
            if not self._more():
                return ""

    def value(self, index: int) -> object:
        while True:
            try:
                value, end = self._decode(self.text, self.at)
            except json.JSONDecodeError as exc:
                if self._more():
                    continue  # the item may go on in the next block
                raise JsonTextProblem(index, f"not valid JSON: {exc.msg}") from None
            if end == len(self.text) and self._more():
                continue  # a number may go on in the next block
            self.at = end
            return value


def _bytes_of(stream: IO[str]):
    """The file's bytes: a UTF-8 text file's own binary buffer (nothing decoded and encoded
    again; a byte order mark is skipped by Arrow), else the text encoded."""
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
    if isinstance(stream, io.TextIOWrapper) and encoding in ("utf-8", "utf-8-sig", "utf8"):
        return stream.buffer
    return _EncodedReader(stream)


class _EncodedReader(io.RawIOBase):
    """The UTF-8 bytes of a text stream (text that is not UTF-8 fails: the full parse says so)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            text = self._stream.read(1 << 20)
            if not text:
                return 0
            try:
                self._pending = memoryview(text.encode("utf-8"))
            except UnicodeEncodeError:
                raise NotPlain("not UTF-8") from None
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size
