"""The trust journey of issue #11 in Chromium: a consultation that requires gov.br prata; a person signs in with
the local OpenID Provider at level prata, votes and contributes; the drafting team answers; the answer arrives
by mail at a real SMTP server; one click on the mail's List-Unsubscribe turns those mails off."""

import threading
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from consulta.extensions import db
from consulta.insights.responses import respond
from consulta.models import (
    Article,
    ArticleKind,
    Consultation,
    Contribution,
    NotificationPreference,
    Requirement,
    ResponseStatus,
    Role,
    User,
    Vote,
)
from consulta.notifications.sending import send_pending
from tests.browser.conftest import DESKTOP, TIMEOUT_MS, QuietRequestHandler
from tests.identity_fixtures import _provider_process, oidc_provider, smtp_server, text_and_html  # noqa: F401

ANSWER = "Acolhida: a recomendação passa a prever atendimento presencial."


@pytest.fixture
def served(make_app, oidc_provider, smtp_server):  # noqa: F811
    """An app wired to the local provider and the SMTP server, on a free local port; (app, base URL)."""
    app = make_app(**oidc_provider.app_config(), **smtp_server.app_config())
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_URL"] = base
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, base
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_a_govbr_prata_voter_gets_the_answer_by_mail_and_unsubscribes_in_one_click(
        browser, served, create_consultation, create_user, smtp_server):  # noqa: F811
    app, base = served
    consultation = create_consultation("open")
    analyst = create_user(Role.ANALYST)
    with app.app_context():
        row = db.session.scalar(select(Consultation).where(Consultation.slug == consultation.slug))
        row.requirement = Requirement.GOVBR_PRATA
        db.session.commit()
        article_id = db.session.scalar(select(Article.id).where(
            Article.consultation_id == row.id, Article.kind == ArticleKind.RECOMMENDATION).limit(1))
    article_path = f"/consultas/{consultation.slug}/artigos/{article_id}"

    context = browser.new_context(base_url=base, viewport=DESKTOP, locale="pt-BR")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"/entrar?next={article_path}")
        page.get_by_role("link", name="Entrar com gov.br").click()
        page.get_by_label("Nível").select_option("silver")
        page.get_by_role("button", name="Autorizar").click()
        page.get_by_label("Li a Política de Privacidade").check()
        page.get_by_role("button", name="Criar conta e entrar").click()
        expect(page).to_have_url(f"{base}{article_path}")
        expect(page.locator(".flashes")).to_contain_text("nível Prata")

        page.get_by_role("button", name="Concordo", exact=True).click()
        expect(page.locator("#votacao")).to_contain_text("Seu voto")
        page.get_by_text("Escrever uma contribuição").click()
        page.get_by_label("Sua contribuição").fill("Peço atendimento presencial para quem não usa a internet.")
        page.get_by_role("button", name="Publicar contribuição").click()
        expect(page.get_by_text("Peço atendimento presencial")).to_be_visible()
    finally:
        context.close()

    with app.app_context():
        voter = db.session.scalar(select(User).where(User.govbr_subject_hash.is_not(None)))
        assert voter.verification_level.code == "govbr_prata"
        assert db.session.scalar(select(Vote.value).where(Vote.user_id == voter.id)).value == "agree"
        contribution = db.session.scalar(select(Contribution).where(Contribution.author_id == voter.id))
        respond(db.session.get(User, analyst.id), contribution, ResponseStatus.ACCEPTED, ANSWER)
        db.session.commit()
        voter_id, voter_email = voter.id, voter.email
    with app.test_request_context("/", base_url=base):
        assert send_pending()["sent"] == 1  # the mail is queued; the test queue delivers it after the commit

    mails = smtp_server.to(voter_email)
    assert len(mails) == 1 and "respondeu" in mails[0]["Subject"]
    text, html = text_and_html(mails[0])
    assert ANSWER in text and ANSWER in html
    assert mails[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(mails[0]["List-Unsubscribe"]).strip().strip("<>")
    assert link.startswith(base + "/notificacoes/cancelar/")

    # The mail client's one-click POST (RFC 8058): no cookie, no CSRF token, just this body.
    other = browser.new_context(base_url=base)
    try:
        answer = other.request.post(urlsplit(link).path, data="List-Unsubscribe=One-Click",
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert answer.ok
    finally:
        other.close()
    with app.app_context():
        assert db.session.get(NotificationPreference, voter_id).response is False
