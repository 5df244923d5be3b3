"""filter tokens in the search index

Revision ID: search20001
Revises: uploads0002
Create Date: 2026-12-07 22:30:00.000000

Adds `contributions.search_tags`: a contribution's filter values as tokens (stance, channel, kind, article,
workshop, answered or not, person or organization), written by triggers, and puts them in the search index
beside the text (consulta/search/schema.py), so a search with words and filters asks the index for both at once.
Upgrade fills the tokens of the rows already there and rebuilds the index; downgrade restores the text-only index
of `search0001`.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'search20001'
down_revision = 'uploads0002'
branch_labels = None
depends_on = None


def upgrade():
    from consulta.search import schema

    connection = op.get_bind()
    schema.drop(connection)
    schema.create(connection, rebuild=True)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE contributions")


def downgrade():
    from consulta.search import schema

    connection = op.get_bind()
    schema.drop(connection)  # on PostgreSQL this drops the tokens column too
    if connection.dialect.name == "sqlite":
        # SQLite 3.35+ drops a column in place; batch mode would rebuild the table and its partial indexes.
        connection.exec_driver_sql(f"ALTER TABLE contributions DROP COLUMN {schema.TAGS_COLUMN}")
    schema.create(connection, rebuild=True, tags=False)
