"""model_outputs' references kept once per statement instead of by per-row foreign keys

Revision ID: 0026_model_outputs_references
Revises: 0025_roi_bulk_predictions
Create Date: 2026-12-07 11:25:00.000000

The foreign keys of model_outputs to customers and model_versions checked and locked each row
of a COPY one at a time (two per-row triggers: 2M for a 1M-customer version). Statement-level
triggers check the rows a statement wrote in one anti-join each, and deletes (or truncates) of
customers and versions wait for the writers of outputs in flight, then delete their outputs
(backend/services/roi/sql/model_outputs_references.sql).
"""

from alembic import op

from backend.services.roi import sql as roi_sql

# revision identifiers, used by Alembic.
revision = "0026_model_outputs_references"
down_revision = "0025_roi_bulk_predictions"
branch_labels = None
depends_on = None

TRIGGERS = {
    "model_outputs": ("model_outputs_references_insert", "model_outputs_references_update"),
    "customers": ("customers_outputs_hold", "customers_outputs_delete",
                  "customers_outputs_truncate", "customers_id_kept"),
    "model_versions": ("model_versions_outputs_hold", "model_versions_outputs_delete",
                       "model_versions_outputs_truncate", "model_versions_id_kept"),
}  # fmt: skip
FUNCTIONS = ("model_outputs_check_references", "model_outputs_hold_writers",
             "model_outputs_cascade", "ids_never_change")  # fmt: skip


def upgrade() -> None:
    for statement in roi_sql.statements("model_outputs_references"):
        op.execute(statement)


def downgrade() -> None:
    for table, names in TRIGGERS.items():
        for name in names:
            op.execute(f"DROP TRIGGER {name} ON {table}")
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION {name}()")
    op.create_foreign_key(
        op.f("fk_model_outputs_customer_id_customers"), "model_outputs", "customers",
        ["customer_id"], ["id"], ondelete="CASCADE",
    )  # fmt: skip
    op.create_foreign_key(
        op.f("fk_model_outputs_model_version_id_model_versions"), "model_outputs",
        "model_versions", ["model_version_id"], ["id"], ondelete="CASCADE",
    )  # fmt: skip
