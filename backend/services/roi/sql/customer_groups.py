"""The customer side of the ROI read model pre-aggregated like spend (migration 0019), so that a
report reads rows per day and campaign, not per customer:

- `roi_customer_days`: per acquisition day × platform × account × campaign × country × device,
  the customers, their payments, revenue to date and at each checkpoint, predicted LTV per
  horizon and churn probabilities, as sums with a count of the customers each sum covers;
- `roi_customer_lifetimes`: the same key with the last purchase's day, the payments capped at 2
  (none, one, more) and whether nothing was paid in the first week: what the lifetimes, the
  survival curves and the churn drivers read, with the customers and their churn sums.

Both follow `roi_customers` by one statement-level trigger per write to it: the written rows
are added (new) and subtracted (old) per group in one upsert, so a bulk load or an activation
costs one grouped pass over its rows, and concurrent writers add up (row locks on the groups,
no lost update). Sums are exact (numeric: adding and subtracting leaves no rounding residue,
so the table always equals the groups computed afresh). A revenue figure without an exchange
rate (NaN) is counted in its `*_unknown` column instead of summed, so the sum stays additive; a
reader makes the group's sum NaN while that count is not 0. Groups left without customers are
deleted; a TRUNCATE of roi_customers empties both.

`AGGREGATES` is the definition: `live_view_sql` computes the same groups from roi_customers
directly (the tests compare the two). Since migration 0036 the sums of the predictions
(`PREDICTION_SUMS`) are not in these tables: `prediction_sums.py` keeps them per prediction set
in narrow tables of the same keys, and the reports read both through a view per table; the
functions here take `skip=PREDICTION_NAMES` for the tables without them.

`COARSE`: the same sums per acquisition day and platform only (`roi_customer_platform_days`,
`roi_customer_platform_lifetimes`), and the days' sums per day and campaign
(`roi_customer_campaign_days`) and per day, country and device (`roi_customer_country_days`),
kept from the fine tables by statement-level triggers on them, so a write to roi_customers (a
delta or a bulk rebuild) reaches them without any further work per customer; a report reads the
coarsest of them that holds its grouping and filters (`queries.customer_source`): by platform
or day a row per day and platform instead of one per campaign, country and device.
"""

from __future__ import annotations

from backend.services.roi.sql import planner
from backend.services.roi.sql.roi_customers import CHECKPOINTS, HORIZONS, PREDICTIONS

KEY = ("acquisition_date", "platform", "ad_account_id", "campaign_id", "country", "device")
LIFETIME_KEY = (*KEY, "last_purchase_day", "purchases", "nothing_first_week")

#: Key columns of the lifetimes table computed from a roi_customers row.
LIFETIME_KEY_SQL = {
    "last_purchase_day": "last_purchase_day",
    "purchases": "LEAST(events, 2)",
    "nothing_first_week": "(revenue_7d = 0)",
}
KEY_TYPES = {
    "acquisition_date": "date NOT NULL",
    "platform": "text",
    "ad_account_id": "integer",
    "campaign_id": "bigint",
    "country": "text",
    "device": "text",
    "last_purchase_day": "integer NOT NULL",
    "purchases": "smallint NOT NULL",
    "nothing_first_week": "boolean NOT NULL",
}

REVENUES = ("revenue", *(f"revenue_{n}d" for n in CHECKPOINTS))


def _known(column: str) -> str:
    return f"CAST(CASE WHEN {column} = 'NaN' THEN 0 ELSE {column} END AS numeric)"


def _days_aggregates() -> dict[str, tuple[str, str]]:
    """name: (SQL type, value of one roi_customers row, summed)."""
    out = {
        "customers": ("bigint", "1"),
        "events": ("bigint", "events"),
        "ltv_scored": ("bigint", "CAST(ltv_scored AS int)"),
    }
    for column in REVENUES:
        out[column] = ("numeric", _known(column))
        out[f"{column}_unknown"] = ("bigint", f"CAST({column} = 'NaN' AS int)")
    for h in HORIZONS:
        out[f"predicted_ltv_{h}"] = (
            "numeric",
            f"CAST(COALESCE(predicted_ltv_{h}, 0) AS numeric)",
        )
        out[f"predicted_ltv_{h}_count"] = (
            "bigint",
            f"CAST(predicted_ltv_{h} IS NOT NULL AS int)",
        )
    out["suspects"] = ("bigint", "CAST(suspect AS int)")
    out["suspect_revenue"] = ("numeric", f"CASE WHEN suspect THEN {_known('revenue')} ELSE 0 END")
    out["suspect_revenue_unknown"] = ("bigint", "CAST(suspect AND revenue = 'NaN' AS int)")
    out["churn_scored"] = ("bigint", "CAST(churn_probability IS NOT NULL AS int)")
    out["churn_sum"] = ("numeric", "CAST(COALESCE(churn_probability, 0) AS numeric)")
    # migration 0029, last (ADD COLUMN appends): the customers per checkpoint interval of the
    # last purchase's day
    thresholds = f"ARRAY[{', '.join(map(str, CHECKPOINTS))}]"
    for bucket in range(len(CHECKPOINTS) + 1):
        out[last_purchases_column(bucket)] = (
            "bigint",
            f"CAST(width_bucket(last_purchase_day, {thresholds}) = {bucket} AS int)",
        )
    return out


