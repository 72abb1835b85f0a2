"""SQL of the ROI dashboards, read into the frames `analytics.cohorts` works on.

Spend comes from the rollups, never the fact tables: the whole months inside the range from
`monthly_rollups`, the partial months at its ends from `daily_rollups` (groupings that need the
day, such as the weekday, read the daily rollups only). Customers are those acquired in the range
on an ad platform, grouped the same way; their revenue in the reporting currency (converted at
the rate of each event's date) and the predictions of the active models are read from
`roi_customers`, one row per customer kept by triggers, never from the revenue events or the
model outputs. Every group key is text; a customer without the
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


def _customer_rows(selection: Selection) -> str:
    """FROM and WHERE of the customers acquired in the selection: one row each in
    roi_customers (acquisition attributes, revenue summary, active predictions), aliased c."""
    return f"""
        FROM roi_customers c
        WHERE c.acquisition_date BETWEEN :start AND :end AND c.platform = ANY(:platforms)
        {_filters("c", "ad_account_id", "campaign_id")}
    """


#: Days since acquisition on `as_of`, and whether the customer's lifetime has ended (no purchase
#: for CHURN_INACTIVITY_DAYS): then it lasted to the last purchase, else it goes on (censored).
_AGE = "(CAST(:as_of AS date) - c.acquisition_date)"
_ENDED = f"({_AGE} - c.last_purchase_day >= :inactivity)"
_DURATION = f"CASE WHEN {_ENDED} THEN c.last_purchase_day ELSE {_AGE} END"


def customer_frame(selection: Selection, customer_key: str, as_of: dt.date) -> pd.DataFrame:
    """One row per group with every column of `analytics.cohorts.CUSTOMER_COLUMNS` (customers,
    revenue, predictions of the active LTV model, churn: the churn model's probability, else the
    LTV model's; the checkpoint counts and sums of the curves), from the selected customers
    grouped by checkpoints lived and by lifetime (`analytics.cohort_buckets`)."""
    through = ", ".join(f"sum(c.{revenue_column(n)}) AS {B.through_column(n)}" for n in CHECKPOINTS)
    ltv = ", ".join(f"sum(c.predicted_ltv_{h}) AS {C.ltv_column(h)}" for h in HORIZONS)
    lived_sql = f"""
        SELECT {customer_key} AS key,
               width_bucket({_AGE}, CAST(:checkpoints AS int[])) AS {B.LIVED},
               count(*) AS {C.CUSTOMERS}, sum(c.revenue) AS {C.REVENUE}, {through},
               count(*) FILTER (WHERE c.ltv_scored) AS {C.SCORED}, {ltv},
               count(c.churn_probability) AS {C.CHURN_SCORED},
               sum(c.churn_probability) AS {C.CHURN_SUM}
        {_customer_rows(selection)}
        GROUP BY 1, 2
    """
    params = selection.params() | {
        "as_of": as_of,
        "inactivity": C.CHURN_INACTIVITY_DAYS,
        "checkpoints": list(CHECKPOINTS),
    }
    lived = db.session.execute(text(lived_sql), params)
    names = lived.keys()  # the rows are the cursor's own tuples
    by_lived = pd.DataFrame(_text_keys(lived.cursor.fetchall()), columns=list(names))
    bucket = f"width_bucket({_DURATION}, CAST(:checkpoints AS int[]))"
    by_lifetime = _lifetimes(selection, customer_key, bucket, params, B.BUCKET)
    return B.customers_from_buckets(by_lived, by_lifetime)


def _lifetimes(
    selection: Selection, customer_key: str, duration: str, params: dict, name: str
) -> pd.DataFrame:
    """KEY, `name` (the lifetime's `duration` expression), ENDED and CUSTOMERS: the selected
    customers counted per group, duration and whether the lifetime ended."""
    sql = f"""
        SELECT {customer_key}, {duration}, {_ENDED}, count(*)
        {_customer_rows(selection)}
        GROUP BY 1, 2, 3
    """
    rows = db.session.execute(text(sql), params).cursor.fetchall()
    return pd.DataFrame(_text_keys(rows), columns=[C.KEY, name, B.ENDED, C.CUSTOMERS])


def _text_keys(rows: list[tuple]) -> list[tuple]:
    """Rows whose first value, a group key of any type, is made text (None: UNATTRIBUTED), as
    CAST(key AS text) would."""
    return [(UNATTRIBUTED if key is None else str(key), *rest) for key, *rest in rows]


def lifetime_frame(selection: Selection, customer_key: str, as_of: dt.date) -> pd.DataFrame:
    """Customers per group, lifetime duration (days) and whether it ended: what
    `analytics.ltv.kaplan_meier` needs, as counts."""
    params = selection.params() | {"as_of": as_of, "inactivity": C.CHURN_INACTIVITY_DAYS}
    return _lifetimes(selection, customer_key, _DURATION, params, "duration")


def active_models() -> dict[str, dict]:
    """The active version of each model kind: id, kind, algorithm, trained_at, metrics."""
    rows = db.session.execute(
        text(
            "SELECT id, kind, algorithm, trained_at, metrics FROM model_versions "
            "WHERE is_active AND status = 'ready'"
        )
    ).mappings()
    return {row["kind"]: dict(row) for row in rows}
