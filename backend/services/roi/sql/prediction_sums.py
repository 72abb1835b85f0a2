"""The predictions' side of the ROI read model (migration 0036), apart from the customers'
rows and their groups, so that storing or activating the outputs of a model version writes
narrow new rows instead of rewriting every wide one:

- `roi_customer_predictions` (a view): every customer of roi_customers with the predictions of
  the active prediction set's versions: LTV at 30/90/365 days from its LTV version, the churn
  probability from its churn version, else from its LTV version. Nothing per customer is
  written when a version becomes active.
- `roi_prediction_sets`: a set of prediction sums per pair (LTV version, churn version; the
  sums depend on the pair, the churn falling back per customer), one of them active.
- a narrow table per group table of `customer_groups` (`TABLES`: `roi_prediction_days` for
  `roi_customer_days`, ...): per set and the group table's key, the prediction sums
  (`customer_groups.PREDICTION_SUMS`), a row for each group with a scored customer.
- a view per group table (`READ_VIEWS`: `roi_customer_days_with_predictions`, ...) with every
  column of `customer_groups.definition`: the group table's rows (prediction sums 0) and the
  active set's rows (other sums 0), UNION ALL; what the reports read and sum per group.

An activation (the set of active, ready versions changed, at commit:
`roi_predictions_at_commit`), or the outputs of one of the active set's versions written for
many customers, builds a new set with grouped INSERTs (no UPDATE of any row, no trigger per
row), makes it the active one in one small UPDATE, records a change of every day for the
answer cache, and deletes the old set's rows. Readers never wait: no TRUNCATE or ALTER of
what they read; the build holds a SHARE ROW EXCLUSIVE lock on the narrow tables, which keeps
other writers of them (the triggers below) waiting until it commits.

The active set follows every other write by deltas, in the writer's transaction:
statement-level triggers on roi_customers add (new rows) and subtract (old rows) the
contributions of the written customers, those of an UPDATE only for the customers whose
group's key changed (a revenue load moves customers between lifetime groups: their churn
sums move with them), rebuilding the written days instead from REBUILD_ROWS scored customers
on; triggers on model_outputs add the touched customers' contributions after the statement
and subtract those before it (a customer's contribution read from its roi_customers row and
the pair's outputs). A deletion from roi_customers rebuilds the set's rows of its days from
the customers left: deleting customers deletes their outputs in the same statement, and
either table's trigger may find the other's rows gone already. Each of these triggers takes
the build's SHARE ROW EXCLUSIVE lock on the sets and the narrow tables first, before reading
the active set (migration 0037): writers of roi_customers and of the active versions' outputs
follow each other until commit, and none of them is rolled back by a deadlock, which a weaker
lock first (ROW EXCLUSIVE, migration 0036's) upgraded on the bulk branch gave two writers at
once; readers never wait. `live_sql` is the definition the tests compare the tables with.
"""

from __future__ import annotations

from backend.services.roi.sql import planner
from backend.services.roi.sql.customer_groups import (
    AGGREGATES,
    BULK_PREDICTIONS_WORK_MEM,
    COARSE,
    KEY,
    KEY_TYPES,
    PREDICTION_SUMS,
    REBUILD_ROWS,
    _coarse_grouped,
    _days_of,
    _grouped,
    definition,
)
from backend.services.roi.sql.roi_customers import HORIZONS

SETS = "roi_prediction_sets"
CUSTOMER_PREDICTIONS = "roi_customer_predictions"
#: group table: its narrow table of prediction sums.
TABLES = {
    table: "roi_prediction_" + table.removeprefix("roi_customer_")
    for table in (*AGGREGATES, *COARSE)
}
#: group table: the view the reports read its groups with their prediction sums from.
READ_VIEWS = {table: f"{table}_with_predictions" for table in TABLES}
ACTIVE_SET = f"(SELECT id FROM {SETS} WHERE active)"
#: The group tables by the key their customers' groups depend on: the acquisition attributes
#: alone ("days"), or with the revenue's last purchase day, payments and first week
#: ("lifetimes"); the fine table first.
GRAINS = {
    grain: [t for t in TABLES if (COARSE[t][0] if t in COARSE else t) == fine]
    for grain, fine in (("days", "roi_customer_days"), ("lifetimes", "roi_customer_lifetimes"))
}


def readable(relation: str) -> str:
    """The view of a group table with its prediction sums (READ_VIEWS); anything else as is."""
    return READ_VIEWS.get(relation, relation)


