"""Fixtures: one app and schema per session, a clean database per test, factories for users and consultations.

The suite runs on SQLite by default and on PostgreSQL when CONSULTA_TEST_DATABASE_URL is set.
"""

import os
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from consulta import create_app
from consulta.auth.passwords import hash_password
from consulta.consultations import services
from consulta.drafts import parse_draft
from consulta.extensions import cache, db, limiter
from consulta.models import AccountKind, Consultation, Role, Status, User, utcnow
from consulta.participation.fragments import forget_kept

PASSWORD = "uma senha longa de teste"
ESTABLISHED = timedelta(days=60)  # factory accounts are established ones unless a test asks for a fresh one
POSTGRES_URL = os.environ.get("CONSULTA_TEST_DATABASE_URL")

SMALL_DRAFT = """# Capítulo I — Disposições gerais

Art. 1º Fica instituída a Estratégia de teste.

Art. 2º São princípios:
I – transparência;
II – participação.

# Anexo — Recomendações

1.1 Garantir acesso digital a todos.
1.2 Publicar dados abertos por padrão.
"""


def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """PostgreSQL when configured, else a SQLite file for this session."""
    if POSTGRES_URL:
        return POSTGRES_URL
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def base_config(url: str, instance: Path) -> dict:
    """Settings shared by every test app."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PAGE_CACHE_SECONDS": 0,  # tests read their own writes at once; test_page_cache turns it on
        "RESULTS_MAX_AGE": 0,  # likewise for the results page's snapshot (tests/test_results.py turns it on)
        "QUEUE_URL": "memory://",  # jobs run in-process after the commit that queues them (tests/test_jobs*.py use real queues)
    }


@pytest.fixture(scope="session")
def _database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def app(_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application, with the schema created once for the session."""
    application = create_app(base_config(_database, tmp_path_factory.mktemp("instance")))
    with application.app_context():
        db.drop_all()
        _drop_alembic_version()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _drop_alembic_version() -> None:
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def make_app(_database: str, tmp_path_factory: pytest.TempPathFactory, app: Flask) -> Iterator[Callable[..., Flask]]:
    """Build another app on the same database with some settings changed (CSRF, rate limits, cookies)."""
    built: list[Flask] = []

    def build(**overrides) -> Flask:
        config = base_config(_database, tmp_path_factory.mktemp("instance"))
        config.update(overrides)
        built.append(create_app(config))
        return built[-1]

    yield build
    for other in built:
        with other.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Empty every table after each test that used the app; rate limits off unless a test turns them on.

    Flask-Limiter keeps `enabled` on its one global object, and any create_app() with the defaults
    switches it on, so it is reset before every test.
    """
    limiter.enabled = False
    yield
    if "app" not in request.fixturenames:
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        cache.clear()  # ids and article page versions start again in the next test's rows
        forget_kept(application)  # and the app's own copies of the entries


@pytest.fixture
def limited_app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """An app with rate limits on (memory storage), emptied afterwards."""
    application = make_app(RATELIMIT_ENABLED=True)
    yield application
    with application.app_context():
        limiter.reset()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """An application context for tests that use the models directly."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def _password_hash() -> str:
    return hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose


@pytest.fixture
def create_user(app: Flask, _password_hash: str) -> Callable[..., User]:
    """Factory: a committed account; returns it detached but with its attributes loaded."""
    counter = iter(range(1, 10_000))

    def make(role: Role | str = Role.PARTICIPANT, *, email: str | None = None, name: str | None = None,
             kind: AccountKind = AccountKind.PERSON, cnpj: str | None = None, blocked: bool = False,
             age: timedelta = ESTABLISHED) -> User:
        n = next(counter)
        with app.app_context():
            user = User(
                email=email or f"pessoa{n}@exemplo.com.br", password_hash=_password_hash,
                display_name=name or f"Pessoa {n}", role=Role(role), kind=kind, cnpj=cnpj,
                consent_at=utcnow(), consent_version="2026-11", created_at=utcnow() - age,
            )
            if blocked:
                user.blocked_at = utcnow()
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


@pytest.fixture
def create_consultation(app: Flask) -> Callable[..., Consultation]:
    """Factory: a consultation with the small draft imported, in the given status."""
    counter = iter(range(1, 10_000))

    def make(status: Status | str = Status.OPEN, *, text: str = SMALL_DRAFT, slug: str | None = None,
             title: str = "Consulta de teste") -> Consultation:
        n = next(counter)
        with app.app_context():
            consultation = services.create_consultation(None, slug=slug or f"consulta-{n}", title=title)
            if text:
                services.replace_text(None, consultation, parse_draft(text))
            if Status(status) is not Status.DRAFT:
                consultation.open()
            if Status(status) is Status.CLOSED:
                consultation.close()
            db.session.commit()
            db.session.refresh(consultation)
            slug_value = consultation.slug
            db.session.expunge(consultation)
            assert slug_value
            return consultation

    return make


class AuthActions:
    """Log in and out through the real forms."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, user: User | str, password: str = PASSWORD):
        email = user if isinstance(user, str) else user.email
        return self._client.post("/entrar", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/sair")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


def sign_in_with_csrf(client, user, password: str = PASSWORD):
    """Sign `user` in as a browser does with CSRF on: the form's token, then the POST; the answer."""
    token = csrf_token_from(client.get("/entrar").get_data(as_text=True))
    return client.post("/entrar", data={"email": user.email, "password": password, "csrf_token": token})


def csrf_token_from(html: str) -> str:
    """The CSRF token in a rendered form."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgres` only have teeth there: on SQLite they are deselected (not skipped)."""
    if POSTGRES_URL:
        return
    kept = [item for item in items if item.get_closest_marker("postgres") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI (CONSULTA_STRICT_SKIPS=1) a skipped test fails the run: browser, PostgreSQL and Redis must run.

    On the PostgreSQL pass the `postgres`-marked tests must also have run and passed.
    """
    if os.environ.get("CONSULTA_STRICT_SKIPS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        reporter.write_line(f"CONSULTA_STRICT_SKIPS: {skipped} skipped test(s) fail this run", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if POSTGRES_URL and reporter and not session.config.option.keyword and not session.config.option.markexpr:
        ran = [r for r in reporter.stats.get("passed", []) if "postgres" in r.keywords]
        if not ran:
            reporter.write_line("CONSULTA_STRICT_SKIPS: no `postgres`-marked test ran on PostgreSQL", red=True)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
