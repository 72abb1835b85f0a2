"""the coarse customer groups filled to the brim again (migration 0035 undone)

Revision ID: 0036_roi_coarse_refill
Revises: 0035_roi_coarse_fillfactor
Create Date: 2026-12-07 18:50:00.000000

Migration 0035 made every update of the coarse groups HOT, but bench/activation.py did not show
that it helps (200,000 customers, three pairs at load 4-9): the worst order, a version
activated empty and its outputs stored under it, took 41.6, 45.7 and 40.8 s at fillfactor 50
against 35.2, 37.5 and 27.6 s at 100 (the second rewrite, without a vacuum after the first,
prunes each page before it fits). The tables are set back to the default and rewritten.
"""

from alembic import op

from backend.services.roi.sql import customer_groups

# revision identifiers, used by Alembic.
revision = "0036_roi_coarse_refill"
down_revision = "0035_roi_coarse_fillfactor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in (t for t in customer_groups.COARSE if t not in customer_groups.WEEKS):  # 0037's
        for statement in customer_groups.fillfactor_sql(table, None):
            op.execute(statement)


def downgrade() -> None:
    for table in (t for t in customer_groups.COARSE if t not in customer_groups.WEEKS):
        for statement in customer_groups.fillfactor_sql(table, 50):  # 0035's
            op.execute(statement)
