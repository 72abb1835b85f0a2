"""customer_events' reference to customers kept once per statement instead of by a per-row
foreign key

Revision ID: 0034_customer_events_references
Revises: 0033_roi_campaign_months
Create Date: 2026-12-07 18:10:00.000000

The foreign key of customer_events to customers checked and locked its customer for each row
written, one at a time: the daily load of 1M events into a table holding 1M took 31 s by a plain
COPY with the key, 16 s without (same table, same rows). As for model_outputs (migration 0026):

- an insert or update of events fails with a foreign key violation when a customer it names is
  not there (one anti-join per statement, over the rows it wrote);
- deleting customers (or truncating them) first waits for the writers of events in flight to
  commit and keeps new ones waiting (a SHARE lock on customer_events: readers do not wait), then
  deletes their events (ON DELETE CASCADE);
- a customer's id never changes (customers_id_kept, migration 0026).
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0034_customer_events_references"
down_revision = "0033_roi_campaign_months"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE FUNCTION customer_events_check_customers() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing bigint;
BEGIN
    SELECT n.customer_id INTO missing FROM new_rows n
    WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = n.customer_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'customer_events reference customer % which does not exist', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER customer_events_customers_insert AFTER INSERT ON customer_events
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
EXECUTE FUNCTION customer_events_check_customers();
CREATE TRIGGER customer_events_customers_update AFTER UPDATE ON customer_events
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
EXECUTE FUNCTION customer_events_check_customers();

CREATE FUNCTION customer_events_hold_writers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE customer_events IN SHARE MODE;
    RETURN NULL;
END $$;
CREATE FUNCTION customer_events_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM customer_events;
    ELSE
        DELETE FROM customer_events e USING old_rows d WHERE e.customer_id = d.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER customers_events_hold BEFORE DELETE OR TRUNCATE ON customers
FOR EACH STATEMENT EXECUTE FUNCTION customer_events_hold_writers();
CREATE TRIGGER customers_events_delete AFTER DELETE ON customers
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_events_cascade();
CREATE TRIGGER customers_events_truncate AFTER TRUNCATE ON customers
FOR EACH STATEMENT EXECUTE FUNCTION customer_events_cascade();

ALTER TABLE customer_events DROP CONSTRAINT fk_customer_events_customer_id_customers;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    for trigger, table in (
        ("customer_events_customers_insert", "customer_events"),
        ("customer_events_customers_update", "customer_events"),
        ("customers_events_hold", "customers"),
        ("customers_events_delete", "customers"),
        ("customers_events_truncate", "customers"),
    ):
        op.execute(f"DROP TRIGGER {trigger} ON {table}")
    for function in (
        "customer_events_check_customers",
        "customer_events_hold_writers",
        "customer_events_cascade",
    ):
        op.execute(f"DROP FUNCTION {function}()")
    op.create_foreign_key(
        op.f("fk_customer_events_customer_id_customers"), "customer_events", "customers",
        ["customer_id"], ["id"], ondelete="CASCADE",
    )  # fmt: skip
