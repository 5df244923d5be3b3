"""contributions on a part of an article; the act's closing

Revision ID: drafts0001
Revises: 42cfa0e5bc54
Create Date: 2026-12-07 16:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'drafts0001'
down_revision = 'deploy0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('part', sa.String(length=80), server_default='', nullable=False))
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closing', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('closing')
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_column('part')
