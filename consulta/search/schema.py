"""The full-text index of contributions, one per dialect, created beside the `contributions` table.

- SQLite: an FTS5 table over `contributions.search_text` (external content, so the text is stored once),
  tokenized with `unicode61 remove_diacritics 2` ("informação" and "informacao" are one token), kept in
  step by three triggers.
- PostgreSQL: a stored generated `tsvector` column with a GIN index. It holds the text stemmed with the
  `portuguese` configuration twice, as typed and without accents (the `unaccent` extension when the
  database can have it, else a `translate()` of the Portuguese accents), so "informações" finds
  "informação" (stemming) and "informacao" finds it too (accents). The query side mirrors it (backends.py).

Both also index a contribution's filter values as tokens (`search_tags`, revision `search20001`): its stance,
channel, kind, article, workshop, whether the team answered it and whether a person or an organization signs
it, e.g. "t0sagree t0conline t0kcomment t0r12 t0ayes t0oorganization". A search with words and filters asks
the index for the words and those tokens together, so it never walks the matches of a word to drop most of
them. The column is written by the database itself (triggers), whoever writes the row: the ORM, a bulk
insert or update, a migration. The tokens only narrow: the search still checks every filter on the row.

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
TAGS_COLUMN = "search_tags"
TAGS_FUNCTION = "consulta_search_tags"
SQLITE_TRIGGERS = ("contributions_fts_insert", "contributions_fts_delete", "contributions_fts_update",
                   "users_search_tags_update")
# The columns whose values are tokens (a change to one of them rewrites the row's tokens).
TAGGED_COLUMNS = ("stance", "channel", "kind", "article_id", "workshop_id", "author_id", "parent_id",
                  "response_status")

# The accents of Portuguese (and a few neighbours) for databases without the unaccent extension.
_ACCENTED = "ÀÁÂÃÄÅàáâãäåÈÉÊËèéêëÌÍÎÏìíîïÒÓÔÕÖòóôõöÙÚÛÜùúûüÇçÑñ"
_PLAIN = "AAAAAAaaaaaaEEEEeeeeIIIIiiiiOOOOOoooooUUUUuuuuCcNn"


def is_search_object(name: str | None, type_: str) -> bool:
    """Whether a reflected table, column or index is part of the search index (not in the models)."""
    if not name:
        return False
    if type_ == "table":
        return name == FTS_TABLE or name.startswith(FTS_TABLE + "_")
    return name in (VECTOR_COLUMN, VECTOR_INDEX, TAGS_COLUMN)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's `include_object`: leave the search index out of autogenerate comparisons."""
    return not (reflected and compare_to is None and is_search_object(name, type_))


# -- filter tokens (both) -------------------------------------------------------------------------------

def stance_tag(value: str) -> str:
    """The token of a stance."""
    return f"t0s{value}"


def channel_tag(value: str) -> str:
    """The token of a channel."""
    return f"t0c{value}"


def kind_tag(value: str) -> str:
    """The token of a contribution kind (no underscore: the tokenizers split on it)."""
    return f"t0k{value.replace('_', '')}"


def article_tag(article_id: int) -> str:
    """The token of an article."""
    return f"t0r{article_id}"


def workshop_tag(workshop_id: int) -> str:
    """The token of a workshop (the state and region filters are a few workshops)."""
    return f"t0w{workshop_id}"


def answered_tag(answered: bool) -> str:
    """The token of a contribution the team answered, or of a top-level one it has not answered yet."""
    return "t0ayes" if answered else "t0ano"


def author_tag(kind: str) -> str:
    """The token of a contribution signed by a person or an organization (AccountKind value) whose account is
    not deleted, and not by a workshop."""
    return f"t0o{kind}"


def tags_expression(row: str) -> str:
    """The SQL that computes the tokens of the contribution `row` (NEW in a trigger, or the table's name).

    Mirrors services.filtered: "answered" is a response other than "under review"; "not answered" a top-level
    contribution without one; a workshop's rows, and those of a deleted account, have no author kind. Never NULL."""
    # `row` is ours ("new", "NEW", "contributions"), never input.
    return (
        f"'t0s' || {row}.stance || ' t0c' || {row}.channel || ' t0k' || replace({row}.kind, '_', '')"  # noqa: S608
        f" || CASE WHEN {row}.article_id IS NULL THEN '' ELSE ' t0r' || {row}.article_id END"
        f" || CASE WHEN {row}.workshop_id IS NULL THEN '' ELSE ' t0w' || {row}.workshop_id END"
        f" || CASE WHEN {row}.response_status IS NOT NULL AND {row}.response_status <> 'under_review' THEN ' t0ayes'"
        f" WHEN {row}.parent_id IS NULL THEN ' t0ano' ELSE '' END"
        f" || CASE WHEN {row}.workshop_id IS NULL THEN coalesce((SELECT ' t0o' || users.kind FROM users"
        f" WHERE users.id = {row}.author_id AND users.deleted_at IS NULL), '') ELSE '' END"
    )


