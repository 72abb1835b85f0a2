"""The overview: headline figures of a range against the preceding range of equal length, spend
and revenue per day and platform, open alerts and data freshness (GET /api/overview).

Revenue is that of the customers acquired in the range, to date: the preceding range's customers
have had longer to pay, so its revenue and ROAS are compared like with like in `comparable`, on
the revenue of each customer's first COMPARABLE_AGE_DAYS days, over the days of the range whose
cohorts are that old and the same days of the preceding range."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future

from sqlalchemy import text

from analytics import metrics
from backend.services.ingestion.health import freshness
from backend.services.roi import queries
from backend.services.roi import report as roi
from backend.services.roi.cache import autocommit_engine
from backend.services.roi.tables import revenue_column
from connectors import platforms

_OPEN_ALERTS = text("SELECT count(*) FROM alerts WHERE state <> 'resolved'")
KPIS = ("spend", "revenue", "roas", "predicted_roas", "installs", "cpi", "customers", "cac")
#: The same figures without suspect traffic (analytics.metrics), and the share left out.
EXCLUDING_SUSPECTS = (
    "suspects",
    "suspect_share",
    "cac_excluding_suspects",
    "roas_excluding_suspects",
)
#: How far to trust predicted_roas (backend.services.roi): its accuracy and interval; the
#: early figures of the range's days too young for revenue history (`roi.early`); and the one
#: predicted ROAS the overview shows, as the ROI report's totals (`predictions.shown_roas`).
TRUST = ("accuracy", "predicted_roas_interval", "early", "prediction")


def _series_sql() -> str:
    """Spend per day and platform from the daily rollups; revenue to date of the customers
    acquired that day (the same cohort revenue as the ROI report, so the days add up to its
    total) and through their first COMPARABLE_AGE_DAYS days, from the customer side summed per
    day and platform (`queries.CUSTOMER_SOURCES`; unknown: a payment without an exchange rate)."""
    at_age = revenue_column(metrics.COMPARABLE_AGE_DAYS)
    return f"""
    WITH spend AS (
        SELECT r.date, r.platform,
               CASE WHEN count(*) = count(r.spend) THEN sum(r.spend) END AS spend
        FROM daily_rollups r
        WHERE r.breakdown = 'none' AND r.reporting_currency = :rep
          AND r.date BETWEEN :start AND :end
        GROUP BY r.date, r.platform
    ), revenue AS (
        SELECT c.acquisition_date AS date, c.platform,
               CASE WHEN sum(c.revenue_unknown) = 0
                    THEN CAST(sum(c.revenue) AS float8) END AS revenue,
               CASE WHEN sum(c.{at_age}_unknown) = 0
                    THEN CAST(sum(c.{at_age}) AS float8) END AS revenue_at_age
        FROM {queries.CUSTOMER_SOURCES["platform_days"]} c
        WHERE c.acquisition_date BETWEEN :start AND :end AND c.platform = ANY(:platforms)
        GROUP BY c.acquisition_date, c.platform
    )
    SELECT COALESCE(s.date, v.date) AS date, COALESCE(s.platform, v.platform) AS platform,
           CASE WHEN s.date IS NULL THEN 0 ELSE s.spend END AS spend,
           CASE WHEN v.date IS NULL THEN 0 ELSE v.revenue END AS revenue,
           CASE WHEN v.date IS NULL THEN 0 ELSE v.revenue_at_age END AS revenue_at_age
    FROM spend s FULL JOIN revenue v ON v.date = s.date AND v.platform = s.platform
    ORDER BY 1, 2
    """


def previous_range(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The range of equal length that ends the day before `start`."""
    days = (end - start).days + 1
    return start - dt.timedelta(days=days), start - dt.timedelta(days=1)


def overview(
    start: dt.date, end: dt.date, as_of: dt.date | None = None, concurrent: bool = False
) -> dict:
    """`overview_figures` and `overview_status` together."""
    return overview_figures(start, end, as_of, concurrent) | overview_status()


