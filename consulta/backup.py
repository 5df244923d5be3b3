"""Backup and restore of a deployment: the database and the secret key (`flask consulta backup` / `restore`).

A backup is a private folder (0700, files 0600) holding:

- ``database.sqlite3`` — SQLite, copied with the online backup API (consistent while the app runs), or
  ``database.pgdump`` — PostgreSQL, `pg_dump --format=custom` (consistent snapshot, restorable with pg_restore);
- ``secret_key`` — the key that signs sessions and derives the public ids and pseudonyms: restoring data
  without it changes every published id and signs everyone out;
- ``manifest.json`` — kind of database, time, schema revision.

Restore replaces the database's content with the backup's (SQLite: online backup API into the live file;
PostgreSQL: `pg_restore --clean --if-exists --no-owner --single-transaction`) and puts the key back into
instance/secret_key when that is where the key lives (otherwise it says to set CONSULTA_SECRET_KEY).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url

from consulta.extensions import db

SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is Portuguese."""


def _private_file(path: Path, data: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(data)


def _libpq(app: Flask) -> tuple[str, dict[str, str]]:
    """The database URL as pg_dump and pg_restore take it, and the environment carrying its password
    (never on the command line, where any local user could read it)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    environ = dict(os.environ)
    if url.password:
        environ["PGPASSWORD"] = str(url.password)
    return url.set(password=None).render_as_string(hide_password=False), environ


def _sqlite_path(app: Flask) -> str:
    database = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    if not database or database == ":memory:":
        raise BackupError("O banco SQLite em memória não tem cópia de segurança.")
    return database


def _revision() -> str | None:
    try:
        return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - a database made by create_all has no alembic_version table
        db.session.rollback()
        return None


def backup(app: Flask, destination: Path) -> Path:
    """Write a backup of the database and the secret key into the new folder `destination`."""
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"A pasta {destination} já existe e não está vazia.")
    destination.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(destination, 0o700)
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        target = destination / SQLITE_FILE
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        with sqlite3.connect(_sqlite_path(app)) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        source.close()
        copy.close()
    elif dialect == "postgresql":
        target = destination / PG_FILE
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        url, environ = _libpq(app)
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", url], environ)
    else:
        raise BackupError(f"Banco de dados sem procedimento de cópia: {dialect}.")
    _private_file(destination / "secret_key", str(app.config["SECRET_KEY"]) + "\n")
    manifest = {"database": dialect, "file": target.name, "revision": _revision(),
                "created_at": datetime.now(UTC).isoformat(timespec="seconds")}
    _private_file(destination / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    return destination


def restore(app: Flask, source: Path) -> list[str]:
    """Replace the database's content and the secret key with those of the backup in `source`; notes to print."""
    try:
        manifest = json.loads((source / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} não é uma cópia de segurança do Consulta (falta manifest.json).") from error
    dialect = db.engine.dialect.name
    if manifest.get("database") != dialect:
        raise BackupError(f"A cópia é de um banco {manifest.get('database')}, mas o banco configurado é {dialect}.")
    db.session.remove()
    db.engine.dispose()
    if dialect == "sqlite":
        with sqlite3.connect(source / SQLITE_FILE) as backup_copy, sqlite3.connect(_sqlite_path(app)) as live:
            backup_copy.backup(live)
        backup_copy.close()
        live.close()
    else:
        url, environ = _libpq(app)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", f"--dbname={url}",
              str(source / PG_FILE)], environ)
    return [_restore_key(app, (source / "secret_key").read_text().strip())]


def _restore_key(app: Flask, key: str) -> str:
    if key == str(app.config["SECRET_KEY"]):
        return "A chave secreta da cópia é a mesma em uso."
    path = Path(app.instance_path) / "secret_key"
    if path.exists() and path.read_text().strip() == str(app.config["SECRET_KEY"]):
        _private_file(path, key + "\n")
        return f"Chave secreta restaurada em {path}; reinicie a aplicação."
    return ("A chave secreta vem da configuração (CONSULTA_SECRET_KEY): defina-a com o conteúdo do arquivo "
            "secret_key da cópia e reinicie a aplicação.")


def _run(command: list[str], environ: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False,  # noqa: S603
                                env=environ)  # fixed programs; the only variable parts are our own paths and URL
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} não está instalado (pacote postgresql-client).") from error
    if result.returncode != 0:
        raise BackupError(f"{command[0]} falhou: {result.stderr.strip()[-500:]}")