def fine_of(table: str) -> str:
    """The table of AGGREGATES that `table` (of AGGREGATES or COARSE) sums."""
    return COARSE[table][0] if table in COARSE else table


def sums_of(table: str) -> dict[str, tuple[str, str]]:
    """The prediction sums of `table`: name: (SQL type, value of a customer)."""
    aggregates = definition(table)[1]
    return {name: aggregates[name] for name in PREDICTION_SUMS[fine_of(table)]}


def _others(table: str) -> tuple[str, ...]:
    """The sums of `table` that are not predictions'."""
    return tuple(n for n in definition(table)[1] if n not in PREDICTION_SUMS[fine_of(table)])


def _counts(table: str) -> list[str]:
    return [name for name, (kind, _) in sums_of(table).items() if kind == "bigint"]


def _scored_row(table: str) -> str:
    """A row of `table`'s narrow table counts a scored customer (else it is not kept)."""
    return " OR ".join(f"{name} <> 0" for name in _counts(table))


def _columns(table: str) -> str:
    return ", ".join(["set_id", *definition(table)[0], *sums_of(table)])


def create_sql() -> list[str]:
    """The sets, the narrow tables, their indexes and the views."""
    out = [
        f"CREATE TABLE {SETS} (id serial PRIMARY KEY, ltv_version_id integer, "
        "churn_version_id integer, active boolean NOT NULL DEFAULT false)",
        f"CREATE UNIQUE INDEX ux_{SETS}_active ON {SETS} (active) WHERE active",
    ]
    for table, narrow in TABLES.items():
        key = definition(table)[0]
        columns = ["set_id integer NOT NULL", *(f"{c} {KEY_TYPES[c]}" for c in key)]
        columns += [f"{name} {kind} NOT NULL" for name, (kind, _) in sums_of(table).items()]
        empty = " AND ".join(f"{name} = 0" for name in _counts(table))
        out += [
            f"CREATE TABLE {narrow} ({', '.join(columns)})",
            f"CREATE UNIQUE INDEX ux_{narrow}_key ON {narrow} (set_id, {', '.join(key)}) "
            "NULLS NOT DISTINCT",
            f"CREATE INDEX ix_{narrow}_empty ON {narrow} (set_id) WHERE {empty}",
        ]
    return out + views_sql()


def customer_predictions_sql(
    customers: str,
    ltv: str,
    churn: str,
    outputs: str = "model_outputs",
    scored: bool = False,
    summed: bool = False,
) -> str:
    """The rows of `customers` (a relation aliased r) with their predictions from the outputs
    (`outputs`) of the versions `ltv` and `churn` (SQL expressions), as roi_customers held
    them before migration 0036 (double precision); `scored`: only customers with an output of
    either version; `summed`: the outputs' own numbers (numeric), what the sums add up. Before
    migration 0036 the sums added roi_customers' double precision cast back to numeric: the
    same number for any output of up to 15 significant digits (NUMERIC(20, 6) under 1e9),
    without two conversions per customer and prediction (nearly half of a build's time)."""
    kind = "numeric" if summed else "float8"
    ltv_columns = "".join(
        f"\n           CAST(o.predicted_ltv_{h} AS {kind}) AS predicted_ltv_{h}," for h in HORIZONS
    )
    where = "\n    WHERE o.customer_id IS NOT NULL OR k.customer_id IS NOT NULL" if scored else ""
    return (
        f"""SELECT r.*, o.customer_id IS NOT NULL AS ltv_scored,{ltv_columns}
           CAST(COALESCE(k.churn_probability, o.churn_probability) AS {kind})
               AS churn_probability
    FROM {customers}
    LEFT JOIN {outputs} o ON o.customer_id = r.customer_id AND o.model_version_id = {ltv}
    LEFT JOIN {outputs} k ON k.customer_id = r.customer_id AND k.model_version_id = {churn}"""
        + where
    )


def _pair_of_active(column: str) -> str:
    return f"(SELECT {column} FROM {SETS} WHERE active)"