def overview_figures(
    start: dt.date, end: dt.date, as_of: dt.date | None = None, concurrent: bool = False
) -> dict:
    """The figures of the overview, which change only with the data (the answer cache keeps
    them). `concurrent`: the ROI queries in parallel, for a caller whose transaction has written
    nothing (a GET request; `roi.reads_for`)."""
    roi.check_range(start, end)
    as_of = as_of or roi.today()
    before = previous_range(start, end)
    # the series is read alongside the two ranges' reports (on a connection of its own when
    # concurrent), not after them
    series_read = _read_series(before[0], end, roi.reads_for(concurrent))
    # and the preceding range's report queries while the range's own report is built
    previous_frames = roi.read_report_frames(roi.RoiRequest(*before), as_of, concurrent)
    current = _kpis(start, end, as_of, concurrent)
    previous = _kpis(*before, as_of, concurrent, previous_frames)
    days = _series(series_read.result(), as_of)
    return {
        "currency": roi.reporting_currency(),
        "start": start,
        "end": end,
        "as_of": as_of,
        "current": current,
        "previous": {"start": before[0], "end": before[1], **previous},
        "comparable": comparable(days, start, end, as_of),
        "series": [point for point in days if point["date"] >= start],
    }


def overview_status() -> dict:
    """What the overview says of now, read on every request: open alerts and data freshness,
    on an autocommit connection (two statements, no BEGIN, ROLLBACK or pre-ping: a warm
    overview reads nothing else in PostgreSQL but the answer's data version)."""
    with autocommit_engine().connect() as conn:
        return {
            "open_alerts": conn.execute(_OPEN_ALERTS).scalar_one(),
            "freshness": freshness(connection=conn),
        }


def comparable(series: list[dict], start: dt.date, end: dt.date, as_of: dt.date) -> dict:
    """Revenue and ROAS of the range and of the preceding one at the same age: the revenue of
    each customer's first COMPARABLE_AGE_DAYS days, over the days of the range whose cohorts
    have lived them (through `through`) and the same days of the preceding range; `current` and
    `previous` are None when no day of the range is old enough."""
    age = metrics.COMPARABLE_AGE_DAYS
    through = min(end, metrics.last_complete_cohort(as_of, age))
    out: dict = {"days": age, "through": through if through >= start else None}
    if through < start:
        return out | {"current": None, "previous": None}
    shift = dt.timedelta(days=(end - start).days + 1)
    out["current"] = _at_age(series, start, through)
    out["previous"] = _at_age(series, start - shift, through - shift)
    return out


def _at_age(series: list[dict], start: dt.date, end: dt.date) -> dict:
    points = [p for p in series if start <= p["date"] <= end]
    spend = _strict_sum(p["spend"] for p in points)
    revenue = _strict_sum(p["revenue_at_age"] for p in points)
    roas = metrics.roas(revenue, spend)
    return {
        "start": start,
        "end": end,
        "spend": spend,
        "revenue": revenue,
        "roas": None if roas is None else round(roas, 4),
    }


def _strict_sum(values) -> float | None:
    """The sum, None when any part is unknown."""
    total = 0.0
    for value in values:
        if value is None:
            return None
        total += value
    return round(total, 2)


def _kpis(
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    concurrent: bool,
    frames: Callable[[], roi.Frames] | None = None,
) -> dict:
    """The KPIS of a range, with the backtested accuracy of its predicted ROAS at the range's
    age and its interval (as the ROI report's totals); `frames`: its report's queries already
    submitted (`roi.read_report_frames`)."""
    report = roi.roi_report(roi.RoiRequest(start, end), as_of, concurrent, frames, totals_only=True)
    totals = report["totals"]
    names = (*KPIS, *EXCLUDING_SUSPECTS, *TRUST)
    return {name: totals[name] for name in names} | {"age_days": report["age_days"]}


def _read_series(start: dt.date, end: dt.date, reads: queries.Reads) -> Future:
    """Reads spend, revenue to date and revenue at COMPARABLE_AGE_DAYS per day and platform."""
    params = {
        "start": start,
        "end": end,
        "rep": roi.reporting_currency(),
        "platforms": list(platforms()),
    }
    return reads.submit(_series_sql(), params)


def _series(fetched: queries.Fetched, as_of: dt.date) -> list[dict]:
    """Per day and platform: spend, revenue to date and `revenue_at_age` (None while the day's
    cohort is younger than COMPARABLE_AGE_DAYS), from what `_read_series` read."""
    names, rows = fetched
    old_enough = metrics.last_complete_cohort(as_of, metrics.COMPARABLE_AGE_DAYS)
    points = []
    for row in rows:
        day = dict(zip(names, row, strict=True))
        points.append(
            {
                "date": day["date"],
                "platform": day["platform"],
                "spend": _money(day["spend"]),
                "revenue": _money(day["revenue"]),
                "revenue_at_age": (
                    _money(day["revenue_at_age"]) if day["date"] <= old_enough else None
                ),
            }
        )
    return points


def _money(value) -> float | None:
    """Rounded to cents; None for unknown (NULL or NaN)."""
    if value is None or value != value:
        return None
    return round(float(value), 2)
