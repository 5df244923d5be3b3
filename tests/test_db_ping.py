"""Pooled PostgreSQL connections are pinged only after sitting idle (consulta.extensions._ping_when_idle).

A connection used a moment ago goes to the next request without a ping (one round trip less per request
under load); one idle DB_PING_IDLE_SECONDS or more is pinged, and replaced when the server closed it, so
the request still succeeds. SQLite has no server connection and no ping.
"""

import time

import psycopg
import pytest
from sqlalchemy import text

from consulta.extensions import db


def _served(make_app, monkeypatch, idle_seconds: float):
    """An app with DB_PING_IDLE_SECONDS = `idle_seconds` that has served one page (its pooled connection
    exists), a client, and the list of pings counted from then on."""
    app = make_app(DB_PING_IDLE_SECONDS=idle_seconds)
    client = app.test_client()
    assert client.get("/").status_code == 200
    seen: list[bool] = []
    with app.app_context():
        dialect = db.engine.dialect
    real = dialect.do_ping

    def counted(dbapi_connection):
        seen.append(True)
        return real(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return app, client, seen


@pytest.mark.postgres
def test_a_busy_connection_is_not_pinged(make_app, monkeypatch):
    app, client, pings = _served(make_app, monkeypatch, 60)
    for _ in range(5):
        assert client.get("/").status_code == 200
    assert pings == []


@pytest.mark.postgres
def test_an_idle_connection_the_server_closed_is_replaced(make_app, monkeypatch):
    app, client, pings = _served(make_app, monkeypatch, 0.2)
    with app.app_context():
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()  # the pooled connection's
        db.session.remove()
    with psycopg.connect(url, autocommit=True) as admin:  # outside the pool: the server closes that one
        killed = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid = %s",
                               (pid,)).fetchone()[0]
    assert killed == 1
    time.sleep(0.3)
    assert client.get("/").status_code == 200  # the dead connection was pinged, dropped and replaced
    assert pings


def test_at_zero_every_checkout_is_pinged_on_postgresql_and_none_on_sqlite(make_app, monkeypatch):
    """What the job worker uses (it waits between jobs for any length of time)."""
    app, client, pings = _served(make_app, monkeypatch, 0)
    for _ in range(3):
        assert client.get("/").status_code == 200
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
    assert len(pings) == (3 if postgres else 0)
