"""refresh_roi_predictions joins the customers to the ids it is given

Revision ID: 0015_roi_predictions_bulk
Revises: 0014_customer_events
Create Date: 2026-12-07 01:10:00.000000

0008's function tested every customer with `= ANY(ids)`: storing the outputs of a 1M-customer
version under an active version cost customers x ids comparisons (more than 14 minutes before it
was stopped). The function now joins (backend/services/roi/sql/roi_predictions.py, JOINED).
"""

from alembic import op

from backend.services.roi.sql import roi_predictions

# revision identifiers, used by Alembic.
revision = "0015_roi_predictions_bulk"
down_revision = "0014_customer_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(roi_predictions.JOINED)


def downgrade() -> None:
    op.execute("DROP FUNCTION refresh_roi_predictions(bigint[])")
    op.execute(roi_predictions.FIRST)
