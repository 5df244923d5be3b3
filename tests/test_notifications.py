"""Notifications through a real SMTP server (aiosmtpd on 127.0.0.1): headers, both parts, links that work."""

import email
import socket
from datetime import UTC, datetime, timedelta
from email import policy
from urllib.parse import urlsplit

import pytest
import time_machine
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from consulta.extensions import db
from consulta.insights.responses import respond
from consulta.models import (
    Article,
    Consultation,
    ContributionKind,
    Follow,
    Notification,
    NotificationPreference,
    ResponseStatus,
    Role,
    Stance,
    User,
)
from consulta.notifications.follows import set_follow
from consulta.notifications.sending import send_pending
from consulta.participation import services
from tests.conftest import csrf_token_from

PUBLIC_URL = "https://consulta.test"


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    """A real SMTP server on a free port of 127.0.0.1, for the length of one test."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


@pytest.fixture
def mail_app(make_app, smtp):
    return make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, PUBLIC_URL=PUBLIC_URL,
                    MAIL_DEFAULT_SENDER="Consulta <avisos@consulta.test>")


def run_sender(app, now=None):
    with app.test_request_context("/", base_url=app.config["PUBLIC_URL"]):
        return send_pending(now)


def parts(message):
    """(plain text, html) of a multipart/alternative message."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def unsubscribe_path(message) -> str:
    link = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert link.startswith(PUBLIC_URL + "/notificacoes/cancelar/")
    return urlsplit(link).path


def first_article(app, consultation):
    with app.app_context():
        return db.session.scalars(select(Article.id).where(Article.consultation_id == consultation.id,
                                                          Article.accepts_contributions)).first()


def contribute_and_reply(app, consultation, author, replier, body="Concordo e acrescento um ponto."):
    with app.app_context():
        article = db.session.get(Article, first_article(app, consultation))
        mine, _ = services.contribute(db.session.get(User, author.id), article=article,
                                      kind=ContributionKind.COMMENT, stance=Stance.AGREE, body="Minha contribuição.")
        services.reply(db.session.get(User, replier.id), mine, body)
        db.session.commit()
        return mine.id


def test_a_reply_reaches_the_author_with_both_parts_and_one_click_unsubscribe_works(
        mail_app, smtp, create_user, create_consultation):
    author, replier = create_user(name="Ana Autora"), create_user()
    consultation = create_consultation("open")
    contribution_id = contribute_and_reply(mail_app, consultation, author, replier)
    counts = run_sender(mail_app)
    assert counts["sent"] == 1 and len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["From"] == "Consulta <avisos@consulta.test>"
    assert message["To"] == author.email
    assert "Nova resposta" in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(message)
    assert "Olá, Ana Autora" in text and "Concordo e acrescento um ponto." in text
    assert "<blockquote" in html and "Concordo e acrescento um ponto." in html

    client = mail_app.test_client()
    link = next(word for word in text.split() if word.startswith(PUBLIC_URL + "/contribuicoes/"))
    followed = client.get(urlsplit(link).path, follow_redirects=True)
    assert followed.status_code == 200 and "Minha contribuição." in followed.get_data(as_text=True)

    path = unsubscribe_path(message)
    confirm = client.get(path)
    assert confirm.status_code == 200 and "Sim, cancelar" in confirm.get_data(as_text=True)
    # RFC 8058: the mail client POSTs this body, with no cookie and no CSRF token (CSRF is on in this app).
    mail_app.config["WTF_CSRF_ENABLED"] = True
    one_click = mail_app.test_client().post(path, data="List-Unsubscribe=One-Click",
                                            content_type="application/x-www-form-urlencoded")
    assert one_click.status_code == 200 and "não vai mais receber" in one_click.get_data(as_text=True)
    with mail_app.app_context():
        prefs = db.session.get(NotificationPreference, author.id)
        assert prefs.reply is False and prefs.response is True

    contribute_and_reply(mail_app, consultation, author, replier, body="Outra resposta.")
    assert run_sender(mail_app)["skipped"] == 1
    assert len(smtp.messages) == 1
    assert contribution_id


