"""Encoding SpendRows for PostgreSQL's COPY (text format) in the fact tables' own layout."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping

from connectors import Level, SpendRow

KEY_COLUMNS = ("ad_account_id", "date", "breakdown", "campaign_id", "country", "device")
AD_KEY_COLUMNS = ("ad_group_id", "ad_id")
VALUE_COLUMNS = (
    "currency",
    "spend",
    "impressions",
    "clicks",
    "installs",
    "conversions",
    "conversion_value",
    "attribution",
)
AD_VALUE_COLUMNS = ("ad_group_name", "ad_name")
AUDIT_COLUMNS = ("fetched_at", "sync_run_id")

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def key_columns(level: Level) -> tuple[str, ...]:
    return KEY_COLUMNS + (AD_KEY_COLUMNS if level == Level.AD else ())


def value_columns(level: Level) -> tuple[str, ...]:
    return VALUE_COLUMNS + (AD_VALUE_COLUMNS if level == Level.AD else ())


def copy_columns(level: Level) -> tuple[str, ...]:
    return key_columns(level) + value_columns(level) + AUDIT_COLUMNS


def escape(value: str) -> str:
    """A text value in COPY's text format (most values need no escaping: checked first)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


class FactEncoder:
    """Encodes the rows of one slice: constant columns are encoded once."""

    def __init__(
        self,
        level: Level,
        ad_account_id: int,
        breakdown: str,
        campaign_ids: Mapping[str, int],
        fetched_at: str,
        sync_run_id: int | None,
    ):
        self.level = level
        self.head = f"{ad_account_id}\t"
        self.breakdown = f"\t{escape(breakdown)}\t"
        self.campaign_ids = {k: str(v) for k, v in campaign_ids.items()}
        run = NULL if sync_run_id is None else str(sync_run_id)
        self.tail = f"\t{fetched_at}\t{run}\n"

    def encode(self, row: SpendRow) -> str:
        fields = [
            row.date.isoformat() + self.breakdown + self.campaign_ids[row.campaign_id],
            escape(row.country),
            escape(row.device),
        ]
        if self.level == Level.AD:
            fields += [escape(row.ad_group_id), escape(row.ad_id)]
        fields += [
            row.currency,
            str(row.spend),
            str(row.impressions),
            str(row.clicks),
            str(row.installs),
            str(row.conversions),
            str(row.conversion_value),
            escape(row.attribution),
        ]
        if self.level == Level.AD:
            fields += [escape(row.ad_group_name), escape(row.ad_name)]
        return self.head + "\t".join(fields) + self.tail


class CopyStream(io.TextIOBase):
    """A file-like object that COPY reads from, joining lines in batches as it is read.

    `lines` are COPY text-format lines; `count` tells how many were read.
    """

    def __init__(self, lines: Iterable[str], chunk_rows: int = 5000) -> None:
        self._chunks = self._batches(iter(lines), chunk_rows)
        self._buffer = ""
        self.count = 0

    def _batches(self, lines: Iterator[str], size: int) -> Iterator[str]:
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= size:
                self.count += len(batch)
                yield "".join(batch)
                batch = []
        if batch:
            self.count += len(batch)
            yield "".join(batch)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            out, self._buffer = self._buffer, ""
        else:
            out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    readline = read
