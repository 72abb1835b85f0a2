"""first-purchase model versions and their outputs

Revision ID: 0021_first_purchase_models
Revises: 0020_roi_customer_groups
Create Date: 2026-12-07 04:00:00.000000

A model version may be of kind 'first_purchase' (analytics/early); its outputs are each recent
customer's probability of a first purchase within 7 and 30 days of acquisition.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021_first_purchase_models"
down_revision = "0020_roi_customer_groups"
branch_labels = None
depends_on = None

_CHECK = op.f("ck_model_versions_kind_known")


def upgrade() -> None:
    op.drop_constraint(_CHECK, "model_versions", type_="check")
    op.create_check_constraint(
        _CHECK, "model_versions", "kind IN ('ltv', 'churn', 'first_purchase')"
    )
    op.add_column("model_outputs", sa.Column("p_first_purchase_7", sa.Numeric()))
    op.add_column("model_outputs", sa.Column("p_first_purchase_30", sa.Numeric()))


def downgrade() -> None:
    op.execute("DELETE FROM model_versions WHERE kind = 'first_purchase'")
    op.drop_column("model_outputs", "p_first_purchase_30")
    op.drop_column("model_outputs", "p_first_purchase_7")
    op.drop_constraint(_CHECK, "model_versions", type_="check")
    op.create_check_constraint(_CHECK, "model_versions", "kind IN ('ltv', 'churn')")
