"""customer_events.event_id compared byte by byte (COLLATE "C"): an event id is an opaque key, and
the primary key a bulk load of events rebuilds sorts about twice as fast without the locale's
string comparison

Revision ID: 0030_customer_events_id_bytes
Revises: 0029_roi_last_purchase_buckets
Create Date: 2026-12-07 15:10:00.000000
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0030_customer_events_id_bytes"
down_revision = "0029_roi_last_purchase_buckets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute('ALTER TABLE customer_events ALTER COLUMN event_id TYPE text COLLATE "C"')


def downgrade() -> None:
    op.execute('ALTER TABLE customer_events ALTER COLUMN event_id TYPE text COLLATE "default"')
