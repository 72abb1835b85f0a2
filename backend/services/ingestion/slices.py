"""Idempotent replacement of a (account, level, breakdown, date range) slice of the fact tables.

The platform's rows are COPYed into a temporary staging table, then in the same transaction:
campaigns are upserted, fact rows the platform no longer reports are deleted, new rows inserted and
changed rows updated (unchanged rows are left untouched, so re-running a sync changes nothing),
and the rollups of exactly that slice are rebuilt. The caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from backend.services.ingestion.staging import CopyStream, staging_columns, staging_ddl
from connectors import Level, SpendRow

FACT_TABLE = {Level.CAMPAIGN: "campaign_daily_metrics", Level.AD: "ad_daily_metrics"}
_KEY = ("date", "country", "device")
_AD_KEY = ("ad_group_id", "ad_id")
_VALUES = (
    "currency",
    "spend",
    "impressions",
    "clicks",
    "installs",
    "conversions",
    "conversion_value",
    "attribution",
)
_AD_VALUES = ("ad_group_name", "ad_name")


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
    stage = f"stage_{target.level.value}"
    cursor.execute(f"DROP TABLE IF EXISTS {stage}")
    cursor.execute(staging_ddl(stage, target.level))
    stream = CopyStream(rows, target.level)
    cursor.copy_expert(
        f"COPY {stage} ({', '.join(staging_columns(target.level))}) FROM STDIN", stream
    )
    _check_slice_bounds(cursor, stage, target)
    cursor.execute(f"ANALYZE {stage}")
    params = {
        "acc": target.ad_account_id,
        "bd": target.breakdown,
        "start": target.start,
        "end": target.end,
        "run": sync_run_id,
    }
    _upsert_campaigns(cursor, stage, params)
    deleted = _delete_vanished(cursor, stage, target.level, params)
    inserted, updated = _upsert_facts(cursor, stage, target.level, params)
    return SliceResult(rows=stream.count, inserted=inserted, updated=updated, deleted=deleted)


def _check_slice_bounds(cursor, stage: str, target: Slice) -> None:
    cursor.execute(f"SELECT min(date), max(date) FROM {stage}")
    low, high = cursor.fetchone()
    if low is not None and (low < target.start or high > target.end):
        raise ValueError(
            f"rows from {low} to {high} fall outside the slice {target.start}..{target.end}"
        )


def _upsert_campaigns(cursor, stage: str, params: dict) -> None:
    cursor.execute(
        f"""
        INSERT INTO campaigns (ad_account_id, external_id, name, first_seen, last_seen)
        SELECT %(acc)s, campaign_external_id,
               (array_agg(campaign_name ORDER BY date DESC))[1], min(date), max(date)
        FROM {stage} GROUP BY campaign_external_id
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
        params,
    )


def _key_columns(level: Level) -> tuple[str, ...]:
    return _KEY + (_AD_KEY if level == Level.AD else ())


def _delete_vanished(cursor, stage: str, level: Level, params: dict) -> int:
    table = FACT_TABLE[level]
    match = " AND ".join(f"s.{c} = f.{c}" for c in _key_columns(level))
    cursor.execute(
        f"""
        DELETE FROM {table} f
        WHERE f.ad_account_id = %(acc)s AND f.breakdown = %(bd)s
          AND f.date BETWEEN %(start)s AND %(end)s
          AND NOT EXISTS (
              SELECT 1 FROM {stage} s JOIN campaigns c
                ON c.ad_account_id = %(acc)s AND c.external_id = s.campaign_external_id
              WHERE c.id = f.campaign_id AND {match})
        """,
        params,
    )
    return cursor.rowcount


def _upsert_facts(cursor, stage: str, level: Level, params: dict) -> tuple[int, int]:
    table = FACT_TABLE[level]
    values = _VALUES + (_AD_VALUES if level == Level.AD else ())
    key = ("ad_account_id", "date", "breakdown", "campaign_id", "country", "device") + (
        _AD_KEY if level == Level.AD else ()
    )
    columns = key + values + ("fetched_at", "sync_run_id")
    select = {
        "ad_account_id": "%(acc)s",
        "breakdown": "%(bd)s",
        "campaign_id": "c.id",
        "fetched_at": "now()",
        "sync_run_id": "%(run)s",
    }
    select_list = ", ".join(select.get(c, f"s.{c}") for c in columns)
    changed = " OR ".join(f"{table}.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in values)
    cursor.execute(
        f"""
        INSERT INTO {table} ({", ".join(columns)})
        SELECT {select_list}
        FROM {stage} s JOIN campaigns c
          ON c.ad_account_id = %(acc)s AND c.external_id = s.campaign_external_id
        ON CONFLICT ({", ".join(key)}) DO UPDATE SET
          {", ".join(f"{c} = EXCLUDED.{c}" for c in values + ("fetched_at", "sync_run_id"))}
        WHERE {changed}
        RETURNING (xmax = 0)
        """,
        params,
    )
    flags = cursor.fetchall()
    inserted = sum(1 for (is_insert,) in flags if is_insert)
    return inserted, len(flags) - inserted


def refresh_rollups(cursor, target: Slice, reporting_currency: str) -> int:
    """Rebuild the reporting-currency rollups of one campaign-level slice."""
    params = {
        "acc": target.ad_account_id,
        "bd": target.breakdown,
        "start": target.start,
        "end": target.end,
        "rep": reporting_currency,
    }
    cursor.execute(
        """
        DELETE FROM daily_rollups WHERE ad_account_id = %(acc)s AND breakdown = %(bd)s
          AND date BETWEEN %(start)s AND %(end)s
        """,
        params,
    )
    cursor.execute(ROLLUP_INSERT + " AND f.breakdown = %(bd)s", params)
    return cursor.rowcount


ROLLUP_INSERT = """
    INSERT INTO daily_rollups (
        date, ad_account_id, campaign_id, breakdown, country, device, platform, currency,
        spend_native, conversion_value_native, impressions, clicks, installs, conversions,
        reporting_currency, fx_rate, fx_date, fx_status, spend, conversion_value)
    SELECT f.date, f.ad_account_id, f.campaign_id, f.breakdown, f.country, f.device,
           a.platform, f.currency, f.spend, f.conversion_value, f.impressions, f.clicks,
           f.installs, f.conversions, %(rep)s, r.rate, r.date,
           CASE WHEN r.date IS NULL THEN 'missing'
                WHEN r.date = f.date THEN 'exact' ELSE 'carried' END,
           round(f.spend * r.rate, 6), round(f.conversion_value * r.rate, 6)
    FROM campaign_daily_metrics f
    JOIN ad_accounts a ON a.id = f.ad_account_id
    LEFT JOIN LATERAL (
        SELECT f.date AS date, 1::numeric AS rate WHERE f.currency = %(rep)s
        UNION ALL
        (SELECT x.date, x.rate FROM fx_rates x
         WHERE f.currency <> %(rep)s AND x.currency = f.currency
           AND x.reporting_currency = %(rep)s AND x.date <= f.date
         ORDER BY x.date DESC LIMIT 1)
    ) r ON true
    WHERE f.ad_account_id = %(acc)s AND f.date BETWEEN %(start)s AND %(end)s
"""
