"""The functions and triggers that keep `roi_customers` current (migration 0008 creates them):
one row per customer with its acquisition attributes, its revenue from the revenue events and
the predictions of the active model versions, rewritten in the writer's transaction.

- customers: a row per inserted customer; attributes follow every update; a new acquisition
  date recomputes the revenue (deletes cascade);
- revenue_events: the revenue of the customers a statement touched;
- model_outputs: the predictions of the customers whose outputs of an active version changed;
- model_versions: every row's predictions, once at commit, when the set of active, ready
  versions changes.

`refresh_roi_predictions`, 0008's first definition and each later one, is in `roi_predictions.py`.
`COMMIT_TRIGGERS` are 0008's; `roi_predictions_triggers.sql` (migration 0023), in use, fires them
for the LTV and churn kinds only.

Since migration 0036 roi_customers holds no predictions: the model_outputs triggers and the one
at commit keep the active prediction set instead (`prediction_sums.py`), and
`customers_inserted_sql(predictions=False)` is the insert in use.
"""

CHECKPOINTS = (1, 3, 7, 14, 30, 60, 90, 120, 180, 270, 365, 540, 730, 1095)
HORIZONS = (30, 90, 365)
ATTRIBUTES = ("acquisition_date", "platform", "ad_account_id", "campaign_id", "country", "device")
REVENUE = ("events", "revenue", "last_purchase_day", *(f"revenue_{n}d" for n in CHECKPOINTS))
PREDICTIONS = ("ltv_scored", *(f"predicted_ltv_{h}" for h in HORIZONS), "churn_probability")

THROUGH = ",\n".join(
    f"""CASE WHEN count(e.customer_id) FILTER (WHERE d.day < {n} AND e.amount_reporting IS NULL)
                  = 0
             THEN COALESCE(sum(e.amount_reporting) FILTER (WHERE d.day < {n}), 0)
             ELSE 'NaN' END AS revenue_{n}d"""
    for n in CHECKPOINTS
)

#: The revenue figures of some customers from their events (zeros for a customer without any).
REFRESH_REVENUE = f"""
CREATE FUNCTION refresh_customer_revenue(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE roi_customers r SET {", ".join(f"{c} = s.{c}" for c in REVENUE)}
    FROM (
        SELECT c.id AS customer_id, count(e.customer_id) AS events,
               CASE WHEN count(e.customer_id) = count(e.amount_reporting)
                    THEN COALESCE(sum(e.amount_reporting), 0) ELSE 'NaN' END AS revenue,
               COALESCE(max(d.day), 0) AS last_purchase_day,
               {THROUGH}
        FROM (SELECT DISTINCT id FROM unnest(ids) AS t(id)) t
        JOIN customers c ON c.id = t.id
        LEFT JOIN revenue_events e ON e.customer_id = c.id
        LEFT JOIN LATERAL (
            SELECT GREATEST(CAST(e.occurred_at AT TIME ZONE 'UTC' AS date) - c.acquisition_date,
                            0) AS day
        ) d ON true
        GROUP BY c.id
    ) s
    WHERE r.customer_id = s.customer_id
      AND ({", ".join(f"r.{c}" for c in REVENUE)}) IS DISTINCT FROM
          ({", ".join(f"s.{c}" for c in REVENUE)});
$$
"""

_ACTIVE = "(SELECT id FROM model_versions WHERE is_active AND status = 'ready')"


def _refresh_outputs_of(*tables: str) -> str:
    """Trigger body: the predictions of the customers whose outputs of an active version are in
    the transition tables (nothing to do when there is none)."""
    ids = " UNION ".join(
        f"SELECT customer_id FROM {t} WHERE model_version_id IN {_ACTIVE}" for t in tables
    )
    found = " OR ".join(
        f"EXISTS (SELECT 1 FROM {t} WHERE model_version_id IN {_ACTIVE})" for t in tables
    )
    return f"PERFORM refresh_roi_predictions(ARRAY({ids})) WHERE {found};"