def last_purchases_column(bucket: int) -> str:
    """The customers whose last purchase's day falls in checkpoint interval `bucket` (0: day 0,
    1: days 1-2, ..., as width_bucket over CHECKPOINTS numbers them), e.g. ``last_purchases_3``:
    with the lifetimes' rows of one interval, what a report's lifetimes are read from."""
    return f"last_purchases_{bucket}"


#: The sums of the days' tables that migration 0029 added.
LAST_PURCHASES = tuple(last_purchases_column(b) for b in range(len(CHECKPOINTS) + 1))


AGGREGATES = {
    "roi_customer_days": (KEY, _days_aggregates()),
    "roi_customer_lifetimes": (
        LIFETIME_KEY,
        {
            "customers": ("bigint", "1"),
            "churn_scored": ("bigint", "CAST(churn_probability IS NOT NULL AS int)"),
            "churn_sum": ("numeric", "CAST(COALESCE(churn_probability, 0) AS numeric)"),
        },
    ),
}


#: Coarser levels of the groups, what the common requests read (by platform, the overview, the
#: cohorts): table: (the fine table of AGGREGATES it sums, its key, the fine key without the
#: account, campaign, country and device). Each is kept from its fine table by statement-level
#: triggers on it (`coarse_trigger_sql`): the delta of the fine groups a statement changed,
#: summed per coarse group, in one upsert; so it always equals the sum of the fine groups.
COARSE = {
    "roi_customer_platform_days": (
        "roi_customer_days",
        tuple(c for c in KEY if c in ("acquisition_date", "platform")),
    ),
    "roi_customer_platform_lifetimes": (
        "roi_customer_lifetimes",
        tuple(c for c in LIFETIME_KEY if c not in KEY or c in ("acquisition_date", "platform")),
    ),
    # migration 0028: what the reports by campaign or account, and by country or device, read
    # (at 1M customers over 300 campaigns, 5 countries and 2 devices the fine groups hold nearly
    # one customer each)
    "roi_customer_campaign_days": (
        "roi_customer_days",
        tuple(c for c in KEY if c not in ("country", "device")),
    ),
    "roi_customer_country_days": (
        "roi_customer_days",
        tuple(c for c in KEY if c not in ("ad_account_id", "campaign_id")),
    ),
}
#: Migration 0033: the days' sums per acquisition month and campaign, what a report by campaign
#: reads for the whole months of its range in which every customer has lived through the same
#: checkpoints (`queries.read_customers`): at 1M customers a long range's ~51k rows per day and
#: campaign become a few thousand. Migration 0035: the same per ISO week, for the whole weeks of
#: the other days.
COARSE["roi_customer_campaign_months"] = COARSE["roi_customer_campaign_days"]
COARSE["roi_customer_campaign_weeks"] = COARSE["roi_customer_campaign_days"]
#: The COARSE tables of migration 0024, those of migration 0028 (then 0033's and 0035's).
PLATFORM_COARSE = ("roi_customer_platform_days", "roi_customer_platform_lifetimes")
FINER_COARSE = ("roi_customer_campaign_days", "roi_customer_country_days")
#: Groups per period (table: date_trunc's unit): their `acquisition_date` is the first day of
#: the period, and `days_into(table)` sums each customer's days from it to its acquisition date
#: (a report's sum of ages is the customers' age on the first day less it).
PERIODS = {"roi_customer_campaign_months": "month", "roi_customer_campaign_weeks": "week"}
MONTHS = ("roi_customer_campaign_months",)  # migration 0033's
WEEKS = ("roi_customer_campaign_weeks",)  # migration 0035's


def days_into(table: str) -> str:
    """The column of a table of PERIODS summing its customers' days into the period."""
    return f"days_into_{PERIODS[table]}"


def _period_of_day(table: str) -> str:
    return f"CAST(date_trunc('{PERIODS[table]}', acquisition_date) AS date)"


