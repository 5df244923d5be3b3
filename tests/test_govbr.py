"""gov.br sign-in against a real OpenID Provider process: the code + PKCE flow and every refusal."""

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from consulta.auth.govbr import reliability_level, subject_hash
from consulta.extensions import db
from consulta.models import GovbrLevel, User, UserSession, VerificationLevel
from tests.conftest import PASSWORD
from tests.identity_fixtures import _provider_process, oidc_provider  # noqa: F401

CPF = "52998224725"


@pytest.fixture
def govbr_app(make_app, oidc_provider):  # noqa: F811
    return make_app(**oidc_provider.app_config())


def start(client) -> dict:
    """Follow the app to the provider; the authorization request's parameters."""
    response = client.get("/entrar/govbr?next=/consultas/x")
    assert response.status_code == 302
    location = response.headers["Location"]
    return dict(parse_qsl(urlsplit(location).query))


def approve(provider, params: dict, *, cpf: str = CPF, level: str = "silver", email: str = "maria.govbr@exemplo.com.br"):
    """Log in at the provider's page (its form); the callback path and query it redirects to."""
    answer = requests.post(f"{provider.issuer}/authorize", timeout=10, allow_redirects=False,
                           data={**params, "cpf": cpf, "name": "Maria Cidadã", "email": email, "level": level})
    assert answer.status_code == 302
    parts = urlsplit(answer.headers["Location"])
    return f"{parts.path}?{parts.query}"


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_authorization_request_uses_pkce_state_and_nonce(govbr_app, oidc_provider):  # noqa: F811
    params = start(govbr_app.test_client())
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) >= 43
    assert params["state"] and params["nonce"]
    assert set(params["scope"].split()) >= {"openid", "email", "profile", "govbr_confiabilidades"}
    assert params["client_id"] == "consulta-teste"


def test_first_govbr_sign_in_creates_an_account_with_level_and_no_cpf(govbr_app, oidc_provider):  # noqa: F811
    client = govbr_app.test_client()
    callback = approve(oidc_provider, start(client), level="silver")
    response = client.get(callback)
    assert response.status_code == 303 and response.headers["Location"] == "/entrar/govbr/concluir"
    page = client.get("/entrar/govbr/concluir").get_data(as_text=True)
    assert "Criar uma conta nova" in page and "Maria Cidadã" in page
    response = client.post("/entrar/govbr/nova-conta", data={"display_name": "Maria Cidadã", "consent": "y"})
    assert response.status_code == 303 and response.headers["Location"] == "/consultas/x"
    assert client.get("/conta").status_code == 200
    with govbr_app.app_context():
        user = db.session.scalar(select(User))
        assert user.govbr_level is GovbrLevel.PRATA
        assert user.verification_level is VerificationLevel.GOVBR_PRATA
        assert user.govbr_subject_hash == subject_hash(CPF) and len(user.govbr_subject_hash) == 64
        assert CPF not in user.govbr_subject_hash
        assert user.email_verified_at is not None
        assert db.session.scalar(select(UserSession.method)) == "govbr"


def test_returning_govbr_person_signs_in_and_level_follows_govbr(govbr_app, oidc_provider):  # noqa: F811
    client = govbr_app.test_client()
    client.get(approve(oidc_provider, start(client), level="bronze"))
    client.post("/entrar/govbr/nova-conta", data={"display_name": "Maria", "consent": "y"})
    client.post("/sair")
    response = client.get(approve(oidc_provider, start(client), level="gold"))
    assert response.status_code == 303 and response.headers["Location"] == "/consultas/x"
    assert client.get("/conta").status_code == 200
    with govbr_app.app_context():
        assert db.session.scalar(select(User.govbr_level)) is GovbrLevel.OURO
    assert user_count(govbr_app) == 1


def test_logout_also_ends_the_session_at_govbr(govbr_app, oidc_provider):  # noqa: F811
    client = govbr_app.test_client()
    client.get(approve(oidc_provider, start(client)))
    client.post("/entrar/govbr/nova-conta", data={"display_name": "Maria", "consent": "y"})
    response = client.post("/sair")
    assert response.status_code == 303 and response.headers["Location"] == "/sair/govbr"
    page = client.get("/sair/govbr").get_data(as_text=True)
    location = re.search(r'<a href="([^"]+)">continue', page).group(1).replace("&amp;", "&")
    assert location.startswith(f"{oidc_provider.issuer}/logout?")
    query = dict(parse_qsl(urlsplit(location).query))
    assert query["id_token_hint"] and query["post_logout_redirect_uri"] == "http://localhost/"
    assert client.get("/conta").status_code == 302


