"""ad_accounts.platform: no list of platforms in the database; the connector registry decides

Revision ID: 0016_ad_account_platform_open
Revises: 0015_roi_predictions_bulk
Create Date: 2026-12-07 01:10:00.000000

The check constraint copied the names of the three platforms, so every new platform needed a
migration and the list could disagree with the registry. A platform is now known when its
connector package is registered (connectors/registry.py): the API and the services refuse an
unknown one with a 422 before anything is stored. A platform's name must stay a lower-case word.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_ad_account_platform_open"
down_revision = "0015_roi_predictions_bulk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint(op.f("ck_ad_accounts_platform_known"), "ad_accounts", type_="check")
    op.create_check_constraint(
        op.f("ck_ad_accounts_platform_name"), "ad_accounts", "platform ~ '^[a-z][a-z0-9_]*$'"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_ad_accounts_platform_name"), "ad_accounts", type_="check")
    op.create_check_constraint(
        op.f("ck_ad_accounts_platform_known"),
        "ad_accounts",
        sa.text("platform IN ('meta', 'google_ads', 'apple_search_ads')"),
    )
