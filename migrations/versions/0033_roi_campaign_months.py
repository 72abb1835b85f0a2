"""the customer groups per day and campaign summed per acquisition month

Revision ID: 0033_roi_campaign_months
Revises: 0032_roi_bulk_activation
Create Date: 2026-12-07 18:00:00.000000

roi_customer_campaign_months (per acquisition month x platform x account x campaign, with the
customers' days into the month): the sums of roi_customer_days per month, filled from it and
kept current by statement-level triggers on it (deltas, and the regroup of a bulk re-sum's
whole months), and re-summed by the bulk activation's functions like the other coarse groups.
A report by campaign reads it for the whole months of its range whose customers have all lived
through the same checkpoints. Additive: nothing else changes. SQL:
backend/services/roi/sql/customer_groups.py.
"""

from alembic import op

from backend.services.roi.sql import customer_groups

# revision identifiers, used by Alembic.
revision = "0033_roi_campaign_months"
down_revision = "0032_roi_bulk_activation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in customer_groups.coarse_groups_sql(customer_groups.MONTHS):
        op.execute(statement)
    for statement in customer_groups.bulk_predictions_sql(without=customer_groups.WEEKS):
        op.execute(statement)


def downgrade() -> None:
    without = (*customer_groups.MONTHS, *customer_groups.WEEKS)  # 0035 dropped the weeks first
    for statement in customer_groups.bulk_predictions_sql(without=without):
        op.execute(statement)
    for table in customer_groups.MONTHS:
        for statement in customer_groups.coarse_drop_sql(table):
            op.execute(statement)