def test_linking_an_existing_email_account_asks_for_its_password(govbr_app, oidc_provider, create_user):  # noqa: F811
    user = create_user(email="maria.govbr@exemplo.com.br")
    client = govbr_app.test_client()
    client.get(approve(oidc_provider, start(client)))
    page = client.get("/entrar/govbr/concluir").get_data(as_text=True)
    assert "confirme a senha dessa conta" in page
    wrong = client.post("/entrar/govbr/vincular", data={"email": user.email, "password": "senha errada demais"})
    assert wrong.status_code == 422 and "E-mail ou senha incorretos" in wrong.get_data(as_text=True)
    assert client.get("/conta").status_code == 302
    response = client.post("/entrar/govbr/vincular", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    with govbr_app.app_context():
        linked = db.session.get(User, user.id)
        assert linked.govbr_subject_hash == subject_hash(CPF) and linked.govbr_level is GovbrLevel.PRATA
    assert user_count(govbr_app) == 1


def test_signed_in_account_links_govbr_after_confirming_its_password(govbr_app, oidc_provider, create_user):  # noqa: F811
    user = create_user()
    client = govbr_app.test_client()
    client.post("/entrar", data={"email": user.email, "password": PASSWORD})
    assert client.post("/conta/govbr", data={"password": "outra senha qualquer"}).status_code == 422
    response = client.post("/conta/govbr", data={"password": PASSWORD})
    assert response.status_code == 303
    params = start(client)
    response = client.get(approve(oidc_provider, params, level="gold"))
    assert response.status_code == 303
    with govbr_app.app_context():
        assert db.session.get(User, user.id).govbr_level is GovbrLevel.OURO


REFUSALS = [
    ("wrong_audience", "outro sistema"),
    ("wrong_issuer", "não foi emitida pelo gov.br configurado"),
    ("expired", "expirada"),
    ("unsigned", "assinatura válida"),
    ("bad_signature", "assinatura válida"),
    ("replayed_nonce", "nonce"),
]


@pytest.mark.parametrize(("mode", "message"), REFUSALS, ids=[m for m, _ in REFUSALS])
def test_bad_id_token_is_refused_with_a_clear_message_and_no_account(govbr_app, oidc_provider, mode, message):  # noqa: F811
    client = govbr_app.test_client()
    params = start(client)
    oidc_provider.set_mode(mode)
    response = client.get(approve(oidc_provider, params))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "Entrada com gov.br não concluída" in page, page[page.find("alert"):][:300]
    assert client.get("/conta").status_code == 302
    assert client.get("/entrar/govbr/concluir").status_code == 404
    assert user_count(govbr_app) == 0


def test_wrong_state_is_refused(govbr_app, oidc_provider):  # noqa: F811
    client = govbr_app.test_client()
    params = start(client)
    callback = approve(oidc_provider, {**params, "state": "um-state-forjado"})
    response = client.get(callback)
    assert response.status_code == 400
    assert "state diferente" in response.get_data(as_text=True)
    assert user_count(govbr_app) == 0


def test_callback_from_another_browser_is_refused(govbr_app, oidc_provider):  # noqa: F811
    callback = approve(oidc_provider, start(govbr_app.test_client()))
    response = govbr_app.test_client().get(callback)
    assert response.status_code == 400
    assert user_count(govbr_app) == 0


def test_govbr_button_is_hidden_and_routes_off_without_settings(client):
    assert "Entrar com" not in client.get("/entrar").get_data(as_text=True)
    assert client.get("/entrar/govbr").status_code == 404


@pytest.mark.parametrize("url", ["/entrar", "/cadastro"])
def test_govbr_button_shows_when_configured(govbr_app, url):
    page = govbr_app.test_client().get(url).get_data(as_text=True)
    assert '<a class="br-sign-in" href="/entrar/govbr' in page and "<strong>gov.br</strong>" in page


@pytest.mark.parametrize(("claims", "level"), [
    ({"reliability_info": {"level": "gold"}}, GovbrLevel.OURO),
    ({"reliability_info": {"level": "silver"}}, GovbrLevel.PRATA),
    ({"reliability_info": {"level": "bronze"}}, GovbrLevel.BRONZE),
    ({"reliability_info": "3"}, GovbrLevel.OURO),
    ({}, GovbrLevel.BRONZE),
])
def test_reliability_level_is_read_from_govbr_claims(claims, level):
    assert reliability_level(claims) is level
