"""a bulk write to roi_customers rebuilds the customer groups of its days

Revision ID: 0022_roi_customer_groups_rebuild
Revises: 0021_first_purchase_models
Create Date: 2026-12-07 04:35:00.000000

A statement writing at least REBUILD_ROWS rows of roi_customers (an activation, a bulk load)
sums the groups of its days afresh under a lock readers do not wait for, instead of upserting a
delta into every group it touched (at 1M customers the deltas added ~77 s to an activation).
SQL: backend/services/roi/sql/customer_groups.py.
"""

from alembic import op

from backend.services.roi.sql import customer_groups

# revision identifiers, used by Alembic.
revision = "0022_roi_customer_groups_rebuild"
down_revision = "0021_first_purchase_models"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in customer_groups.function_sql(predictions=False):
        op.execute(statement)


def downgrade() -> None:
    for statement in customer_groups.function_sql(rebuild=False, predictions=False)[1:]:
        op.execute(statement)
    op.execute("DROP FUNCTION roi_customer_groups_rebuild(date, date)")
