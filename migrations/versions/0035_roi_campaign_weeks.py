"""the customer groups per day and campaign summed per ISO week

Revision ID: 0035_roi_campaign_weeks
Revises: 0034_customer_events_references
Create Date: 2026-12-07 18:35:00.000000

roi_customer_campaign_weeks (per acquisition week, from its Monday, x platform x account x
campaign, with the customers' days into the week): as 0033's groups per month, for the whole
weeks of a report's range outside its months.
SQL:
backend/services/roi/sql/customer_groups.py.
"""

from alembic import op

from backend.services.roi.sql import customer_groups

# revision identifiers, used by Alembic.
revision = "0035_roi_campaign_weeks"
down_revision = "0034_customer_events_references"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in customer_groups.coarse_groups_sql(customer_groups.WEEKS):
        op.execute(statement)
    for statement in customer_groups.bulk_predictions_sql():
        op.execute(statement)


def downgrade() -> None:
    for statement in customer_groups.bulk_predictions_sql(without=customer_groups.WEEKS):
        op.execute(statement)
    for table in customer_groups.WEEKS:
        for statement in customer_groups.coarse_drop_sql(table):
            op.execute(statement)
