"""contribution embeddings (cache of sentence embeddings per contribution and model)

Revision ID: analysis0001
Revises: search0001
Create Date: 2026-12-07 19:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'analysis0001'
down_revision = 'search0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contribution_embeddings',
    sa.Column('contribution_id', sa.Integer(), nullable=False),
    sa.Column('model', sa.String(length=80), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('dims', sa.Integer(), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contribution_id'], ['contributions.id'], name=op.f('fk_contribution_embeddings_contribution_id_contributions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contribution_id', 'model', name=op.f('pk_contribution_embeddings'))
    )


def downgrade():
    op.drop_table('contribution_embeddings')
