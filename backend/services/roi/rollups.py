"""Rebuilding the rollups (`tables.DailyRollup`, `tables.MonthlyRollup`): the daily rollups of
a campaign-level slice a sync wrote (`refresh_rollups`) or of the currencies new exchange rates
arrived for (`refresh_for_currencies`), then the monthly rollups of the months they touch from
the daily ones, in the same transaction, so both always agree. A slice's rows that come out
the same are left as they are (a re-sync of unchanged days moves no data version)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import text

from backend.extensions import db
from backend.services.customers.fx import fx_status, rate_lateral
from backend.services.ingestion.slices import Slice

MONTHLY_DELETE = """
    DELETE FROM monthly_rollups
    WHERE ad_account_id = %(acc)s
      AND (CAST(%(bd)s AS text) IS NULL OR breakdown = %(bd)s)
      AND month >= date_trunc('month', CAST(%(start)s AS date))
      AND month <= date_trunc('month', CAST(%(end)s AS date))
"""

#: Σ per month of the daily rollups (`monthly_insert(where)`); reporting amounts NULL when any
#: day had no rate.
_MONTHLY_SUMS = """
    INSERT INTO monthly_rollups (
        month, ad_account_id, campaign_id, breakdown, country, device, reporting_currency,
        platform, currency, days, fx_missing_days, spend_native, impressions, clicks, installs,
        conversions, spend, conversion_value)
    SELECT CAST(date_trunc('month', r.date) AS date), r.ad_account_id, r.campaign_id,
           r.breakdown, r.country, r.device, r.reporting_currency, min(r.platform),
           min(r.currency), count(*), count(*) FILTER (WHERE r.spend IS NULL),
           sum(r.spend_native), sum(r.impressions), sum(r.clicks), sum(r.installs),
           sum(r.conversions),
           CASE WHEN bool_and(r.spend IS NOT NULL) THEN sum(r.spend) END,
           CASE WHEN bool_and(r.conversion_value IS NOT NULL) THEN sum(r.conversion_value) END
    FROM daily_rollups r
    WHERE {where}
    GROUP BY 1, 2, 3, 4, 5, 6, 7