def views_sql() -> list[str]:
    predicted = ", ".join(
        ["ltv_scored", *(f"predicted_ltv_{h}" for h in HORIZONS), "churn_probability"]
    )
    customers = customer_predictions_sql(
        "roi_customers r", _pair_of_active("ltv_version_id"), _pair_of_active("churn_version_id")
    )
    out = [
        f"CREATE VIEW {CUSTOMER_PREDICTIONS} AS SELECT customer_id, {predicted} "
        f"FROM ({customers}) p"
    ]
    for table, view in READ_VIEWS.items():
        key, aggregates = definition(table)
        names = PREDICTION_SUMS[fine_of(table)]

        def value(name: str, kind: str, kept: bool) -> str:
            return name if kept else f"CAST(0 AS {kind}) AS {name}"

        groups = ", ".join(
            [*key, *(value(n, k, n not in names) for n, (k, _) in aggregates.items())]
        )
        sums = ", ".join([*key, *(value(n, k, n in names) for n, (k, _) in aggregates.items())])
        out.append(
            f"CREATE VIEW {view} AS SELECT {groups} FROM {table} UNION ALL "
            f"SELECT {sums} FROM {TABLES[table]} WHERE set_id = {ACTIVE_SET}"
        )
    return out


def drop_sql() -> list[str]:
    out = [f"DROP VIEW {view}" for view in READ_VIEWS.values()]
    out.append(f"DROP VIEW {CUSTOMER_PREDICTIONS}")
    out += [f"DROP TABLE {narrow}" for narrow in TABLES.values()]
    out.append(f"DROP TABLE {SETS}")
    out += [
        "DROP FUNCTION roi_prediction_sets_refresh(boolean)",
        "DROP FUNCTION roi_prediction_groups_rebuild(integer, date, date, boolean)",
    ]
    return out


def live_sql(table: str) -> str:
    """The narrow rows of `table` for the active set computed from roi_customers and the
    outputs now (what its narrow table must hold for that set, without the set's id)."""
    source = customer_predictions_sql(
        "roi_customers r",
        _pair_of_active("ltv_version_id"),
        _pair_of_active("churn_version_id"),
        scored=True,
        summed=True,
    )
    grouped = _grouped(table, f"({source}) r", only=tuple(sums_of(table)))
    return f"SELECT * FROM ({grouped}) g WHERE {_scored_row(table)}"


def _insert(table: str, set_id: str, grouped: str) -> str:
    return (
        f"INSERT INTO {TABLES[table]} ({_columns(table)}) "
        f"SELECT {set_id}, g.* FROM ({grouped}) g WHERE {_scored_row(table)};"
    )


def _fill(table: str, set_id: str, customers: str, ltv: str, churn: str) -> str:
    """INSERT of `table`'s narrow rows of the set `set_id` from `customers` (aliased r)."""
    source = customer_predictions_sql(customers, ltv, churn, scored=True, summed=True)
    return _insert(table, set_id, _grouped(table, f"({source}) r", only=tuple(sums_of(table))))


#: The narrow rows a new set's COARSE table is summed from: the fewest rows whose key holds
#: its key (at 1M customers over 300 campaigns the days' groups per campaign are a sixth of
#: the fine ones). In this order.
BUILT_FROM = {
    "roi_customer_campaign_days": "roi_customer_days",
    "roi_customer_country_days": "roi_customer_days",
    "roi_customer_platform_days": "roi_customer_campaign_days",
    "roi_customer_campaign_months": "roi_customer_campaign_days",
    "roi_customer_campaign_weeks": "roi_customer_campaign_days",
    "roi_customer_platform_lifetimes": "roi_customer_lifetimes",
}


def _fill_from_fine(table: str, set_id: str) -> str:
    """INSERT of the narrow rows of `table` (COARSE) of the set `set_id` summed from those of
    the set's table it is BUILT_FROM."""
    source = f"(SELECT * FROM {TABLES[BUILT_FROM[table]]} WHERE set_id = {set_id}) f"
    return _insert(table, set_id, _coarse_grouped(table, source, skip=_others(table)))


_LOCK = f"LOCK TABLE {SETS}, {', '.join(TABLES.values())} IN SHARE ROW EXCLUSIVE MODE;"
_SETTINGS = planner.bulk(BULK_PREDICTIONS_WORK_MEM, hash_joins=True)


def _active_version(kind: str) -> str:
    return (
        f"(SELECT id FROM model_versions WHERE kind = '{kind}' AND is_active AND status = 'ready')"
    )


