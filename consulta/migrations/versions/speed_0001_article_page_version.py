"""article page version: a counter every change to what an article page lists moves (the page cache's key)

Revision ID: speed0001
Revises: mail0001
Create Date: 2026-12-07 19:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'speed0001'
down_revision = 'mail0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('page_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('page_version')
