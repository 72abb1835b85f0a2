"""`refresh_roi_predictions(ids)`: the predictions in roi_customers of some customers (every
customer when ids is NULL) from the outputs of the active, ready version of each kind: LTV at
30/90/365 days from the LTV version, the churn probability from the churn version, else from the
LTV version. Rows whose predictions are unchanged are not written.

Each migration that changed the function renders its own definition here from the one UPDATE of
the predictions (`update_sql`), and the migration before it renders the earlier one for its
downgrade: `FIRST` (0008), `JOINED` (0015), `HASH_JOINED` (0025), `BULK` (0032; dropped by
0036, whose downgrade puts it back: the predictions left roi_customers, `prediction_sums.py`).
"""

from __future__ import annotations

import textwrap

from backend.services.roi.sql import planner
from backend.services.roi.sql.customer_groups import PREDICTIONS_ONLY
from backend.services.roi.sql.roi_customers import HORIZONS, PREDICTIONS


def update_sql(customers: str, ltv: str, churn: str, where: str = "", returning: str = "") -> str:
    """The UPDATE of the predictions of the roi_customers rows `customers` (a FROM list naming
    them x) where `where` holds, from the outputs of the versions `ltv` and `churn` (SQL
    expressions), writing only the rows whose predictions change; `returning`: a RETURNING
    list."""
    predicted = "".join(
        f"\n           CAST(o.predicted_ltv_{h} AS float8) AS predicted_ltv_{h}," for h in HORIZONS
    )
    return f"""UPDATE roi_customers r
SET {", ".join(f"{c} = s.{c}" for c in PREDICTIONS)}
FROM (
    SELECT x.customer_id, o.customer_id IS NOT NULL AS ltv_scored,{predicted}
           CAST(COALESCE(k.churn_probability, o.churn_probability) AS float8)
               AS churn_probability
    FROM {customers}
    LEFT JOIN model_outputs o
           ON o.customer_id = x.customer_id AND o.model_version_id = {ltv}
    LEFT JOIN model_outputs k
           ON k.customer_id = x.customer_id AND k.model_version_id = {churn}{where}
) s
WHERE r.customer_id = s.customer_id
  AND ({", ".join(f"r.{c}" for c in PREDICTIONS)}) IS DISTINCT FROM
      ({", ".join(f"s.{c}" for c in PREDICTIONS)}){returning}"""


def _active(kind: str) -> str:
    return (
        f"(SELECT id FROM model_versions WHERE kind = '{kind}' AND is_active AND status = 'ready')"
    )


def _by_ids(ids: str) -> str:
    """The customers of the array `ids`, joined (a hash join), never tested with = ANY(ids):
    that test costs customers x ids, hours for the outputs of a 1M-customer version stored under
    an active version."""
    distinct = f"(SELECT DISTINCT t.id FROM unnest({ids}) AS t(id)) t"
    return f"{distinct} JOIN roi_customers x ON x.customer_id = t.id"


def _indent(sql: str, spaces: int) -> str:
    return textwrap.indent(sql, " " * spaces).lstrip()


_HEADER = """CREATE OR REPLACE FUNCTION refresh_roi_predictions(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    ltv_version integer := {ltv};
    churn_version integer := {churn};""".format(ltv=_active("ltv"), churn=_active("churn"))

#: EXECUTE's customers: every one (`whole`) or those of $1, the ids.
_CUSTOMERS = f"CASE WHEN {{whole}} THEN 'roi_customers x' ELSE '{_by_ids('$1')}' END"

#: Migration 0008's first definition: every customer tested with = ANY(ids).
_FIRST_UPDATE = update_sql(
    "roi_customers x",
    _active("ltv"),
    _active("churn"),
    where="\n    WHERE ids IS NULL OR x.customer_id = ANY(ids)",
)
FIRST = f"""
CREATE FUNCTION refresh_roi_predictions(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    {_indent(_FIRST_UPDATE, 4)};
$$
"""

#: Migration 0015's: the customers joined to the ids.
_JOINED_UPDATE = update_sql(_by_ids("ids"), "ltv_version", "churn_version")
JOINED = f"""{_HEADER}
BEGIN
    ids := COALESCE(ids, ARRAY(SELECT customer_id FROM roi_customers));
    {_indent(_JOINED_UPDATE, 4)};
END $$"""

#: The settings of a bulk refresh: hashes of a million customers in memory, no JIT compilation
#: (restored at the end).
_SETTINGS = planner.bulk("256MB")

#: Migration 0025's: a bulk refresh (every customer: an activation; or ids for a tenth of the
#: customers or more: the outputs of a version stored under an active version) is one pass over
#: roi_customers hash-joined to the versions' outputs instead of a lookup per id. The update
#: writes the predictions alone, and says so (PREDICTIONS_ONLY, until it ends): the trigger of
#: the customer groups then re-sums their prediction sums only (customer_groups.py,
#: roi_customer_groups_repredict). roi_customers and the groups keep half of each page free
#: (fillfactor 50, migration 0025), so that rewriting every row's predictions puts each new row
#: version beside the old one (a HOT update: no index entry written; 1M rows in 2.8 s instead
#: of 17 s on a loaded 2-core machine).
_HASH_JOINED_BODY = f"""
    PERFORM set_config('{PREDICTIONS_ONLY}', 'on', true);
    EXECUTE format($sql$
        {_indent(update_sql("%s", "$2", "$3"), 8)}
        $sql$,
        {_CUSTOMERS.format(whole="whole")})
    USING ids, ltv_version, churn_version;
    PERFORM set_config('{PREDICTIONS_ONLY}', '', true);"""
