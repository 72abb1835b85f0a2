"""roi_customers: every customer as the ROI dashboards read it, one row kept by triggers

Revision ID: 0008_roi_customers
Revises: 0007_customer_revenue
Create Date: 2026-12-04 15:45:00.000000

customer_revenue becomes roi_customers and gains a row for every customer (zeros before the
first payment), the customer's acquisition attributes (date, platform, account, campaign,
country, device) and the predictions of the active model versions (LTV at 30/90/365 days, churn
probability: the active churn model's, else the active LTV model's; double precision). A ROI
query then reads one index range of one table, with no join per customer. Triggers keep it
(their SQL: backend/services/roi/sql/roi_customers.py).
"""

import sqlalchemy as sa
from alembic import op

from backend.services.roi.sql import roi_predictions
from backend.services.roi.sql.roi_customers import (
    ATTRIBUTES,
    COMMIT_TRIGGERS,
    HORIZONS,
    PREDICTIONS,
    REFRESH_AT_COMMIT,
    REFRESH_REVENUE,
    REVENUE,
    TRIGGERS,
)

# revision identifiers, used by Alembic.
revision = "0008_roi_customers"
down_revision = "0007_customer_revenue"
branch_labels = None
depends_on = None

#: 0007's triggers and functions, replaced here (and put back by the downgrade).
OLD_TRIGGERS = {
    "revenue_events_inserted": "revenue_events",
    "revenue_events_updated": "revenue_events",
    "revenue_events_deleted": "revenue_events",
    "customers_acquisition_changed": "customers",
}


def _create_triggers(triggers: dict) -> None:
    for name, (table, event, transitions, body) in triggers.items():
        op.execute(
            f"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {body}
                RETURN NULL;
            END $$
            """
        )
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transitions} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )


def _drop_triggers(triggers: dict) -> None:
    for name, spec in triggers.items():
        table = spec if isinstance(spec, str) else spec[0]
        op.execute(f"DROP TRIGGER {name} ON {table}")
        op.execute(f"DROP FUNCTION {name}()")


def upgrade():
    _drop_triggers(OLD_TRIGGERS)
    op.execute("DROP FUNCTION refresh_customer_revenue(bigint[])")
    op.rename_table("customer_revenue", "roi_customers")
    op.execute(
        "ALTER TABLE roi_customers RENAME CONSTRAINT pk_customer_revenue TO pk_roi_customers"
    )
    op.execute(
        "ALTER TABLE roi_customers RENAME CONSTRAINT fk_customer_revenue_customer_id_customers "
        "TO fk_roi_customers_customer_id_customers"
    )
    op.add_column("roi_customers", sa.Column("acquisition_date", sa.Date(), nullable=True))
    for name, kind in (
        ("platform", sa.Text()),
        ("ad_account_id", sa.Integer()),
        ("campaign_id", sa.BigInteger()),
        ("country", sa.Text()),
        ("device", sa.Text()),
    ):
        op.add_column("roi_customers", sa.Column(name, kind, nullable=True))
    op.add_column(
        "roi_customers",
        sa.Column("ltv_scored", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    for name in (*(f"predicted_ltv_{h}" for h in HORIZONS), "churn_probability"):
        op.add_column("roi_customers", sa.Column(name, sa.Double(), nullable=True))
    op.execute(
        f"""
        INSERT INTO roi_customers (customer_id, {", ".join(REVENUE)})
        SELECT c.id, {", ".join(["0"] * len(REVENUE))} FROM customers c
        WHERE NOT EXISTS (SELECT 1 FROM roi_customers r WHERE r.customer_id = c.id)
        """
    )
    op.execute(
        f"""
        UPDATE roi_customers r SET {", ".join(f"{c} = c.{c}" for c in ATTRIBUTES)}
        FROM customers c WHERE c.id = r.customer_id
        """
    )
    op.alter_column("roi_customers", "acquisition_date", nullable=False)
    op.create_index("ix_roi_customers_acquisition_date", "roi_customers", ["acquisition_date"])
    op.execute(REFRESH_REVENUE)
    op.execute(roi_predictions.FIRST)
    _create_triggers(TRIGGERS)
    op.execute(REFRESH_AT_COMMIT)
    for name, (event, condition) in COMMIT_TRIGGERS.items():
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {name} AFTER {event} ON model_versions "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ({condition}) "
            "EXECUTE FUNCTION roi_predictions_at_commit()"
        )
    op.execute("SELECT refresh_roi_predictions(NULL)")


def _migration_0007():
    """0007's module, for its function and trigger definitions."""
    from importlib.util import module_from_spec, spec_from_file_location
    from pathlib import Path

    spec = spec_from_file_location("_0007", Path(__file__).with_name("0007_customer_revenue.py"))
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade():
    previous = _migration_0007()
    for name in COMMIT_TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON model_versions")
    op.execute("DROP FUNCTION roi_predictions_at_commit()")
    _drop_triggers(TRIGGERS)
    op.execute("DROP FUNCTION refresh_roi_predictions(bigint[])")
    op.execute("DROP FUNCTION refresh_customer_revenue(bigint[])")
    op.drop_index("ix_roi_customers_acquisition_date", table_name="roi_customers")
    for name in (*ATTRIBUTES, *PREDICTIONS):
        op.drop_column("roi_customers", name)
    op.execute("DELETE FROM roi_customers WHERE events = 0")
    op.execute(
        "ALTER TABLE roi_customers RENAME CONSTRAINT pk_roi_customers TO pk_customer_revenue"
    )
    op.execute(
        "ALTER TABLE roi_customers RENAME CONSTRAINT fk_roi_customers_customer_id_customers "
        "TO fk_customer_revenue_customer_id_customers"
    )
    op.rename_table("roi_customers", "customer_revenue")
    op.execute(previous.REFRESH)
    for name, (table, event, transitions, ids) in previous.TRIGGERS.items():
        _create_triggers(
            {name: (table, event, transitions, f"PERFORM refresh_customer_revenue(ARRAY({ids}));")}
        )