"""


def monthly_insert(where: str = "true") -> str:
    """INSERT of the monthly rollups of the daily rollups `where` selects (aliased r)."""
    return _MONTHLY_SUMS.format(where=where)


MONTHLY_INSERT = monthly_insert(
    """r.ad_account_id = %(acc)s
      AND (CAST(%(bd)s AS text) IS NULL OR r.breakdown = %(bd)s)
      AND r.date >= date_trunc('month', CAST(%(start)s AS date))
      AND r.date < date_trunc('month', CAST(%(end)s AS date)) + interval '1 month'"""
)


DAILY_KEY = ("date", "ad_account_id", "campaign_id", "breakdown", "country", "device")
MONTHLY_KEY = (
    "month", "ad_account_id", "campaign_id", "breakdown", "country", "device", "reporting_currency"
)  # fmt: skip


def replace_changed_rows(cursor, table: str, key: tuple[str, ...], delete: str, insert: str,
                         params: dict) -> int:  # fmt: skip
    """Replace the rows of `table` that `delete` (a DELETE FROM `table` ... statement) removes
    by those `insert` (an INSERT INTO `table` ... statement) writes, touching only the rows
    that differ: a sync re-delivering the same figures changes nothing, so no data version
    moves and the cached answers about its days stay. Returns the rows of the new slice."""
    stage = f"{table}_stage"
    cursor.execute(
        f"DROP TABLE IF EXISTS {stage}; "
        f"CREATE TEMP TABLE {stage} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
    )
    cursor.execute(insert.replace(f"INSERT INTO {table}", f"INSERT INTO {stage}", 1), params)
    rows = cursor.rowcount
    same = " AND ".join(f"s.{c} = {table}.{c}" for c in key)
    cursor.execute(
        f"{delete} AND NOT EXISTS (SELECT 1 FROM {stage} s WHERE {same} "
        f"AND (s.*) IS NOT DISTINCT FROM ({table}.*))",
        params,
    )
    cursor.execute(f"INSERT INTO {table} SELECT * FROM {stage} ON CONFLICT DO NOTHING")
    cursor.execute(f"DROP TABLE {stage}")
    return rows


def refresh_monthly_rollups(
    cursor, ad_account_id: int, start: dt.date, end: dt.date, breakdown: str | None = None
) -> int:
    """Rebuild the account's monthly rollups of every month from `start`'s to `end`'s (one
    breakdown, or all when None) from its daily rollups, writing only the rows that change;
    psycopg2 cursor, the caller commits."""
    params = {"acc": ad_account_id, "bd": breakdown, "start": start, "end": end}
    return replace_changed_rows(
        cursor, "monthly_rollups", MONTHLY_KEY, MONTHLY_DELETE, MONTHLY_INSERT, params
    )


def refresh_rollups(cursor, target: Slice, reporting_currency: str) -> int:
    """Rebuild the reporting-currency rollups of one campaign-level slice, writing only the
    rows that change (`replace_changed_rows`)."""
    params = {
        "acc": target.ad_account_id,
        "bd": target.breakdown,
        "start": target.start,
        "end": target.end,
        "rep": reporting_currency,
    }
    written = replace_changed_rows(
        cursor,
        "daily_rollups",
        DAILY_KEY,
        """
        DELETE FROM daily_rollups WHERE ad_account_id = %(acc)s AND breakdown = %(bd)s
          AND date BETWEEN %(start)s AND %(end)s
        """,
        ROLLUP_INSERT + " AND f.breakdown = %(bd)s",
        params,
    )
    refresh_monthly_rollups(
        cursor, target.ad_account_id, target.start, target.end, target.breakdown
    )
    return written


ROLLUP_INSERT = f"""
    INSERT INTO daily_rollups (
        date, ad_account_id, campaign_id, breakdown, country, device, platform, currency,
        spend_native, conversion_value_native, impressions, clicks, installs, conversions,
        reporting_currency, fx_rate, fx_date, fx_status, spend, conversion_value)
    SELECT f.date, f.ad_account_id, f.campaign_id, f.breakdown, f.country, f.device,
           a.platform, f.currency, f.spend, f.conversion_value, f.impressions, f.clicks,
           f.installs, f.conversions, %(rep)s, r.rate, r.date,
           {fx_status("r.date", "f.date")},
           round(f.spend * r.rate, 6), round(f.conversion_value * r.rate, 6)
    FROM campaign_daily_metrics f
    JOIN ad_accounts a ON a.id = f.ad_account_id
    LEFT JOIN LATERAL ({rate_lateral("f.currency", "f.date")}) r ON true
    WHERE f.ad_account_id = %(acc)s AND f.date BETWEEN %(start)s AND %(end)s
"""


def refresh_for_currencies(
    currencies: tuple[str, ...], since: dt.date, reporting_currency: str
) -> None:
    """Re-convert every rollup in these currencies from `since` on (rates carry forward)."""
    accounts = (
        db.session.execute(
            text("SELECT id FROM ad_accounts WHERE currency = ANY(:cur)"), {"cur": list(currencies)}
        )
        .scalars()
        .all()
    )
    far = dt.date(9999, 12, 31)
    for account_id in accounts:
        params = {"acc": account_id, "start": since, "end": far, "rep": reporting_currency}
        db.session.execute(
            text("DELETE FROM daily_rollups WHERE ad_account_id = :acc AND date >= :start"),
            params,
        )
        db.session.execute(text(_as_sqlalchemy(ROLLUP_INSERT)), params)
        cursor = db.session.connection().connection.cursor()
        refresh_monthly_rollups(cursor, account_id, since, far)


def _as_sqlalchemy(sql: str) -> str:
    """The rollup SQL is written for psycopg2 (%(name)s); SQLAlchemy's text() wants :name."""
    return re.sub(r"%\((\w+)\)s", r":\1", sql)
