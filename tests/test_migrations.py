"""The Alembic migrations produce exactly the models' schema, on SQLite and on PostgreSQL."""

import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from consulta import create_app, normalize_database_url
from consulta.extensions import db
from consulta.search import schema as search_schema
from tests.conftest import POSTGRES_URL


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    """A brand-new empty database of the kind the suite runs on."""
    if not POSTGRES_URL:
        yield "sqlite:///" + str(tmp_path / "migrations.sqlite3")
        return
    url = make_url(normalize_database_url(POSTGRES_URL))
    name = f"consulta_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_migrations_produce_the_models_schema(empty_database_url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                  "include_object": search_schema.include_object})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "consultations", "sections", "articles", "audit_log"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_totp_secrets_are_encrypted_by_the_migration_and_decrypted_by_its_downgrade(empty_database_url):
    """uploads0002 encrypts the TOTP keys stored before it with a key derived from SECRET_KEY, and only those."""
    from consulta import crypto

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "chave-da-migracao",
                      "TESTING": True})
    plain = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    with app.app_context():
        upgrade(revision="uploads0001")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO users (id, display_name, kind, role, created_at, totp_secret) VALUES "
                "(1, 'Ana', 'person', 'admin', CURRENT_TIMESTAMP, :secret), "
                "(2, 'Bia', 'person', 'participant', CURRENT_TIMESTAMP, NULL)"), {"secret": plain})
        upgrade(revision="uploads0002")
        with db.engine.connect() as connection:
            stored = dict(connection.execute(text("SELECT id, totp_secret FROM users")).all())
        assert stored[1] != plain and plain not in stored[1] and crypto.decrypt(stored[1]) == plain
        assert stored[2] is None
        downgrade(revision="uploads0001")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT totp_secret FROM users WHERE id = 1")).scalar() == plain
        downgrade(revision="base")
        db.engine.dispose()