HASH_JOINED = f"""{_HEADER}
    whole boolean := ids IS NULL OR cardinality(ids) >= GREATEST(
        20000, (SELECT reltuples / 10 FROM pg_class WHERE oid = 'roi_customers'::regclass));
    {planner.saved(_SETTINGS)}
BEGIN
    -- hashes of a million customers in memory, no JIT compilation (restored at the end)
    {planner.tuned(_SETTINGS, _HASH_JOINED_BODY)}
END $$"""

#: Migration 0032's, in use. A few customers (fewer than a tenth, or fewer than 20,000; the
#: setting spendlens.roi_groups_rebuild_rows overrides that number, as it does the groups'
#: trigger's): as 0025's, the trigger of the customer groups adds their deltas or re-sums their
#: days.
#:
#: A bulk refresh (every customer: an activation; or ids for a tenth of the customers or more:
#: the outputs of a version stored under an active version, for which every customer is
#: refreshed, the unchanged ones not written) is one statement-level pass and no per-row work of
#: any trigger: one UPDATE of roi_customers hash-joined to the versions' outputs while its two
#: UPDATE triggers (the customer groups', the data version's) are disabled, so PostgreSQL keeps
#: no transition tables of a million old and new rows; then, once, what those triggers would
#: have done: the groups' prediction sums of the days written re-summed
#: (roi_customer_groups_repredict, customer_groups.bulk_predictions_sql) and the data change of
#: those days recorded. ALTER TABLE ... DISABLE TRIGGER takes a SHARE ROW EXCLUSIVE lock on
#: roi_customers: readers never wait, writers of roi_customers wait for this transaction (an
#: UPDATE of every row made them wait on its row locks already); the triggers are enabled again
#: before the function returns (and by a rollback), so no other transaction ever sees them off.
#: Where PostgreSQL refuses to alter roi_customers (trigger events of the calling statement
#: pending on it: a delete of customers cascading to their outputs) the triggers stay on and do
#: the re-sum, as 0025's did.
#: When no active version has any output (a version activated before its outputs are stored),
#: every prediction is cleared without a join and the groups' sums set to 0 without a re-sum
#: (roi_customer_groups_unpredict).
_BULK_UPDATE = update_sql("%s", "$2", "$3", returning="\nRETURNING r.acquisition_date")
_BULK_BODY = f"""
    IF whole THEN
        ids := NULL;  -- every customer: no list of a million ids to unnest, sort and join
        BEGIN
            ALTER TABLE roi_customers DISABLE TRIGGER roi_customers_groups_update,
                                      DISABLE TRIGGER roi_customers_roi_update;
            quiet := true;
        EXCEPTION WHEN object_in_use THEN
            -- roi_customers has trigger events pending in the statement that called this (a
            -- delete of customers cascading to their outputs): its triggers stay on
            quiet := false;
        END;
    END IF;
    IF NOT quiet THEN
        PERFORM set_config('{PREDICTIONS_ONLY}', 'on', true);
    END IF;
    IF cleared THEN
        WITH written AS (
            UPDATE roi_customers
            SET ltv_scored = false, predicted_ltv_30 = NULL, predicted_ltv_90 = NULL,
                predicted_ltv_365 = NULL, churn_probability = NULL
            WHERE ltv_scored OR predicted_ltv_30 IS NOT NULL OR predicted_ltv_90 IS NOT NULL
               OR predicted_ltv_365 IS NOT NULL OR churn_probability IS NOT NULL
            RETURNING acquisition_date
        )
        SELECT count(*), min(acquisition_date), max(acquisition_date) INTO written, first, last
        FROM written;
    ELSE
        EXECUTE format($sql$
            WITH written AS (
                {_indent(_BULK_UPDATE, 16)}
            )
            SELECT count(*), min(acquisition_date), max(acquisition_date) FROM written
            $sql$,
            {_CUSTOMERS.format(whole="ids IS NULL")})
        INTO written, first, last
        USING ids, ltv_version, churn_version;
    END IF;
    IF quiet THEN
        ALTER TABLE roi_customers ENABLE TRIGGER roi_customers_groups_update,
                                  ENABLE TRIGGER roi_customers_roi_update;
        IF written > 0 THEN
            IF cleared THEN
                PERFORM roi_customer_groups_unpredict(first, last);
            ELSE
                PERFORM roi_customer_groups_repredict(first, last);
            END IF;
            PERFORM record_roi_data_change(first, last);
        END IF;
    ELSE
        PERFORM set_config('{PREDICTIONS_ONLY}', '', true);
    END IF;"""
BULK = f"""{_HEADER}
    whole boolean := ids IS NULL OR cardinality(ids) >= GREATEST(
        COALESCE(CAST(NULLIF(current_setting('spendlens.roi_groups_rebuild_rows', true), '')
                      AS bigint), 20000),
        (SELECT reltuples / 10 FROM pg_class WHERE oid = 'roi_customers'::regclass));
    cleared boolean := whole AND NOT EXISTS (
        SELECT 1 FROM model_outputs WHERE model_version_id IN (ltv_version, churn_version));
    {planner.saved(_SETTINGS)}
    quiet boolean := false;
    written bigint;
    first date;
    last date;
BEGIN
    -- hashes of a million customers in memory, no JIT compilation (restored at the end)
    {planner.tuned(_SETTINGS, _BULK_BODY)}
END $$"""