def definition(table: str) -> tuple[tuple[str, ...], dict[str, tuple[str, str]]]:
    """Key and aggregates of a table of AGGREGATES or COARSE."""
    if table in COARSE:
        fine, key = COARSE[table]
        aggregates = AGGREGATES[fine][1]
        if table in PERIODS:
            into = ("bigint", f"acquisition_date - {_period_of_day(table)}")
            aggregates = {**aggregates, days_into(table): into}
        return key, aggregates
    return AGGREGATES[table]


def _key_sql(column: str, table: str = "") -> str:
    if column == "acquisition_date" and table in PERIODS:
        return _period_of_day(table)
    return LIFETIME_KEY_SQL.get(column, column)


def _days_of(table: str) -> tuple[str, str]:
    """The first and last day (SQL over the dates `first` and `last` of a changed range of
    days) whose groups of `table` a change of first..last touches: whole periods for PERIODS."""
    if table not in PERIODS:
        return "first", "last"
    unit = PERIODS[table]
    return (
        f"CAST(date_trunc('{unit}', first) AS date)",
        f"CAST(date_trunc('{unit}', last) + interval '1 {unit}' - interval '1 day' AS date)",
    )


def create_table_sql(table: str, skip: tuple[str, ...] = ()) -> list[str]:
    """`skip`: sums left out (a migration's table before a later one adds them)."""
    key, aggregates = definition(table)
    aggregates = {name: value for name, value in aggregates.items() if name not in skip}
    columns = [f"{c} {KEY_TYPES[c]}" for c in key]
    columns += [f"{name} {kind} NOT NULL" for name, (kind, _) in aggregates.items()]
    return [
        f"CREATE TABLE {table} ({', '.join(columns)})",
        f"CREATE UNIQUE INDEX ux_{table}_key ON {table} ({', '.join(key)}) NULLS NOT DISTINCT",
        f"CREATE INDEX ix_{table}_empty ON {table} (acquisition_date) WHERE customers = 0",
    ]


#: The lifetime groups a report's cut reads by day and last purchase's day (migration 0031).
LAST_PURCHASE_INDEXED = ("roi_customer_lifetimes", "roi_customer_platform_lifetimes")


def last_purchase_index_sql() -> list[str]:
    """An index per LAST_PURCHASE_INDEXED table on (acquisition_date, last_purchase_day) with
    the rest of its day's key and the customers included: the groups of a range of last
    purchase days of one day in one index range, without reading the table."""
    out = []
    for table in LAST_PURCHASE_INDEXED:
        included = ", ".join(last_purchase_included(table))
        out.append(
            f"CREATE INDEX ix_{table}_last_purchase ON {table} "
            f"(acquisition_date, last_purchase_day) INCLUDE ({included})"
        )
    return out


def last_purchase_included(table: str) -> list[str]:
    """The columns the last purchase index of `table` includes."""
    key = definition(table)[0]
    return [*(c for c in key if c in KEY and c != "acquisition_date"), "customers"]


def _grouped(
    table: str,
    source: str,
    sign: str = "1",
    per: str = "",
    only: tuple[str, ...] | None = None,
    skip: tuple[str, ...] = (),
) -> str:
    """SELECT of the groups of `source` (rows of roi_customers, each with a column `sign`
    unless `sign` is a constant) with the table's key and sums; `per`: a further grouping
    column that is not selected; `only`: these sums alone; `skip`: these sums left out."""
    key, aggregates = definition(table)
    if only is not None:
        aggregates = {name: aggregates[name] for name in only}
    aggregates = {name: value for name, value in aggregates.items() if name not in skip}
    keys = ", ".join(f"{_key_sql(c, table)} AS {c}" for c in key)
    signed = "{}" if sign == "1" else f"{sign} * ({{}})"  # no numeric product per row and sum
    sums = ", ".join(
        f"sum({signed.format(value)}) AS {name}" for name, (_, value) in aggregates.items()
    )
    groups = ", ".join([str(i + 1) for i in range(len(key))] + ([per] if per else []))
    return f"SELECT {keys}, {sums} FROM {source} GROUP BY {groups}"


def live_view_sql(table: str) -> str:
    """The groups of `table` computed from roi_customers now (what the table must hold: its
    sums less the predictions', which `prediction_sums` keeps apart since migration 0036)."""
    return _grouped(table, "roi_customers", skip=PREDICTION_NAMES)


#: Every customer with the predictions of the active prediction set
#: (`prediction_sums.CUSTOMER_PREDICTIONS`, a view): the columns AGGREGATES' values read.
PREDICTED_CUSTOMERS = (
    "(SELECT r.*, p.ltv_scored, p.predicted_ltv_30, p.predicted_ltv_90, p.predicted_ltv_365, "
    "p.churn_probability FROM roi_customers r "
    "JOIN roi_customer_predictions p ON p.customer_id = r.customer_id) r"
)


