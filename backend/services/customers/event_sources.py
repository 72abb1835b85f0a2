"""Where the bulk ways (bulk.py) read in-app events from, a block of columns at a time: a CSV
file read by Apache Arrow (`CsvEvents`), or JSON items, a batch's list or a JSON array / JSON
Lines file parsed an item at a time by ijson (`JsonEvents`). Each gives the text of every
column the records name ("" for a value not given), may be read again from its start, and
names no problem: text it cannot give raises NotPlain, and the full parse (loading.py) reads
the same records again and names each problem by line or item and field."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import IO

import ijson
import pyarrow as pa
import pyarrow.csv as pacsv

from backend.services.customers.plain_events import Columns, NotPlain
from backend.services.customers.records import EVENTS

#: Bytes of a CSV file Arrow reads and checks at a time (the memory of the load does not grow
#: with the file: about this much is held, times the few blocks in flight).
BLOCK_BYTES = 4 << 20
#: JSON items turned into columns at a time.
BLOCK_ITEMS = 20_000
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
            return json_items(stream, name_field=False)  # the full parse names it

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
    """The text of a JSON file is not an array or JSON Lines; `index`: the item it reached,
    `field`: the field whose text is not Unicode, when that is the problem."""

    def __init__(self, index: int, message: str, field: str = "item") -> None:
        super().__init__(message)
        self.index = index
        self.field = field


def json_items(stream: IO[str], *, name_field: bool = True) -> Iterator[object]:
    """The items of a JSON array, or of JSON Lines (one value after another), parsed by ijson
    (yajl's C parser) a block of text at a time; JsonTextProblem where the text is neither
    (with the field whose text is not Unicode, read again to find it, if `name_field`)."""
    data = _JsonBytes(stream)
    first = data.first_char()
    if not first:
        return  # no text: no items
    in_array = first == "["
    items = ijson.items(data, _ITEM if in_array else "", multiple_values=not in_array, **_IJSON)
    index = 0
    try:
        for item in items:
            yield item
            index += 1
    except ijson.JSONError as exc:
        raise JsonTextProblem(index, f"not valid JSON: {_first_line(exc)}") from None
    except UnicodeDecodeError:  # a string that is not Unicode (bytes not UTF-8, or \udcxx)
        field = _field_not_unicode(stream, in_array, index) if name_field else "item"
        raise JsonTextProblem(index, "not valid UTF-8 text", field) from None


#: Numbers as the json module reads them (float, not Decimal: properties are dumped again).
_IJSON = {"use_float": True}
_ITEM = "item"  # ijson's prefix of an array's items


def _first_line(exc: Exception) -> str:
    """The first line of ijson's message (the others show the text around the problem)."""
    message = exc.args[0] if exc.args else ""
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    lines = str(message).strip().splitlines()
    return lines[0] if lines else "the text ends"


def _field_not_unicode(stream: IO[str], in_array: bool, index: int) -> str:
    """The key of item `index` whose string is not Unicode: the last key ijson read before
    failing on it ("item" when it is not a key's value or the file cannot be read again)."""
    field = "item"
    seekable = getattr(stream, "seekable", None)
    if not (seekable and seekable()):
        return field
    stream.seek(0)
    prefix = _ITEM if in_array else ""
    count = 0
    try:
        events = ijson.parse(_JsonBytes(stream), multiple_values=not in_array, **_IJSON)
        for at, event, value in events:
            if at == prefix and event == "map_key" and count == index:
                field = str(value)
            elif at == prefix and event in _ITEM_ENDS:
                count += 1
    except (ijson.JSONError, UnicodeDecodeError):
        pass
    return field if count == index else "item"


#: ijson's events that end an item at the item's prefix (a scalar item is one event).
_ITEM_ENDS = {"end_map", "end_array", "null", "boolean", "integer", "double", "number", "string"}


class _JsonBytes(io.RawIOBase):
    """The UTF-8 bytes ijson reads of a text stream, from its current position: a byte order
    mark skipped, text that was not UTF-8 (read with surrogate escapes) encoded as surrogates
    (`surrogatepass`), which ijson's decoding of the string refuses."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._pending = memoryview(b"")
        self._first: str | None = None

    def readable(self) -> bool:
        return True

    def first_char(self) -> str:
        """The first character that is not JSON whitespace ("" for none); read ahead, not
        consumed."""
        while self._first is None:
            text = self._stream.read(_READ_CHARS)
            if self._pending.nbytes == 0 and text.startswith("\ufeff"):
                text = text[1:]
            stripped = text.lstrip(_JSON_SPACE)
            self._queue(text)
            if stripped or not text:
                self._first = stripped[:1]
        return self._first

    def _queue(self, text: str) -> None:
        self._pending = memoryview(bytes(self._pending) + text.encode("utf-8", "surrogatepass"))

    def readinto(self, buffer) -> int:
        while not self._pending:
            text = self._stream.read(_READ_CHARS)
            if not text:
                return 0
            self._queue(text)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


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
