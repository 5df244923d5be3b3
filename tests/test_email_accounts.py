"""E-mail account flows against a real SMTP server (aiosmtpd): confirmation, reset, password and e-mail change."""

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from consulta.extensions import db
from consulta.models import User, VerificationLevel
from tests.conftest import PASSWORD
from tests.identity_fixtures import smtp_server, text_and_html  # noqa: F401


@pytest.fixture
def mail_app(make_app, smtp_server):  # noqa: F811
    return make_app(**smtp_server.app_config())


def link_in(message, path_prefix: str) -> str:
    """The link starting with `path_prefix` in a message, checked to be the same in both parts."""
    text, html = text_and_html(message)
    links = re.findall(r"https?://\S+", text)
    link = next(u for u in links if urlsplit(u).path.startswith(path_prefix))
    assert f'href="{link}"' in html
    return urlsplit(link).path


def load(app, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge(user)
        return user


def sign_up(client, email="ana@exemplo.com.br"):
    return client.post("/cadastro", data={
        "kind": "person", "display_name": "Ana Souza", "email": email,
        "password": "participação aberta e segura", "consent": "y",
    })


def test_sign_up_mails_a_confirmation_link_that_works_once(mail_app, smtp_server):  # noqa: F811
    client = mail_app.test_client()
    assert sign_up(client).status_code == 303
    [message] = smtp_server.to("ana@exemplo.com.br")
    assert message["Subject"] == "Confirme seu e-mail"
    assert "nao-responda@consulta.example" in message["From"]
    assert message.get_content_type() == "multipart/alternative"
    text, html = text_and_html(message)
    assert "Olá, Ana Souza." in text and "<p>Olá, Ana Souza.</p>" in html
    path = link_in(message, "/conta/email/confirmar/")
    assert client.get(path).status_code == 200  # a GET only shows the button
    assert load(mail_app, "ana@exemplo.com.br").email_verified_at is None
    assert client.post(path).status_code == 303
    assert load(mail_app, "ana@exemplo.com.br").verification_level is VerificationLevel.EMAIL
    again = client.post(path)
    assert again.status_code == 400 and "já foi usado" in again.get_data(as_text=True)


def test_forged_or_expired_links_are_refused(mail_app, smtp_server, make_app):  # noqa: F811
    client = mail_app.test_client()
    sign_up(client)
    path = link_in(smtp_server.to("ana@exemplo.com.br")[0], "/conta/email/confirmar/")
    forged = client.post(path[:-3] + "abc")
    assert forged.status_code == 400 and "inválido" in forged.get_data(as_text=True)
    from datetime import timedelta

    strict = make_app(EMAIL_VERIFY_MAX_AGE=timedelta(seconds=-1))
    expired = strict.test_client().post(path)
    assert expired.status_code == 400 and "expirou" in expired.get_data(as_text=True)


def test_resend_confirmation_is_rate_limited(make_app, smtp_server, create_user):  # noqa: F811
    app = make_app(RATELIMIT_ENABLED=True, **smtp_server.app_config())
    user = create_user()
    client = app.test_client()
    client.post("/entrar", data={"email": user.email, "password": PASSWORD})
    statuses = [client.post("/conta/email/reenviar").status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]
    assert len(smtp_server.to(user.email)) == 3


def test_password_reset_never_reveals_whether_an_address_exists(mail_app, smtp_server, create_user):  # noqa: F811
    user = create_user()
    client = mail_app.test_client()
    known = client.post("/senha/esqueci", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/senha/esqueci", data={"email": "ninguem@exemplo.com.br"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    # Same page, byte for byte, once the CSRF tokens (signed with a timestamp) are set aside.
    def without_tokens(response):
        return re.sub(r'name="csrf_token" value="[^"]+"', "", response.get_data(as_text=True))

    assert without_tokens(known) == without_tokens(unknown)
    assert len(smtp_server.messages) == 1 and smtp_server.to(user.email)


def test_password_reset_link_sets_a_new_password_once_and_ends_sessions(mail_app, smtp_server, create_user):  # noqa: F811
    user = create_user()
    signed_in = mail_app.test_client()
    signed_in.post("/entrar", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    client = mail_app.test_client()
    client.post("/senha/esqueci", data={"email": user.email})
    [message] = smtp_server.to(user.email)
    assert message["Subject"] == "Redefinição de senha"
    path = link_in(message, "/senha/redefinir/")
    assert client.get(path).status_code == 200
    weak = client.post(path, data={"password": "12345678"})
    assert weak.status_code == 422
    response = client.post(path, data={"password": "minha frase nova e longa"})
    assert response.status_code == 303
    assert signed_in.get("/conta").status_code == 302  # every session ended
    assert client.post("/entrar", data={"email": user.email, "password": PASSWORD}).status_code == 422
    assert client.post("/entrar", data={"email": user.email, "password": "minha frase nova e longa"}).status_code == 303
    notice = smtp_server.to(user.email)[-1]
    assert notice["Subject"] == "Sua senha foi alterada"
    assert "/senha/esqueci" in text_and_html(notice)[0]
    used = mail_app.test_client().get(path)
    assert used.status_code == 400 and "já foi usado" in used.get_data(as_text=True)


def test_password_change_sends_a_notice(mail_app, smtp_server, create_user):  # noqa: F811
    user = create_user()
    client = mail_app.test_client()
    client.post("/entrar", data={"email": user.email, "password": PASSWORD})
    client.post("/conta/senha", data={"current_password": PASSWORD, "password": "outra frase bem longa"})
    assert [m["Subject"] for m in smtp_server.to(user.email)] == ["Sua senha foi alterada"]


def test_email_change_is_confirmed_at_the_new_address(mail_app, smtp_server, create_user):  # noqa: F811
    user = create_user()
    client = mail_app.test_client()
    client.post("/entrar", data={"email": user.email, "password": PASSWORD})
    wrong = client.post("/conta/email", data={"email": "novo@exemplo.com.br", "password": "errada errada"})
    assert wrong.status_code == 422 and "Senha incorreta" in wrong.get_data(as_text=True)
    assert client.post("/conta/email", data={"email": "novo@exemplo.com.br", "password": PASSWORD}).status_code == 303
    assert load(mail_app, user.email).email == user.email  # unchanged until the link is followed
    [message] = smtp_server.to("novo@exemplo.com.br")
    path = link_in(message, "/conta/email/alterar/")
    assert client.post(path).status_code == 303
    changed = load(mail_app, "novo@exemplo.com.br")
    assert changed.id == user.id and changed.email_verified_at is not None
    [notice] = smtp_server.to(user.email)
    assert notice["Subject"] == "Seu e-mail foi alterado" and "novo@exemplo.com.br" in text_and_html(notice)[0]
    assert client.post(path).status_code == 400  # single use


def test_sign_up_with_a_taken_address_tells_only_its_owner(mail_app, smtp_server, create_user):  # noqa: F811
    owner = create_user(email="ana@exemplo.com.br")
    response = sign_up(mail_app.test_client())
    assert response.status_code == 303
    [message] = smtp_server.to(owner.email)
    assert message["Subject"] == "Tentativa de cadastro com seu e-mail"
    assert link_in(message, "/senha/esqueci")


def test_my_contributions_lists_state_and_official_answer(app, client, auth, create_user, create_consultation):
    from consulta.models import Article, Contribution, ResponseStatus, Visibility

    consultation = create_consultation()
    user = create_user()
    with app.app_context():
        article = db.session.scalar(select(Article).where(Article.consultation_id == consultation.id))
        db.session.add_all([
            Contribution(consultation_id=consultation.id, article_id=article.id, author_id=user.id,
                         body="Incluir acessibilidade.", response_status=ResponseStatus.PARTLY_ACCEPTED,
                         response_text="Incorporado ao art. 2º."),
            Contribution(consultation_id=consultation.id, article_id=article.id, author_id=user.id,
                         body="Outra ideia.", visibility=Visibility.HIDDEN),
        ])
        db.session.commit()
    auth.login(user)
    page = client.get("/conta/contribuicoes").get_data(as_text=True)
    assert "Incluir acessibilidade." in page and "Parcialmente acolhida" in page
    assert "Incorporado ao art. 2º." in page
    assert "Oculta pela moderação" in page and "Ainda sem resposta oficial" in page
