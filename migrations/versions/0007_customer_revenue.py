"""customer revenue for the ROI dashboards: a summary per customer kept by triggers

Revision ID: 0007_customer_revenue
Revises: 0006_monthly_rollups
Create Date: 2026-11-22 00:55:32.967966

Each customer's revenue in the reporting currency (total, cumulative at checkpoints of days since
acquisition, day of the last purchase; double precision, NaN where a payment has no exchange
rate so that every sum including it stays unknown) is recomputed by
refresh_customer_revenue(ids) for the customers a statement touched: after any INSERT, UPDATE
or DELETE on revenue_events (statement triggers with transition tables, so a load of a million
events refreshes once), and after an UPDATE of customers that changes an acquisition date. The
ROI queries then read one row per customer instead of every revenue event.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_customer_revenue"
down_revision = "0006_monthly_rollups"
branch_labels = None
depends_on = None

CHECKPOINTS = (1, 3, 7, 14, 30, 60, 90, 120, 180, 270, 365, 540, 730, 1095)
COLUMNS = ", ".join(f"revenue_{n}d" for n in CHECKPOINTS)
THROUGH = ",\n".join(
    f"""CASE WHEN count(*) FILTER (WHERE d.day < {n} AND e.amount_reporting IS NULL) = 0
             THEN COALESCE(sum(e.amount_reporting) FILTER (WHERE d.day < {n}), 0)
             ELSE 'NaN' END"""
    for n in CHECKPOINTS
)
UPDATES = ", ".join(f"revenue_{n}d = EXCLUDED.revenue_{n}d" for n in CHECKPOINTS)

REFRESH = f"""
CREATE FUNCTION refresh_customer_revenue(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO customer_revenue (customer_id, events, revenue, last_purchase_day, {COLUMNS})
    SELECT e.customer_id, count(*),
           CASE WHEN count(*) = count(e.amount_reporting) THEN sum(e.amount_reporting)
                ELSE 'NaN' END,
           max(d.day),
           {THROUGH}
    FROM unnest(ids) AS t(id)
    JOIN revenue_events e ON e.customer_id = t.id
    JOIN customers c ON c.id = e.customer_id
    CROSS JOIN LATERAL (
        SELECT GREATEST(CAST(e.occurred_at AT TIME ZONE 'UTC' AS date) - c.acquisition_date, 0)
               AS day
    ) d
    GROUP BY e.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET
        events = EXCLUDED.events, revenue = EXCLUDED.revenue,
        last_purchase_day = EXCLUDED.last_purchase_day, {UPDATES};
    DELETE FROM customer_revenue r
    WHERE r.customer_id = ANY(ids)
      AND NOT EXISTS (SELECT 1 FROM revenue_events e WHERE e.customer_id = r.customer_id);
$$
"""

TRIGGERS = {
    # name: (table, event, transition tables, ids of the customers to refresh)
    "revenue_events_inserted": (
        "revenue_events",
        "INSERT",
        "NEW TABLE AS new_rows",
        "SELECT DISTINCT customer_id FROM new_rows",
    ),
    "revenue_events_updated": (
        "revenue_events",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "SELECT customer_id FROM new_rows UNION SELECT customer_id FROM old_rows",
    ),
    "revenue_events_deleted": (
        "revenue_events",
        "DELETE",
        "OLD TABLE AS old_rows",
        "SELECT DISTINCT customer_id FROM old_rows",
    ),
    "customers_acquisition_changed": (
        "customers",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id "
        "WHERE n.acquisition_date IS DISTINCT FROM o.acquisition_date",
    ),
}


def upgrade():
    op.create_table(
        "customer_revenue",
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("revenue", sa.Double(), nullable=False),
        sa.Column("last_purchase_day", sa.Integer(), nullable=False),
        *(sa.Column(f"revenue_{n}d", sa.Double(), nullable=False) for n in CHECKPOINTS),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_revenue_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_revenue")),
    )
    op.execute(REFRESH)
    for name, (table, event, transitions, ids) in TRIGGERS.items():
        op.execute(
            f"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM refresh_customer_revenue(ARRAY({ids}));
                RETURN NULL;
            END $$
            """
        )
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transitions} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    op.execute(
        "SELECT refresh_customer_revenue(ARRAY(SELECT DISTINCT customer_id FROM revenue_events))"
    )


def downgrade():
    for name, (table, *_) in TRIGGERS.items():
        op.execute(f"DROP TRIGGER {name} ON {table}")
        op.execute(f"DROP FUNCTION {name}()")
    op.execute("DROP FUNCTION refresh_customer_revenue(bigint[])")
    op.drop_table("customer_revenue")
