"""The Content-Security-Policy in a real browser: Trusted Types enforced, violations reported and logged.

Chromium sends a report to `report-uri` at once, but when `report-to` is present it uses the Reporting API
instead, which headless Chromium under Playwright was not seen delivering (waited 100 s). So the page is
served with the app's real policy less `report-to`, and the browser itself posts the report to the endpoint.
"""

import logging
import time

import pytest
from playwright.sync_api import Page, Route, expect

from consulta.extensions import db
from consulta.models import CspViolation
from tests.browser.test_accessibility import assert_accessible
from tests.conftest import PASSWORD


def _without_report_to(route: Route) -> None:
    response = route.fetch()
    headers = dict(response.headers)
    headers["content-security-policy"] = headers["content-security-policy"].replace("; report-to csp", "")
    assert "report-uri /csp-relatorio" in headers["content-security-policy"]
    route.fulfill(response=response, headers=headers)


def _violations(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(v.directive, v.blocked, v.page) for v in db.session.scalars(db.select(CspViolation))]


@pytest.mark.console_errors  # it provokes the violation on purpose and checks the report itself
def test_a_blocked_script_sink_is_reported_by_the_browser_logged_and_counted(app, page: Page, demo_consultation: str,
                                                                                create_user, caplog):
    caplog.set_level(logging.INFO, logger="consulta.security")
    path = f"/consultas/{demo_consultation}"
    page.route(f"**{path}", _without_report_to)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    blocked = page.evaluate("""() => {
        try { document.createElement("script").text = "window.pwned = 1"; return "allowed"; }
        catch (e) { return e.name; }
    }""")
    assert blocked == "TypeError"  # Trusted Types: the default policy makes no scripts
    html = page.evaluate("""() => { const d = document.createElement("div"); d.innerHTML = "<b>ok</b>";
                                    return d.innerHTML; }""")
    assert html == "<b>ok</b>"  # HTML sinks (htmx's swaps) pass through the app's default policy
    deadline = time.monotonic() + 15
    while not _violations(app) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _violations(app) == [("require-trusted-types-for", "trusted-types-sink", path)]
    events = [r for r in caplog.records if getattr(r, "event", None) == "csp.violation"]
    assert [(e.directive, e.blocked, e.page) for e in events] == _violations(app)

    admin = create_user("admin", email="admin-saude@exemplo.com.br")
    page.goto("/entrar")
    page.get_by_label("E-mail").fill(admin.email)
    page.get_by_label("Senha", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.goto("/admin/saude")
    expect(page.get_by_role("heading", level=1)).to_have_text("Saúde do serviço")
    expect(page.get_by_text("1 nas últimas 24 horas")).to_be_visible()
    expect(page.get_by_role("cell", name="require-trusted-types-for")).to_be_visible()
    assert_accessible(page, "/admin/saude")
