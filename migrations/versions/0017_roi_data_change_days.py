"""roi_data_changes says which days each change touched

Revision ID: 0017_roi_data_change_days
Revises: 0016_ad_account_platform_open
Create Date: 2026-12-07 01:40:00.000000

An answer about a date range is keyed by the changes that overlap it (first_day..last_day;
-infinity..infinity for changes of every day), so a backfill of old spend leaves the answers
about recent days cached. A new campaign or account changes no answer; an update of a
campaign's or account's name (or account, platform) changes every day's. SQL:
backend/services/roi/sql/data_change_days.sql.
"""

import sqlalchemy as sa
from alembic import op

from backend.services.roi import sql as roi_sql

# revision identifiers, used by Alembic.
revision = "0017_roi_data_change_days"
down_revision = "0016_ad_account_platform_open"
branch_labels = None
depends_on = None

NEW_FUNCTIONS = ("roi_days_changed()", "record_roi_data_change(date, date)")


def upgrade() -> None:
    op.add_column(
        "roi_data_changes",
        sa.Column("first_day", sa.Date(), server_default="-infinity", nullable=False),
    )
    op.add_column(
        "roi_data_changes",
        sa.Column("last_day", sa.Date(), server_default="infinity", nullable=False),
    )
    for statement in roi_sql.statements("data_change_days"):
        op.execute(statement)
    for statement in roi_sql.dated_data_change_triggers():
        op.execute(statement)


def downgrade() -> None:
    for table in roi_sql.NAMED_COLUMNS:
        op.execute(f"DROP TRIGGER {table}_roi_update ON {table}")
    for statement in roi_sql.data_change_triggers():
        op.execute(statement.replace("CREATE TRIGGER", "CREATE OR REPLACE TRIGGER", 1))
    for statement in roi_sql.statements("data_changes"):
        op.execute(statement)
    for function in NEW_FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    op.drop_column("roi_data_changes", "last_day")
    op.drop_column("roi_data_changes", "first_day")
