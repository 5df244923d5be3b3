"""The full-text index of contributions, one per dialect, created beside the `contributions` table.

- SQLite: an FTS5 table over `contributions.search_text` (external content, so the text is stored once),
  tokenized with `unicode61 remove_diacritics 2` ("informação" and "informacao" are one token), kept in
  step by three triggers.
- PostgreSQL: a stored generated `tsvector` column with a GIN index. It holds the text stemmed with the
  `portuguese` configuration twice, as typed and without accents (the `unaccent` extension when the
  database can have it, else a `translate()` of the Portuguese accents), so "informações" finds
  "informação" (stemming) and "informacao" finds it too (accents). The query side mirrors it (backends.py).

None of these objects is in the models' metadata: `create_all` gets them from the `after_create` hook below
and the Alembic revision `search0001` from the same functions; `include_object` keeps autogenerate and the
migrations test from reporting them. A later SQLite migration that rebuilds `contributions` in batch mode
drops the triggers with the old table: it must call `create_sqlite(connection, rebuild=True)` again.
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, event, text

FTS_TABLE = "contributions_fts"
VECTOR_COLUMN = "search_vector"
VECTOR_INDEX = "ix_contributions_search_vector"
UNACCENT_FUNCTION = "consulta_unaccent"
SQLITE_TRIGGERS = ("contributions_fts_insert", "contributions_fts_delete", "contributions_fts_update")

# The accents of Portuguese (and a few neighbours) for databases without the unaccent extension.
_ACCENTED = "ÀÁÂÃÄÅàáâãäåÈÉÊËèéêëÌÍÎÏìíîïÒÓÔÕÖòóôõöÙÚÛÜùúûüÇçÑñ"
_PLAIN = "AAAAAAaaaaaaEEEEeeeeIIIIiiiiOOOOOoooooUUUUuuuuCcNn"


def is_search_object(name: str | None, type_: str) -> bool:
    """Whether a reflected table, column or index is part of the search index (not in the models)."""
    if not name:
        return False
    if type_ == "table":
        return name == FTS_TABLE or name.startswith(FTS_TABLE + "_")
    return name in (VECTOR_COLUMN, VECTOR_INDEX)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's `include_object`: leave the search index out of autogenerate comparisons."""
    return not (reflected and compare_to is None and is_search_object(name, type_))


# -- SQLite ----------------------------------------------------------------------------------------------

def create_sqlite(connection: Connection, *, rebuild: bool = False) -> None:
    """The FTS5 table and its triggers; `rebuild` indexes the rows already in `contributions`."""
    connection.execute(text(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(search_text, content='contributions', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    ))
    connection.execute(text(
        f"CREATE TRIGGER IF NOT EXISTS contributions_fts_insert AFTER INSERT ON contributions BEGIN "  # noqa: S608
        f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END"
    ))
    connection.execute(text(
        f"CREATE TRIGGER IF NOT EXISTS contributions_fts_delete AFTER DELETE ON contributions BEGIN "  # noqa: S608
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END"
    ))
    connection.execute(text(
        f"CREATE TRIGGER IF NOT EXISTS contributions_fts_update AFTER UPDATE OF search_text ON contributions BEGIN "  # noqa: S608
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
        f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END"
    ))
    if rebuild:
        connection.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))  # noqa: S608


def drop_sqlite(connection: Connection) -> None:
    """Remove the triggers and the FTS5 table."""
    for trigger in SQLITE_TRIGGERS:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
    connection.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))


# -- PostgreSQL ------------------------------------------------------------------------------------------

def _unaccent_schema(connection: Connection) -> str | None:
    """The schema of the unaccent extension, creating it when allowed (it is a trusted extension); else None."""
    schema = connection.execute(text(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'"
    )).scalar()
    if schema is not None:
        return schema
    available = connection.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")).scalar()
    if not available:
        return None
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    except Exception:  # noqa: BLE001 - no privilege: the translate() fallback does the same for Portuguese
        return None
    return connection.execute(text(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'"
    )).scalar()


def vector_expression() -> str:
    """The SQL of the indexed tsvector: the text stemmed as typed, then stemmed without accents."""
    source = "coalesce(search_text, '')"
    return (f"to_tsvector('portuguese'::regconfig, {source}) || "
            f"to_tsvector('portuguese'::regconfig, {UNACCENT_FUNCTION}({source}))")


def create_postgresql(connection: Connection) -> None:
    """The immutable unaccent wrapper, the generated tsvector column and its GIN index."""
    schema = _unaccent_schema(connection)
    if schema is not None:
        body = f"SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1)"
    else:
        body = f"SELECT translate($1, '{_ACCENTED}', '{_PLAIN}')"
    connection.execute(text(
        f"CREATE OR REPLACE FUNCTION {UNACCENT_FUNCTION}(text) RETURNS text "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ {body} $$"
    ))
    connection.execute(text(
        f"ALTER TABLE contributions ADD COLUMN IF NOT EXISTS {VECTOR_COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({vector_expression()}) STORED"
    ))
    connection.execute(text(
        f"CREATE INDEX IF NOT EXISTS {VECTOR_INDEX} ON contributions USING gin ({VECTOR_COLUMN})"
    ))


def drop_postgresql(connection: Connection) -> None:
    """Remove the index, the column and the function (the extension stays: others may use it)."""
    connection.execute(text(f"DROP INDEX IF EXISTS {VECTOR_INDEX}"))
    connection.execute(text(f"ALTER TABLE contributions DROP COLUMN IF EXISTS {VECTOR_COLUMN}"))
    connection.execute(text(f"DROP FUNCTION IF EXISTS {UNACCENT_FUNCTION}(text)"))


# -- both ------------------------------------------------------------------------------------------------

def create(connection: Connection, *, rebuild: bool = False) -> None:
    """The search index for this connection's dialect."""
    if connection.dialect.name == "postgresql":
        create_postgresql(connection)
    elif connection.dialect.name == "sqlite":
        create_sqlite(connection, rebuild=rebuild)


def drop(connection: Connection) -> None:
    """Remove the search index for this connection's dialect."""
    if connection.dialect.name == "postgresql":
        drop_postgresql(connection)
    elif connection.dialect.name == "sqlite":
        drop_sqlite(connection)


def _after_create(target: Table, connection: Connection, **kw) -> None:
    create(connection)


def _before_drop(target: Table, connection: Connection, **kw) -> None:
    if connection.dialect.name == "sqlite":
        drop_sqlite(connection)  # the FTS table would outlive `contributions`; PostgreSQL drops the column with it


def install(table: Table) -> None:
    """Make `create_all` / `drop_all` create and drop the search index with the `contributions` table."""
    if not event.contains(table, "after_create", _after_create):
        event.listen(table, "after_create", _after_create)
        event.listen(table, "before_drop", _before_drop)
