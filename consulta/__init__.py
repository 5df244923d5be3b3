"""Consulta: participatory consultation on a draft, article by article."""

import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from consulta.config import Defaults


def create_app(config: Mapping[str, Any] | None = None, *, instance_path: str | None = None) -> Flask:
    """Build the application: defaults, then instance/config.py, then CONSULTA_* variables, then `config`.

    The instance folder (config.py, secret_key, the SQLite file) is `instance_path`, else the
    CONSULTA_INSTANCE_PATH variable, else Flask's default: `instance/` beside a source checkout, or
    `<venv>/var/consulta-instance/` for an installed package.
    """
    instance_path = instance_path or os.environ.get("CONSULTA_INSTANCE_PATH") or None
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    from consulta import inputs

    inputs.init_app(app)  # converters and request class, before any route is added
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("CONSULTA")
    if config:
        app.config.update(config)
    _finish_config(app)
    from consulta.insights.embeddings import check_setting

    check_setting(app)  # CONSULTA_ANALYSIS_EMBEDDINGS without the extra: refuse to start, saying why
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # JSON answers in readable UTF-8 ("ç", not "\u00e7")

    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]), x_proto=1)  # type: ignore[method-assign]

    from consulta import extensions

    extensions.init_app(app)

    from consulta.jobs import queue as job_queue

    job_queue.init_app(app)

    from consulta import errors, i18n, logs, security, web

    security.init_app(app)

    logs.init_app(app)
    web.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)

    from consulta.accessibility import preferences as accessibility_preferences

    accessibility_preferences.init_app(app)

    from consulta import maps

    maps.init_app(app)

    from consulta.accessibility import bp as accessibility_bp
    from consulta.admin import bp as admin_bp
    from consulta.api import bp as api_bp
    from consulta.api.docs import bp as api_docs_bp
    from consulta.auth import bp as auth_bp
    from consulta.consultations import bp as consultations_bp
    from consulta.insights import bp as insights_bp
    from consulta.moderation import bp as moderation_bp
    from consulta.notifications.views import bp as notifications_bp
    from consulta.ops import bp as ops_bp
    from consulta.participation import bp as participation_bp
    from consulta.results import bp as results_bp
    from consulta.search import bp as search_bp
    from consulta.share import bp as share_bp
    from consulta.versions import bp as versions_bp
    from consulta.workshops import bp as workshops_bp

    app.register_blueprint(consultations_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(participation_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(workshops_bp)
    app.register_blueprint(insights_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(share_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_docs_bp)
    app.register_blueprint(versions_bp)
    app.register_blueprint(ops_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(accessibility_bp)
    app.register_blueprint(search_bp)

    from consulta.cli import consulta_cli
    from consulta.jobs import cli as _job_commands  # noqa: F401  (adds `worker` and `jobs` to consulta_cli)

    app.cli.add_command(consulta_cli)

    from consulta.degrade import warn_about_memory_limiter

    warn_about_memory_limiter(app, sys.argv, os.environ)
    return app


def _finish_config(app: Flask) -> None:
    """Derive settings that depend on others: database URI, secret key, cookie security."""
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config.get("DATABASE_URL")
    if not url:
        _private_folder(Path(app.instance_path))
        url = "sqlite:///" + os.path.join(app.instance_path, "consulta.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(url)
    # Statement parameters (e-mails, password hashes) never reach an error message or a log.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), "hide_parameters": True}
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # One connection per gunicorn thread, a few spare for bursts; psycopg prepares a statement on the
        # server once it has run DB_PREPARE_THRESHOLD times on a connection (None: never, behind PgBouncer
        # in transaction mode).
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        options.setdefault("pool_size", int(app.config["DB_POOL_SIZE"]))
        options.setdefault("max_overflow", int(app.config["DB_POOL_OVERFLOW"]))
        connect_args = options.setdefault("connect_args", {})
        connect_args.setdefault("prepare_threshold", app.config["DB_PREPARE_THRESHOLD"])

    if app.config.get("SECRET_KEY"):
        app.extensions["consulta.secret_key_source"] = "configured"
    else:
        key_file = Path(app.instance_path) / "secret_key"
        app.extensions["consulta.secret_key_source"] = "instance file" if key_file.exists() else "created now"
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))

    if not app.config.get("MAIL_FILE_PATH"):
        app.config["MAIL_FILE_PATH"] = os.path.join(app.instance_path, "mail")

    secure = bool(app.config["SECURE_COOKIES"])
    app.config["SESSION_COOKIE_SECURE"] = secure
    app.config["REMEMBER_COOKIE_SECURE"] = secure
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["DEFAULT_LOCALE"]


def normalize_database_url(url: str) -> str:
    """Point postgres URLs at the psycopg 3 driver, which is the one we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _private_folder(path: Path) -> None:
    """Create `path` readable by its owner only (0700): it holds the SQLite file and the secret key."""
    if not path.exists():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path, 0o700)  # mkdir's mode is cut by the umask


def _instance_secret_key(instance: Path) -> str:
    """Read instance/secret_key, creating it with a random key (mode 0600) on first run."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    _private_folder(instance)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race; use its key
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key
