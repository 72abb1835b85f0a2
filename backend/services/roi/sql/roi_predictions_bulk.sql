-- refresh_roi_predictions(ids) as migration 0032 defines it (roi_predictions_set.sql is 0025's):
-- the predictions in roi_customers of some customers (every customer when ids is NULL) from the
-- outputs of the active, ready version of each kind: LTV at 30/90/365 days from the LTV
-- version, the churn probability from the churn version, else from the LTV version. Rows whose
-- predictions are unchanged are not written.
--
-- A few customers (fewer than a tenth, or fewer than 20,000; the setting
-- spendlens.roi_groups_rebuild_rows overrides that number, as it does the groups' trigger's):
-- as 0025's, the trigger of the customer groups adds their deltas or re-sums their days.
--
-- A bulk refresh (every customer: an activation; or ids for a tenth of the customers or more:
-- the outputs of a version stored under an active version, for which every customer is
-- refreshed, the unchanged ones not written) is one statement-level pass and no per-row work of
-- any trigger: one UPDATE of roi_customers hash-joined to the versions' outputs
-- while its two UPDATE triggers (the customer groups', the data version's) are disabled, so
-- PostgreSQL keeps no transition tables of a million old and new rows; then, once, what those
-- triggers would have done: the groups' prediction sums of the days written re-summed
-- (roi_customer_groups_repredict, customer_groups.bulk_predictions_sql) and the data change of
-- those days recorded. ALTER TABLE ... DISABLE TRIGGER takes a SHARE ROW EXCLUSIVE lock on
-- roi_customers: readers never wait, writers of roi_customers wait for this transaction (an
-- UPDATE of every row made them wait on its row locks already); the triggers are enabled again
-- before the function returns (and by a rollback), so no other transaction ever sees them off.
-- Where PostgreSQL refuses to alter roi_customers (trigger events of the calling statement
-- pending on it: a delete of customers cascading to their outputs) the triggers stay on and
-- do the re-sum, as 0025's did.
-- When no active version has any output (a version activated before its outputs are stored),
-- every prediction is cleared without a join and the groups' sums set to 0 without a re-sum
-- (roi_customer_groups_unpredict).
CREATE OR REPLACE FUNCTION refresh_roi_predictions(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    ltv_version integer := (SELECT id FROM model_versions
                            WHERE kind = 'ltv' AND is_active AND status = 'ready');
    churn_version integer := (SELECT id FROM model_versions
                              WHERE kind = 'churn' AND is_active AND status = 'ready');
    whole boolean := ids IS NULL OR cardinality(ids) >= GREATEST(
        COALESCE(CAST(NULLIF(current_setting('spendlens.roi_groups_rebuild_rows', true), '')
                      AS bigint), 20000),
        (SELECT reltuples / 10 FROM pg_class WHERE oid = 'roi_customers'::regclass));
    cleared boolean := whole AND NOT EXISTS (
        SELECT 1 FROM model_outputs WHERE model_version_id IN (ltv_version, churn_version));
    memory text := current_setting('work_mem');
    compiling text := current_setting('jit');
    quiet boolean := false;
    written bigint;
    first date;
    last date;
BEGIN
    -- hashes of a million customers in memory, no JIT compilation (restored at the end)
    PERFORM set_config('work_mem', '256MB', true), set_config('jit', 'off', true);
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
        PERFORM set_config('spendlens.roi_predictions_only', 'on', true);
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
                UPDATE roi_customers r
                SET ltv_scored = s.ltv_scored, predicted_ltv_30 = s.predicted_ltv_30,
                    predicted_ltv_90 = s.predicted_ltv_90, predicted_ltv_365 = s.predicted_ltv_365,
                    churn_probability = s.churn_probability
                FROM (
                    SELECT x.customer_id, o.customer_id IS NOT NULL AS ltv_scored,
                           CAST(o.predicted_ltv_30 AS float8) AS predicted_ltv_30,
                           CAST(o.predicted_ltv_90 AS float8) AS predicted_ltv_90,
                           CAST(o.predicted_ltv_365 AS float8) AS predicted_ltv_365,
                           CAST(COALESCE(k.churn_probability, o.churn_probability) AS float8)
                               AS churn_probability
                    FROM %s
                    LEFT JOIN model_outputs o
                           ON o.customer_id = x.customer_id AND o.model_version_id = $2
                    LEFT JOIN model_outputs k
                           ON k.customer_id = x.customer_id AND k.model_version_id = $3
                ) s
                WHERE r.customer_id = s.customer_id
                  AND (r.ltv_scored, r.predicted_ltv_30, r.predicted_ltv_90, r.predicted_ltv_365,
                       r.churn_probability) IS DISTINCT FROM
                      (s.ltv_scored, s.predicted_ltv_30, s.predicted_ltv_90, s.predicted_ltv_365,
                       s.churn_probability)
                RETURNING r.acquisition_date
            )
            SELECT count(*), min(acquisition_date), max(acquisition_date) FROM written
            $sql$,
            CASE WHEN ids IS NULL THEN 'roi_customers x'
                 ELSE '(SELECT DISTINCT t.id FROM unnest($1) AS t(id)) t '
                      'JOIN roi_customers x ON x.customer_id = t.id' END)
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
        PERFORM set_config('spendlens.roi_predictions_only', '', true);
    END IF;
    PERFORM set_config('work_mem', memory, true), set_config('jit', compiling, true);
END $$
;
