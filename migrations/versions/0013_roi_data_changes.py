"""roi_data_changes: the data version the ROI answer cache is keyed by

Revision ID: 0013_roi_data_changes
Revises: 0012_user_sessions
Create Date: 2026-12-07 01:00:00.000000

Every committed transaction that writes an input of the ROI, overview or cohort answers adds a
row (statement triggers; the SQL is backend/services/roi/sql/data_changes.sql), so a reader
knows from one small query whether an answer cached in Redis is still the answer.
"""

import sqlalchemy as sa
from alembic import op

from backend.services.roi import sql as roi_sql

# revision identifiers, used by Alembic.
revision = "0013_roi_data_changes"
down_revision = "0012_user_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # not OWNED BY the table: TRUNCATE ... RESTART IDENTITY must not reuse its ids
    op.execute("CREATE SEQUENCE roi_data_change_ids")
    op.create_table(
        "roi_data_changes",
        sa.Column(
            "id",
            sa.BigInteger(),
            server_default=sa.text("nextval('roi_data_change_ids')"),
            nullable=False,
        ),
        sa.Column("weight", sa.BigInteger(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roi_data_changes")),
    )
    for statement in roi_sql.statements("data_changes"):
        op.execute(statement)
    for statement in roi_sql.data_change_triggers():
        op.execute(statement)
    op.execute("INSERT INTO roi_data_changes DEFAULT VALUES")


def downgrade() -> None:
    for statement in roi_sql.drop_data_change_triggers():
        op.execute(statement)
    for statement in roi_sql.statements("data_changes_drop"):
        op.execute(statement)
    op.drop_table("roi_data_changes")
    op.execute("DROP SEQUENCE roi_data_change_ids")
