"""Extension singletons, bound to the app in init_app()."""

import sqlite3
import time

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def _on_breach(limit) -> None:
    """Log a breached limit as a security event (a login lockout, or writes refused)."""
    import logging

    from consulta import security

    event = security.LOGIN_THROTTLED if request.endpoint == "auth.login" else security.RATE_LIMITED
    security.log_event(event, level=logging.WARNING, limit=str(limit.limit))


limiter = Limiter(key_func=get_remote_address, on_breach=_on_breach)
cache = Cache()
mail = Mail()

# No inline script or style anywhere: htmx is configured (meta htmx-config) not to inject its indicator styles.
# Trusted Types: DOM sinks (innerHTML, DOMParser) take only values from the one "default" policy, which
# static/js/app.js creates before htmx loads; nothing else may create a policy. No image needs data: URLs
# (icons and charts are inline SVG elements, the favicon a file). Violations are reported to
# CSP_REPORT_PATH (report-uri for older browsers, report-to with the Reporting-Endpoints header for newer).
CSP_REPORT_PATH = "/csp-relatorio"
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
    "require-trusted-types-for": "'script'",
    "trusted-types": "default",
    "report-uri": CSP_REPORT_PATH,
    "report-to": "csp",
}

# VLibras (setting VLIBRAS): what its widget loads, per directive, and nothing when the setting is off.
# vlibras-plugin.js and the Unity player's loader come from the app's folder on vlibras.gov.br, as do its
# images, its font (a FontFace) and the player's data and WebAssembly files (fetched, then compiled: hence
# 'wasm-unsafe-eval', which allows WebAssembly only, not eval); the stylesheet is bundled in the script and
# injected as <style> elements (hence 'unsafe-inline' for styles only, never for scripts); texts go to the
# translation service (traducao2) and signs come from the dictionary (dicionario2). Each host is named:
# no wildcard. See README, "Acessibilidade".
VLIBRAS_ORIGIN = "https://vlibras.gov.br"
VLIBRAS_CSP = {
    "script-src": [VLIBRAS_ORIGIN, "'wasm-unsafe-eval'"],
    "style-src": [VLIBRAS_ORIGIN, "'unsafe-inline'"],
    "img-src": [VLIBRAS_ORIGIN],
    "font-src": [VLIBRAS_ORIGIN],
    "connect-src": [VLIBRAS_ORIGIN, "https://traducao2.vlibras.gov.br", "https://dicionario2.vlibras.gov.br"],
}


def content_security_policy(vlibras: bool = False) -> dict[str, str]:
    """The site's policy; with `vlibras`, each directive the widget needs also names the widget's hosts."""
    policy = dict(CONTENT_SECURITY_POLICY)
    if vlibras:
        for directive, sources in VLIBRAS_CSP.items():
            policy[directive] = " ".join([policy[directive], *sources])
    return policy


def init_app(app: Flask) -> None:
    """Bind every extension to `app`."""
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name != "sqlite" and not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
                _ping_when_idle(app, engine)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Entre na sua conta para continuar.")
    login_manager.localize_callback = str  # the lazy message, in the request's language, as a plain str to flash
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    from consulta.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    cache.init_app(app)
    mail.init_app(app)
    secure = bool(app.config["SECURE_COOKIES"])
    # One Talisman per app: it keeps its options on itself, and apps built with other settings (VLIBRAS,
    # SECURE_COOKIES) in one process must not share a policy.
    app.extensions["talisman"] = Talisman(
        app,
        force_https=False,  # TLS ends at the reverse proxy; it redirects to HTTPS
        strict_transport_security=secure,
        session_cookie_secure=secure,
        content_security_policy=content_security_policy(bool(app.config.get("VLIBRAS"))),
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )

    @app.after_request
    def reporting_endpoints(response):
        # The endpoint named by the CSP's report-to, as an absolute URL (Chromium ignores a relative one).
        response.headers.setdefault("Reporting-Endpoints", f'csp="{request.host_url.rstrip("/")}{CSP_REPORT_PATH}"')
        return response


def _migrations_dir():
    """The Alembic folder shipped inside the package, so an installed wheel can migrate too."""
    from pathlib import Path

    return Path(__file__).parent / "migrations"


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record) -> None:
    """SQLite: foreign keys on, WAL for concurrent readers, wait for locks; we issue BEGIN ourselves."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # let the "begin" hook below choose the kind of transaction
    cursor = dbapi_connection.cursor()
    for _, name, path in cursor.execute("PRAGMA database_list").fetchall():
        if name == "main" and path:  # before WAL mode creates the -wal and -shm files beside it
            for companion in ("", "-wal", "-shm"):
                _make_private(path + companion)
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _make_private(path: str) -> None:
    """Keep a SQLite file readable by its owner only (SQLite gives its -wal and -shm files the same mode)."""
    import os
    import stat

    try:
        if os.stat(path).st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            os.chmod(path, 0o600)
    except OSError:  # a file of another owner, or gone: leave it to the administrator
        pass


def _ping_when_idle(app: Flask, engine: Engine) -> None:
    """Ping a pooled connection before use only when it sat idle DB_PING_IDLE_SECONDS or more.

    SQLAlchemy's pool_pre_ping costs a round trip on every checkout, so on every request. A connection that
    went back to the pool a moment ago was working then; one that waited longer may have been closed by the
    server (a restart, an idle timeout), so it is pinged and, if dead, replaced: DisconnectionError at
    checkout makes the pool discard it and connect again ("custom pessimistic ping" in SQLAlchemy's docs).
    SQLite has no server connection to lose and is never pinged.
    """

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_connection, record, proxy) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < app.config["DB_PING_IDLE_SECONDS"]:
            return  # a new connection, or one in use a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError(str(error)) from error
        if not alive:
            raise exc.DisconnectionError("ping failed")


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    """SQLite: writing transactions take the write lock up front (BEGIN IMMEDIATE).

    A deferred transaction that reads and then writes fails with "database is locked" when another writer
    committed in between; taking the lock first makes concurrent votes queue instead. Reading requests
    (GET, HEAD, OPTIONS) start ordinary deferred transactions, so readers never wait for writers under WAL;
    routes with consulta.db_utils.late_write_lock (or autocommit_reads) read outside a transaction until they
    write. The statement goes straight to the driver: it is the same on every request and needs none of
    SQLAlchemy's statement machinery (sqlite_transaction() below, also for consulta.db_utils.begin_write).
    """
    if connection.dialect.name != "sqlite":
        return
    lock = g.get("sqlite_lock") if has_app_context() else None
    if lock is None and late_write_route():
        lock = g.sqlite_lock = "deferred"
    if lock == "deferred":
        return  # a late_write_lock route reads one statement at a time; begin_write() opens its writing transaction
    if lock is None:
        reading = has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")
        lock = "deferred" if reading else "immediate"
    sqlite_transaction(connection, "BEGIN IMMEDIATE" if lock == "immediate" else "BEGIN")


def late_write_route() -> bool:
    """Whether this request goes to a route decorated with consulta.db_utils.late_write_lock."""
    return has_request_context() and getattr(current_app.view_functions.get(request.endpoint), "late_write_lock",
                                             False)


def sqlite_transaction(connection, statement: str) -> None:
    """Run BEGIN [IMMEDIATE] or COMMIT on a SQLAlchemy connection's SQLite driver connection."""
    connection.connection.dbapi_connection.execute(statement).close()
