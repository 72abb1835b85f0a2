"""a bulk refresh of the ROI predictions is one hash-joined pass and re-sums the groups'
prediction sums only

Revision ID: 0025_roi_bulk_predictions
Revises: 0024_roi_platform_groups
Create Date: 2026-12-07 11:15:00.000000

An activation (every customer's predictions) or the outputs of a version stored under an active
version (a tenth of the customers or more) update roi_customers in one pass joined to the
outputs (backend/services/roi/sql/roi_predictions.py,
HASH_JOINED), and the customer groups' trigger
re-sums the prediction sums of their days alone instead of rebuilding every sum of every group
(backend/services/roi/sql/customer_groups.py, roi_customer_groups_repredict). roi_customers
and the groups keep half of each page free, so that those rewrites are HOT updates (no index
entry written); existing pages fill that way as their rows are next rewritten.
"""

from alembic import op

from backend.services.roi.sql import customer_groups, roi_predictions

#: The tables whose rows an activation rewrites, and the room each page keeps for it.
FILLFACTOR = {"roi_customers": 50, "roi_customer_days": 50, "roi_customer_lifetimes": 50}

# revision identifiers, used by Alembic.
revision = "0025_roi_bulk_predictions"
down_revision = "0024_roi_platform_groups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table, fillfactor in FILLFACTOR.items():
        op.execute(f"ALTER TABLE {table} SET (fillfactor = {fillfactor})")
    for statement in customer_groups.function_sql():
        op.execute(statement)
    op.execute(roi_predictions.HASH_JOINED)


def downgrade() -> None:
    op.execute(roi_predictions.JOINED)
    for statement in customer_groups.function_sql(predictions=False):
        op.execute(statement)
    op.execute("DROP FUNCTION roi_customer_groups_repredict(date, date)")
    for table in FILLFACTOR:
        op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
