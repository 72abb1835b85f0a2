"""model_versions.activation_requested_at: activation runs on a worker, the latest request wins

Revision ID: 0009_activation_requests
Revises: 0008_roi_customers
Create Date: 2026-12-04 19:00:00.000000

Activating a version rewrites the predictions of every customer (roi_customers), so an admin's
request is answered at once and carried out by a worker. The time of the latest request for (or
activation of) each version decides between requests that reach the workers out of order.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_activation_requests"
down_revision = "0008_roi_customers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "model_versions",
        sa.Column("activation_requested_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("model_versions", "activation_requested_at")