def functions_sql(late_lock: bool = False) -> list[str]:
    """`roi_prediction_sets_refresh(force)` and `roi_prediction_groups_rebuild(set, first,
    last)`, the trigger functions on roi_customers and model_outputs, and the one at commit;
    `late_lock`: the trigger functions as migration 0036 defined them (`triggers_lock_sql`)."""
    fills = "".join(
        f"\n        {_fill(t, 'new_set', 'roi_customers r', 'ltv_version', 'churn_version')}"
        for t in AGGREGATES
    )
    fills += "".join(f"\n        {_fill_from_fine(t, 'new_set')}" for t in BUILT_FROM)
    deletes = "".join(
        f"\n            DELETE FROM {narrow} WHERE set_id = old_set;" for narrow in TABLES.values()
    )
    body = f"""
        INSERT INTO {SETS} (ltv_version_id, churn_version_id) VALUES (ltv_version, churn_version)
        RETURNING id INTO new_set;{fills}
        UPDATE {SETS} SET active = false WHERE active;
        UPDATE {SETS} SET active = true WHERE id = new_set;
        FOR old_set IN SELECT id FROM {SETS} WHERE id <> new_set LOOP{deletes}
            DELETE FROM {SETS} WHERE id = old_set;
        END LOOP;"""
    refresh = f"""CREATE OR REPLACE FUNCTION roi_prediction_sets_refresh(force boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    ltv_version integer := {_active_version("ltv")};
    churn_version integer := {_active_version("churn")};
    current_set record;
    new_set integer;
    old_set integer;
    {planner.saved(_SETTINGS)}
BEGIN
    {_LOCK}
    SELECT * INTO current_set FROM {SETS} WHERE active;
    IF FOUND AND NOT force AND (current_set.ltv_version_id, current_set.churn_version_id)
                               IS NOT DISTINCT FROM (ltv_version, churn_version) THEN
        RETURN;
    END IF;
    {planner.tuned(_SETTINGS, body)}
    PERFORM record_roi_data_change(DATE '-infinity', DATE 'infinity');
END $$"""
    rebuilds = {}
    for grain, tables in GRAINS.items():
        rebuilds[grain] = ""
        for table in tables:
            first, last = _days_of(table)
            days = f"acquisition_date BETWEEN {first} AND {last}"
            customers = f"(SELECT * FROM roi_customers WHERE {days}) r"
            pair = ("pair.ltv_version_id", "pair.churn_version_id")
            rebuilds[grain] += f"""
            DELETE FROM {TABLES[table]} WHERE set_id = the_set AND {days};
            {_fill(table, "the_set", customers, *pair)}"""
    body = f"""
        IF lifetimes THEN{rebuilds["lifetimes"]}
        ELSE{rebuilds["days"]}
        END IF;"""
    rebuild = f"""CREATE OR REPLACE FUNCTION roi_prediction_groups_rebuild(
    the_set integer, first date, last date, lifetimes boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    pair record;
    {planner.saved(_SETTINGS)}
BEGIN
    SELECT * INTO pair FROM {SETS} WHERE id = the_set;
    {planner.tuned(_SETTINGS, body)}
END $$"""
    return [refresh, rebuild, *triggers_lock_sql(late_lock), AT_COMMIT]


def triggers_lock_sql(late_lock: bool = False) -> list[str]:
    """The trigger functions on roi_customers and model_outputs, taking the lock of the sets and
    the narrow tables first; `late_lock`: a ROW EXCLUSIVE lock of the narrow tables first and
    the SHARE ROW EXCLUSIVE one only on the bulk branch (migration 0036's, which deadlocks two
    bulk writers at once)."""
    return [_customers_changed_sql(late_lock), *_outputs_changed_sql(late_lock)]


_LATE_LOCK = f"LOCK TABLE {', '.join(TABLES.values())} IN ROW EXCLUSIVE MODE;"


#: Replaces migration 0008's: an activation builds the new pair's set once, at commit.
AT_COMMIT = """CREATE OR REPLACE FUNCTION roi_predictions_at_commit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('spendlens.roi_predictions_refreshed', true)
       IS DISTINCT FROM CAST(txid_current() AS text) THEN
        PERFORM set_config('spendlens.roi_predictions_refreshed',
                           CAST(txid_current() AS text), true);
        PERFORM roi_prediction_sets_refresh(false);
    END IF;
    RETURN NULL;
END $$"""

_THRESHOLD = (
    "COALESCE(CAST(NULLIF(current_setting('spendlens.roi_groups_rebuild_rows', true), '') "
    f"AS bigint), {REBUILD_ROWS})"
)
_LIFETIME = {
    "last_purchase_day": "{p}.last_purchase_day",
    "purchases": "LEAST({p}.events, 2)",
    "nothing_first_week": "({p}.revenue_7d = 0)",
}


