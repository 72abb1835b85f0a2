"""sync_runs.heartbeat_at and retry_of_id: runs whose task is gone are found and re-queued

Revision ID: 0011_sync_run_heartbeats
Revises: 0010_ad_account_manager_id
Create Date: 2026-12-06 21:40:00.000000

A running sync records a heartbeat every few seconds; beat's reaper fails a run whose heartbeat
is stale (its worker died) or whose queued task is no longer in the broker, and queues a run of
the same window that points back at it (`retry_of_id`). The partial index keeps the reaper's scan
of unfinished runs small however long the history grows.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_sync_run_heartbeats"
down_revision = "0010_ad_account_manager_id"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sync_runs", sa.Column("heartbeat_at", sa.DateTime(timezone=True)))
    op.add_column(
        "sync_runs",
        sa.Column(
            "retry_of_id",
            sa.BigInteger(),
            sa.ForeignKey(
                "sync_runs.id", name="fk_sync_runs_retry_of_id_sync_runs", ondelete="SET NULL"
            ),
        ),
    )
    op.create_index("ix_sync_runs_retry_of_id", "sync_runs", ["retry_of_id"])
    op.create_index(
        "ix_sync_runs_unfinished",
        "sync_runs",
        ["status"],
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )


def downgrade() -> None:
    op.drop_index("ix_sync_runs_unfinished", table_name="sync_runs")
    op.drop_index("ix_sync_runs_retry_of_id", table_name="sync_runs")
    op.drop_column("sync_runs", "retry_of_id")
    op.drop_column("sync_runs", "heartbeat_at")
