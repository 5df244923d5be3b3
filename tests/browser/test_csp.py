"""The Content-Security-Policy in a real browser: Trusted Types enforced, violations logged.

Headless Chromium under Playwright raises the violation (the `securitypolicyviolation` event) but was not
seen delivering the report itself, so the page posts what the browser reported, in the report-uri format,
to the endpoint (a same-origin POST with no CSRF token, as the browser's own would be).
"""

import json
import logging

from playwright.sync_api import Page, expect

from consulta.extensions import db
from consulta.models import CspViolation

TRIGGER = """() => new Promise((resolve) => {
    document.addEventListener("securitypolicyviolation", (e) => resolve({
        "csp-report": {"document-uri": e.documentURI, "effective-directive": e.effectiveDirective,
                       "violated-directive": e.violatedDirective, "blocked-uri": e.blockedURI,
                       "disposition": e.disposition}}), {once: true});
    try { document.createElement("script").text = "window.pwned = 1"; } catch (e) { window.blocked = e.name; }
})"""
POST = """(report) => fetch("/csp-relatorio", {method: "POST", body: JSON.stringify(report),
                                           headers: {"Content-Type": "application/csp-report"}}).then(r => r.status)"""


def test_a_blocked_script_sink_is_a_violation_that_reaches_the_log(app, page: Page, demo_consultation: str, caplog):
    caplog.set_level(logging.INFO, logger="consulta.security")
    page.goto(f"/consultas/{demo_consultation}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    report = page.evaluate(TRIGGER)
    assert page.evaluate("window.blocked") == "TypeError"  # Trusted Types: the default policy makes no scripts
    assert page.evaluate("window.pwned === undefined")
    assert report["csp-report"]["effective-directive"] == "require-trusted-types-for"
    html = page.evaluate("""() => { const d = document.createElement("div"); d.innerHTML = "<b>ok</b>";
                                    return d.innerHTML; }""")
    assert html == "<b>ok</b>"  # HTML sinks (htmx's swaps) pass through the app's default policy
    assert page.evaluate(POST, report) == 204
    events = [r for r in caplog.records if getattr(r, "event", None) == "csp_violation"]
    assert [(e.directive, e.blocked, e.page) for e in events] == [
        ("require-trusted-types-for", "trusted-types-sink", f"/consultas/{demo_consultation}")]
    assert json.dumps(vars(events[0]), default=str).count("pwned") == 0
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(CspViolation.id))) == 1