def _key_of(table: str, alias: str) -> str:
    """The columns of a roi_customers row (`alias`) that place it in `table`'s groups."""
    columns = [f"{alias}.{c}" for c in KEY]
    if fine_of(table) == "roi_customer_lifetimes":
        columns += [v.format(p=alias) for v in _LIFETIME.values()]
    return ", ".join(columns)


def _moved(table: str) -> str:
    """The customers an UPDATE of roi_customers moved to other groups of `table`: +1 new
    rows, -1 old ones."""
    differ = f"({_key_of(table, 'n')}) IS DISTINCT FROM ({_key_of(table, 'o')})"
    pairs = "new_rows n JOIN old_rows o ON o.customer_id = n.customer_id"
    return (
        f"(SELECT 1 AS sign, n.* FROM {pairs} WHERE {differ} "
        f"UNION ALL SELECT -1 AS sign, o.* FROM {pairs} WHERE {differ}) r"
    )


_SIGNED = {
    "INSERT": lambda table: "(SELECT 1 AS sign, n.* FROM new_rows n) r",
    "DELETE": lambda table: "(SELECT -1 AS sign, o.* FROM old_rows o) r",
    "UPDATE": _moved,
}


def _upsert(table: str, signed: str) -> str:
    """The grouped contributions of `signed` (roi_customers rows with a sign, with their
    predictions) added to the active set's narrow rows of `table`."""
    names = tuple(sums_of(table))
    key = definition(table)[0]
    changed = " OR ".join(f"{name} <> 0" for name in names)
    updates = ", ".join(f"{name} = t.{name} + excluded.{name}" for name in names)
    empty = " AND ".join(f"{name} = 0" for name in _counts(table))
    grouped = _grouped(table, f"({signed}) r", "sign", only=names)
    return f"""
        INSERT INTO {TABLES[table]} AS t ({_columns(table)})
        SELECT s.id, g.* FROM ({grouped}) g WHERE {changed}
        ON CONFLICT (set_id, {", ".join(key)}) DO UPDATE SET {updates};
        DELETE FROM {TABLES[table]} WHERE set_id = s.id AND {empty};"""


def _trigger_start(late_lock: bool) -> str:
    """The start of a trigger function keeping the active set: its variables, the lock of the
    sets and narrow tables (taken first, migration 0037; 0036's took it late) and the active set
    read into `s`."""
    return f"""LANGUAGE plpgsql AS $$
DECLARE
    threshold bigint := {_THRESHOLD};
    s record;
    touched bigint;
    first date;
    last date;
BEGIN
    {_LATE_LOCK if late_lock else _LOCK}
    SELECT * INTO s FROM {SETS} WHERE active;"""


def _customers_changed_sql(late_lock: bool) -> str:
    """The trigger function on roi_customers keeping the active set's sums."""
    branches = []
    for i, (op, signed) in enumerate(_SIGNED.items()):
        steps = ""
        for grain, tables in GRAINS.items():
            # the scored customers written in the groups of the grain (an UPDATE's: those it
            # moved to other groups; a revenue load moves customers between lifetime groups,
            # not between days)
            rows = signed(tables[0])
            scored = customer_predictions_sql(
                rows, "s.ltv_version_id", "s.churn_version_id", scored=True, summed=True
            )
            upserts = "".join(
                _upsert(
                    table,
                    customer_predictions_sql(
                        signed(table),
                        "s.ltv_version_id",
                        "s.churn_version_id",
                        scored=True,
                        summed=True,
                    ),
                ).replace("\n", "\n    ")
                for table in tables
            )
            # a deletion rebuilds its days: deleting customers deletes their outputs in the
            # same statement, and each table's trigger may find the other's rows gone already
            bulk = "touched > 0" if op == "DELETE" else "touched > 0 AND touched >= threshold"
            relock = (
                f"\n            {_LOCK}\n            SELECT * INTO s FROM {SETS} WHERE active;"
                if late_lock
                else ""
            )
            steps += f"""
        SELECT count(*), min(acquisition_date), max(acquisition_date) INTO touched, first, last
        FROM {rows if op == "DELETE" else f"({scored}) x"};
        IF {bulk} THEN{relock}
            PERFORM roi_prediction_groups_rebuild(s.id, first, last, {grain == "lifetimes"});
        ELSIF touched > 0 THEN{upserts}
        END IF;"""
        branches.append(f"""    {"IF" if i == 0 else "ELSIF"} TG_OP = '{op}' THEN{steps}""")
    body = "\n".join(branches)
    return f"""CREATE OR REPLACE FUNCTION roi_prediction_groups_changed() RETURNS trigger
{_trigger_start(late_lock)}
    IF NOT FOUND OR (s.ltv_version_id IS NULL AND s.churn_version_id IS NULL) THEN
        RETURN NULL;
    END IF;
{body}
    END IF;
    RETURN NULL;
END $$"""


