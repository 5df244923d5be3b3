"""Browser fixtures: the session app served over HTTP, headless Debian Chromium driven by Playwright.

The live server serves the very same `app` object as tests/conftest.py, so the factories and the
per-test database cleanup apply to what the browser sees. Chromium is the Debian package at
/usr/bin/chromium; Playwright never downloads a browser here. Without it the tests are skipped, except
under CI (CONSULTA_STRICT_SKIPS=1), where a missing browser is a failure.
"""

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from consulta.cli import DEMO_SLUG

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING_CHROMIUM = "Chromium não encontrado em /usr/bin/chromium: instale o pacote Debian 'chromium'"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
HERE = Path(__file__).resolve().parent

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 800}
# Default waits are short: every page here is local and small, so a stuck locator should fail fast.
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser with `browser` (select or deselect them with -m)."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str) -> None:
    """Skip, or fail under CI so that a missing browser can never pass unnoticed."""
    if os.environ.get("CONSULTA_STRICT_SKIPS") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request (errors are still logged)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def serve(app: Flask) -> Iterator[str]:
    """Serve `app` on a free local port, in a daemon thread; yields its base URL, then stops it."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The session app on a free local port, in a daemon thread; yields its base URL."""
    yield from serve(app)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium for the session."""
    if not os.path.isfile(CHROMIUM) or not os.access(CHROMIUM, os.X_OK):
        _unavailable(MISSING_CHROMIUM)
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except PlaywrightError as error:
        playwright.stop()
        _unavailable(f"{MISSING_CHROMIUM} (falha ao iniciar: {str(error).splitlines()[0]})")
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


def _console_problem(kind: str, text: str) -> bool:
    """Console errors count, except Chromium's line for a page answered with an error status (a 422 form
    re-render, a 404 page): those are the server's answer, and failed subresources are caught separately."""
    return kind == "error" and not text.startswith("Failed to load resource: the server responded with a status")


@pytest.fixture
def browser_problems() -> list[str]:
    """What the browser reported as wrong during the test (see new_page)."""
    return []


@pytest.fixture
def new_page(browser, live_server: str, request: pytest.FixtureRequest, browser_problems: list[str]):
    """Factory: a page in a fresh context (own cookies) with the given options; all closed after the test.

    Any console error, uncaught page error or CSP violation on any page fails the test, unless the test is
    marked `console_errors` (it provokes one on purpose and checks it itself).
    """
    contexts = []
    problems = browser_problems

    def make(**options):
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "pt-BR")
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: _console_problem(message.type, message.text)
                and problems.append(f"console error on {page.url}: {message.text}"))
        page.on("pageerror", lambda error: problems.append(f"page error on {page.url}: {error}"))
        page.on("response", lambda response: response.status >= 400
                and response.request.resource_type != "document"
                and problems.append(f"{response.status} for {response.request.resource_type} {response.url}"))
        return page

    yield make
    for context in contexts:
        context.close()
    if problems and request.node.get_closest_marker("console_errors") is None:
        pytest.fail("the browser reported errors:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(new_page):
    """A desktop-sized page in its own context; relative URLs resolve against the live server."""
    return new_page()


@pytest.fixture
def phone_page(new_page):
    """A phone-sized page (360×800, touch)."""
    return new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


@pytest.fixture
def demo_consultation(app: Flask) -> str:
    """The demo consultation (open, with articles and recommendations), loaded through the CLI; its slug."""
    result = app.test_cli_runner().invoke(args=["consulta", "load-demo", "--no-accounts"])
    assert result.exit_code == 0, result.output
    return DEMO_SLUG


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/ at the repository root (git-ignored), for screenshots."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
