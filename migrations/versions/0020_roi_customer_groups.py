"""the customer side of the ROI read model pre-aggregated per acquisition day

Revision ID: 0020_roi_customer_groups
Revises: 0019_customer_suspicion
Create Date: 2026-12-07 03:50:00.000000

roi_customer_days (per acquisition day x platform x account x campaign x country x device: the
customers, revenue to date and at the checkpoints, predicted LTV per horizon, churn) and
roi_customer_lifetimes (the same with the last purchase's day, the payments capped at 2 and
whether the first week paid nothing), filled from roi_customers and kept current by one
statement-level trigger per write to it. SQL: backend/services/roi/sql/customer_groups.py.
"""

from alembic import op

from backend.services.roi.sql import customer_groups

# revision identifiers, used by Alembic.
revision = "0020_roi_customer_groups"
down_revision = "0019_customer_suspicion"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in customer_groups.AGGREGATES:
        for statement in customer_groups.create_table_sql(table):
            op.execute(statement)
        op.execute(customer_groups.fill_sql(table))
    for statement in customer_groups.trigger_sql():
        op.execute(statement)


def downgrade() -> None:
    for statement in customer_groups.drop_sql():
        op.execute(statement)