def _outputs_changed_sql(late_lock: bool) -> list[str]:
    """The bodies of model_outputs' statement triggers (migration 0008's names): the active
    set's sums of the customers whose outputs of its versions a statement wrote, by deltas;
    every sum afresh (a new set) from REBUILD_ROWS customers on."""
    empty = "(SELECT * FROM model_outputs LIMIT 0)"
    sides = {
        "model_outputs_inserted": ("new_rows", empty),
        "model_outputs_updated": ("new_rows", "old_rows"),
        "model_outputs_deleted": (empty, "old_rows"),
    }
    out = []
    pair = "(s.ltv_version_id, s.churn_version_id)"
    for name, (new, old) in sides.items():
        ids = (
            f"SELECT customer_id FROM {new} x WHERE x.model_version_id IN {pair} UNION "
            f"SELECT customer_id FROM {old} x WHERE x.model_version_id IN {pair}"
        )
        ctes = f"""WITH ids AS ({ids}),
        after_outputs AS (
            SELECT m.* FROM model_outputs m JOIN ids i ON i.customer_id = m.customer_id
            WHERE m.model_version_id IN {pair}),
        before_outputs AS (
            SELECT a.* FROM after_outputs a WHERE NOT EXISTS (
                SELECT 1 FROM {new} n
                WHERE n.customer_id = a.customer_id AND n.model_version_id = a.model_version_id)
            UNION ALL SELECT x.* FROM {old} x WHERE x.model_version_id IN {pair}),
        touched AS (
            SELECT r.* FROM roi_customers r JOIN ids i ON i.customer_id = r.customer_id)
        """

        def signed(outputs: str, sign: int) -> str:
            rows = f"(SELECT {sign} AS sign, t.* FROM touched t) r"
            return customer_predictions_sql(
                rows, "s.ltv_version_id", "s.churn_version_id", outputs, True, summed=True
            )

        delta = f"{signed('after_outputs', 1)}\n    UNION ALL\n    {signed('before_outputs', -1)}"
        upserts = "".join(f"\n        {ctes}{_upsert(table, delta).lstrip()}" for table in TABLES)
        out.append(f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
{_trigger_start(late_lock)}
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO touched FROM ({ids}) x;
    IF touched > 0 AND touched >= threshold THEN
        PERFORM roi_prediction_sets_refresh(true);
    ELSIF touched > 0 THEN
        SELECT min(r.acquisition_date), max(r.acquisition_date) INTO first, last
        FROM roi_customers r JOIN ({ids}) i ON i.customer_id = r.customer_id;{upserts}
        PERFORM record_roi_data_change(first, last);
    END IF;
    RETURN NULL;
END $$""")
    return out


#: The statement-level triggers on roi_customers that keep the active set's sums.
_TRANSITIONS = {
    "INSERT": "NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def triggers_sql() -> list[str]:
    out = [
        f"CREATE TRIGGER roi_customers_predictions_{op.lower()} AFTER {op} ON roi_customers "
        f"REFERENCING {transitions} FOR EACH STATEMENT "
        "EXECUTE FUNCTION roi_prediction_groups_changed()"
        for op, transitions in _TRANSITIONS.items()
    ]
    deletes = " ".join(f"DELETE FROM {narrow};" for narrow in TABLES.values())
    out += [
        "CREATE FUNCTION roi_prediction_groups_truncated() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN {deletes} RETURN NULL; END $$",
        "CREATE TRIGGER roi_customers_predictions_truncate AFTER TRUNCATE ON roi_customers "
        "FOR EACH STATEMENT EXECUTE FUNCTION roi_prediction_groups_truncated()",
    ]
    return out


def drop_triggers_sql() -> list[str]:
    out = [
        f"DROP TRIGGER roi_customers_predictions_{op.lower()} ON roi_customers"
        for op in (*_TRANSITIONS, "TRUNCATE")
    ]
    out += [
        "DROP FUNCTION roi_prediction_groups_changed()",
        "DROP FUNCTION roi_prediction_groups_truncated()",
    ]
    return out
