-- refresh_roi_predictions(ids) as migration 0025 defines it (roi_predictions.sql is 0015's): the
-- predictions in roi_customers of some customers (every customer when ids is NULL) from the
-- outputs of the active, ready version of each kind: LTV at 30/90/365 days from the LTV
-- version, the churn probability from the churn version, else from the LTV version. Rows whose
-- predictions are unchanged are not written.
--
-- A bulk refresh (every customer: an activation; or ids for a tenth of the customers or more:
-- the outputs of a version stored under an active version) is one pass over roi_customers
-- hash-joined to the versions' outputs, instead of a lookup per id. The update writes the
-- predictions alone, and says so (spendlens.roi_predictions_only, until it ends): the trigger
-- of the customer groups then re-sums their prediction sums only (customer_groups.py,
-- roi_customer_groups_repredict), not every revenue sum of every group. roi_customers and the
-- groups keep half of each page free (fillfactor 50, migration 0025), so that rewriting every
-- row's predictions puts each new row version beside the old one (a HOT update: no index entry
-- written; 1M rows in 2.8 s instead of 17 s on a loaded 2-core machine).
CREATE OR REPLACE FUNCTION refresh_roi_predictions(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    ltv_version integer := (SELECT id FROM model_versions
                            WHERE kind = 'ltv' AND is_active AND status = 'ready');
    churn_version integer := (SELECT id FROM model_versions
                              WHERE kind = 'churn' AND is_active AND status = 'ready');
    whole boolean := ids IS NULL OR cardinality(ids) >= GREATEST(
        20000, (SELECT reltuples / 10 FROM pg_class WHERE oid = 'roi_customers'::regclass));
    memory text := current_setting('work_mem');
    compiling text := current_setting('jit');
BEGIN
    -- hashes of a million customers in memory, no JIT compilation (restored at the end)
    PERFORM set_config('work_mem', '256MB', true), set_config('jit', 'off', true);
    PERFORM set_config('spendlens.roi_predictions_only', 'on', true);
    EXECUTE format($sql$
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
            LEFT JOIN model_outputs o ON o.customer_id = x.customer_id AND o.model_version_id = $2
            LEFT JOIN model_outputs k ON k.customer_id = x.customer_id AND k.model_version_id = $3
        ) s
        WHERE r.customer_id = s.customer_id
          AND (r.ltv_scored, r.predicted_ltv_30, r.predicted_ltv_90, r.predicted_ltv_365,
               r.churn_probability) IS DISTINCT FROM
              (s.ltv_scored, s.predicted_ltv_30, s.predicted_ltv_90, s.predicted_ltv_365,
               s.churn_probability)
        $sql$,
        CASE WHEN whole THEN 'roi_customers x'
             ELSE '(SELECT DISTINCT t.id FROM unnest($1) AS t(id)) t '
                  'JOIN roi_customers x ON x.customer_id = t.id' END)
    USING ids, ltv_version, churn_version;
    PERFORM set_config('spendlens.roi_predictions_only', '', true);
    PERFORM set_config('work_mem', memory, true), set_config('jit', compiling, true);
END $$
;
