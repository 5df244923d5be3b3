"""identity and participation requirement

Revision ID: 3dcb3cf93aa8
Revises: 42cfa0e5bc54
Create Date: 2026-12-07 15:54:28.502420

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3dcb3cf93aa8'
down_revision = '42cfa0e5bc54'
branch_labels = None
depends_on = None


def upgrade():
    # The enum columns carry no CHECK here (as in 2f6e923bbab4): SQLite cannot add one without a rebuild.
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requirement', sa.Enum('any', 'email', 'govbr_bronze', 'govbr_prata', 'govbr_ouro', name='participation_requirement', native_enum=False, create_constraint=False, length=16), server_default='any', nullable=False))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('govbr_subject_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('govbr_level', sa.Enum('bronze', 'prata', 'ouro', name='govbr_level', native_enum=False, create_constraint=False, length=10), nullable=True))
        batch_op.create_index('ix_users_govbr_subject_hash', ['govbr_subject_hash'], unique=True)


def downgrade():
    op.drop_index('ix_users_govbr_subject_hash', table_name='users')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('govbr_level')
        batch_op.drop_column('govbr_subject_hash')
        batch_op.drop_column('email_verified_at')
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('requirement')