# -- SQLite ----------------------------------------------------------------------------------------------

def _has_tags_column(connection: Connection) -> bool:
    from sqlalchemy import inspect

    return any(c["name"] == TAGS_COLUMN for c in inspect(connection).get_columns("contributions"))


def add_tags_column(connection: Connection) -> None:
    """`contributions.search_tags`, filled for the rows already there (both dialects; before the triggers)."""
    if not _has_tags_column(connection):
        connection.execute(text(f"ALTER TABLE contributions ADD COLUMN {TAGS_COLUMN} TEXT"))
    fill = f"UPDATE contributions SET {TAGS_COLUMN} = {tags_expression('contributions')}"  # noqa: S608
    connection.execute(text(fill))


def create_sqlite(connection: Connection, *, rebuild: bool = False, tags: bool = True) -> None:
    """The FTS5 table and its triggers; `rebuild` indexes the rows already in `contributions`. `tags=False`
    builds the index of `search0001` (text only), for that revision and the downgrade to it.

    With tags, the triggers own `search_tags`: each one removes the row's entry with the values it was indexed
    with, rewrites the tokens and adds the entry again, all in one trigger (two triggers firing for one statement
    would run in an order SQLite does not promise, and the FTS5 'delete' command must get exactly what was
    indexed). Their own `UPDATE ... SET search_tags` fires no trigger: none watches that column."""
    if not tags:
        _create_sqlite_text_only(connection, rebuild=rebuild)
        return
    add_tags_column(connection)
    connection.execute(text(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(search_text, {TAGS_COLUMN}, "
        "content='contributions', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    ))
    def remove(rows: str) -> str:
        columns = f"rowid, search_text, {TAGS_COLUMN}"
        return (f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, {columns}) SELECT 'delete', id, "  # noqa: S608
                f"search_text, {TAGS_COLUMN} FROM {rows} AND {TAGS_COLUMN} IS NOT NULL;")

    def retag_and_add(rows: str, row: str) -> str:
        return (f"UPDATE contributions SET {TAGS_COLUMN} = {tags_expression(row)} WHERE {rows}; "  # noqa: S608
                f"INSERT INTO {FTS_TABLE}(rowid, search_text, {TAGS_COLUMN}) SELECT id, search_text, {TAGS_COLUMN} "
                f"FROM contributions WHERE {rows};")

    old = f"(SELECT old.id AS id, old.search_text AS search_text, old.{TAGS_COLUMN} AS {TAGS_COLUMN}) WHERE true"
    connection.execute(text(
        "CREATE TRIGGER IF NOT EXISTS contributions_fts_insert AFTER INSERT ON contributions BEGIN "
        f"{retag_and_add('id = new.id', 'new')} END"
    ))
    connection.execute(text(
        f"CREATE TRIGGER IF NOT EXISTS contributions_fts_delete AFTER DELETE ON contributions BEGIN {remove(old)} END"
    ))
    connection.execute(text(
        "CREATE TRIGGER IF NOT EXISTS contributions_fts_update AFTER UPDATE OF "
        f"search_text, {', '.join(TAGGED_COLUMNS)} ON contributions BEGIN "
        f"{remove(old)} {retag_and_add('id = new.id', 'new')} END"
    ))
    connection.execute(text(
        "CREATE TRIGGER IF NOT EXISTS users_search_tags_update AFTER UPDATE OF kind, deleted_at ON users BEGIN "
        f"{remove('contributions WHERE author_id = new.id')} "
        f"{retag_and_add('author_id = new.id', 'contributions')} END"
    ))
    if rebuild:
        connection.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))  # noqa: S608


def _create_sqlite_text_only(connection: Connection, *, rebuild: bool) -> None:
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


def vector_expression(*, tags: bool = True) -> str:
    """The SQL of the indexed tsvector: the text stemmed as typed, then stemmed without accents, then the filter
    tokens as they are (`tags=False`: the vector of `search0001`, text only)."""
    source = "coalesce(search_text, '')"
    vector = (f"to_tsvector('portuguese'::regconfig, {source}) || "
              f"to_tsvector('portuguese'::regconfig, {UNACCENT_FUNCTION}({source}))")
    if tags:
        vector += f" || to_tsvector('simple'::regconfig, coalesce({TAGS_COLUMN}, ''))"
    return vector


