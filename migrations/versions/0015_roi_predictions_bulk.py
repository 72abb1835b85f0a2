"""refresh_roi_predictions joins the customers to the ids it is given

Revision ID: 0015_roi_predictions_bulk
Revises: 0014_customer_events
Create Date: 2026-12-07 01:10:00.000000

0008's function tested every customer with `= ANY(ids)`: storing the outputs of a 1M-customer
version under an active version cost customers x ids comparisons (more than 14 minutes before it
was stopped). The function now joins (backend/services/roi_sql/roi_predictions.sql).
"""

from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path

from alembic import op

from backend.services import roi_sql

# revision identifiers, used by Alembic.
revision = "0015_roi_predictions_bulk"
down_revision = "0014_customer_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in roi_sql.statements("roi_predictions"):
        op.execute(statement)


def downgrade() -> None:
    spec = spec_from_file_location("_0008", Path(__file__).with_name("0008_roi_customers.py"))
    previous = module_from_spec(spec)
    spec.loader.exec_module(previous)
    op.execute("DROP FUNCTION refresh_roi_predictions(bigint[])")
    op.execute(previous.REFRESH_PREDICTIONS)
