"""schedule, consultation details, attachments and notifications

Revision ID: schedule0001
Revises: 3dcb3cf93aa8
Create Date: 2026-12-07 16:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'schedule0001'
down_revision = 'drafts0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), server_default='America/Sao_Paulo', nullable=False))
        batch_op.add_column(sa.Column('deadline_note', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('organ', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact', sa.String(length=300), server_default='', nullable=False))

    op.create_table('consultation_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_attachments_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_attachments'))
    )
    with op.batch_alter_table('consultation_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_attachments_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('follows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.Enum('consultation', 'article', name='follow_target', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_follows_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_follows_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follows')),
    sa.UniqueConstraint('user_id', 'target_type', 'target_id', name='uq_follows_user_target')
    )
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follows_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index('ix_follows_target', ['target_type', 'target_id'], unique=False)

    op.create_table('notification_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('opening', sa.Boolean(), nullable=False),
    sa.Column('closing_soon', sa.Boolean(), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('reply', sa.Boolean(), nullable=False),
    sa.Column('response', sa.Boolean(), nullable=False),
    sa.Column('final_text', sa.Boolean(), nullable=False),
    sa.Column('digest', sa.Boolean(), nullable=False),
    sa.Column('digest_sent_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_preferences'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('opening', 'closing_soon', 'closed', 'reply', 'response', 'final_text', name='notification_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('contribution_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('skipped_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_notifications_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_notifications_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contribution_id'], ['contributions.id'], name=op.f('fk_notifications_contribution_id_contributions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('key', name=op.f('uq_notifications_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_pending', ['sent_at', 'skipped_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_user_id'))
        batch_op.drop_index('ix_notifications_pending')

    op.drop_table('notifications')
    op.drop_table('notification_preferences')
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.drop_index('ix_follows_target')
        batch_op.drop_index(batch_op.f('ix_follows_consultation_id'))

    op.drop_table('follows')
    with op.batch_alter_table('consultation_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_attachments_consultation_id'))

    op.drop_table('consultation_attachments')
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('contact')
        batch_op.drop_column('organ')
        batch_op.drop_column('deadline_note')
        batch_op.drop_column('time_zone')
