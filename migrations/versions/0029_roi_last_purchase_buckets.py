"""the customer groups per day count their customers per checkpoint interval of the last purchase

Revision ID: 0029_roi_last_purchase_buckets
Revises: 0028_roi_campaign_country_groups
Create Date: 2026-12-07 14:50:00.000000

roi_customer_days and its sums per day and platform, campaign, or country and device gain
last_purchases_0 .. last_purchases_14 (the customers whose last purchase's day falls in each
checkpoint interval), filled from roi_customers, and the triggers that keep them are defined
again with them: a report's lifetimes are read from these and from the lifetimes' rows of one
interval per day only (queries.read_customers), not from every lifetime group. Additive; the
downgrade leaves the columns (kept current, read by nothing). SQL:
backend/services/roi/sql/customer_groups.py.
"""

from alembic import op

from backend.services.roi.sql import customer_groups, planner

# revision identifiers, used by Alembic.
revision = "0029_roi_last_purchase_buckets"
down_revision = "0028_roi_campaign_country_groups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    fine = "roi_customer_days"
    coarse = (*customer_groups.PLATFORM_COARSE, *customer_groups.FINER_COARSE)  # not 0033's
    tables = [fine, *(t for t in coarse if customer_groups.COARSE[t][0] == fine)]
    for table in tables:
        columns = ", ".join(
            f"ADD COLUMN IF NOT EXISTS {c} bigint NOT NULL DEFAULT 0"
            for c in customer_groups.LAST_PURCHASES
        )
        op.execute(f"ALTER TABLE {table} {columns}")
    for statement in customer_groups.function_sql():
        op.execute(statement)
    for table in tables[1:]:
        op.execute(customer_groups.coarse_function_sql(table))
    # as a bulk re-sum does: under the groups' lock (the coarse groups re-sum their days from
    # the fine ones), hashing the groups to their sums
    settings = planner.bulk(customer_groups.BULK_WORK_MEM, hash_joins=True)
    op.execute(f"SELECT {planner.set_configs(settings)}")
    op.execute(f"LOCK TABLE {', '.join(customer_groups.AGGREGATES)} IN SHARE ROW EXCLUSIVE MODE")
    op.execute(customer_groups.resum_sql(fine, customer_groups.LAST_PURCHASES))
    for statement in planner.reset(settings):
        op.execute(statement)
    for table in tables:
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    pass  # the columns stay, kept current by the triggers; nothing reads them
