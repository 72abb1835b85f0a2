"""a bulk refresh of the ROI predictions does no per-row trigger work

Revision ID: 0032_roi_bulk_activation
Revises: 0031_roi_last_purchase_index
Create Date: 2026-12-07 15:00:00.000000

An activation, or the outputs of a version stored under an active version for many customers,
rewrites roi_customers with its UPDATE triggers disabled (no transition tables of a million old
and new rows) and then re-sums the groups' prediction sums once, the groups per platform
directly from the fine groups instead of by their triggers; a version activated without outputs
clears the predictions without a join or a re-sum (backend/services/roi/sql/
roi_predictions.py, BULK; customer_groups.bulk_predictions_sql).
"""

from alembic import op

from backend.services.roi.sql import customer_groups, roi_predictions

# revision identifiers, used by Alembic.
revision = "0032_roi_bulk_activation"
down_revision = "0031_roi_last_purchase_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in customer_groups.bulk_predictions_sql():
        op.execute(statement)
    op.execute(roi_predictions.BULK)


def downgrade() -> None:
    op.execute(roi_predictions.HASH_JOINED)
    op.execute(customer_groups.function_sql()[1])  # 0025's roi_customer_groups_repredict
    op.execute("DROP FUNCTION roi_customer_groups_unpredict(date, date)")
