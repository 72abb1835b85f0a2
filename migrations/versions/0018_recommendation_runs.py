"""recommendation runs

Revision ID: 0018_recommendation_runs
Revises: 0017_roi_data_change_days
Create Date: 2026-12-07 01:40:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0018_recommendation_runs"
down_revision = "0017_roi_data_change_days"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recommendation_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("trigger", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("error", sa.Text()),
        sa.Column("inputs", postgresql.JSONB(), nullable=False),
        sa.Column(
            "model_version_id",
            sa.Integer(),
            sa.ForeignKey("model_versions.id", ondelete="SET NULL"),
        ),
        sa.Column("data_start", sa.Date()),
        sa.Column("data_end", sa.Date()),
        sa.Column("curves", postgresql.JSONB()),
        sa.Column("result", postgresql.JSONB()),
        sa.Column("backtest", postgresql.JSONB()),
        sa.Column("expected_gain_share", sa.Double()),
        sa.Column("applied_at", sa.DateTime(timezone=True)),
        sa.Column("applied_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("application", postgresql.JSONB()),
        sa.Column("undone_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'ready', 'failed')", name="recommendation_status"
        ),
        sa.CheckConstraint("trigger IN ('schedule', 'request')", name="recommendation_trigger"),
    )
    op.create_index("ix_recommendation_runs_status_id", "recommendation_runs", ["status", "id"])


def downgrade() -> None:
    op.drop_table("recommendation_runs")
