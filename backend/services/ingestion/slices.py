"""Idempotent replacement of a (account, level, breakdown, date range) slice of the fact tables.

In the caller's transaction: the slice's campaigns are upserted; an empty slice is filled with one
COPY; otherwise the rows are COPYed into a temporary staging table with the fact table's layout,
rows the platform no longer reports are deleted, new rows inserted and changed rows updated
(unchanged rows are left untouched, so re-running a sync changes nothing). The rollups of a
campaign-level slice are rebuilt by `backend.services.roi.rollups.refresh_rollups`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from backend.services.ingestion.staging import (
    CopyStream,
    FactEncoder,
    copy_columns,
    key_columns,
    value_columns,
)
from connectors import Level, SpendRow

FACT_TABLE = {Level.CAMPAIGN: "campaign_daily_metrics", Level.AD: "ad_daily_metrics"}


@dataclass(frozen=True)
class Slice:
    ad_account_id: int
    level: Level
    breakdown: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class SliceResult:
    rows: int
    inserted: int
    updated: int
    deleted: int


def replace_metric_slice(
    cursor, target: Slice, rows: Iterable[SpendRow], *, sync_run_id: int | None
) -> SliceResult:
    """Make the stored slice equal to `rows` (psycopg2 cursor; the caller commits)."""
    rows = rows if isinstance(rows, list) else list(rows)
    params = {
        "acc": target.ad_account_id,
        "bd": target.breakdown,
        "start": target.start,
        "end": target.end,
    }
    campaign_ids = upsert_campaigns(cursor, target, rows)
    cursor.execute("SELECT now()::text")
    encoder = FactEncoder(
        target.level,
        target.ad_account_id,
        target.breakdown,
        campaign_ids,
        cursor.fetchone()[0],
        sync_run_id,
    )
    table = FACT_TABLE[target.level]
    existing = _count_slice(cursor, table, params)
    if existing == 0:
        _copy(cursor, table, target.level, encoder, rows)
        return SliceResult(rows=len(rows), inserted=len(rows), updated=0, deleted=0)
    stage = f"stage_{table}"
    cursor.execute(f"DROP TABLE IF EXISTS {stage}")
    cursor.execute(f"CREATE TEMP TABLE {stage} (LIKE {table}) ON COMMIT DROP")
    _copy(cursor, stage, target.level, encoder, rows)
    cursor.execute(f"ANALYZE {stage}")
    # Freshly written fact rows have no statistics yet, and the planner then picks nested loops
    # over the staging table (quadratic); these statements are hash joins by design.
    cursor.execute("SET LOCAL enable_nestloop = off")
    deleted = _delete_vanished(cursor, table, stage, target.level, params)
    written = _upsert_facts(cursor, table, stage, target.level)
    cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")
    inserted = _count_slice(cursor, table, params) - (existing - deleted)
    return SliceResult(
        rows=len(rows), inserted=inserted, updated=written - inserted, deleted=deleted
    )


def upsert_campaigns(cursor, target: Slice, rows: list[SpendRow]) -> dict[str, int]:
    """Insert or refresh the campaigns the rows name; returns external id → campaigns.id.

    Refuses rows dated outside the slice (they would escape its replacement).
    """
    ad_account_id = target.ad_account_id
    seen: dict[str, list] = {}
    for index, row in enumerate(rows):
        if not target.start <= row.date <= target.end:
            raise ValueError(
                f"row {index} ({row.date}) falls outside the slice {target.start}..{target.end}"
            )
        entry = seen.get(row.campaign_id)
        if entry is None:
            seen[row.campaign_id] = [row.campaign_name, row.date, row.date, row.date]
        else:
            if row.date >= entry[3]:
                entry[0], entry[3] = row.campaign_name, row.date
            entry[1], entry[2] = min(entry[1], row.date), max(entry[2], row.date)
    if not seen:
        return {}
    ids = list(seen)
    cursor.execute(
        """
        INSERT INTO campaigns (ad_account_id, external_id, name, first_seen, last_seen)
        SELECT %(acc)s, x.external_id, x.name, x.first_seen, x.last_seen
        FROM unnest(%(ids)s::text[], %(names)s::text[], %(firsts)s::date[], %(lasts)s::date[])
             AS x(external_id, name, first_seen, last_seen)
        ON CONFLICT (ad_account_id, external_id) DO UPDATE SET
            name = CASE WHEN EXCLUDED.last_seen >= campaigns.last_seen
                        THEN EXCLUDED.name ELSE campaigns.name END,
            first_seen = LEAST(campaigns.first_seen, EXCLUDED.first_seen),
            last_seen = GREATEST(campaigns.last_seen, EXCLUDED.last_seen)
        WHERE (campaigns.first_seen, campaigns.last_seen) IS DISTINCT FROM
              (LEAST(campaigns.first_seen, EXCLUDED.first_seen),
               GREATEST(campaigns.last_seen, EXCLUDED.last_seen))
           OR (EXCLUDED.last_seen >= campaigns.last_seen AND campaigns.name <> EXCLUDED.name)
        """,
        {
            "acc": ad_account_id,
            "ids": ids,
            "names": [seen[i][0] for i in ids],
            "firsts": [seen[i][1] for i in ids],
            "lasts": [seen[i][2] for i in ids],
        },
    )
    cursor.execute(
        "SELECT external_id, id FROM campaigns WHERE ad_account_id = %s AND external_id = ANY(%s)",
        (ad_account_id, ids),
    )
    return dict(cursor.fetchall())


def _copy(cursor, table: str, level: Level, encoder: FactEncoder, rows: list[SpendRow]) -> None:
    stream = CopyStream(encoder.encode(row) for row in rows)
    cursor.copy_expert(f"COPY {table} ({', '.join(copy_columns(level))}) FROM STDIN", stream)


def _count_slice(cursor, table: str, params: dict) -> int:
    cursor.execute(
        f"""
        SELECT count(*) FROM {table}
        WHERE ad_account_id = %(acc)s AND breakdown = %(bd)s
          AND date BETWEEN %(start)s AND %(end)s
        """,
        params,
    )
    return cursor.fetchone()[0]


def _delete_vanished(cursor, table: str, stage: str, level: Level, params: dict) -> int:
    """Delete the slice's rows that the staging table no longer has (a hash anti-join)."""
    match = " AND ".join(f"s.{c} = f.{c}" for c in key_columns(level))
    cursor.execute(
        f"""
        DELETE FROM {table} f
        WHERE f.ad_account_id = %(acc)s AND f.breakdown = %(bd)s
          AND f.date BETWEEN %(start)s AND %(end)s
          AND NOT EXISTS (SELECT 1 FROM {stage} s WHERE {match})
        """,
        params,
    )
    return cursor.rowcount


def _upsert_facts(cursor, table: str, stage: str, level: Level) -> int:
    """Insert new rows and update changed ones; returns how many were written."""
    columns = ", ".join(copy_columns(level))
    values = value_columns(level)
    changed = " OR ".join(f"{table}.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in values)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in values + ("fetched_at", "sync_run_id"))
    cursor.execute(
        f"""
        INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage}
        ON CONFLICT ({", ".join(key_columns(level))}) DO UPDATE SET {updates}
        WHERE {changed}
        """
    )
    return cursor.rowcount
