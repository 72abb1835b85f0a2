"""Encoding SpendRows for PostgreSQL's COPY (text format) into a temporary staging table."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator

from connectors import Level, SpendRow

CAMPAIGN_COLUMNS = (
    "date",
    "campaign_external_id",
    "campaign_name",
    "country",
    "device",
    "currency",
    "spend",
    "impressions",
    "clicks",
    "installs",
    "conversions",
    "conversion_value",
    "attribution",
)
AD_COLUMNS = CAMPAIGN_COLUMNS + ("ad_group_id", "ad_group_name", "ad_id", "ad_name")

_STAGING_TYPES = {
    "date": "date",
    "spend": "numeric",
    "impressions": "bigint",
    "clicks": "bigint",
    "installs": "bigint",
    "conversions": "numeric",
    "conversion_value": "numeric",
}
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def staging_columns(level: Level) -> tuple[str, ...]:
    return AD_COLUMNS if level == Level.AD else CAMPAIGN_COLUMNS


def staging_ddl(table: str, level: Level) -> str:
    cols = ", ".join(f"{c} {_STAGING_TYPES.get(c, 'text')}" for c in staging_columns(level))
    return f"CREATE TEMP TABLE {table} ({cols}) ON COMMIT DROP"


def _text(value: str) -> str:
    return value.translate(_ESCAPES)


def encode_row(row: SpendRow, level: Level) -> str:
    fields = [
        row.date.isoformat(),
        _text(row.campaign_id),
        _text(row.campaign_name),
        row.country,
        _text(row.device),
        row.currency,
        str(row.spend),
        str(row.impressions),
        str(row.clicks),
        str(row.installs),
        str(row.conversions),
        str(row.conversion_value),
        _text(row.attribution),
    ]
    if level == Level.AD:
        fields += [
            _text(row.ad_group_id),
            _text(row.ad_group_name),
            _text(row.ad_id),
            _text(row.ad_name),
        ]
    return "\t".join(fields) + "\n"


class CopyStream(io.TextIOBase):
    """A file-like object that COPY reads from, encoding rows lazily (memory stays flat)."""

    def __init__(self, rows: Iterable[SpendRow], level: Level, chunk_rows: int = 5000) -> None:
        self._lines = self._chunks(iter(rows), level, chunk_rows)
        self._buffer = ""
        self.count = 0

    def _chunks(self, rows: Iterator[SpendRow], level: Level, size: int) -> Iterator[str]:
        batch: list[str] = []
        for row in rows:
            batch.append(encode_row(row, level))
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
            chunk = next(self._lines, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            out, self._buffer = self._buffer, ""
        else:
            out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    readline = read
