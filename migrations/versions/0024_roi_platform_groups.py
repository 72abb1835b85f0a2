"""the customer groups summed per acquisition day and platform

Revision ID: 0024_roi_platform_groups
Revises: 0023_roi_predictions_kinds
Create Date: 2026-12-07 12:10:00.000000

roi_customer_platform_days and roi_customer_platform_lifetimes: the sums of roi_customer_days
and roi_customer_lifetimes per acquisition day and platform (the lifetimes with their last
purchase day, payments and first week), filled from them and kept current by statement-level
triggers on them, for the reports grouped by platform or day (at 1M customers the fine tables
hold nearly one row per customer). SQL: backend/services/roi/sql/customer_groups.py.
"""

from alembic import op

from backend.services.roi.sql import customer_groups

# revision identifiers, used by Alembic.
revision = "0024_roi_platform_groups"
down_revision = "0023_roi_predictions_kinds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in customer_groups.PLATFORM_COARSE:
        for statement in customer_groups.create_table_sql(table):
            op.execute(statement)
        op.execute(customer_groups.coarse_fill_sql(table))
        for statement in customer_groups.coarse_trigger_sql(table):
            op.execute(statement)


def downgrade() -> None:
    for table in customer_groups.PLATFORM_COARSE:
        for statement in customer_groups.coarse_drop_sql(table):
            op.execute(statement)
