"""workshop input dated on the workshop's day

Input logged after a workshop was dated on the day it was typed in, which put it on the wrong day of the
results timeline and of the open data. It now carries the workshop's date; this backfills existing rows.

Revision ID: fixes0001
Revises: loop0001
Create Date: 2026-12-07 17:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fixes0001'
down_revision = 'loop0001'
branch_labels = None
depends_on = None

BACKFILL = sa.text(
    "UPDATE contributions SET created_at = "
    "(SELECT workshops.starts_at FROM workshops WHERE workshops.id = contributions.workshop_id) "
    "WHERE channel = 'workshop' AND workshop_id IS NOT NULL"
)


def backfill(connection) -> None:
    """Date every workshop contribution on its workshop's day."""
    connection.execute(BACKFILL)


def upgrade():
    backfill(op.get_bind())


def downgrade():
    pass  # the day each input was typed in was never kept apart: nothing to restore
