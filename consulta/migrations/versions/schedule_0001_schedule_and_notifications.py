"""schedule, consultation details, attachments and notifications

Revision ID: schedule0001
Revises: 3dcb3cf93aa8
Create Date: 2026-12-07 16:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'schedule0001'
down_revision = '3dcb3cf93aa8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), server_default='America/Sao_Paulo', nullable=False))
        batch_op.add_column(sa.Column('deadline_note', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('organ', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact', sa.String(length=300), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('contact')
        batch_op.drop_column('organ')
        batch_op.drop_column('deadline_note')
        batch_op.drop_column('time_zone')
