"""customer_events: the in-app events of customers (early signals of first purchase and traffic
quality), loaded like revenue events and keyed by their event id

Revision ID: 0014_customer_events
Revises: 0013_roi_data_changes
Create Date: 2026-12-07 01:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0014_customer_events"
down_revision = "0013_roi_data_changes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_events",
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("value", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("properties", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "loaded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_events_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_customer_events")),
    )
    op.create_index(
        "ix_customer_events_customer_id_occurred_at",
        "customer_events",
        ["customer_id", "occurred_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_customer_events_customer_id_occurred_at", table_name="customer_events")
    op.drop_table("customer_events")
