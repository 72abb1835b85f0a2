"""Rebuilding the monthly rollups of an account from its daily rollups, for the months a date
range touches. Called in the transaction that rebuilt the daily rollups (a sync's
`refresh_rollups`, an FX reload's `refresh_for_currencies`), so both always agree."""

from __future__ import annotations

import datetime as dt

MONTHLY_DELETE = """
    DELETE FROM monthly_rollups
    WHERE ad_account_id = %(acc)s
      AND (CAST(%(bd)s AS text) IS NULL OR breakdown = %(bd)s)
      AND month >= date_trunc('month', CAST(%(start)s AS date))
      AND month <= date_trunc('month', CAST(%(end)s AS date))
"""

#: Σ per month of the daily rollups; reporting amounts NULL when any day had no rate.
MONTHLY_INSERT = """
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
    WHERE r.ad_account_id = %(acc)s
      AND (CAST(%(bd)s AS text) IS NULL OR r.breakdown = %(bd)s)
      AND r.date >= date_trunc('month', CAST(%(start)s AS date))
      AND r.date < date_trunc('month', CAST(%(end)s AS date)) + interval '1 month'
    GROUP BY 1, 2, 3, 4, 5, 6, 7
"""


def refresh_monthly_rollups(
    cursor, ad_account_id: int, start: dt.date, end: dt.date, breakdown: str | None = None
) -> int:
    """Rebuild the account's monthly rollups of every month from `start`'s to `end`'s (one
    breakdown, or all when None) from its daily rollups; psycopg2 cursor, the caller commits."""
    params = {"acc": ad_account_id, "bd": breakdown, "start": start, "end": end}
    cursor.execute(MONTHLY_DELETE, params)
    cursor.execute(MONTHLY_INSERT, params)
    return cursor.rowcount
