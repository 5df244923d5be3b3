"""csp violation reports

Revision ID: deploy0001
Revises: 42cfa0e5bc54
Create Date: 2026-12-07 16:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'deploy0001'
down_revision = 'fixes0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'csp_violations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('directive', sa.String(length=64), nullable=False),
        sa.Column('blocked', sa.String(length=120), nullable=False),
        sa.Column('page', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_csp_violations')),
    )
    with op.batch_alter_table('csp_violations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_csp_violations_received_at'), ['received_at'], unique=False)


def downgrade():
    with op.batch_alter_table('csp_violations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_csp_violations_received_at'))
    op.drop_table('csp_violations')
