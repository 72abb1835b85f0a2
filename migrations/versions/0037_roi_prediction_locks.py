"""the prediction sets' triggers take their strongest lock first

Revision ID: 0037_roi_prediction_locks
Revises: 0036_roi_prediction_sets
Create Date: 2026-12-08 01:45:00.000000

The trigger functions on roi_customers and model_outputs that keep the active prediction set's
sums took a ROW EXCLUSIVE lock of the narrow tables first and, on a bulk write, a SHARE ROW
EXCLUSIVE one of the sets and the narrow tables after it: two bulk writers at once each held
the first and waited for the second, and one was rolled back by the deadlock. They take the
SHARE ROW EXCLUSIVE lock first now (writers follow each other, readers never wait).
SQL: backend/services/roi/sql/prediction_sums.py.
"""

from alembic import op

from backend.services.roi.sql import prediction_sums

# revision identifiers, used by Alembic.
revision = "0037_roi_prediction_locks"
down_revision = "0036_roi_prediction_sets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in prediction_sums.triggers_lock_sql():
        op.execute(statement)


def downgrade() -> None:
    for statement in prediction_sums.triggers_lock_sql(late_lock=True):
        op.execute(statement)
