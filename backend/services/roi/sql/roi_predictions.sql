-- refresh_roi_predictions(ids): the predictions in roi_customers of some customers (every
-- customer when ids is NULL) from the outputs of the active, ready version of each kind: LTV at
-- 30/90/365 days from the LTV version, the churn probability from the churn version, else from
-- the LTV version. Rows whose predictions are unchanged are not written.
--
-- The customers are joined to the ids (a hash join), never tested with = ANY(ids): that test
-- costs (customers x ids), hours for the outputs of a 1M-customer version stored under an
-- active version.
CREATE OR REPLACE FUNCTION refresh_roi_predictions(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    ltv_version integer := (SELECT id FROM model_versions
                            WHERE kind = 'ltv' AND is_active AND status = 'ready');
    churn_version integer := (SELECT id FROM model_versions
                              WHERE kind = 'churn' AND is_active AND status = 'ready');
BEGIN
    ids := COALESCE(ids, ARRAY(SELECT customer_id FROM roi_customers));
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
        FROM (SELECT DISTINCT t.id FROM unnest(ids) AS t(id)) t
        JOIN roi_customers x ON x.customer_id = t.id
        LEFT JOIN model_outputs o
               ON o.customer_id = x.customer_id AND o.model_version_id = ltv_version
        LEFT JOIN model_outputs k
               ON k.customer_id = x.customer_id AND k.model_version_id = churn_version
    ) s
    WHERE r.customer_id = s.customer_id
      AND (r.ltv_scored, r.predicted_ltv_30, r.predicted_ltv_90, r.predicted_ltv_365,
           r.churn_probability) IS DISTINCT FROM
          (s.ltv_scored, s.predicted_ltv_30, s.predicted_ltv_90, s.predicted_ltv_365,
           s.churn_probability);
END $$
;
