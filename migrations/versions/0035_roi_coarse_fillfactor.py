"""the coarse customer groups keep half of each page free, as the fine ones do

Revision ID: 0035_roi_coarse_fillfactor
Revises: 0034_customer_events_references
Create Date: 2026-12-07 18:20:00.000000

An activation rewrites the prediction sums of every customer group. The fine groups keep half
of each page free since migration 0025, so that their rewrites are HOT updates (the new row
version beside the old one, no index entry written); the coarse groups (per platform, campaign,
country and device, and per campaign and month) were filled to the brim, so nearly every one of
their updates moved the row to another page and wrote an entry in each of their indexes (at
200,000 customers: 127 of 1.19M updates of roi_customer_campaign_days HOT). Each is set to
FILLFACTOR and rewritten at once (CLUSTER on its key: its pages then hold the
free room; a table of a million customers' groups rewrites in seconds, under an exclusive lock).
"""

from alembic import op

from backend.services.roi.sql import customer_groups

# revision identifiers, used by Alembic.
revision = "0035_roi_coarse_fillfactor"
down_revision = "0034_customer_events_references"
branch_labels = None
depends_on = None

#: As migration 0025's fine groups (undone by migration 0036).
FILLFACTOR = 50


def upgrade() -> None:
    for table in (t for t in customer_groups.COARSE if t not in customer_groups.WEEKS):  # 0037's
        for statement in customer_groups.fillfactor_sql(table, FILLFACTOR):
            op.execute(statement)


def downgrade() -> None:
    for table in (t for t in customer_groups.COARSE if t not in customer_groups.WEEKS):
        for statement in customer_groups.fillfactor_sql(table, None):
            op.execute(statement)
