"""Accounts: registration, login, logout, profile, passwords and consent."""

import pytest
from sqlalchemy import select

from consulta.auth.passwords import hash_password, password_problem, verify_password
from consulta.extensions import db
from consulta.models import AccountKind, Role, User
from tests.conftest import PASSWORD

VALID_CNPJ = "11.222.333/0001-81"


def register_form(**overrides):
    data = {
        "kind": "person",
        "display_name": "Maria da Silva",
        "email": "maria@exemplo.com.br",
        "password": "cidadania digital em rede",
        "consent": "y",
        "uf": "PE",
        "sector": "cidadao",
    }
    data.update(overrides)
    return data


def get_user(app, email):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def test_register_person_records_consent_and_profile(app, client):
    response = client.post("/cadastro", data=register_form())
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get("/conta").status_code == 200  # signed up means signed in
    user = get_user(app, "maria@exemplo.com.br")
    assert user.kind is AccountKind.PERSON
    assert user.role is Role.PARTICIPANT
    assert user.consent_at is not None and user.consent_version == app.config["PRIVACY_POLICY_VERSION"]
    assert user.uf == "PE" and user.sector.value == "cidadao"
    assert user.password_hash.startswith("$argon2id$")
    assert "m=19456,t=2,p=1" in user.password_hash


def test_register_organization_requires_valid_cnpj(app, client):
    response = client.post("/cadastro", data=register_form(kind="organization", cnpj=""))
    assert response.status_code == 422
    assert "Organizações precisam informar o CNPJ" in response.get_data(as_text=True)
    response = client.post("/cadastro", data=register_form(kind="organization", cnpj="11.222.333/0001-82"))
    assert response.status_code == 422
    assert "CNPJ inválido" in response.get_data(as_text=True)
    response = client.post(
        "/cadastro", data=register_form(kind="organization", cnpj=VALID_CNPJ, display_name="Instituto Cidadania")
    )
    assert response.status_code == 303
    user = get_user(app, "maria@exemplo.com.br")
    assert user.kind is AccountKind.ORGANIZATION and user.cnpj == "11222333000181"


def test_alphanumeric_cnpj_is_accepted(app, client):
    response = client.post(
        "/cadastro", data=register_form(kind="organization", cnpj="12.ABC.345/01DE-35", display_name="Org Nova")
    )
    assert response.status_code == 303
    assert get_user(app, "maria@exemplo.com.br").cnpj == "12ABC34501DE35"


def test_cnpj_is_unique(client):
    client.post("/cadastro", data=register_form(kind="organization", cnpj=VALID_CNPJ))
    client.post("/sair")
    response = client.post(
        "/cadastro", data=register_form(kind="organization", cnpj="11222333000181", email="outra@exemplo.com.br")
    )
    assert response.status_code == 422
    assert "Já existe uma conta para este CNPJ" in response.get_data(as_text=True)


def test_person_registration_ignores_a_cnpj(app, client):
    client.post("/cadastro", data=register_form(cnpj=VALID_CNPJ))
    assert get_user(app, "maria@exemplo.com.br").cnpj is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("curta", "pelo menos 8 caracteres"),
        ("12345678", "comum demais"),
        ("password", "comum demais"),
        ("senha123", "comum demais"),
        ("aaaaaaaaaaaa", "comum demais"),
        ("maria@exemplo.com.br", "igual ao seu e-mail"),
    ],
)
def test_weak_passwords_are_refused_without_composition_rules(client, password, message):
    response = client.post("/cadastro", data=register_form(password=password))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_passphrase_without_digits_or_symbols_is_accepted():
    assert password_problem("uma frase bem simples") is None


def test_consent_is_required(client):
    data = register_form()
    del data["consent"]
    response = client.post("/cadastro", data=data)
    assert response.status_code == 422
    assert "concordar com a Política de Privacidade" in response.get_data(as_text=True)


def test_registration_error_keeps_what_was_typed(client):
    response = client.post("/cadastro", data=register_form(password="curta", display_name="Zé das Couves"))
    page = response.get_data(as_text=True)
    assert 'value="Zé das Couves"' in page
    assert 'value="maria@exemplo.com.br"' in page


def test_registration_with_existing_email_leaves_the_account_untouched(app, client, create_user):
    create_user(email="maria@exemplo.com.br", name="Original")
    response = client.post("/cadastro", data=register_form(display_name="Impostora"))
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/entrar")
    assert client.get("/conta").status_code == 302  # not signed in as the existing account
    assert get_user(app, "maria@exemplo.com.br").display_name == "Original"


def test_sign_up_returns_to_the_page_it_came_from(client):
    response = client.post("/cadastro?next=/consultas/x", data=register_form())
    assert response.headers["Location"] == "/consultas/x"
    response = client.post("/sair")
    response = client.post("/cadastro?next=https://evil.example/", data=register_form(email="b@exemplo.com.br"))
    assert response.headers["Location"] == "/"


def test_login_and_logout(client, create_user):
    user = create_user()
    response = client.post("/entrar", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 303
    assert "Minha conta" in client.get("/").get_data(as_text=True)
    assert client.get("/conta").status_code == 200
    assert client.post("/sair").status_code == 303
    assert client.get("/conta").status_code == 302


def test_logout_is_not_a_get(client):
    assert client.get("/sair").status_code == 405


def test_failed_login_does_not_tell_whether_the_account_exists(client, create_user):
    user = create_user()
    wrong_password = client.post("/entrar", data={"email": user.email, "password": "errada errada"})
    no_account = client.post("/entrar", data={"email": "ninguem@exemplo.com.br", "password": "errada errada"})
    assert wrong_password.status_code == no_account.status_code == 422
    assert "E-mail ou senha incorretos." in wrong_password.get_data(as_text=True)
    assert "E-mail ou senha incorretos." in no_account.get_data(as_text=True)


def test_blocked_account_cannot_log_in(client, create_user):
    user = create_user(blocked=True)
    response = client.post("/entrar", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 422
    assert "E-mail ou senha incorretos." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/consultas/x", "/consultas/x"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("http:/evil.example", "/"),
    ],
)
def test_next_only_accepts_local_paths(client, create_user, next_url, expected):
    user = create_user()
    response = client.post("/entrar", query_string={"next": next_url}, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == expected


def test_profile_update(app, client, auth, create_user):
    user = create_user()
    auth.login(user)
    response = client.post("/conta", data={"display_name": "Novo Nome", "uf": "AM", "sector": "academia"})
    assert response.status_code == 303
    updated = get_user(app, user.email)
    assert (updated.display_name, updated.uf, updated.sector.value) == ("Novo Nome", "AM", "academia")


def test_profile_rejects_unknown_state(app, client, auth, create_user):
    user = create_user()
    auth.login(user)
    response = client.post("/conta", data={"display_name": "Nome Trocado", "uf": "XX", "sector": "academia"})
    assert response.status_code == 422
    assert 'value="Nome Trocado"' in response.get_data(as_text=True)  # what was typed is kept on the form
    unchanged = get_user(app, user.email)
    assert (unchanged.display_name, unchanged.uf, unchanged.sector) == (user.display_name, user.uf, user.sector)


def test_privacy_page_explains_rights(client):
    page = client.get("/privacidade").get_data(as_text=True)
    assert "LGPD" in page and "Participante removido" in page


def test_password_hash_round_trip():
    stored = hash_password("frase secreta longa")
    assert verify_password(stored, "frase secreta longa")
    assert not verify_password(stored, "outra frase")
    assert not verify_password(None, "qualquer coisa")
