"""SQL of the ROI dashboards, read into the frames `analytics.cohorts` works on.

Spend comes from the rollups, never the fact tables: the whole months inside the range from
`monthly_rollups`, the partial months at its ends from `daily_rollups` (groupings that need the
day, such as the weekday, read the daily rollups only). Customers are those acquired in the range
on an ad platform, grouped the same way; their revenue in the reporting currency (converted at
the rate of each event's date) is read from `customer_revenue`, one summary row per customer kept
by triggers, never from the revenue events. Every group key is text; a customer without the
grouping's attribute is in the group '-'.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import text

from analytics import cohort_buckets as B
from analytics import cohorts as C
from analytics.revenue_curves import CHECKPOINTS, HORIZONS
from backend.extensions import db
from backend.models.roi_rollups import revenue_column

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
        SELECT {key} AS key, r.platform, r.ad_account_id, r.spend,
               r.impressions, r.clicks, r.installs, r.currency
        FROM {table} r
        WHERE r.breakdown = :bd AND r.reporting_currency = :rep AND {where}
        {_filters("r", "ad_account_id", "campaign_id")}
    """


def spend_frame(selection: Selection, grouping: Grouping) -> pd.DataFrame:
    """KEY, SPEND (NULL when a day had no rate), IMPRESSIONS, CLICKS, INSTALLS, platform,
    account_id (when the key determines them) and fx_missing (currencies without a rate, one
    entry per rollup row that lacked it)."""
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
        SELECT CAST(key AS text) AS key, min(platform) AS platform,
               min(ad_account_id) AS account_id,
               CAST(CASE WHEN count(*) = count(spend) THEN sum(spend) END AS float8) AS spend,
               CAST(sum(impressions) AS float8) AS impressions,
               CAST(sum(clicks) AS float8) AS clicks, CAST(sum(installs) AS float8) AS installs,
               array_agg(currency) FILTER (WHERE spend IS NULL) AS fx_missing
        FROM ({" UNION ALL ".join(parts)}) x
        GROUP BY x.key
    """
    return _frame(sql, params)


_DAYS = "r.date BETWEEN :start AND :end"
_MONTHS = "r.month >= :m_from AND r.month < :m_after"
_EDGE_DAYS = "r.date BETWEEN :start AND :end AND (r.date < :m_from OR r.date >= :m_after)"


def _frame(sql: str, params: dict) -> pd.DataFrame:
    result = db.session.execute(text(sql), params)
    columns = list(result.keys())
    # the driver's own tuples: these queries return plain values (floats, ints, text, arrays)
    return pd.DataFrame(result.cursor.fetchall(), columns=columns)


def _selected_customers(selection: Selection, key: str) -> str:
    """One row per customer acquired in the selection: group key, checkpoints lived, revenue
    summary (customer_revenue; absent: no payment yet), lifetime (duration, ended)."""
    return f"""
        SELECT c.id, COALESCE(CAST({key} AS text), '{UNATTRIBUTED}') AS key,
               width_bucket(l.age, CAST(:checkpoints AS int[])) AS lived, s.revenue,
               {", ".join(f"s.{revenue_column(n)}" for n in CHECKPOINTS)},
               l.age - l.last_day >= :inactivity AS ended,
               CASE WHEN l.age - l.last_day >= :inactivity THEN l.last_day ELSE l.age END
                   AS duration
        FROM customers c
        LEFT JOIN customer_revenue s ON s.customer_id = c.id
        CROSS JOIN LATERAL (
            SELECT CAST(:as_of AS date) - c.acquisition_date AS age,
                   COALESCE(s.last_purchase_day, 0) AS last_day
        ) l
        WHERE c.acquisition_date BETWEEN :start AND :end AND c.platform = ANY(:platforms)
        {_filters("c", "ad_account_id", "campaign_id")}
    """


_NO_OUTPUT = ", ".join(
    [f"NULL::numeric AS predicted_ltv_{h}" for h in HORIZONS]
    + ["NULL::numeric AS churn_probability"]
)


def customer_frame(
    selection: Selection,
    customer_key: str,
    as_of: dt.date,
    ltv_model: int | None,
    churn_model: int | None,
) -> pd.DataFrame:
    """One row per group with every column of `analytics.cohorts.CUSTOMER_COLUMNS` (customers,
    revenue, predictions of the active LTV model, churn: the churn model's probability, else the
    LTV model's; the checkpoint counts and sums of the curves), from one pass over the selected
    customers grouped by checkpoints lived and by lifetime (`analytics.cohort_buckets`)."""
    through = ", ".join(
        f"COALESCE(sum(x.{revenue_column(n)}), 0) AS {B.through_column(n)}" for n in CHECKPOINTS
    )
    ltv = ", ".join(
        f"CAST(sum(o.predicted_ltv_{h}) AS float8) AS {C.ltv_column(h)}" for h in HORIZONS
    )
    churn = "COALESCE(k.churn_probability, o.churn_probability)"
    # without an active version of a kind, its join is left out (not joined to nothing)
    outputs = {
        "o": "model_outputs o ON o.model_version_id = :ltv AND o.customer_id = x.id",
        "k": "model_outputs k ON k.model_version_id = :churn AND k.customer_id = x.id",
    }
    for alias, model in (("o", ltv_model), ("k", churn_model)):
        if model is None:
            outputs[alias] = f"(SELECT NULL::bigint AS customer_id, {_NO_OUTPUT}) {alias} ON false"
    sql = f"""
        WITH x AS MATERIALIZED ({_selected_customers(selection, customer_key)})
        SELECT 'lived' AS part, x.key, x.lived AS position, NULL AS ended,
               count(*) AS {C.CUSTOMERS}, COALESCE(sum(x.revenue), 0) AS {C.REVENUE}, {through},
               count(o.customer_id) AS {C.SCORED}, {ltv}, count({churn}) AS {C.CHURN_SCORED},
               CAST(sum({churn}) AS float8) AS {C.CHURN_SUM}
        FROM x
        LEFT JOIN {outputs["o"]}
        LEFT JOIN {outputs["k"]}
        GROUP BY x.key, x.lived
        UNION ALL
        SELECT 'lifetime', x.key,
               width_bucket(x.duration, CAST(:checkpoints AS int[])), x.ended, count(*),
               {", ".join(["NULL"] * (len(CHECKPOINTS) + len(HORIZONS) + 4))}
        FROM x GROUP BY 2, 3, 4
    """
    params = selection.params() | {
        "as_of": as_of,
        "ltv": ltv_model,
        "churn": churn_model,
        "inactivity": C.CHURN_INACTIVITY_DAYS,
        "checkpoints": list(CHECKPOINTS),
    }
    long = _frame(sql, params)
    lived = (long["part"] == "lived").to_numpy()
    by_lived = long[lived].rename(columns={"position": B.LIVED})
    by_lifetime = long[~lived].rename(columns={"position": B.BUCKET})
    return B.customers_from_buckets(by_lived, by_lifetime)


def lifetime_frame(selection: Selection, customer_key: str, as_of: dt.date) -> pd.DataFrame:
    """Customers per group, lifetime duration (days) and whether it ended: what
    `analytics.ltv.kaplan_meier` needs, as counts."""
    sql = f"""
        SELECT x.key, x.duration, x.ended, count(*) AS customers
        FROM ({_selected_customers(selection, customer_key)}) x
        GROUP BY x.key, x.duration, x.ended
    """
    params = selection.params() | {
        "as_of": as_of,
        "inactivity": C.CHURN_INACTIVITY_DAYS,
        "checkpoints": list(CHECKPOINTS),
    }
    return _frame(sql, params)


def active_models() -> dict[str, dict]:
    """The active version of each model kind: id, kind, algorithm, trained_at, metrics."""
    rows = db.session.execute(
        text(
            "SELECT id, kind, algorithm, trained_at, metrics FROM model_versions "
            "WHERE is_active AND status = 'ready'"
        )
    ).mappings()
    return {row["kind"]: dict(row) for row in rows}
