"""customer_suspicion: each customer's traffic-quality score and reasons as last scored;
roi_customers.suspect for the ROI figures that exclude suspect traffic

Revision ID: 0019_customer_suspicion
Revises: 0018_recommendation_runs
Create Date: 2026-12-07 04:00:00.000000

Written by backend.services.early.suspicion (the traffic-quality task). roi_customers gains a
`suspect` flag (false until scored); a change of it is a change of the ROI answers through the
table's existing data change triggers.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0019_customer_suspicion"
down_revision = "0018_recommendation_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_suspicion",
        sa.Column(
            "customer_id",
            sa.BigInteger(),
            sa.ForeignKey("customers.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("reasons", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("suspect", sa.Boolean(), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.add_column(
        "roi_customers",
        sa.Column("suspect", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("roi_customers", "suspect")
    op.drop_table("customer_suspicion")
