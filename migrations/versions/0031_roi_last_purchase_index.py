"""the lifetime groups indexed by day and last purchase's day, with what a report's cut reads

Revision ID: 0031_roi_last_purchase_index
Revises: 0030_customer_events_id_bytes
Create Date: 2026-12-07 15:20:00.000000

ix_<table>_last_purchase on roi_customer_lifetimes and roi_customer_platform_lifetimes:
(acquisition_date, last_purchase_day) INCLUDE the other key columns and the customers, so that
the lifetime groups of one checkpoint interval of a day (queries.read_customers' cut) are one
index range read without the table (the unique key holds the last purchase's day after the
account, campaign, country and device: every group of the day was read to find them).
"""

from alembic import op

from backend.services.roi.sql import customer_groups

# revision identifiers, used by Alembic.
revision = "0031_roi_last_purchase_index"
down_revision = "0030_customer_events_id_bytes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in customer_groups.last_purchase_index_sql():
        op.execute(statement)


def downgrade() -> None:
    for table in customer_groups.LAST_PURCHASE_INDEXED:
        op.execute(f"DROP INDEX ix_{table}_last_purchase")
