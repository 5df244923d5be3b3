"""Operations: /saude, CSP violation reports, JSON logs with request ids, check-deploy, the Secure-cookie error."""

import json
import logging

from consulta.extensions import db
from consulta.logs import JsonFormatter
from consulta.models import CspViolation
from tests.conftest import PASSWORD

CSP_REPORT = {"csp-report": {
    "document-uri": "https://consulta.example/conta?email=maria@exemplo.com.br",
    "effective-directive": "img-src", "violated-directive": "img-src", "disposition": "enforce",
    "blocked-uri": "https://rastreador.example/pixel.gif?u=maria@exemplo.com.br", "status-code": 200,
}}
REPORTS_JSON = [{"type": "csp-violation", "url": "https://consulta.example/", "age": 3, "body": {
    "documentURL": "https://consulta.example/consultas/x?q=segredo", "effectiveDirective": "require-trusted-types-for",
    "blockedURL": "trusted-types-sink", "disposition": "enforce", "sample": "Element innerHTML|<img src=x>",
}}, {"type": "deprecation", "url": "https://consulta.example/", "body": {}}]


def test_health_answers_json_without_personal_data_and_is_never_stored(client):
    response = client.get("/saude")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "redis": "not configured"}}
    assert response.headers["Cache-Control"] == "private, no-store"


def test_health_is_503_when_redis_is_configured_but_down(make_app):
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    response = app.test_client().get("/saude")
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "ok", "redis": "fail"}


def test_health_is_not_rate_limited(limited_app):
    client = limited_app.test_client()
    assert all(client.get("/saude").status_code == 200 for _ in range(40))


def test_csp_report_in_either_format_is_logged_and_counted_without_personal_data(app, client, caplog):
    caplog.set_level(logging.INFO, logger="consulta.security")
    first = client.post("/csp-relatorio", data=json.dumps(CSP_REPORT), content_type="application/csp-report")
    second = client.post("/csp-relatorio", data=json.dumps(REPORTS_JSON), content_type="application/reports+json")
    assert first.status_code == second.status_code == 204
    events = [r for r in caplog.records if getattr(r, "event", None) == "csp.violation"]
    assert [(e.directive, e.blocked, e.page) for e in events] == [
        ("img-src", "https://rastreador.example", "/conta"),
        ("require-trusted-types-for", "trusted-types-sink", "/consultas/x"),
    ]
    logged = "\n".join(JsonFormatter().format(e) for e in events)
    assert "maria" not in logged and "segredo" not in logged and "innerHTML" not in logged
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(CspViolation.id))) == 2


def test_csp_report_needs_no_csrf_token_but_is_capped_typed_and_rate_limited(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True, RATELIMIT_CSP_REPORT="3 per minute")
    client = app.test_client()
    big = json.dumps({"csp-report": {"blocked-uri": "x" * 20_000}})
    assert client.post("/csp-relatorio", data=big, content_type="application/csp-report").status_code == 413
    assert client.post("/csp-relatorio", data="{}", content_type="text/plain").status_code == 415
    assert client.post("/csp-relatorio", data="não é json", content_type="application/csp-report").status_code == 400
    assert client.post("/csp-relatorio", data=json.dumps(CSP_REPORT),
                       content_type="application/csp-report").status_code == 429


def test_admin_health_page_shows_the_violation_count(client, create_user):
    client.post("/csp-relatorio", data=json.dumps(CSP_REPORT), content_type="application/csp-report")
    admin = create_user("admin")
    client.post("/entrar", data={"email": admin.email, "password": PASSWORD})
    page = client.get("/admin/saude").get_data(as_text=True)
    assert "<strong>1</strong> nas últimas 24 horas" in page and "rastreador.example" in page
    assert "Banco de dados" in page


def test_admin_health_page_is_for_admins_only(client, create_user):
    analyst = create_user("analyst")
    client.post("/entrar", data={"email": analyst.email, "password": PASSWORD})
    assert client.get("/admin/saude").status_code == 403


def test_each_answer_carries_a_request_id_that_a_sane_proxy_id_overrides(client):
    generated = client.get("/saude").headers["X-Request-Id"]
    assert len(generated) == 32 and generated != client.get("/saude").headers["X-Request-Id"]
    assert client.get("/saude", headers={"X-Request-Id": "nginx-abc12345"}).headers["X-Request-Id"] == "nginx-abc12345"
    assert client.get("/saude", headers={"X-Request-Id": "<script>"}).headers["X-Request-Id"] != "<script>"


def test_log_lines_are_one_json_object_with_the_request_id(app):
    record = logging.LogRecord("consulta.security", logging.WARNING, __file__, 1, "csp violation", None, None)
    record.event = "csp.violation"
    with app.test_request_context("/"):
        from flask import g

        g.request_id = "abc12345"
        line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["request_id"] == "abc12345" and entry["event"] == "csp.violation"
    assert entry["level"] == "WARNING" and entry["logger"] == "consulta.security"


def test_login_over_http_with_secure_cookies_names_the_setting(make_app, create_user):
    app = make_app(SECURE_COOKIES=True, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    user = create_user()
    page = client.get("/entrar", base_url="http://consulta.example")
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"], domain="consulta.example")  # the browser refused it
    from tests.conftest import csrf_token_from

    response = client.post("/entrar", base_url="http://consulta.example", data={
        "email": user.email, "password": PASSWORD, "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert response.status_code == 400
    assert "CONSULTA_SECURE_COOKIES" in response.get_data(as_text=True)


def test_check_deploy_reports_per_process_state_under_several_workers(make_app):
    app = make_app()
    result = app.test_cli_runner().invoke(args=["consulta", "check-deploy", "--workers", "4", "--servers", "2"])
    assert result.exit_code == 1
    for setting in ("CONSULTA_RATELIMIT_STORAGE_URI", "CONSULTA_CACHE_TYPE", "CONSULTA_SECURE_COOKIES"):
        assert setting in result.output
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert "CONSULTA_DATABASE_URL" in result.output


def test_check_deploy_passes_a_production_configuration(make_app):
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/8", CACHE_TYPE="RedisCache",
                   CACHE_REDIS_URL="redis://127.0.0.1:6379/8", SECURE_COOKIES=True, PROXY_FIX_X_FOR=1,
                   SQLALCHEMY_DATABASE_URI="postgresql://consulta@127.0.0.1/consulta")
    result = app.test_cli_runner().invoke(args=["consulta", "check-deploy", "--workers", "4"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok:")


def test_refused_logins_and_rate_limits_are_security_events_without_the_email(limited_app, create_user, caplog):
    caplog.set_level(logging.INFO, logger="consulta.security")
    client = limited_app.test_client()
    for _ in range(11):
        client.post("/entrar", data={"email": "alguem@exemplo.com.br", "password": "errada errada"})
    events = [getattr(r, "event", None) for r in caplog.records if r.name == "consulta.security"]
    assert events.count("login.failed") == 10 and events[-1] == "login.throttled"
    assert "alguem" not in "\n".join(JsonFormatter().format(r) for r in caplog.records)
