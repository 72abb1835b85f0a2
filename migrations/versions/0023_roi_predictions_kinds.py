"""activating a first-purchase version no longer refreshes every customer's ROI predictions

Revision ID: 0023_roi_predictions_kinds
Revises: 0022_roi_customer_groups_rebuild
Create Date: 2026-12-07 05:10:00.000000

0008's deferred triggers on model_versions ran refresh_roi_predictions(NULL) over every customer
when any version became active or stopped being active, although roi_customers holds only the
LTV and churn outputs. They now fire for those two kinds only
(backend/services/roi/sql/roi_predictions_triggers.sql).
"""

from alembic import op

from backend.services.roi import sql as roi_sql
from backend.services.roi.sql.roi_customers import COMMIT_TRIGGERS

# revision identifiers, used by Alembic.
revision = "0023_roi_predictions_kinds"
down_revision = "0022_roi_customer_groups_rebuild"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in roi_sql.statements("roi_predictions_triggers"):
        op.execute(statement)


def downgrade() -> None:
    for name, (event, condition) in COMMIT_TRIGGERS.items():
        op.execute(f"DROP TRIGGER {name} ON model_versions")
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {name} AFTER {event} ON model_versions "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ({condition}) "
            "EXECUTE FUNCTION roi_predictions_at_commit()"
        )