def per_customer_sql(table: str) -> str:
    """The rows of `table` one per customer with every sum, the predictions' too (a relation
    with the columns its readers read): what the reports would read without the
    pre-aggregation."""
    return f"({_grouped(table, PREDICTED_CUSTOMERS, per='customer_id')})"


def columns_of(table: str, skip: tuple[str, ...] = ()) -> str:
    """The column list of `table`'s key and sums (less `skip`), for an INSERT that names them
    (a table whose columns were dropped and added again keeps them in another order)."""
    key, aggregates = definition(table)
    return ", ".join([*key, *(name for name in aggregates if name not in skip)])


def fill_sql(table: str) -> str:
    return f"INSERT INTO {table} ({columns_of(table)}) {_grouped(table, 'roi_customers')}"


def _upsert(table: str, delta: str, skip: tuple[str, ...] = ()) -> str:
    key, aggregates = AGGREGATES[table]
    aggregates = {name: value for name, value in aggregates.items() if name not in skip}
    nonzero = " OR ".join(f"{name} <> 0" for name in aggregates)
    updates = ", ".join(f"{name} = t.{name} + excluded.{name}" for name in aggregates)
    return f"""
        INSERT INTO {table} AS t ({columns_of(table, skip)})
        SELECT * FROM ({_grouped(table, delta, "sign", skip=skip)}) g WHERE {nonzero}
        ON CONFLICT ({", ".join(key)}) DO UPDATE SET {updates};
        DELETE FROM {table} WHERE customers = 0;"""


