"""The overview: headline figures of a range against the preceding range of equal length, spend
and revenue per day and platform, open alerts and data freshness (GET /api/overview)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from backend.extensions import db
from backend.services import roi
from backend.services.ingestion.health import sync_health
from connectors import platforms

KPIS = ("spend", "revenue", "roas", "predicted_roas", "installs", "cpi", "customers", "cac")
FRESHNESS = (
    "account_id",
    "name",
    "platform",
    "status",
    "last_success_at",
    "freshness_hours",
    "data_through",
    "last_error",
)

#: Spend per day and platform from the daily rollups; revenue to date of the customers acquired
#: that day (the same cohort revenue as the ROI report, so the days add up to its total), from
#: roi_customers (one row per customer; NaN revenue: a payment without an exchange rate).
SERIES = text(
    """
    WITH spend AS (
        SELECT r.date, r.platform,
               CASE WHEN count(*) = count(r.spend) THEN sum(r.spend) END AS spend
        FROM daily_rollups r
        WHERE r.breakdown = 'none' AND r.reporting_currency = :rep
          AND r.date BETWEEN :start AND :end
        GROUP BY r.date, r.platform
    ), revenue AS (
        SELECT c.acquisition_date AS date, c.platform,
               CASE WHEN bool_and(c.revenue <> 'NaN') THEN sum(c.revenue) END AS revenue
        FROM roi_customers c
        WHERE c.acquisition_date BETWEEN :start AND :end AND c.platform = ANY(:platforms)
        GROUP BY c.acquisition_date, c.platform
    )
    SELECT COALESCE(s.date, v.date) AS date, COALESCE(s.platform, v.platform) AS platform,
           CASE WHEN s.date IS NULL THEN 0 ELSE s.spend END AS spend,
           CASE WHEN v.date IS NULL THEN 0 ELSE v.revenue END AS revenue
    FROM spend s FULL JOIN revenue v ON v.date = s.date AND v.platform = s.platform
    ORDER BY 1, 2
    """
)


def previous_range(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The range of equal length that ends the day before `start`."""
    days = (end - start).days + 1
    return start - dt.timedelta(days=days), start - dt.timedelta(days=1)


def overview(
    start: dt.date, end: dt.date, as_of: dt.date | None = None, concurrent: bool = False
) -> dict:
    """`concurrent`: the ROI queries in parallel, for a caller whose transaction has written
    nothing (a GET request; `roi.reads_for`)."""
    roi.check_range(start, end)
    before = previous_range(start, end)
    return {
        "currency": roi.reporting_currency(),
        "start": start,
        "end": end,
        "current": _kpis(start, end, as_of, concurrent),
        "previous": {
            "start": before[0],
            "end": before[1],
            **_kpis(*before, as_of, concurrent),
        },
        "series": _series(start, end),
        "open_alerts": _open_alerts(),
        "freshness": [{k: entry.get(k) for k in FRESHNESS} for entry in sync_health()],
    }


def _kpis(start: dt.date, end: dt.date, as_of: dt.date | None, concurrent: bool) -> dict:
    totals = roi.roi_report(roi.RoiRequest(start, end), as_of, concurrent)["totals"]
    return {name: totals[name] for name in KPIS}


def _series(start: dt.date, end: dt.date) -> list[dict]:
    params = {
        "start": start,
        "end": end,
        "rep": roi.reporting_currency(),
        "platforms": list(platforms()),
    }
    return [
        {
            "date": row.date,
            "platform": row.platform,
            "spend": None if row.spend is None else round(float(row.spend), 2),
            "revenue": None if row.revenue is None else round(float(row.revenue), 2),
        }
        for row in db.session.execute(SERIES, params)
    ]


def _open_alerts() -> int | None:
    """Alerts not resolved yet; None where the alerts table does not exist."""
    if db.session.execute(text("SELECT to_regclass('alerts')")).scalar() is None:
        return None
    unresolved = text("SELECT count(*) FROM alerts WHERE state <> 'resolved'")
    return db.session.execute(unresolved).scalar()
