"""The rate of a day, the one rule for spend and revenue alike: the rate of the day ('exact'),
else the latest earlier rate ('carried'), else none ('missing': the reporting amount is NULL,
never zero); the reporting currency itself converts at 1 ('exact'). `rate_lateral` and
`fx_status` are that rule in SQL: the daily rollups' insert (ingestion/slices.py) and the revenue
conversion here use them. Revenue is converted at its event's UTC date; amounts are rounded to
six decimals like the rollups' spend.

Rates are looked up once per distinct (currency, date) of a load, not once per event.
"""

from __future__ import annotations

import datetime as dt

from backend.extensions import db


def rate_lateral(currency: str, day: str) -> str:
    """A LATERAL subquery giving (date, rate) of the rate for `currency` on `day` (SQL
    expressions; psycopg2 parameter %(rep)s is the reporting currency)."""
    return f"""
        SELECT {day} AS date, 1::numeric AS rate WHERE {currency} = %(rep)s
        UNION ALL
        (SELECT x.date, x.rate FROM fx_rates x
         WHERE {currency} <> %(rep)s AND x.currency = {currency}
           AND x.reporting_currency = %(rep)s AND x.date <= {day}
         ORDER BY x.date DESC LIMIT 1)
    """


def fx_status(rate_date: str, day: str) -> str:
    """'exact', 'carried' or 'missing' for the rate found by `rate_lateral` (SQL expressions)."""
    return f"CASE WHEN {rate_date} IS NULL THEN 'missing' WHEN {rate_date} = {day} THEN 'exact' ELSE 'carried' END"  # noqa: E501


def build_rate_table(cursor, table: str, source: str, params: dict | None = None) -> None:
    """Temporary `table` (currency, event_date, rate, rate_date) for the distinct pairs of
    `source` (a table or subquery with columns currency, event_date; `params` fill it)."""
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(
        f"""
        CREATE TEMP TABLE {table} ON COMMIT DROP AS
        SELECT d.currency, d.event_date, r.rate, r.date AS rate_date
        FROM (SELECT DISTINCT currency, event_date FROM {source} AS s) d
        LEFT JOIN LATERAL ({rate_lateral("d.currency", "d.event_date")}) r ON true
        """,
        {"rep": _reporting_currency(), **(params or {})},
    )


def refresh_revenue_conversion(since: dt.date | None = None) -> int:
    """Re-convert the events whose rate may have changed: every one not converted at its own
    day's rate, plus all from `since` on (after rates were loaded); returns the rows changed.
    The caller commits."""
    cursor = db.session.connection().connection.cursor()
    where = "fx_status <> 'exact'" + (" OR occurred_at >= %(since)s" if since else "")
    pairs = f"""(SELECT currency, (occurred_at AT TIME ZONE 'UTC')::date AS event_date
                 FROM revenue_events WHERE {where})"""
    cursor.execute("SET LOCAL TimeZone = 'UTC'")
    build_rate_table(cursor, "refresh_revenue_fx", pairs, {"since": since})
    cursor.execute(
        f"""
        UPDATE revenue_events e
        SET amount_reporting = round(e.amount * f.rate, 6),
            fx_status = {fx_status("f.rate_date", "f.event_date")}
        FROM refresh_revenue_fx f
        WHERE f.currency = e.currency
          AND f.event_date = (e.occurred_at AT TIME ZONE 'UTC')::date
          AND ({where})
          AND (e.amount_reporting, e.fx_status) IS DISTINCT FROM
              (round(e.amount * f.rate, 6), {fx_status("f.rate_date", "f.event_date")})
        """,
        {"since": since},
    )
    return cursor.rowcount


def _reporting_currency() -> str:
    from flask import current_app

    return current_app.config["REPORTING_CURRENCY"]
