"""ad_accounts.manager_id: the manager account through which a Google Ads account is reached

Revision ID: 0010_ad_account_manager_id
Revises: 0009_activation_requests
Create Date: 2026-12-06 22:00:00.000000

Google Ads answers calls about a client account only with its manager's id in the
login-customer-id header. The manager is found when the account is added (in the account
hierarchy the credentials reach) and kept here, so every sync sends it. NULL: the account is
reached directly, the credentials name the manager, or it is not known yet (the connector then
looks it up in the hierarchy).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_ad_account_manager_id"
down_revision = "0009_activation_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ad_accounts", sa.Column("manager_id", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("ad_accounts", "manager_id")