_DELTAS = {
    "INSERT": "(SELECT 1 AS sign, n.* FROM new_rows n) d",
    "DELETE": "(SELECT -1 AS sign, o.* FROM old_rows o) d",
    "UPDATE": "(SELECT 1 AS sign, n.* FROM new_rows n UNION ALL "
    "SELECT -1 AS sign, o.* FROM old_rows o) d",
}
_TRANSITIONS = {
    "INSERT": "NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


#: Rows a statement writes to roi_customers from which its groups are rebuilt instead of
#: adjusted (setting `spendlens.roi_groups_rebuild_rows` overrides it): upserting a delta into
#: each of hundreds of thousands of groups costs far more than summing the days afresh.
REBUILD_ROWS = 20000
_TOUCHED = {
    "INSERT": "SELECT acquisition_date FROM new_rows",
    "DELETE": "SELECT acquisition_date FROM old_rows",
    "UPDATE": "SELECT acquisition_date FROM new_rows UNION ALL "
    "SELECT acquisition_date FROM old_rows",
}


def _rebuild(table: str, skip: tuple[str, ...] = ()) -> str:
    source = "(SELECT * FROM roi_customers WHERE acquisition_date BETWEEN first AND last) r"
    return f"""
    DELETE FROM {table} WHERE acquisition_date BETWEEN first AND last;
    INSERT INTO {table} ({columns_of(table, skip)}) {_grouped(table, source, skip=skip)};"""


#: The sums of each table that depend on the predictions alone (the active LTV and churn
#: versions' outputs): what an activation changes. A customer's groups (their keys) do not.
PREDICTION_SUMS = {
    table: tuple(
        name
        for name, (_, value) in aggregates.items()
        if any(column in value for column in PREDICTIONS)
    )
    for table, (_, aggregates) in AGGREGATES.items()
}
#: Every sum of PREDICTION_SUMS: what the group tables hold no more since migration 0036
#: (`prediction_sums` keeps them per prediction set).
PREDICTION_NAMES = tuple(dict.fromkeys(n for names in PREDICTION_SUMS.values() for n in names))
#: A key column's value that never is NULL for a hash join of groups (with `IS NULL` beside it:
#: a NULL key is its own group, NULLS NOT DISTINCT).
_NOT_NULL = {"text": "''", "integer": "0", "bigint": "0"}


def _same_group(key: tuple[str, ...], left: str, right: str) -> str:
    """Hashable conditions that `left`'s and `right`'s `key` columns are the same group."""
    out = []
    for column in key:
        kind = KEY_TYPES[column]
        a, b = f"{left}.{column}", f"{right}.{column}"
        if "NOT NULL" in kind:
            out.append(f"{a} = {b}")
        else:
            blank = _NOT_NULL[kind]
            out.append(f"COALESCE({a}, {blank}) = COALESCE({b}, {blank})")
            out.append(f"({a} IS NULL) = ({b} IS NULL)")
    return " AND ".join(out)


def resum_sql(table: str, names: tuple[str, ...], days: str = "") -> str:
    """UPDATE of the sums `names` of the groups of `table` (AGGREGATES) summed afresh from
    roi_customers (of the days where `days`, a condition on acquisition_date, holds), writing
    only the groups whose sums differ (the other sums and the groups themselves stay)."""
    where = f"WHERE {days}" if days else ""
    source = f"(SELECT * FROM roi_customers {where}) r"
    return f"""
    UPDATE {table} t SET {", ".join(f"{n} = s.{n}" for n in names)}
    FROM ({_grouped(table, source, only=names)}) s
    WHERE {f"t.{days} AND " if days else ""}{_same_group(AGGREGATES[table][0], "t", "s")}
      AND ({", ".join(f"t.{n}" for n in names)}) IS DISTINCT FROM
          ({", ".join(f"s.{n}" for n in names)});"""


def _repredict(table: str) -> str:
    """The prediction sums of the groups of `first`..`last` summed afresh."""
    return resum_sql(table, PREDICTION_SUMS[table], "acquisition_date BETWEEN first AND last")


#: The memory of the sorts and hashes of a bulk re-sum (its own, until it ends: grouping a
#: million customers in memory instead of external merges), without JIT compilation (seconds
#: of a statement that runs once) and joining the groups to their new sums by a hash, not by
#: sorting both sides on the key's eleven expressions (at 1M customers, 655k groups: 26 s
#: instead of 45 s at load 7) nor by a nested loop over the index of the groups, whose only
#: usable column is the day (the lifetimes' join took over 25 minutes that way).
BULK_WORK_MEM = "256MB"
#: Migration 0032's: the fine groups' prediction sums of a million customers (655k groups) are
#: grouped in memory (about 530MB of hash table, whose limit is work_mem x hash_mem_multiplier)
#: instead of being spilled to disk in batches.
BULK_PREDICTIONS_WORK_MEM = "512MB"
#: Set (locally) to 'on' by a statement that writes the predictions of roi_customers and
#: nothing else (refresh_roi_predictions): a bulk one re-sums the prediction sums only.
PREDICTIONS_ONLY = "spendlens.roi_predictions_only"


def function_sql(
    rebuild: bool = True, predictions: bool = True, skip: tuple[str, ...] = ()
) -> list[str]:
    """The trigger function that keeps both tables current, and the rebuild of the groups of a
    range of days it calls for a bulk write: under a lock that lets readers read but waits for
    every other writer of the groups to commit, so the sums it reads afresh hold every
    committed change, and a writer after it adds its delta to them. A bulk update of the
    predictions alone (`PREDICTIONS_ONLY`) re-sums the prediction sums of its days only
    (`predictions`=False: every column, as migration 0022 defined it). `rebuild`=False: deltas
    only, whatever the size (migration 0020's first definition). `skip`: sums the tables hold no
    more (migration 0036: PREDICTION_NAMES, with `predictions`=False)."""
    bulk = dict.fromkeys(_DELTAS, "PERFORM roi_customer_groups_rebuild(first, last);")
    if predictions:
        bulk["UPDATE"] = f"""IF current_setting('{PREDICTIONS_ONLY}', true) = 'on' THEN
                PERFORM roi_customer_groups_repredict(first, last);
            ELSE
                PERFORM roi_customer_groups_rebuild(first, last);
            END IF;"""
    branches = "\n".join(
        f"""    {"IF" if i == 0 else "ELSIF"} TG_OP = '{op}' THEN
        SELECT count(*), min(acquisition_date), max(acquisition_date) INTO touched, first, last
        FROM ({_TOUCHED[op]}) t;
        IF touched >= threshold THEN
            {bulk[op]}
        ELSIF touched > 0 THEN"""
        + "".join(_upsert(table, delta, skip) for table in AGGREGATES)
        + "\n        END IF;"
        for i, (op, delta) in enumerate(_DELTAS.items())
    )
    rebuilds = "".join(_rebuild(table, skip) for table in AGGREGATES)
    threshold = (
        "COALESCE(CAST(NULLIF(current_setting('spendlens.roi_groups_rebuild_rows', true), '') "
        f"AS bigint), {REBUILD_ROWS})"
        if rebuild
        else "NULL"  # never reached: `touched >= NULL` is not true
    )
    repredicts = "".join(_repredict(table) for table in AGGREGATES)
    out = [
        _bulk_function("roi_customer_groups_rebuild", rebuilds, tuned=predictions or bool(skip)),
        f"""CREATE OR REPLACE FUNCTION roi_customer_groups_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    threshold bigint := {threshold};
    touched bigint;
    first date;
    last date;
BEGIN
{branches}
    END IF;
    RETURN NULL;
END $$""",
    ]
    if predictions:
        out.insert(1, _bulk_function("roi_customer_groups_repredict", repredicts, tuned=True))
    return out


def _bulk_function(name: str, body: str, tuned: bool, memory: str = BULK_WORK_MEM) -> str:
    """A function of `first` and `last` running `body` under the lock of the groups; `tuned`:
    with `memory` as work_mem, without JIT, merge or nested-loop joins (restored when it
    ends)."""
    lock = f"LOCK TABLE {', '.join(AGGREGATES)} IN SHARE ROW EXCLUSIVE MODE;"
    quiet = "\n    quiet boolean;" if "quiet :=" in body else ""  # _without_coarse_triggers'
    if not tuned:
        return f"""CREATE OR REPLACE FUNCTION {name}(first date, last date)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    {lock}{body}
END $$"""
    settings = planner.bulk(memory, hash_joins=True)
    return f"""CREATE OR REPLACE FUNCTION {name}(first date, last date)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    {planner.saved(settings)}{quiet}
BEGIN
    {lock}
    {planner.tuned(settings, body)}
END $$"""


def trigger_sql() -> list[str]:
    """The functions and the three statement-level triggers on roi_customers that keep both
    tables current."""
    out = function_sql()
    out.append(
        "CREATE FUNCTION roi_customer_groups_truncated() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN {' '.join(f'DELETE FROM {t};' for t in AGGREGATES)} RETURN NULL; END $$"
    )
    out.append(
        "CREATE TRIGGER roi_customers_groups_truncate AFTER TRUNCATE ON roi_customers "
        "FOR EACH STATEMENT EXECUTE FUNCTION roi_customer_groups_truncated()"
    )
    for op, transitions in _TRANSITIONS.items():
        out.append(
            f"CREATE TRIGGER roi_customers_groups_{op.lower()} AFTER {op} ON roi_customers "
            f"REFERENCING {transitions} FOR EACH STATEMENT "
            "EXECUTE FUNCTION roi_customer_groups_changed()"
        )
    return out


def drop_sql() -> list[str]:
    ops = (*_DELTAS, "TRUNCATE")
    out = [f"DROP TRIGGER roi_customers_groups_{op.lower()} ON roi_customers" for op in ops]
    out += [f"DROP FUNCTION roi_customer_groups_{f}()" for f in ("changed", "truncated")]
    out.append("DROP FUNCTION IF EXISTS roi_customer_groups_rebuild(date, date)")
    out.append("DROP FUNCTION IF EXISTS roi_customer_groups_repredict(date, date)")
    out += [f"DROP TABLE {table}" for table in AGGREGATES]
    return out


def _coarse_grouped(table: str, source: str, sign: str = "1", skip: tuple[str, ...] = ()) -> str:
    """SELECT of the groups of `table` summed from `source` (rows of its fine table, each with a
    column `sign` unless it is a constant), in the order of the key (so that concurrent writers
    lock the groups in one order); `skip`: sums left out."""
    key, aggregates = definition(table)
    sums = ", ".join(
        f"sum({sign} * {_coarse_value(name, table)}) AS {name}"
        for name in aggregates
        if name not in skip
    )
    groups = ", ".join(str(i + 1) for i in range(len(key)))
    keys = ", ".join(_coarse_key(c, table) for c in key)
    return f"SELECT {keys}, {sums} FROM {source} GROUP BY {groups} ORDER BY {groups}"


def _coarse_key(column: str, table: str) -> str:
    """A key column of `table` (COARSE) over a row of its fine table."""
    value = _key_sql(column, table) if column == "acquisition_date" else column
    return column if value == column else f"{value} AS {column}"


def _coarse_value(name: str, table: str) -> str:
    """What a row of the fine table adds to the coarse sum `name`."""
    if table in PERIODS and name == days_into(table):
        return f"customers * (acquisition_date - {_period_of_day(table)})"
    return name


def coarse_fill_sql(table: str, skip: tuple[str, ...] = ()) -> str:
    grouped = _coarse_grouped(table, COARSE[table][0], skip=skip)
    return f"INSERT INTO {table} ({columns_of(table, skip)}) {grouped}"


#: Rows deleted or updated by a statement on a fine table from which, while this transaction
#: holds the fine table's SHARE ROW EXCLUSIVE lock (`roi_customer_groups_rebuild` and
#: `roi_customer_groups_repredict` take it; the setting `spendlens.roi_groups_rebuild_rows`
#: overrides this as it does REBUILD_ROWS), the coarse groups of its days are summed afresh
#: from the fine table instead of adjusted by the old and new rows: a re-sum of the fine groups
#: deletes every group of its days before inserting them again (the inserts are added as
#: deltas), and an activation's re-sum of the prediction sums updates most groups.
COARSE_REGROUP_ROWS = 1000


def coarse_function_sql(table: str, regroup: bool = True, skip: tuple[str, ...] = ()) -> str:
    """The trigger function that keeps `table` (COARSE) current: per write to its fine table,
    the written fine rows added (new) and subtracted (old) per coarse group in one upsert, the
    groups left without customers deleted. `regroup`: a DELETE or UPDATE of
    COARSE_REGROUP_ROWS rows or more under the lock that keeps every other writer of the fine
    table out (a bulk re-sum) re-sums the coarse groups of its days from the fine table
    instead (migration 0027). `skip`: sums the tables hold no more (migration 0036)."""
    fine = COARSE[table][0]
    key, aggregates = definition(table)
    aggregates = {name: value for name, value in aggregates.items() if name not in skip}
    nonzero = " OR ".join(f"{name} <> 0" for name in aggregates)
    updates = ", ".join(f"{name} = t.{name} + excluded.{name}" for name in aggregates)
    locked = (
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() AND granted "
        f"AND locktype = 'relation' AND relation = '{fine}'::regclass AND mode IN "
        "('ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'))"
    )
    source = f"(SELECT * FROM {fine} WHERE acquisition_date BETWEEN first AND last) f"
    first, last = _days_of(table)
    widen = (
        ""
        if first == "first"
        else f"""
            first := {first};
            last := {last};"""
    )
    branches = []
    for i, (op, delta) in enumerate(_DELTAS.items()):
        adjust = f"""
        INSERT INTO {table} AS t ({columns_of(table, skip)})
        SELECT * FROM ({_coarse_grouped(table, delta, "sign", skip)}) g WHERE {nonzero}
        ON CONFLICT ({", ".join(key)}) DO UPDATE SET {updates};
        DELETE FROM {table} WHERE customers = 0;"""
        if regroup and op != "INSERT":
            adjust = f"""
        SELECT count(*), min(acquisition_date), max(acquisition_date) INTO touched, first, last
        FROM ({_TOUCHED[op]}) d;
        IF touched >= threshold AND ({locked}) THEN{widen}
            DELETE FROM {table} WHERE acquisition_date BETWEEN first AND last;
            INSERT INTO {table} ({columns_of(table, skip)})
            {_coarse_grouped(table, source, skip=skip)};
        ELSIF touched > 0 THEN{adjust}
        END IF;"""
        branches.append(f"    {'IF' if i == 0 else 'ELSIF'} TG_OP = '{op}' THEN{adjust}")
    body = "\n".join(branches)
    return f"""CREATE OR REPLACE FUNCTION {table}_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    threshold bigint := COALESCE(CAST(NULLIF(
        current_setting('spendlens.roi_groups_rebuild_rows', true), '') AS bigint),
        {COARSE_REGROUP_ROWS});
    touched bigint;
    first date;
    last date;
BEGIN
{body}
    END IF;
    RETURN NULL;
END $$"""


def coarse_trigger_sql(table: str) -> list[str]:
    """The function (migration 0024's: deltas only) and the statement-level triggers on the
    fine table of `table` (COARSE) that keep it current; a TRUNCATE of the fine table empties
    it."""
    fine = COARSE[table][0]
    out = [
        coarse_function_sql(table, regroup=False),
        f"CREATE FUNCTION {table}_truncated() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN DELETE FROM {table}; RETURN NULL; END $$",
        f"CREATE TRIGGER {table}_truncate AFTER TRUNCATE ON {fine} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_truncated()",
    ]
    for op, transitions in _TRANSITIONS.items():
        out.append(
            f"CREATE TRIGGER {table}_{op.lower()} AFTER {op} ON {fine} "
            f"REFERENCING {transitions} FOR EACH STATEMENT EXECUTE FUNCTION {table}_changed()"
        )
    return out


def coarse_groups_sql(tables: tuple[str, ...]) -> list[str]:
    """Create coarse group tables, fill them from the fine groups and keep them by trigger,
    with the fine groups locked against writes between the fill and the triggers."""
    statements = ["LOCK TABLE roi_customer_days IN SHARE ROW EXCLUSIVE MODE"]
    for table in tables:
        statements += create_table_sql(table)
        statements.append(coarse_fill_sql(table))
        statements += coarse_trigger_sql(table)
        statements += [coarse_function_sql(table), f"ANALYZE {table}"]
    return statements


def coarse_drop_sql(table: str) -> list[str]:
    fine = COARSE[table][0]
    out = [f"DROP TRIGGER {table}_{op.lower()} ON {fine}" for op in (*_DELTAS, "TRUNCATE")]
    out += [f"DROP FUNCTION {table}_{f}()" for f in ("changed", "truncated")]
    out.append(f"DROP TABLE {table}")
    return out


def _coarse_repredict(table: str) -> str:
    """The prediction sums of the groups per day and platform of `first`..`last` summed afresh
    from their fine table, writing only the groups whose sums differ."""
    fine, key = COARSE[table]
    names = PREDICTION_SUMS[fine]
    sums = ", ".join(f"sum({n}) AS {n}" for n in names)
    groups = ", ".join(str(i + 1) for i in range(len(key)))
    first, last = _days_of(table)
    return f"""
    UPDATE {table} t SET {", ".join(f"{n} = s.{n}" for n in names)}
    FROM (SELECT {", ".join(_coarse_key(c, table) for c in key)}, {sums} FROM {fine}
          WHERE acquisition_date BETWEEN {first} AND {last} GROUP BY {groups}) s
    WHERE t.acquisition_date BETWEEN {first} AND {last} AND {_same_group(key, "t", "s")}
      AND ({", ".join(f"t.{n}" for n in names)}) IS DISTINCT FROM
          ({", ".join(f"s.{n}" for n in names)});"""


def _cleared(table: str, names: tuple[str, ...]) -> str:
    """Every prediction sum of the groups of `first`..`last` set to 0 (none scored)."""
    zeros = ", ".join("0" for _ in names)
    return f"""
    UPDATE {table} SET {", ".join(f"{n} = 0" for n in names)}
    WHERE acquisition_date BETWEEN first AND last AND ({", ".join(names)}) <> ({zeros});"""


def _without_coarse_triggers(fine: str, body: str, without: tuple[str, ...] = ()) -> str:
    """`body` (writes to the fine table `fine` that change its prediction sums alone) run with
    the UPDATE triggers of its coarser groups disabled: no transition tables of the fine
    groups' old and new rows, no re-sum by the triggers (the caller writes the coarse groups;
    where PostgreSQL refuses, trigger events pending on `fine`, the triggers stay on and the
    caller's coarse re-sum finds nothing to write)."""
    triggers = [f"{coarse}_update" for coarse in _coarser(fine, without)]
    return f"""
    BEGIN
        ALTER TABLE {fine} {", ".join(f"DISABLE TRIGGER {t}" for t in triggers)};
        quiet := true;
    EXCEPTION WHEN object_in_use THEN
        quiet := false;  -- events pending on {fine}: its triggers keep the coarse groups
    END;{body}
    IF quiet THEN
        ALTER TABLE {fine} {", ".join(f"ENABLE TRIGGER {t}" for t in triggers)};
    END IF;"""


def _coarser(fine: str, without: tuple[str, ...] = ()) -> list[str]:
    """The COARSE tables summing `fine` (less `without`)."""
    return [c for c, (source, _) in COARSE.items() if source == fine and c not in without]


def bulk_predictions_sql(without: tuple[str, ...] = ()) -> list[str]:
    """Migration 0032's bulk re-sums of the prediction sums (an activation, outputs stored
    under an active version for many customers):

    - `roi_customer_groups_repredict(first, last)`: the fine groups' prediction sums of those
      days summed afresh from roi_customers (as 0025's), then those of the coarser groups
      (COARSE) from the fine groups, directly, instead of by the fine tables' triggers: those
      UPDATE triggers are disabled for the fine tables' statements (ALTER TABLE ... DISABLE
      TRIGGER takes the SHARE ROW EXCLUSIVE lock this function holds already: readers never
      wait, other writers of the groups wait already; enabled again before it returns, or by a
      rollback, so no other transaction sees them off), so the coarse groups are updated in
      place instead of deleted and inserted again, and no transition tables are kept;
    - `roi_customer_groups_unpredict(first, last)`: the same when no customer has a prediction
      any more (a version activated before its outputs are stored): every sum set to 0,
      nothing summed (the groups per period of the days' periods re-summed: other days of them
      may keep theirs);

    `without`: COARSE tables left out (a migration's downgrade that drops them)."""
    repredicts, clears = "", ""
    for fine in AGGREGATES:
        names = PREDICTION_SUMS[fine]
        coarser = _coarser(fine, without)
        repredicts += _without_coarse_triggers(fine, _repredict(fine), without)
        repredicts += "".join(_coarse_repredict(coarse) for coarse in coarser)
        clears += _without_coarse_triggers(fine, _cleared(fine, names), without)
        clears += "".join(
            _coarse_repredict(c) if c in PERIODS else _cleared(c, names) for c in coarser
        )
    return [
        _bulk_function(
            "roi_customer_groups_repredict", repredicts, True, BULK_PREDICTIONS_WORK_MEM
        ),
        _bulk_function("roi_customer_groups_unpredict", clears, True, BULK_PREDICTIONS_WORK_MEM),
    ]
