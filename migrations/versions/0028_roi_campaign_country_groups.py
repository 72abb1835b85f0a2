"""the customer groups summed per acquisition day and campaign, and per day, country and device

Revision ID: 0028_roi_campaign_country_groups
Revises: 0027_roi_platform_regroup
Create Date: 2026-12-07 14:45:00.000000

roi_customer_campaign_days (per acquisition day x platform x account x campaign) and
roi_customer_country_days (per acquisition day x platform x country x device): the sums of
roi_customer_days, filled from it and kept current by statement-level triggers on it (deltas,
and the regroup of a bulk re-sum's days), like the groups per day and platform of migrations
0024 and 0027, for the reports by campaign, account, country or device. Additive: nothing else
changes. SQL: backend/services/roi/sql/customer_groups.py.
"""

from alembic import op

from backend.services.roi.sql import customer_groups

# revision identifiers, used by Alembic.
revision = "0028_roi_campaign_country_groups"
down_revision = "0027_roi_platform_regroup"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the sums of migration 0029 are there on a database created with its definition of the
    # fine groups (migration 0020), and not before 0029 on one created earlier
    existing = {
        row[0]
        for row in op.get_bind().exec_driver_sql(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = 'roi_customer_days'"
        )
    }
    later = tuple(c for c in customer_groups.LAST_PURCHASES if c not in existing)
    for table in customer_groups.FINER_COARSE:
        for statement in customer_groups.create_table_sql(table, skip=later):
            op.execute(statement)
        op.execute(customer_groups.coarse_fill_sql(table, skip=later))
        for statement in customer_groups.coarse_trigger_sql(table):
            op.execute(statement)
        op.execute(customer_groups.coarse_function_sql(table))
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    for table in customer_groups.FINER_COARSE:
        for statement in customer_groups.coarse_drop_sql(table):
            op.execute(statement)
