"""SQL of the ROI dashboards, read into the frames `analytics.cohorts` works on.

Spend comes from the rollups, never the fact tables: the whole months inside the range from
`monthly_rollups`, the partial months at its ends from `daily_rollups` (groupings that need the
day, such as the weekday, read the daily rollups only). Customers are those acquired in the range
on an ad platform, grouped the same way; their revenue in the reporting currency (converted at
the rate of each event's date) and the predictions of the active models are read from the
customer side pre-aggregated per acquisition day, campaign, country and device
(`roi_customer_days`, `roi_customer_lifetimes`, kept from `roi_customers` by a trigger), or
their sums per day and platform, campaign, or country and device when the grouping needs
nothing finer (`customer_source`), each with the active prediction set's sums through its view
(`prediction_sums.READ_VIEWS`), never from the customers, the revenue events or the model
outputs: a cold report reads rows per day and campaign, not per customer. Every group key is
text; a customer without the grouping's attribute is in the group '-'.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from analytics import cohort_buckets, cohorts
from analytics.ltv import churn_traits
from analytics.revenue_curves import CHECKPOINTS, HORIZONS
from backend.extensions import db
from backend.services.roi.sql import planner
from backend.services.roi.sql.customer_groups import LAST_PURCHASES, days_into, definition
from backend.services.roi.sql.prediction_sums import readable
from backend.services.roi.tables import revenue_column

UNATTRIBUTED = "-"

#: (column names, rows as the driver's own tuples) of one query.
Fetched = tuple[list[str], list[tuple]]


class Reads:
    """Where the queries of one report run.

    By default on the session, one after the other, in its transaction. Concurrent: each on a
    connection of its own from a small thread pool, every one importing the snapshot of the
    session's transaction (`pg_export_snapshot`), so that together they read exactly what the
    session would, and a load committing meanwhile is seen by all or none. For callers whose
    transaction has written nothing a report reads: an exported snapshot does not hold the
    exporting transaction's own uncommitted changes. `work_mem`: PostgreSQL's memory for each
    sort and hash of a concurrent read (its own transaction's setting), so that grouping the
    customer side sorts or hashes in memory instead of spilling to disk."""

    _pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="roi-reads")

    def __init__(self, concurrent: bool = False, work_mem: str | None = None) -> None:
        self.snapshot: str | None = None
        self.engine: Engine | None = None
        self.work_mem = work_mem or None
        if concurrent:
            snapshot = db.session.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            if not _SNAPSHOT_ID.fullmatch(snapshot):
                raise ValueError(f"unexpected snapshot id {snapshot!r}")
            self.snapshot, self.engine = snapshot, db.engine

    def submit(self, sql: str, params: dict) -> Future:
        """The query's Fetched, now (on the session) or when its thread has read it."""
        if self.snapshot is None:
            done: Future = Future()
            done.set_result(_fetch(db.session.execute(text(sql), params)))
            return done
        return self._pool.submit(
            _read_in_snapshot, self.engine, self.snapshot, self.work_mem, sql, params
        )


_SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+-[0-9]+")


def _fetch(result) -> Fetched:
    # the driver's own tuples: these queries return plain values (floats, ints, text, arrays)
    return list(result.keys()), result.cursor.fetchall()


def _read_in_snapshot(
    engine: Engine, snapshot: str, work_mem: str | None, sql: str, params: dict
) -> Fetched:
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        settings = {**planner.NO_JIT, **({"work_mem": ":work_mem"} if work_mem else {})}
        conn.execute(text(f"SELECT {planner.set_configs(settings)}"), {"work_mem": work_mem})
        fetched = _fetch(conn.execute(text(sql), params))
        conn.rollback()
        return fetched


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
        SELECT {key} AS key, r.platform, r.ad_account_id, 1 AS rows,
               CAST(r.spend IS NOT NULL AS int) AS priced, r.spend,
               r.impressions, r.clicks, r.installs, r.currency
        FROM {table} r
        WHERE r.breakdown = :bd AND r.reporting_currency = :rep AND {where}
        {_filters("r", "ad_account_id", "campaign_id")}
    """


def _spend_days(key: str) -> str:
    """The daily rollups of the range summed per day, platform and currency first, and `key`
    (of the day and platform only) computed once per such sum instead of once per campaign."""
    if set(_SPEND_COLUMN.findall(key)) - {"date", "platform"}:
        raise ValueError(f"a spend key by day may use the day and platform only: {key}")
    return f"""
        SELECT {key} AS key, r.platform, r.ad_account_id, r.rows, r.priced, r.spend,
               r.impressions, r.clicks, r.installs, r.currency
        FROM (
            SELECT r.date, r.platform, r.currency, min(r.ad_account_id) AS ad_account_id,
                   count(*) AS rows, count(r.spend) AS priced, sum(r.spend) AS spend,
                   sum(r.impressions) AS impressions, sum(r.clicks) AS clicks,
                   sum(r.installs) AS installs
            FROM daily_rollups r
            WHERE r.breakdown = :bd AND r.reporting_currency = :rep AND {_DAYS}
            {_filters("r", "ad_account_id", "campaign_id")}
            GROUP BY r.date, r.platform, r.currency
        ) r
    """


_SPEND_COLUMN = re.compile(r"\br\.(\w+)")


def read_spend(selection: Selection, grouping: Grouping, reads: Reads) -> Future:
    """Reads KEY, SPEND (NULL when a day had no rate), IMPRESSIONS, CLICKS, INSTALLS, platform,
    account_id (when the key determines them) and fx_missing (the currencies without a rate on
    some day); `frame` of its result is the frame. A grouping by day reads the daily rollups
    summed per day and platform (`_spend_days`)."""
    params = selection.params() | {"bd": grouping.breakdown}
    split = None if grouping.needs_days else month_split(selection.start, selection.end)
    parts = []
    if grouping.needs_days:
        parts.append(_spend_days(grouping.spend_key))
    elif split is None:
        parts.append(_spend_rows(grouping.spend_key, "daily_rollups", _DAYS))
    else:
        params |= {"m_from": split[0], "m_after": split[1]}
        parts.append(_spend_rows(grouping.spend_key, "monthly_rollups", _MONTHS))
        parts.append(_spend_rows(grouping.spend_key, "daily_rollups", _EDGE_DAYS))
    sql = f"""
        SELECT CAST(key AS text) AS key, min(platform) AS platform,
               min(ad_account_id) AS account_id,
               CAST(CASE WHEN sum(rows) = sum(priced) THEN sum(spend) END AS float8) AS spend,
               CAST(sum(impressions) AS float8) AS impressions,
               CAST(sum(clicks) AS float8) AS clicks, CAST(sum(installs) AS float8) AS installs,
               array_agg(DISTINCT currency) FILTER (WHERE priced < rows) AS fx_missing
        FROM ({" UNION ALL ".join(parts)}) x
        GROUP BY x.key
    """
    return reads.submit(sql, params)


_DAYS = "r.date BETWEEN :start AND :end"
_MONTHS = "r.month >= :m_from AND r.month < :m_after"
_EDGE_DAYS = "r.date BETWEEN :start AND :end AND (r.date < :m_from OR r.date >= :m_after)"


def frame(fetched: Fetched) -> pd.DataFrame:
    """A query's rows as a frame (the spend of `read_spend`)."""
    columns, rows = fetched
    return pd.DataFrame(rows, columns=columns)


#: Where the customer side is read: the relations of `sql.customer_groups.AGGREGATES` and of its
#: COARSE sums, each through its view with the active prediction set's sums
#: (`prediction_sums.readable`; a test reads the same columns per customer instead,
#: `customer_groups.per_customer_sql`).
CUSTOMER_SOURCES = {
    "days": "roi_customer_days",
    "lifetimes": "roi_customer_lifetimes",
    "platform_days": "roi_customer_platform_days",
    "platform_lifetimes": "roi_customer_platform_lifetimes",
    "campaign_days": "roi_customer_campaign_days",
    "country_days": "roi_customer_country_days",
    "campaign_months": "roi_customer_campaign_months",
    "campaign_weeks": "roi_customer_campaign_weeks",
}
_GROUP_TABLES = dict(CUSTOMER_SOURCES)  # the tables themselves (tests replace the sources)
#: The sources also summed per acquisition month and week (`customer_groups.PERIODS`): source:
#: (its months, its weeks).
PERIOD_SOURCES = {"campaign_days": ("campaign_months", "campaign_weeks")}
#: The coarse levels of the customer groups, fewest rows first: the columns of their key a
#: query's key and filters may use for the level to serve it.
LEVELS = {
    "platform": frozenset({"acquisition_date", "platform"}),
    "country": frozenset({"acquisition_date", "platform", "country", "device"}),
    "campaign": frozenset({"acquisition_date", "platform", "ad_account_id", "campaign_id"}),
}
_COLUMN = re.compile(r"\bc\.(\w+)")


def customer_source(selection: Selection, customer_key: str, source: str = "days") -> str:
    """The key of CUSTOMER_SOURCES a query grouped by `customer_key` (over groups aliased c)
    reads: the coarsest level of the groups (LEVELS) that holds the key's columns and those of
    the selection's filters (by platform, by day or week, the cohorts: per day and platform; by
    country or device: per day, country and device; by campaign or account, or with an account
    or campaign selected: per day and campaign), else the fine groups."""
    needed = set(_COLUMN.findall(customer_key))
    if selection.account_id is not None:
        needed.add("ad_account_id")
    if selection.campaign_id is not None:
        needed.add("campaign_id")
    for level, columns in LEVELS.items():
        if needed <= columns and f"{level}_{source}" in CUSTOMER_SOURCES:
            return f"{level}_{source}"
    return source


def _customer_rows(selection: Selection, customer_key: str, source: str = "days") -> str:
    """FROM and WHERE of the groups of customers acquired in the selection (a group: an
    acquisition day, platform, account, campaign, country and device, or a coarser level of
    them (`customer_source`), with the lifetimes' further keys), aliased c."""
    source = customer_source(selection, customer_key, source)
    level = LEVELS.get(source.rpartition("_")[0])
    filters = " AND (CAST(:platform AS text) IS NULL OR c.platform = :platform)"
    if level is None or "ad_account_id" in level:
        filters = _filters("c", "ad_account_id", "campaign_id")
    return f"""
        FROM {readable(CUSTOMER_SOURCES[source])} c
        WHERE c.acquisition_date BETWEEN :start AND :end AND c.platform = ANY(:platforms)
        {filters}
    """


def lived_alike_months(start: dt.date, end: dt.date, as_of: dt.date) -> list[dt.date]:
    """The first days of the whole months inside start..end in each of which every day's
    customers have lived through the same checkpoints on `as_of`, and have the same cut
    (CUT_INTERVAL): their groups per month stand for their days' in `read_customers`."""
    split = month_split(start, end)
    if split is None:
        return []
    out, month = [], split[0]
    while month < split[1]:
        if _lived_alike(month, _next_month(month) - dt.timedelta(days=1), as_of):
            out.append(month)
        month = _next_month(month)
    return out


def lived_alike_weeks(
    start: dt.date, end: dt.date, as_of: dt.date, months: list[dt.date]
) -> list[dt.date]:
    """The Mondays of the whole ISO weeks inside start..end, outside `months`, whose days'
    customers have lived alike (as `lived_alike_months`)."""
    out = []
    monday = start + dt.timedelta(days=-start.weekday() % 7)
    while monday + dt.timedelta(days=6) <= end:
        sunday = monday + dt.timedelta(days=6)
        outside = {monday.replace(day=1), sunday.replace(day=1)}.isdisjoint(months)
        if outside and _lived_alike(monday, sunday, as_of):
            out.append(monday)
        monday += dt.timedelta(days=7)
    return out


def _lived_alike(first: dt.date, last: dt.date, as_of: dt.date) -> bool:
    """Whether the customers of first..last have the same checkpoints lived and cut on `as_of`
    (width_bucket over CHECKPOINTS of the ages of the first and the last day)."""
    ages = ((as_of - first).days, (as_of - last).days)
    return all(
        len({bisect.bisect_right(CHECKPOINTS, age - less) for age in ages}) == 1
        for less in (0, cohorts.CHURN_INACTIVITY_DAYS)
    )


#: The alias of the customers' days into their group's period in `_lived_rows` (0 for a day's).
_DAYS_INTO = "days_into"


def _lived_rows(selection: Selection, customer_key: str, as_of: dt.date) -> tuple[str, dict]:
    """FROM and WHERE of `read_customers`' groups (`_customer_rows`), and its parameters: for
    a source summed per month and week too (PERIOD_SOURCES), the groups per month of the months
    of `lived_alike_months`, those per week of the weeks of `lived_alike_weeks` and those per
    day of the other days, each with _DAYS_INTO."""
    source = customer_source(selection, customer_key)
    if source not in PERIOD_SOURCES:
        return _customer_rows(selection, customer_key), {}
    months = lived_alike_months(selection.start, selection.end, as_of)
    weeks = lived_alike_weeks(selection.start, selection.end, as_of, months)
    if not months and not weeks:
        return _customer_rows(selection, customer_key), {}
    days, day = [], selection.start
    while day <= selection.end:
        monday = day - dt.timedelta(days=day.weekday())
        if day.replace(day=1) not in months and monday not in weeks:
            days.append(day)
        day += dt.timedelta(days=1)
    columns = ", ".join(f"c.{c}" for c in _group_columns(source))
    filters = _filters("c", "ad_account_id", "campaign_id")
    parts = [
        f"""SELECT {columns}, {into} AS {_DAYS_INTO} FROM {readable(CUSTOMER_SOURCES[name])} c
            WHERE c.acquisition_date = ANY(CAST(:{param} AS date[]))
              AND c.platform = ANY(:platforms) {filters}"""
        for name, param, into in (
            (source, "days", "0"),
            *(
                (period, param, f"c.{days_into(_GROUP_TABLES[period])}")
                for period, param in zip(PERIOD_SOURCES[source], ("months", "weeks"), strict=True)
            ),
        )
    ]
    sql = f"FROM ({' UNION ALL '.join(parts)}) c"
    return sql, {"days": days, "months": months, "weeks": weeks}


def _group_columns(source: str) -> tuple[str, ...]:
    """The columns of a customer source's groups (`customer_groups.definition`)."""
    key, aggregates = definition(_GROUP_TABLES[source])
    return (*key, *aggregates)


#: Days since acquisition on `as_of`, and whether the customer's lifetime has ended (no purchase
#: for CHURN_INACTIVITY_DAYS): then it lasted to the last purchase, else it goes on (censored).
_AGE = "(CAST(:as_of AS date) - c.acquisition_date)"
_ENDED = f"({_AGE} - c.last_purchase_day >= :inactivity)"


#: The suspect customers (traffic quality, stored by `backend.services.early.suspicion`) and
#: their revenue, for the figures that exclude suspect traffic (`analytics.metrics`).
_SUSPECT_SUMS = (
    f"CAST(sum(c.suspects) AS bigint) AS {cohorts.SUSPECTS}, "
    f"CASE WHEN sum(c.suspect_revenue_unknown) = 0 THEN CAST(sum(c.suspect_revenue) AS float8) "
    f"ELSE 'NaN' END AS {cohorts.SUSPECT_REVENUE}"
)


#: The checkpoint interval (width_bucket over CHECKPOINTS) that holds the last purchase's day on
#: or before which a customer acquired on the group's day has ended (its age less
#: CHURN_INACTIVITY_DAYS; 0 when none has): its customers with a last purchase in an earlier
#: interval have ended there, those in a later one go on.
_CUT = f"({_AGE} - :inactivity)"
CUT_INTERVAL = "cut_interval"


def read_customers(
    selection: Selection, customer_key: str, as_of: dt.date, reads: Reads
) -> tuple[Future, Future]:
    """Reads the selected customers grouped by checkpoints lived (`analytics.cohort_buckets`),
    with their last purchases per checkpoint interval (`customer_groups.LAST_PURCHASES`), and
    those of them whose last purchase falls in the interval of their day's cut (CUT_INTERVAL)
    and have ended: from the lifetimes' rows of that one interval per day (the unique index of
    the groups leads with the day and holds the last purchase's day), not from every lifetime
    group. `customers` of their results is one row per group with every column of
    `analytics.cohorts.CUSTOMER_COLUMNS` (customers, revenue, predictions of the active LTV
    model, churn: the churn model's probability, else the LTV model's; the suspect customers and
    their revenue; the checkpoint counts and sums of the curves; the lifetimes)."""
    through = ", ".join(
        f"{revenue_sum(revenue_column(n))} AS {cohort_buckets.through_column(n)}"
        for n in CHECKPOINTS
    )
    # the prediction sums are 0 where nobody is scored (not NULL): one checkpoint interval lived
    # of a group may come in several rows (CUT_INTERVAL), summed by the reader, and a NULL would
    # make the interval's sum unknown (the counts tell who is scored)
    ltv = ", ".join(
        f"CAST(sum(c.predicted_ltv_{h}) AS float8) AS {cohorts.ltv_column(h)}" for h in HORIZONS
    )
    last_purchases = ", ".join(f"{_count(c)} AS {c}" for c in LAST_PURCHASES)
    rows, period_params = _lived_rows(selection, customer_key, as_of)
    into = f" - c.{_DAYS_INTO}" if period_params else ""
    lived_sql = f"""
        SELECT {customer_key} AS key,
               width_bucket({_AGE}, CAST(:checkpoints AS int[])) AS {cohort_buckets.LIVED},
               width_bucket({_CUT}, CAST(:checkpoints AS int[])) AS {CUT_INTERVAL},
               {_count("customers")} AS {cohorts.CUSTOMERS},
               {revenue_sum("revenue")} AS {cohorts.REVENUE}, {through},
               CAST(sum(c.customers * {_AGE}{into}) AS float8) AS {cohort_buckets.AGE_SUM},
               {_count("ltv_scored")} AS {cohorts.SCORED}, {ltv},
               {_count("churn_scored")} AS {cohorts.CHURN_SCORED},
               CAST(sum(c.churn_sum) AS float8) AS {cohorts.CHURN_SUM}, {_SUSPECT_SUMS},
               {last_purchases}
        {rows}
        GROUP BY 1, 2, 3
    """
    params = selection.params() | {
        "as_of": as_of,
        "inactivity": cohorts.CHURN_INACTIVITY_DAYS,
        "checkpoints": list(CHECKPOINTS),
        "firsts": [0, *CHECKPOINTS[:-1]],
    }
    return (
        reads.submit(lived_sql, params | period_params),
        reads.submit(_ended_at_cut_sql(selection, customer_key), params),
    )


def _ended_at_cut_sql(selection: Selection, customer_key: str) -> str:
    """Per group, checkpoints lived and CUT_INTERVAL: the selected customers whose last purchase
    falls in their cut's interval and have ended, read day by day from the lifetimes' rows of
    that interval (a nested loop over the days, each an index range of the groups: OFFSET 0
    keeps the planner from joining the days to every group of the range instead)."""
    cut = "(CAST(:as_of AS date) - d.day - :inactivity)"
    interval = f"width_bucket({cut}, CAST(:checkpoints AS int[]))"
    return f"""
        SELECT {customer_key} AS key,
               width_bucket({_AGE}, CAST(:checkpoints AS int[])) AS {cohort_buckets.LIVED},
               width_bucket({_CUT}, CAST(:checkpoints AS int[])) AS {CUT_INTERVAL},
               {_count("customers")} AS {cohorts.CUSTOMERS}
        FROM (SELECT CAST(:start AS date) + i AS day
              FROM generate_series(0, CAST(:end AS date) - CAST(:start AS date)) i) d,
        LATERAL (
            SELECT c.* {_customer_rows(selection, customer_key, "lifetimes")}
              AND c.acquisition_date = d.day
              AND c.last_purchase_day BETWEEN (CAST(:firsts AS int[]))[{interval} + 1] AND {cut}
            OFFSET 0
        ) c
        GROUP BY 1, 2, 3
    """


def _count(column: str) -> str:
    """The customers a group's count column counts, summed over groups (an int)."""
    return f"CAST(sum(c.{column}) AS bigint)"


def revenue_sum(column: str) -> str:
    """A revenue sum over groups: NaN when a customer's figure had no exchange rate (the
    group's `<column>_unknown` count), as a sum over the customers would be."""
    return (
        f"CASE WHEN sum(c.{column}_unknown) = 0 THEN CAST(sum(c.{column}) AS float8) ELSE 'NaN' END"
    )


def _sum_of_some(column: str, count: str) -> str:
    """A sum over groups of a figure some customers lack: NULL when none has it, as SQL's sum
    over the customers would be."""
    return f"CASE WHEN sum(c.{count}) > 0 THEN CAST(sum(c.{column}) AS float8) END"


def customers(by_lived: Fetched, ended_at_cut: Fetched) -> pd.DataFrame:
    """The customers frame from what `read_customers` read."""
    names, rows = by_lived
    lived = pd.DataFrame(_text_keys(rows), columns=names)
    cut = pd.DataFrame(
        _text_keys(ended_at_cut[1]),
        columns=[cohorts.KEY, cohort_buckets.LIVED, CUT_INTERVAL, cohorts.CUSTOMERS],
    )
    return cohort_buckets.customers_from_buckets(lived, _lifetimes(lived, cut))


def _lifetimes(lived: pd.DataFrame, cut: pd.DataFrame) -> pd.DataFrame:
    """KEY, BUCKET (the checkpoint interval of the lifetime's duration), ENDED and CUSTOMERS:
    per row of `lived`, the customers whose last purchase is in an interval before the cut's
    have ended there, the others go on (their duration is their age, the interval they lived
    to) less those of `cut` (ended in the cut's interval, with a negative count among those
    going on); summed by the reader."""
    counts = lived[list(LAST_PURCHASES)].to_numpy(dtype=float)
    cut_at = lived[CUT_INTERVAL].to_numpy(dtype=int)
    before = np.arange(len(LAST_PURCHASES))[None, :] < cut_at[:, None]
    row, interval = np.nonzero(before)
    keys = lived[cohorts.KEY].to_numpy(dtype=object)
    going_on = lived[cohorts.CUSTOMERS].to_numpy(dtype=float) - (counts * before).sum(axis=1)
    cut_keys = cut[cohorts.KEY].to_numpy(dtype=object)
    cut_counts = cut[cohorts.CUSTOMERS].to_numpy(dtype=float)
    parts = (
        (keys[row], interval, True, counts[row, interval]),
        (keys, lived[cohort_buckets.LIVED].to_numpy(dtype=int), False, going_on),
        (cut_keys, cut[CUT_INTERVAL].to_numpy(dtype=int), True, cut_counts),
        (cut_keys, cut[cohort_buckets.LIVED].to_numpy(dtype=int), False, -cut_counts),
    )
    return pd.DataFrame(
        {
            cohorts.KEY: np.concatenate([p[0] for p in parts]),
            cohort_buckets.BUCKET: np.concatenate([p[1] for p in parts]).astype(int),
            cohort_buckets.ENDED: np.concatenate([np.full(len(p[0]), p[2]) for p in parts]),
            cohorts.CUSTOMERS: np.concatenate([p[3] for p in parts]),
        }
    )


def _text_keys(rows: list[tuple]) -> list[tuple]:
    """Rows whose first value, a group key of any type, is made text (None: UNATTRIBUTED), as
    CAST(key AS text) would."""
    return [(UNATTRIBUTED if key is None else str(key), *rest) for key, *rest in rows]


#: The churn traits (`analytics.ltv.churn_traits.TRAITS`, where each is declared once) as
#: conditions on a group of roi_customer_lifetimes on `as_of`: its purchases are 0, 1 or 2 for
#: more (the traits tell none, one and some apart) and `nothing_first_week` says whether the
#: revenue of days 0-6 is 0 (the traits compare it with 0 only).
TRAIT_CONDITIONS = churn_traits.conditions(
    {
        "age": _AGE,
        "purchases": "c.purchases",
        "last_purchase_day": "c.last_purchase_day",
        "first_week_revenue": "(CASE WHEN c.nothing_first_week THEN 0 ELSE 1 END)",
    }
)


def read_churn(
    selection: Selection, customer_key: str, as_of: dt.date, reads: Reads
) -> tuple[Future, Future]:
    """Reads the selected customers counted per group (`analytics.cohort_churn`): by last
    purchase day, age and whether the lifetime ended; and by the traits of TRAIT_CONDITIONS;
    each with the count and sum of their churn probabilities."""
    params = selection.params() | {"as_of": as_of, "inactivity": cohorts.CHURN_INACTIVITY_DAYS}
    churn = (
        f"{_count('customers')} AS {cohorts.CUSTOMERS}, "
        f"{_count('churn_scored')} AS {cohorts.CHURN_SCORED}, "
        f"{_sum_of_some('churn_sum', 'churn_scored')} AS {cohorts.CHURN_SUM}"
    )
    # a settled lifetime ended at its last purchase whatever the customer's age: those of a key
    # are counted per last purchase day alone (the days of a week or month in one row), and
    # the ages of a key's days come in rows without customers; the churn probabilities of a
    # settled group are not summed (its customers have churned: `cohort_churn` reads none; most
    # groups of a range are settled, and their numeric sums were a third of the query)
    unsettled = f"FILTER (WHERE NOT {_ENDED})"
    lifetime_churn = (
        f"{_count('customers')} AS {cohorts.CUSTOMERS}, "
        f"COALESCE(CAST(sum(c.churn_scored) {unsettled} AS bigint), 0) AS {cohorts.CHURN_SCORED}, "
        f"CASE WHEN sum(c.churn_scored) {unsettled} > 0 "
        f"THEN CAST(sum(c.churn_sum) {unsettled} AS float8) END AS {cohorts.CHURN_SUM}"
    )
    grouped = f"""
        SELECT {customer_key} AS {cohorts.KEY}, c.last_purchase_day AS last_day,
               CASE WHEN {_ENDED} THEN NULL ELSE {_AGE} END AS age, {_ENDED} AS settled,
               {lifetime_churn}
        {_customer_rows(selection, customer_key, "lifetimes")}
        GROUP BY 1, 2, 3, 4
        UNION ALL
        SELECT {customer_key}, 0, {_AGE}, false, 0, 0, NULL
        {_customer_rows(selection, customer_key, "days")}
        GROUP BY 1, 3
    """
    # a row of arrays per key (`lifetimes_frame`): a long range's ~100k groups at 1M customers
    # are a few hundred rows, not a Python tuple of objects per group
    lifetimes_sql = f"""
        SELECT {cohorts.KEY}, {", ".join(f"array_agg({c}) AS {c}" for c in LIFETIME_COLUMNS)}
        FROM ({grouped}) g
        GROUP BY 1
    """
    traits = ", ".join(f"{sql} AS {name}" for name, sql in TRAIT_CONDITIONS.items())
    groups = ", ".join(str(i + 2) for i in range(len(TRAIT_CONDITIONS)))
    traits_sql = f"""
        SELECT {customer_key} AS {cohorts.KEY}, {traits}, {churn}
        {_customer_rows(selection, customer_key, "lifetimes")}
        GROUP BY 1, {groups}
    """
    return reads.submit(lifetimes_sql, params), reads.submit(traits_sql, params)


#: The columns of `read_churn`'s lifetimes besides the key (`analytics.cohort_churn`'s input).
LIFETIME_COLUMNS = (
    "last_day", "age", "settled", cohorts.CUSTOMERS, cohorts.CHURN_SCORED, cohorts.CHURN_SUM,
)  # fmt: skip


def churn_frame(fetched: Fetched) -> pd.DataFrame:
    """A frame of the traits `read_churn` read."""
    names, rows = fetched
    return pd.DataFrame(_text_keys(rows), columns=names)


def lifetimes_frame(fetched: Fetched) -> pd.DataFrame:
    """A frame of the lifetimes `read_churn` read, a row per group (NULL: NaN)."""
    names, rows = fetched
    keys = [UNATTRIBUTED if row[0] is None else str(row[0]) for row in rows]
    sizes = [len(row[1]) for row in rows]
    out = {names[0]: np.repeat(np.array(keys, dtype=object), sizes)}
    for index, name in enumerate(names[1:], start=1):
        values = [value for row in rows for value in row[index]]
        out[name] = np.array(values, dtype=bool if name == "settled" else float)
    return pd.DataFrame(out)


def active_models() -> dict[str, dict]:
    """The active version of each model kind: id, kind, algorithm, trained_at, metrics, params
    and its windows (training_start, training_end, holdout_start, holdout_end)."""
    rows = db.session.execute(
        text(
            "SELECT id, kind, algorithm, trained_at, metrics, params, training_start, "
            "training_end, holdout_start, holdout_end FROM model_versions "
            "WHERE is_active AND status = 'ready'"
        )
    ).mappings()
    return {row["kind"]: dict(row) for row in rows}
