"""the predictions leave roi_customers and the customer groups for sets of narrow sums

Revision ID: 0036_roi_prediction_sets
Revises: 0035_roi_campaign_weeks
Create Date: 2026-12-08 00:45:00.000000

roi_customers loses its prediction columns (a view, roi_customer_predictions, joins the active
prediction set's versions' outputs instead) and the customer groups their prediction sums
(narrow tables per prediction set, read through a view per group table): an activation, or
outputs stored under an active version, builds a new set with grouped INSERTs and flips the
active one instead of rewriting every wide row; the active set follows customer, revenue and
output writes by deltas. The active set is built here from the active versions.
SQL: backend/services/roi/sql/prediction_sums.py, customer_groups.py.
"""

from alembic import op

from backend.services.roi.sql import customer_groups, prediction_sums, roi_predictions
from backend.services.roi.sql.roi_customers import (
    HORIZONS,
    REFRESH_AT_COMMIT,
    TRIGGERS,
    customers_inserted_sql,
)

# revision identifiers, used by Alembic.
revision = "0036_roi_prediction_sets"
down_revision = "0035_roi_campaign_weeks"
branch_labels = None
depends_on = None

_NAMES = customer_groups.PREDICTION_NAMES
_CUSTOMER_COLUMNS = {
    "ltv_scored": "boolean NOT NULL DEFAULT false",
    **{f"predicted_ltv_{h}": "double precision" for h in HORIZONS},
    "churn_probability": "double precision",
}
_OUTPUT_TRIGGERS = ("model_outputs_inserted", "model_outputs_updated", "model_outputs_deleted")


def _group_tables() -> list[str]:
    return [*customer_groups.AGGREGATES, *customer_groups.COARSE]


def _sums_of(table: str) -> dict[str, tuple[str, str]]:
    return prediction_sums.sums_of(table)


def _customers_inserted(predictions: bool) -> str:
    return (
        "CREATE OR REPLACE FUNCTION customers_inserted() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{customers_inserted_sql(predictions)}\nRETURN NULL;\nEND $$"
    )


def upgrade() -> None:
    op.execute(_customers_inserted(predictions=False))
    for statement in customer_groups.function_sql(predictions=False, skip=_NAMES):
        op.execute(statement)
    for table in customer_groups.COARSE:
        op.execute(customer_groups.coarse_function_sql(table, skip=_NAMES))
    for table in _group_tables():
        drops = ", ".join(f"DROP COLUMN {name}" for name in _sums_of(table))
        op.execute(f"ALTER TABLE {table} {drops}")
    op.execute(
        f"ALTER TABLE roi_customers {', '.join(f'DROP COLUMN {c}' for c in _CUSTOMER_COLUMNS)}"
    )
    for statement in prediction_sums.create_sql():
        op.execute(statement)
    for statement in prediction_sums.functions_sql(late_lock=True):
        op.execute(statement)
    for statement in prediction_sums.triggers_sql():
        op.execute(statement)
    op.execute("DROP FUNCTION roi_customer_groups_repredict(date, date)")
    op.execute("DROP FUNCTION roi_customer_groups_unpredict(date, date)")
    op.execute("DROP FUNCTION refresh_roi_predictions(bigint[])")
    op.execute("SELECT roi_prediction_sets_refresh(true)")
    for narrow in (prediction_sums.SETS, *prediction_sums.TABLES.values()):
        op.execute(f"ANALYZE {narrow}")


def downgrade() -> None:
    op.execute(_customers_inserted(predictions=True))
    op.execute(REFRESH_AT_COMMIT.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    for name in _OUTPUT_TRIGGERS:
        body = TRIGGERS[name][3]
        op.execute(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{body}\nRETURN NULL;\nEND $$"
        )
    for statement in prediction_sums.drop_triggers_sql():
        op.execute(statement)
    for statement in prediction_sums.drop_sql():
        op.execute(statement)
    adds = ", ".join(f"ADD COLUMN {c} {kind}" for c, kind in _CUSTOMER_COLUMNS.items())
    op.execute(f"ALTER TABLE roi_customers {adds}")
    for table in _group_tables():
        sums = _sums_of(table)
        op.execute(
            f"ALTER TABLE {table} "
            + ", ".join(
                f"ADD COLUMN {n} {kind} NOT NULL DEFAULT 0" for n, (kind, _) in sums.items()
            )
        )
        op.execute(
            f"ALTER TABLE {table} " + ", ".join(f"ALTER COLUMN {n} DROP DEFAULT" for n in sums)
        )
    for statement in customer_groups.function_sql():
        op.execute(statement)
    for statement in customer_groups.bulk_predictions_sql():
        op.execute(statement)
    for table in customer_groups.COARSE:
        op.execute(customer_groups.coarse_function_sql(table))
    op.execute(roi_predictions.BULK)
    op.execute("SELECT refresh_roi_predictions(NULL)")
