"""SQL of the ROI dashboards, read into the frames `analytics.cohorts` works on.

Spend comes from the rollups, never the fact tables: the whole months inside the range from
`monthly_rollups`, the partial months at its ends from `daily_rollups` (groupings that need the
day, such as the weekday, read the daily rollups only). Customers are those acquired in the range
on an ad platform, grouped the same way; their revenue is in the reporting currency
(`amount_reporting`, converted at the rate of the event's date). Every group key is text; a
customer without the grouping's attribute is in the group '-'.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import text

from analytics import cohorts as C
from backend.extensions import db

UNATTRIBUTED = "-"


@dataclass(frozen=True)
class Grouping:
    """How a group_by splits spend (rollup rows of one breakdown) and customers."""

    breakdown: str
    spend_key: str  # over a rollup row aliased r, daily or monthly
    customer_key: str  # over customers aliased c
    needs_days: bool = False


GROUPINGS: dict[str, Grouping] = {
    "platform": Grouping("none", "r.platform", "c.platform"),
    "account": Grouping("none", "r.ad_account_id", "c.ad_account_id"),
    "campaign": Grouping("none", "r.campaign_id", "c.campaign_id"),
    "country": Grouping("country", "r.country", "upper(c.country)"),
    "device": Grouping("device", "r.device", "lower(c.device)"),
    "weekday": Grouping(
        "none",
        "extract(isodow FROM r.date)::int - 1",
        "extract(isodow FROM c.acquisition_date)::int - 1",
        needs_days=True,
    ),
}


@dataclass(frozen=True)
class Selection:
    """Acquisition range and filters of a report (both sides use them)."""

    start: dt.date
    end: dt.date
    reporting_currency: str
    platforms: tuple[str, ...]
    platform: str | None = None
    account_id: int | None = None
    campaign_id: int | None = None

    def params(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "rep": self.reporting_currency,
            "platforms": list(self.platforms),
            "platform": self.platform,
            "acc": self.account_id,
            "cmp": self.campaign_id,
        }


def _filters(alias: str, account: str, campaign: str) -> str:
    return (
        f" AND (CAST(:platform AS text) IS NULL OR {alias}.platform = :platform)"
        f" AND (CAST(:acc AS int) IS NULL OR {alias}.{account} = :acc)"
        f" AND (CAST(:cmp AS bigint) IS NULL OR {alias}.{campaign} = :cmp)"
    )


def month_split(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """[first, after) of the whole months inside start..end, or None when there is none."""
    first = start if start.day == 1 else _next_month(start)
    ends_a_month = _next_month(end) - dt.timedelta(days=1) == end
    after = _next_month(end) if ends_a_month else end.replace(day=1)
    return (first, after) if first < after else None


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _spend_rows(key: str, table: str, where: str) -> str:
    return f"""
        SELECT CAST({key} AS text) AS key, r.platform, r.ad_account_id, r.spend,
               r.impressions, r.clicks, r.installs, r.currency
        FROM {table} r
        WHERE r.breakdown = :bd AND r.reporting_currency = :rep AND {where}
        {_filters("r", "ad_account_id", "campaign_id")}
    """


def spend_frame(selection: Selection, grouping: Grouping) -> pd.DataFrame:
    """KEY, SPEND (NULL when a day had no rate), IMPRESSIONS, CLICKS, INSTALLS, platform,
    account_id (when the key determines them) and fx_missing (currencies without a rate)."""
    params = selection.params() | {"bd": grouping.breakdown}
    split = None if grouping.needs_days else month_split(selection.start, selection.end)
    parts = []
    if split is None:
        parts.append(_spend_rows(grouping.spend_key, "daily_rollups", _DAYS))
    else:
        params |= {"m_from": split[0], "m_after": split[1]}
        parts.append(_spend_rows(grouping.spend_key, "monthly_rollups", _MONTHS))
        parts.append(_spend_rows(grouping.spend_key, "daily_rollups", _EDGE_DAYS))
    sql = f"""
        SELECT key, min(platform) AS platform, min(ad_account_id) AS account_id,
               CASE WHEN count(*) = count(spend) THEN sum(spend) END AS spend,
               sum(impressions) AS impressions, sum(clicks) AS clicks,
               sum(installs) AS installs,
               array_agg(DISTINCT currency) FILTER (WHERE spend IS NULL) AS fx_missing
        FROM ({" UNION ALL ".join(parts)}) x
        GROUP BY key
    """
    return _frame(sql, params)


_DAYS = "r.date BETWEEN :start AND :end"
_MONTHS = "r.month >= :m_from AND r.month < :m_after"
_EDGE_DAYS = "r.date BETWEEN :start AND :end AND (r.date < :m_from OR r.date >= :m_after)"


def _frame(sql: str, params: dict) -> pd.DataFrame:
    result = db.session.execute(text(sql), params)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _selected_customers(selection: Selection, key: str) -> str:
    return f"""
        SELECT c.id, COALESCE(CAST({key} AS text), '{UNATTRIBUTED}') AS key,
               c.acquisition_date, CAST(:as_of AS date) - c.acquisition_date AS age
        FROM customers c
        WHERE c.acquisition_date BETWEEN :start AND :end AND c.platform = ANY(:platforms)
        {_filters("c", "ad_account_id", "campaign_id")}
    """


def customer_frame(
    selection: Selection,
    customer_key: str,
    as_of: dt.date,
    ltv_model: int | None,
    churn_model: int | None,
) -> pd.DataFrame:
    """Per group: CUSTOMERS, SCORED and Σ predicted LTV per horizon (active LTV model),
    CHURN_SCORED and CHURN_SUM (the churn model's probability, else the LTV model's)."""
    ltv_sums = ", ".join(f"sum(o.predicted_ltv_{h}) AS {C.ltv_column(h)}" for h in (30, 90, 365))
    sql = f"""
        WITH sel AS ({_selected_customers(selection, customer_key)})
        SELECT s.key, count(*) AS {C.CUSTOMERS}, count(o.customer_id) AS {C.SCORED}, {ltv_sums},
               count(COALESCE(k.churn_probability, o.churn_probability)) AS {C.CHURN_SCORED},
               sum(COALESCE(k.churn_probability, o.churn_probability)) AS {C.CHURN_SUM}
        FROM sel s
        LEFT JOIN model_outputs o ON o.model_version_id = :ltv AND o.customer_id = s.id
        LEFT JOIN model_outputs k ON k.model_version_id = :churn AND k.customer_id = s.id
        GROUP BY s.key
    """
    params = selection.params() | {"as_of": as_of, "ltv": ltv_model, "churn": churn_model}
    return _frame(sql, params)


def revenue_frames(
    selection: Selection, customer_key: str, as_of: dt.date, inactivity_days: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(revenue, ages, lifetimes) frames of the selected customers, in one query."""
    sql = f"""
        WITH sel AS MATERIALIZED ({_selected_customers(selection, customer_key)}),
        ev AS MATERIALIZED (
            SELECT s.id, s.key, s.age, e.amount_reporting AS amount,
                   GREATEST(CAST(e.occurred_at AT TIME ZONE 'UTC' AS date)
                            - s.acquisition_date, 0) AS day
            FROM sel s JOIN revenue_events e ON e.customer_id = s.id
        ),
        recency AS (SELECT id, max(day) AS day FROM ev GROUP BY id),
        life AS (
            SELECT s.key, s.age - COALESCE(r.day, 0) >= :inactivity AS observed,
                   CASE WHEN s.age - COALESCE(r.day, 0) >= :inactivity
                        THEN COALESCE(r.day, 0) ELSE s.age END AS duration
            FROM sel s LEFT JOIN recency r ON r.id = s.id
        )
        SELECT 'revenue' AS part, key, day AS d, day < age AS flag,
               CASE WHEN count(*) = count(amount) THEN sum(amount) END AS value, NULL AS n
        FROM ev GROUP BY key, day, day < age
        UNION ALL
        SELECT 'age', key, age, NULL, NULL, count(*) FROM sel GROUP BY key, age
        UNION ALL
        SELECT 'life', key, duration, observed, NULL, count(*) FROM life
        GROUP BY key, duration, observed
    """
    params = selection.params() | {"as_of": as_of, "inactivity": inactivity_days}
    long = _frame(sql, params)
    part = long["part"] if not long.empty else pd.Series(dtype=str)
    revenue = long[part == "revenue"].rename(columns={"d": C.DAY, "flag": C.SETTLED})
    ages = long[part == "age"].rename(columns={"d": C.AGE, "n": C.CUSTOMERS})
    lifetimes = long[part == "life"].rename(
        columns={"d": C.DURATION, "flag": C.OBSERVED, "n": C.CUSTOMERS}
    )
    return (
        _typed(revenue, {C.KEY: str, C.DAY: int, C.REVENUE: float, C.SETTLED: bool}, "value"),
        _typed(ages, {C.KEY: str, C.AGE: int, C.CUSTOMERS: float}),
        _typed(lifetimes, {C.KEY: str, C.DURATION: int, C.OBSERVED: bool, C.CUSTOMERS: float}),
    )


def _typed(frame: pd.DataFrame, types: dict, value: str | None = None) -> pd.DataFrame:
    if value:
        frame = frame.rename(columns={value: C.REVENUE})
    frame = frame.reindex(columns=list(types))
    return frame.astype(types) if not frame.empty else frame


def active_models() -> dict[str, dict]:
    """The active version of each model kind: id, kind, algorithm, trained_at, metrics."""
    rows = db.session.execute(
        text(
            "SELECT id, kind, algorithm, trained_at, metrics FROM model_versions "
            "WHERE is_active AND status = 'ready'"
        )
    ).mappings()
    return {row["kind"]: dict(row) for row in rows}
