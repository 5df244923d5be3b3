"""Configuration order: defaults -> instance/config.py -> CONSULTA_* environment -> the factory's argument."""

import os
import stat

from consulta import create_app, normalize_database_url


def test_each_layer_overrides_the_one_before(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text(
        'RATELIMIT_LOGIN = "3 per day"\nPROXY_FIX_X_FOR = 2\nRATELIMIT_REGISTER = "4 per day"\n'
    )
    monkeypatch.setenv("CONSULTA_PROXY_FIX_X_FOR", "1")
    monkeypatch.setenv("CONSULTA_RATELIMIT_REGISTER", "5 per day")
    app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_REGISTER": "6 per day"},
                     instance_path=str(tmp_path))
    assert app.config["PRIVACY_POLICY_VERSION"] == "2026-11"  # default
    assert app.config["RATELIMIT_LOGIN"] == "3 per day"  # instance over defaults
    assert app.config["PROXY_FIX_X_FOR"] == 1  # environment over instance
    assert app.config["RATELIMIT_REGISTER"] == "6 per day"  # argument over environment


def test_secret_key_is_generated_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("CONSULTA_SECRET_KEY", raising=False)
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(tmp_path)).config["SECRET_KEY"]
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(tmp_path)).config["SECRET_KEY"]
    assert first == second and len(first) >= 40
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


def test_default_database_is_sqlite_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("CONSULTA_DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "k"}, instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/consulta.sqlite3"


def test_database_url_from_environment_uses_psycopg(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSULTA_DATABASE_URL", "postgresql://u@h:5432/db")
    app = create_app({"SECRET_KEY": "k"}, instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h:5432/db"
    assert normalize_database_url("postgres://x/y") == "postgresql+psycopg://x/y"


def test_secure_cookies_switch(tmp_path):
    app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECURE_COOKIES": True},
                     instance_path=str(tmp_path))
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
