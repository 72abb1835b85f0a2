"""a bulk re-sum of the customer groups re-sums those per day and platform of its days

Revision ID: 0027_roi_platform_regroup
Revises: 0026_model_outputs_references
Create Date: 2026-12-07 12:20:00.000000

A DELETE of COARSE_REGROUP_ROWS rows or more from roi_customer_days / roi_customer_lifetimes
while the transaction holds their SHARE ROW EXCLUSIVE lock (roi_customer_groups_rebuild) sums
the groups per day and platform of its days afresh from them instead of subtracting every
deleted group. SQL: backend/services/roi/sql/customer_groups.py.
"""

from alembic import op

from backend.services.roi.sql import customer_groups

# revision identifiers, used by Alembic.
revision = "0027_roi_platform_regroup"
down_revision = "0026_model_outputs_references"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in customer_groups.PLATFORM_COARSE:
        op.execute(customer_groups.coarse_function_sql(table))


def downgrade() -> None:
    for table in customer_groups.PLATFORM_COARSE:
        op.execute(customer_groups.coarse_function_sql(table, regroup=False))
