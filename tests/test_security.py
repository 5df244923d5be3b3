"""Security basics: CSRF, headers, cookies, rate limits, escaping, configuration."""

import os
from html.parser import HTMLParser

import pytest

from tests.conftest import PASSWORD, csrf_token_from

REDIS_URL = os.environ.get("CONSULTA_TEST_REDIS_URL")


def test_post_without_csrf_token_is_refused(make_app, create_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    user = create_user()
    response = client.post("/entrar", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "O formulário expirou" in response.get_data(as_text=True)


def test_post_with_csrf_token_from_the_form_is_accepted(make_app, create_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    user = create_user()
    token = csrf_token_from(client.get("/entrar").get_data(as_text=True))
    response = client.post("/entrar", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    assert client.get("/conta").status_code == 200  # signed in


def test_logout_needs_csrf(make_app, create_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    user = create_user()
    token = csrf_token_from(client.get("/entrar").get_data(as_text=True))
    client.post("/entrar", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert client.post("/sair").status_code == 400
    assert client.get("/conta").status_code == 200  # still logged in


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "HX-Request" in response.headers["Vary"]


class InlineCode(HTMLParser):
    """Collects what the CSP forbids: inline scripts (any attributes), style elements and attributes, and
    event-handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower() for name, _ in attrs}
        if tag == "script":
            self._in_script = True
            if "src" not in names:
                self.found.append(f"<script {attrs}> without src")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{tag} {name}=" for name in names if name == "style" or name.startswith("on")]

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"inline script {data.strip()[:40]!r}")


def inline_code(page: str) -> list[str]:
    parser = InlineCode()
    parser.feed(page)
    return parser.found


def test_inline_code_detector_sees_every_form_of_it():
    assert inline_code('<script type="module">alert(1)</script>')
    assert inline_code('<script nonce="x">alert(1)</script>')
    assert inline_code("<SCRIPT>alert(1)</SCRIPT>")
    assert inline_code('<p onmouseover="x()">a</p>') and inline_code('<p STYLE="color:red">a</p>')
    assert inline_code("<style>p{}</style>")
    assert inline_code('<script src="/static/js/app.js"></script>') == []


def test_pages_have_no_inline_script_or_style(client, auth, create_user, create_consultation):
    consultation = create_consultation("open")
    urls = ["/", f"/consultas/{consultation.slug}", f"/consultas/{consultation.slug}/texto",
            f"/consultas/{consultation.slug}/resultados", "/entrar", "/cadastro", "/privacidade"]
    for url in urls:
        assert inline_code(client.get(url).get_data(as_text=True)) == [], url
    auth.login(create_user("admin"))
    for url in [*urls[:4], "/conta", "/admin/", "/analise/", "/moderacao/"]:
        assert inline_code(client.get(url).get_data(as_text=True)) == [], url


def test_session_cookie_flags_in_development(client, create_user):
    user = create_user()
    response = client.post("/entrar", data={"email": user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_in_production(make_app, create_user):
    app = make_app(SECURE_COOKIES=True)
    user = create_user()
    response = app.test_client().post("/entrar", data={"email": user.email, "password": PASSWORD},
                                      base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Strict-Transport-Security" in response.headers


def test_remember_cookie_is_httponly_and_lax(client, create_user):
    user = create_user()
    response = client.post("/entrar", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember and "SameSite=Lax" in remember


def test_login_is_rate_limited_with_a_portuguese_429(limited_app, create_user):
    client = limited_app.test_client()
    user = create_user()
    statuses = [
        client.post("/entrar", data={"email": user.email, "password": "errada errada"}).status_code for _ in range(11)
    ]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429
    response = client.post("/entrar", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Muitas tentativas" in response.get_data(as_text=True)
    assert response.headers["Retry-After"]


def test_login_limit_per_email_holds_across_addresses(limited_app, create_user):
    client = limited_app.test_client()
    user = create_user()
    codes = []
    for i in range(31):
        codes.append(client.post("/entrar", data={"email": user.email, "password": "errada errada"},
                                 environ_base={"REMOTE_ADDR": f"10.0.{i // 250}.{i % 250 + 1}"}).status_code)
    assert 429 in codes
    assert codes.index(429) == 30


def test_rate_limit_storage_in_redis(make_app, create_user):
    if not REDIS_URL:
        if os.environ.get("CONSULTA_STRICT_SKIPS") == "1":
            pytest.fail("CONSULTA_TEST_REDIS_URL is not set under CI")
        pytest.skip("CONSULTA_TEST_REDIS_URL não definido: teste do Redis pulado")
    import redis

    from consulta.extensions import limiter

    redis.Redis.from_url(REDIS_URL).flushdb()
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL)
    try:
        client = app.test_client()
        user = create_user()
        codes = [client.post("/entrar", data={"email": user.email, "password": "x" * 9}).status_code for _ in range(11)]
        assert codes[-1] == 429
        assert any(b"LIMITS" in key or b"LIMITER" in key for key in redis.Redis.from_url(REDIS_URL).keys("*"))
    finally:
        with app.app_context():
            limiter.reset()
        limiter.enabled = False
        redis.Redis.from_url(REDIS_URL).flushdb()


def test_user_text_is_escaped(client, create_user, auth):
    user = create_user(name="<script>alert(1)</script>")
    auth.login(user)
    page = client.get("/conta").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_errors_are_pages_in_portuguese(client):
    response = client.get("/nao-existe")
    assert response.status_code == 404
    assert "Página não encontrada" in response.get_data(as_text=True)


def test_unexpected_error_renders_500_page(make_app):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Erro interno" in response.get_data(as_text=True)