def _create_postgresql_tags(connection: Connection) -> None:
    """The tokens column and the triggers that write it: on a contribution's insert or change of a tagged
    column (BEFORE, so the generated vector sees them), and on its author's change of kind or deletion."""
    add_tags_column(connection)
    connection.execute(text(
        f"CREATE OR REPLACE FUNCTION {TAGS_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"NEW.{TAGS_COLUMN} := {tags_expression('NEW')}; RETURN NEW; END $$"
    ))
    connection.execute(text("DROP TRIGGER IF EXISTS contributions_search_tags ON contributions"))
    connection.execute(text(
        f"CREATE TRIGGER contributions_search_tags BEFORE INSERT OR UPDATE OF {', '.join(TAGGED_COLUMNS)} "
        f"ON contributions FOR EACH ROW EXECUTE FUNCTION {TAGS_FUNCTION}()"
    ))
    connection.execute(text(
        f"CREATE OR REPLACE FUNCTION {TAGS_FUNCTION}_of_author() RETURNS trigger LANGUAGE plpgsql "  # noqa: S608
        "AS $$ BEGIN "
        f"UPDATE contributions SET {TAGS_COLUMN} = {tags_expression('contributions')} WHERE author_id = NEW.id; "
        f"RETURN NULL; END $$"
    ))
    connection.execute(text("DROP TRIGGER IF EXISTS users_search_tags ON users"))
    connection.execute(text(
        "CREATE TRIGGER users_search_tags AFTER UPDATE OF kind, deleted_at ON users FOR EACH ROW "
        f"EXECUTE FUNCTION {TAGS_FUNCTION}_of_author()"
    ))


def create_postgresql(connection: Connection, *, tags: bool = True) -> None:
    """The immutable unaccent wrapper, the tokens and their triggers, the generated tsvector column and its GIN
    index (`tags=False`: the objects of `search0001`)."""
    schema = _unaccent_schema(connection)
    if schema is not None:
        body = f"SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1)"
    else:
        body = f"SELECT translate($1, '{_ACCENTED}', '{_PLAIN}')"
    connection.execute(text(
        f"CREATE OR REPLACE FUNCTION {UNACCENT_FUNCTION}(text) RETURNS text "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ {body} $$"
    ))
    if tags:
        _create_postgresql_tags(connection)
    # With tags, the vector is kept in the row (storage MAIN: compressed, moved out only as a last resort) and
    # the texts go to TOAST first: a search reads the vector of every row it checks, rarely their texts.
    storage = f", ALTER COLUMN {VECTOR_COLUMN} SET STORAGE MAIN" if tags else ""
    connection.execute(text(
        f"ALTER TABLE contributions ADD COLUMN IF NOT EXISTS {VECTOR_COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({vector_expression(tags=tags)}) STORED{storage}"
    ))
    # Without a pending list (fastupdate off) a write updates the GIN tree at once: a bit slower to write, but
    # no search has to scan a list of recent entries that only VACUUM merges (a bulk update of the table once
    # made every search pay for it, several times what the search itself cost).
    options = " WITH (fastupdate = off)" if tags else ""
    connection.execute(text(
        f"CREATE INDEX IF NOT EXISTS {VECTOR_INDEX} ON contributions USING gin ({VECTOR_COLUMN}){options}"
    ))


def drop_postgresql(connection: Connection) -> None:
    """Remove the index, the columns, the triggers and the functions (the extension stays: others may use it)."""
    connection.execute(text(f"DROP INDEX IF EXISTS {VECTOR_INDEX}"))
    connection.execute(text(f"ALTER TABLE contributions DROP COLUMN IF EXISTS {VECTOR_COLUMN}"))
    connection.execute(text("DROP TRIGGER IF EXISTS users_search_tags ON users"))
    connection.execute(text("DROP TRIGGER IF EXISTS contributions_search_tags ON contributions"))
    connection.execute(text(f"DROP FUNCTION IF EXISTS {TAGS_FUNCTION}_of_author()"))
    connection.execute(text(f"DROP FUNCTION IF EXISTS {TAGS_FUNCTION}()"))
    connection.execute(text(f"ALTER TABLE contributions DROP COLUMN IF EXISTS {TAGS_COLUMN}"))
    connection.execute(text(f"DROP FUNCTION IF EXISTS {UNACCENT_FUNCTION}(text)"))


# -- both ------------------------------------------------------------------------------------------------

def create(connection: Connection, *, rebuild: bool = False, tags: bool = True) -> None:
    """The search index for this connection's dialect (`tags=False`: the one of revision `search0001`)."""
    if connection.dialect.name == "postgresql":
        create_postgresql(connection, tags=tags)
    elif connection.dialect.name == "sqlite":
        create_sqlite(connection, rebuild=rebuild, tags=tags)


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