def test_a_forged_unsubscribe_token_changes_nothing(mail_app, create_user):
    user = create_user()
    response = mail_app.test_client().post("/notificacoes/cancelar/forjado.abc", data="List-Unsubscribe=One-Click",
                                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 404
    with mail_app.app_context():
        assert db.session.get(NotificationPreference, user.id) is None


def test_the_official_answer_reaches_the_author(mail_app, smtp, create_user, create_consultation):
    author, analyst = create_user(), create_user(Role.ANALYST)
    consultation = create_consultation("open")
    with mail_app.app_context():
        article = db.session.get(Article, first_article(mail_app, consultation))
        mine, _ = services.contribute(db.session.get(User, author.id), article=article,
                                      kind=ContributionKind.COMMENT, stance=Stance.NONE, body="Sugiro mudar.")
        respond(db.session.get(User, analyst.id), mine, ResponseStatus.ACCEPTED, "Incorporada ao texto.")
        db.session.commit()
    run_sender(mail_app)
    assert len(smtp.messages) == 1
    text, html = parts(smtp.messages[0])
    assert "resposta oficial" in text and "Incorporada ao texto." in html
    assert "A equipe respondeu" in smtp.messages[0]["Subject"]


def test_followers_hear_of_opening_three_days_before_the_close_and_the_close_once_each(
        mail_app, smtp, create_user, create_consultation):
    follower = create_user()
    opens = datetime(2027, 3, 1, 12, tzinfo=UTC)
    closes = datetime(2027, 3, 16, 2, 59, tzinfo=UTC)
    consultation = create_consultation("open")
    with mail_app.app_context(), time_machine.travel(opens - timedelta(days=1), tick=False):
        c = db.session.get(Consultation, consultation.id)
        c.opens_at, c.closes_at, c.opened_at = opens, closes, None
        set_follow(db.session.get(User, follower.id), "consultation", c.id, c, True)
        db.session.commit()
    subjects = []
    for moment in (opens + timedelta(hours=1), opens + timedelta(hours=2), closes - timedelta(days=2),
                   closes + timedelta(hours=1), closes + timedelta(hours=2)):
        with time_machine.travel(moment, tick=False):
            run_sender(mail_app)
        subjects.append([m["Subject"] for m in smtp.messages])
    assert len(smtp.messages) == 3
    assert "está aberta" in smtp.messages[0]["Subject"]
    assert "encerra em breve" in smtp.messages[1]["Subject"]
    assert "foi encerrada" in smtp.messages[2]["Subject"]
    assert "Encerra em 2 dias — até 15/03/2027, 23:59, horário de Brasília" in parts(smtp.messages[1])[0]


def test_a_daily_digest_gathers_the_events_into_one_mail_a_day(mail_app, smtp, create_user, create_consultation):
    author, replier = create_user(), create_user()
    consultation = create_consultation("open")
    with mail_app.app_context():
        db.session.add(NotificationPreference(user_id=author.id, digest=True, opening=True, closing_soon=True,
                                              closed=True, reply=True, response=True))
        db.session.commit()
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False):
        contribute_and_reply(mail_app, consultation, author, replier, body="Primeira.")
        contribute_and_reply(mail_app, consultation, author, replier, body="Segunda.")
        run_sender(mail_app)
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        contribute_and_reply(mail_app, consultation, author, replier, body="Terceira.")
        run_sender(mail_app)
    assert len(smtp.messages) == 1
    text, _ = parts(smtp.messages[0])
    assert "Primeira." in text and "Segunda." in text and "Resumo do dia: 2" in smtp.messages[0]["Subject"]
    assert unsubscribe_path(smtp.messages[0]).startswith("/notificacoes/cancelar/")
    with time_machine.travel(start + timedelta(days=1, hours=1), tick=False):
        run_sender(mail_app)
    assert len(smtp.messages) == 2 and "Terceira." in parts(smtp.messages[1])[0]
    with mail_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.sent_at.is_(None))) == 0


def test_follow_button_works_with_and_without_htmx(app, client, auth, create_user, create_consultation):
    user = create_user()
    consultation = create_consultation("open")
    auth.login(user)
    page = client.get(f"/consultas/{consultation.slug}").get_data(as_text=True)
    assert "Seguir esta consulta" in page
    response = client.post(f"/seguir/consultation/{consultation.id}", data={"seguir": "1"})
    assert response.status_code == 303
    assert "Deixar de seguir" in client.get(f"/consultas/{consultation.slug}").get_data(as_text=True)
    article_id = first_article(app, consultation)
    partial = client.post(f"/seguir/article/{article_id}", data={"seguir": "1"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    body = partial.get_data(as_text=True)
    assert "<html" not in body and "Deixar de seguir este artigo" in body
    assert client.post("/seguir/article/999999", data={"seguir": "1"}).status_code == 404


def test_preferences_page_saves_each_kind_and_the_digest(app, client, auth, create_user):
    user = create_user()
    auth.login(user)
    page = client.get("/notificacoes/preferencias")
    assert page.status_code == 200 and "Um resumo por dia" in page.get_data(as_text=True)
    response = client.post("/notificacoes/preferencias", data={"reply": "y", "response": "y", "delivery": "digest"})
    assert response.status_code == 303
    with app.app_context():
        prefs = db.session.get(NotificationPreference, user.id)
        assert (prefs.reply, prefs.response, prefs.opening, prefs.closed, prefs.digest) == (
            True, True, False, False, True)


def test_follow_needs_the_csrf_token(make_app, create_user, create_consultation):
    app = make_app(WTF_CSRF_ENABLED=True)
    user = create_user()
    consultation = create_consultation("open")
    client = app.test_client()
    login_page = client.get("/entrar").get_data(as_text=True)
    client.post("/entrar", data={"email": user.email, "password": "uma senha longa de teste",
                                 "csrf_token": csrf_token_from(login_page)})
    assert client.post(f"/seguir/consultation/{consultation.id}", data={"seguir": "1"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Follow)) == 0


def test_send_notifications_command_sends_pending_mails_once(mail_app, smtp, create_user, create_consultation):
    author, replier = create_user(), create_user()
    contribute_and_reply(mail_app, create_consultation("open"), author, replier)
    runner = mail_app.test_cli_runner()
    first = runner.invoke(args=["consulta", "send-notifications"])
    assert first.exit_code == 0 and "1 e-mails enviados" in first.output
    again = runner.invoke(args=["consulta", "send-notifications"])
    assert "0 e-mails enviados" in again.output
    assert len(smtp.messages) == 1
    assert unsubscribe_path(smtp.messages[0]).startswith("/notificacoes/cancelar/")