#: Changes of which versions are active refresh every customer's predictions once, at commit
#: (deferred constraint triggers; the later ones of the same transaction find it done): making
#: a version active takes two statements (the old one off, the new one on), and a refresh per
#: statement would rewrite every row twice.
REFRESH_AT_COMMIT = """
CREATE FUNCTION roi_predictions_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('spendlens.roi_predictions_refreshed', true)
       IS DISTINCT FROM CAST(txid_current() AS text) THEN
        PERFORM set_config('spendlens.roi_predictions_refreshed',
                           CAST(txid_current() AS text), true);
        PERFORM refresh_roi_predictions(NULL);
    END IF;
    RETURN NULL;
END $$
"""
_ACTIVE_NEW = "NEW.is_active AND NEW.status = 'ready'"
_ACTIVE_OLD = "OLD.is_active AND OLD.status = 'ready'"
COMMIT_TRIGGERS = {
    # name: (event, condition on the row)
    "model_versions_inserted": ("INSERT", _ACTIVE_NEW),
    "model_versions_updated": ("UPDATE", f"({_ACTIVE_NEW}) IS DISTINCT FROM ({_ACTIVE_OLD})"),
    "model_versions_deleted": ("DELETE", _ACTIVE_OLD),
}


def customers_inserted_sql(predictions: bool = True) -> str:
    """The body of `customers_inserted`: a row per new customer (`predictions`: not scored, as
    before migration 0036 took the predictions out of roi_customers)."""
    scored = (
        (",\n                                   ltv_scored", ", false") if predictions else ("", "")
    )
    columns = f"customer_id, {', '.join(ATTRIBUTES)}, {', '.join(REVENUE)}"
    return f"""
        INSERT INTO roi_customers ({columns}{scored[0]})
        SELECT n.id, {", ".join(f"n.{c}" for c in ATTRIBUTES)},
               {", ".join(["0"] * len(REVENUE))}{scored[1]}
        FROM new_rows n;
        """


TRIGGERS = {
    # name: (table, event, transition tables, body)
    "customers_inserted": (
        "customers",
        "INSERT",
        "NEW TABLE AS new_rows",
        customers_inserted_sql(),
    ),
    "customers_acquisition_changed": (
        "customers",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        f"""
        UPDATE roi_customers r SET {", ".join(f"{c} = n.{c}" for c in ATTRIBUTES)}
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE r.customer_id = n.id
          AND ({", ".join(f"n.{c}" for c in ATTRIBUTES)}) IS DISTINCT FROM
              ({", ".join(f"o.{c}" for c in ATTRIBUTES)});
        PERFORM refresh_customer_revenue(ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.acquisition_date IS DISTINCT FROM o.acquisition_date));
        """,
    ),
    "revenue_events_inserted": (
        "revenue_events",
        "INSERT",
        "NEW TABLE AS new_rows",
        "PERFORM refresh_customer_revenue(ARRAY(SELECT DISTINCT customer_id FROM new_rows));",
    ),
    "revenue_events_updated": (
        "revenue_events",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "PERFORM refresh_customer_revenue(ARRAY("
        "SELECT customer_id FROM new_rows UNION SELECT customer_id FROM old_rows));",
    ),
    "revenue_events_deleted": (
        "revenue_events",
        "DELETE",
        "OLD TABLE AS old_rows",
        "PERFORM refresh_customer_revenue(ARRAY(SELECT DISTINCT customer_id FROM old_rows));",
    ),
    "model_outputs_inserted": (
        "model_outputs",
        "INSERT",
        "NEW TABLE AS new_rows",
        _refresh_outputs_of("new_rows"),
    ),
    "model_outputs_updated": (
        "model_outputs",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _refresh_outputs_of("new_rows", "old_rows"),
    ),
    "model_outputs_deleted": (
        "model_outputs",
        "DELETE",
        "OLD TABLE AS old_rows",
        _refresh_outputs_of("old_rows"),
    ),
}
