"""full-text search of contributions

Revision ID: search0001
Revises: speed0001
Create Date: 2026-12-07 19:10:00.000000

Adds `contributions.search_text` (body and proposed text with personal data masked), fills it for the rows
already there, then builds the dialect's index over it (consulta/search/schema.py): an FTS5 table kept in
step by triggers on SQLite, a generated tsvector column with a GIN index on PostgreSQL.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'search0001'
down_revision = 'speed0001'
branch_labels = None
depends_on = None

BATCH = 1000


def _backfill(connection) -> None:
    from analysis import mask_personal_data

    contributions = sa.table("contributions", sa.column("id", sa.Integer), sa.column("body", sa.Text),
                             sa.column("proposed_text", sa.Text), sa.column("search_text", sa.Text))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(contributions.c.id, contributions.c.body, contributions.c.proposed_text)
            .where(contributions.c.id > last).order_by(contributions.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            contributions.update().where(contributions.c.id == sa.bindparam("row_id"))
            .values(search_text=sa.bindparam("text")),
            [{"row_id": r.id, "text": mask_personal_data("\n".join(p for p in (r.body, r.proposed_text) if p))}
             for r in rows],
        )
        last = rows[-1].id


def upgrade():
    from consulta.search import schema

    op.add_column('contributions', sa.Column('search_text', sa.Text(), nullable=True))
    op.create_index('ix_contributions_consultation_support', 'contributions', ['consultation_id', 'support_count', 'id'])
    op.create_index('ix_contributions_consultation_replies', 'contributions', ['consultation_id', 'reply_count', 'id'])
    op.create_index('ix_contributions_article_created', 'contributions', ['article_id', 'created_at'])
    connection = op.get_bind()
    _backfill(connection)
    schema.create(connection, rebuild=True, tags=False)  # the tokens came with search20001


def downgrade():
    from consulta.search import schema

    schema.drop(op.get_bind())
    op.drop_index('ix_contributions_article_created', table_name='contributions')
    op.drop_index('ix_contributions_consultation_replies', table_name='contributions')
    op.drop_index('ix_contributions_consultation_support', table_name='contributions')
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_column('search_text')
