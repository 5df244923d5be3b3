"""Small portable database helpers: insert-or-ignore and atomic counter changes (SQLite and PostgreSQL)."""

from collections.abc import Callable, Iterable
from typing import Any

from flask import g
from sqlalchemy import Table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, configure_mappers

from consulta.extensions import db, late_write_route, sqlite_transaction


def insert_ignore(model: Any, values: dict[str, Any], conflict: list[str]) -> bool:
    """Insert a row unless one with the same `conflict` columns exists; True when this call inserted it."""
    table: Table = model.__table__
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # RETURNING tells whether a row went in; rowcount is not reliable for INSERT on every driver.
    stmt = insert(table).values(**values).on_conflict_do_nothing(index_elements=conflict).returning(
        table.c[conflict[0]]
    )
    return db.session.execute(stmt).first() is not None


def transient(model: Any, values: Iterable[tuple[str, Any]]) -> Any:
    """An instance of `model` holding `values` only: for a hot path's read-only stand-in built from a Core row.

    It is never added to a session, and it is built without the attribute events a constructor fires per
    column (a fifth of the cost of reading the row); its properties and methods work on the columns given,
    and a column not given reads as None. A fresh process may not have configured the mappers yet: done here.
    """
    configure_mappers()  # a flag test once they are
    instance = model.__mapper__.class_manager.new_instance()
    instance.__dict__.update(values)
    return instance


def bump(column: InstrumentedAttribute, row_id: int, delta: int, **more: int) -> None:
    """Add `delta` to a counter column (and `more` to others of the same row) in one UPDATE statement.

    A single statement means no read-modify-write race; a Core statement on the table, because the ORM's
    bulk-update machinery costs more than the UPDATE itself.
    """
    table = column.class_.__table__
    changes = {key: n for key, n in {column.key: delta, **more}.items() if n}
    if changes:
        db.session.execute(
            update(table).where(table.c.id == row_id).values({key: table.c[key] + n for key, n in changes.items()})
        )


def compare_and_set(model: Any, row_id: int, column: InstrumentedAttribute, expected: Any, new: Any,
                    **extra: Any) -> bool:
    """Set `column` to `new` only if it still holds `expected`; True when this call changed it."""
    table = model.__table__
    stmt = update(table).where(table.c.id == row_id, table.c[column.key] == expected)
    return db.session.execute(stmt.values({column.key: new, **extra})).rowcount == 1


def late_write_lock(view: Callable) -> Callable:
    """Let a hot writing route read without holding a write transaction and write in the shortest one.

    By default a POST takes SQLite's write lock at its first query (BEGIN IMMEDIATE) and keeps it to the end,
    which serialises whole requests, and on PostgreSQL runs in one transaction (BEGIN and COMMIT: two more
    round trips). Requests to routes decorated here, from their first query (the sign-in check of a
    before_request hook included: consulta.extensions._sqlite_begin and route_connection()):

    - SQLite: read outside a transaction (each statement on its own, as in autocommit); begin_write() just
      before the first write opens the transaction that holds the write lock (BEGIN IMMEDIATE);
    - PostgreSQL: run in autocommit (no BEGIN, no COMMIT): each statement commits by itself, so the route's
      write must be one statement (the vote's is: the change and its tallies in a WITH clause).

    Such routes call end_write() after committing.
    """
    view.late_write_lock = True  # type: ignore[attr-defined]
    return view


def autocommit_reads(view: Callable) -> Callable:
    """A hot page that only reads: its queries run each on its own, outside a transaction, as a late_write_lock
    route reads (no BEGIN and ROLLBACK round trips on PostgreSQL, no BEGIN/COMMIT on SQLite).

    Its reads do not share one snapshot, and it must never write (a write would commit statement by statement):
    for views whose queries are each complete in themselves, such as the article page.
    """
    return late_write_lock(view)


def route_connection():
    """The session's connection; the first one a late_write_lock (or autocommit_reads) route procures on PostgreSQL
    autocommits. Such routes procure it here, before any other query."""
    session = db.session()
    if not session.in_transaction() and late_write_route() and session.get_bind().dialect.name == "postgresql":
        return session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return session.connection()


def begin_write() -> None:
    """End the reading transaction and start one that holds SQLite's write lock (no-op elsewhere).

    On the connection the session already holds: the session's transaction goes on (no commit, no new
    checkout); only SQLite's own transaction changes from a deferred one to BEGIN IMMEDIATE. Nothing may have
    been written before. Once the lock is held, further calls do nothing.
    """
    if g.get("sqlite_lock") != "deferred":
        return
    connection = db.session.connection()
    g.sqlite_lock = "immediate"
    if connection.dialect.name == "sqlite":
        if connection.connection.dbapi_connection.in_transaction:
            sqlite_transaction(connection, "COMMIT")  # nothing was written: this only closes a reading transaction
        sqlite_transaction(connection, "BEGIN IMMEDIATE")


def end_write() -> None:
    """After the commit, go back to reading without the write lock."""
    if g.get("sqlite_lock") is not None:
        g.sqlite_lock = "deferred"


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session loaded, to avoid reloading it row by row afterwards."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
