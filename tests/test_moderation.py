"""Moderation: the queue, hiding and restoring, blocking accounts, the audit log and who may do it."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select

from consulta.extensions import db
from consulta.models import (
    Article,
    AuditLog,
    Consultation,
    Contribution,
    ContributionKind,
    Report,
    Stance,
    User,
    Visibility,
)
from consulta.participation import services
from tests.conftest import PASSWORD, csrf_token_from

QUEUE = "/moderacao/"
LOG = "/moderacao/registro"


@pytest.fixture
def place(app, create_consultation):
    """An open consultation and its first article: (slug, article id)."""
    consultation = create_consultation("open")
    with app.app_context():
        article_id = db.session.scalar(
            select(Article.id).join(Consultation).where(Consultation.slug == consultation.slug)
            .order_by(Article.position).limit(1)
        )
    return consultation.slug, article_id


@pytest.fixture
def moderator(create_user):
    return create_user("moderator", email="moderadora@exemplo.com.br", name="Marta Moderadora")


@pytest.fixture
def mod_client(client, auth, moderator):
    auth.login(moderator)
    return client


def client_for(app, user):
    """A separate browser logged in as `user`."""
    browser = app.test_client()
    response = browser.post("/entrar", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303, "login failed"
    return browser


def contribute(app, author, article_id, body, stance=Stance.AGREE):
    """A contribution posted through the participation service; returns its id."""
    with app.app_context():
        contribution, _ = services.contribute(
            db.session.get(User, author.id), article=db.session.get(Article, article_id),
            kind=ContributionKind.COMMENT, stance=stance, body=body,
        )
        db.session.commit()
        return contribution.id


def report_over_http(app, create_user, contribution_id, times, reason="spam"):
    """`times` reports from as many accounts, through the public route."""
    for _ in range(times):
        browser = client_for(app, create_user())
        response = browser.post(f"/contribuicoes/{contribution_id}/denuncia", data={f"d{contribution_id}-reason": reason})
        assert response.status_code == 303


def contribution(app, contribution_id):
    with app.app_context():
        row = db.session.get(Contribution, contribution_id)
        db.session.expunge(row)
        return row


def stance_counts(app, article_id):
    with app.app_context():
        a = db.session.get(Article, article_id)
        return a.contributions_agree, a.contributions_partly, a.contributions_disagree, a.contributions_none


def audit(app, action):
    with app.app_context():
        return [(e.actor_id, e.action, e.object_type, e.object_id, e.reason)
                for e in db.session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id))]


def article_page(client, place):
    slug, article_id = place
    return client.get(f"/consultas/{slug}/artigos/{article_id}").get_data(as_text=True)


# -- the queue ------------------------------------------------------------------------------------------

def test_queue_lists_pending_and_reported_but_not_clean_contributions(app, mod_client, create_user, place):
    author = create_user(name="Autora Um")
    clean = contribute(app, author, place[1], "Texto limpo sem denúncia.")
    reported = contribute(app, author, place[1], "Texto com uma denúncia.")
    pending = contribute(app, author, place[1], "Texto com três denúncias.")
    report_over_http(app, create_user, reported, 1, reason="off_topic")
    report_over_http(app, create_user, pending, 3)
    assert contribution(app, pending).visibility is Visibility.PENDING

    response = mod_client.get(QUEUE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Texto com três denúncias." in page and "Texto com uma denúncia." in page
    assert "Texto limpo sem denúncia." not in page
    assert page.index("Texto com três denúncias.") < page.index("Texto com uma denúncia.")
    assert "Spam ou propaganda: <strong>3</strong>" in page and "Fora do tema: <strong>1</strong>" in page
    assert "Autora Um" in page
    assert f"moderacao-{clean}" not in page


def test_three_reports_hide_a_contribution_pending_review_and_it_comes_first(app, mod_client, create_user, place,
                                                                             monkeypatch):
    author = create_user()
    much_reported = contribute(app, author, place[1], "Visível com quatro denúncias.")
    monkeypatch.setitem(app.config, "REPORTS_TO_HIDE", 10)
    report_over_http(app, create_user, much_reported, 4)
    monkeypatch.setitem(app.config, "REPORTS_TO_HIDE", 3)
    target = contribute(app, author, place[1], "Esta vai ser ocultada automaticamente.")

    report_over_http(app, create_user, target, 2)
    assert contribution(app, target).visibility is Visibility.VISIBLE
    report_over_http(app, create_user, target, 1)

    assert contribution(app, target).visibility is Visibility.PENDING
    assert contribution(app, much_reported).visibility is Visibility.VISIBLE
    page = mod_client.get(QUEUE).get_data(as_text=True)
    assert page.index("Esta vai ser ocultada automaticamente.") < page.index("Visível com quatro denúncias.")
    assert "Aguardando análise" in page
    public = article_page(mod_client, place)
    assert "Esta vai ser ocultada automaticamente." not in public
    assert "aguardando análise da moderação" in public
    assert audit(app, "contribution.auto_hide")[0][:4] == (None, "contribution.auto_hide", "Contribution", target)


def test_queue_tabs_show_hidden_all_reported_and_blocked_accounts(app, mod_client, create_user, moderator, place):
    author = create_user(name="Autor Bloqueado")
    hidden = contribute(app, author, place[1], "Já ocultada pela moderação.")
    reported = contribute(app, author, place[1], "Denunciada uma vez.")
    report_over_http(app, create_user, reported, 1)
    mod_client.post(f"/moderacao/contribuicoes/{hidden}/ocultar", data={"reason": "Propaganda comercial"})
    mod_client.post(f"/moderacao/contas/{author.id}/bloquear", data={"reason": "Spam repetido"})

    pending = mod_client.get(QUEUE).get_data(as_text=True)
    assert "Denunciada uma vez." in pending and "Já ocultada pela moderação." not in pending
    hidden_tab = mod_client.get(QUEUE + "?aba=ocultadas").get_data(as_text=True)
    assert "Já ocultada pela moderação." in hidden_tab and "Denunciada uma vez." not in hidden_tab
    assert "Motivo da ocultação: Propaganda comercial" in hidden_tab
    reported_tab = mod_client.get(QUEUE + "?aba=denunciadas").get_data(as_text=True)
    assert "Denunciada uma vez." in reported_tab and "Já ocultada pela moderação." not in reported_tab
    blocked_tab = mod_client.get(QUEUE + "?aba=bloqueadas").get_data(as_text=True)
    assert "Autor Bloqueado" in blocked_tab and "Spam repetido" in blocked_tab
    assert "Desbloquear conta" in blocked_tab


def test_queue_escapes_contribution_text(app, mod_client, create_user, place):
    cid = contribute(app, create_user(), place[1], "<script>alert('x')</script> texto")
    report_over_http(app, create_user, cid, 1)
    page = mod_client.get(QUEUE).get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_queue_is_paginated_with_30_per_page(app, mod_client, create_user, place):
    author = create_user()
    reporter = create_user()
    with app.app_context():
        user = db.session.get(User, reporter.id)
        for n in range(31):
            c, _ = services.contribute(db.session.get(User, author.id), article=db.session.get(Article, place[1]),
                                       kind=ContributionKind.COMMENT, stance=Stance.NONE, body=f"Denunciada {n:02}.")
            services.report(user, c, services.ReportReason.SPAM)
        db.session.commit()
    first = mod_client.get(QUEUE).get_data(as_text=True)
    second = mod_client.get(QUEUE + "?pagina=2").get_data(as_text=True)
    assert first.count('id="moderacao-') == 30 and second.count('id="moderacao-') == 1
    assert "Página 1 de 2" in first and "Aguardando análise (31)" in first.replace(' <span class="count">', " ").replace("</span>", "")


def count_queries(app, client, url):
    """How many SQL statements a GET of `url` runs."""
    statements = []

    def count(*args):
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_queue_runs_a_constant_number_of_queries(app, mod_client, create_user, place):
    def add_reported(n):
        for i in range(n):
            cid = contribute(app, create_user(), place[1], f"Contribuição denunciada {i}.")
            report_over_http(app, create_user, cid, 1, reason="offensive" if i % 2 else "spam")

    add_reported(2)
    few = count_queries(app, mod_client, QUEUE + "?aba=denunciadas")
    add_reported(6)
    many = count_queries(app, mod_client, QUEUE + "?aba=denunciadas")
    assert few == many <= 10, (few, many)


def test_registro_runs_a_constant_number_of_queries(app, mod_client, create_user, create_consultation, place):
    def act(n):
        for i in range(n):
            user = create_user()
            cid = contribute(app, user, place[1], f"Texto {i}.")
            mod_client.post(f"/moderacao/contribuicoes/{cid}/ocultar", data={"reason": "Motivo"})
            mod_client.post(f"/moderacao/contas/{user.id}/bloquear", data={"reason": "Motivo"})
            create_consultation("open")

    act(1)
    few = count_queries(app, mod_client, LOG)
    act(4)
    many = count_queries(app, mod_client, LOG)
    assert few == many <= 10, (few, many)


# -- hiding and restoring -------------------------------------------------------------------------------

def test_hide_requires_a_reason_and_keeps_what_was_typed(app, mod_client, create_user, place):
    cid = contribute(app, create_user(), place[1], "Texto que continua visível.")
    response = mod_client.post(f"/moderacao/contribuicoes/{cid}/ocultar", data={"reason": "ab", "next": "/moderacao/"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Escreva o motivo com 3 a 500 caracteres." in page
    assert "\nab</textarea>" in page and 'aria-invalid="true"' in page and 'id="resumo-erros"' in page
    response = mod_client.post(f"/moderacao/contribuicoes/{cid}/ocultar", data={"reason": "   "})
    assert response.status_code == 422
    assert "Informe o motivo da ocultação." in response.get_data(as_text=True)
    response = mod_client.post(f"/moderacao/contribuicoes/{cid}/ocultar", data={"reason": "x" * 501})
    assert response.status_code == 422
    assert contribution(app, cid).visibility is Visibility.VISIBLE
    assert audit(app, "contribution.hide") == []


def test_invalid_hide_answers_htmx_with_200(app, mod_client, create_user, place):
    cid = contribute(app, create_user(), place[1], "Texto.")
    response = mod_client.post(f"/moderacao/contribuicoes/{cid}/ocultar", data={"reason": ""},
                               headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Informe o motivo da ocultação." in response.get_data(as_text=True)


def test_hidden_contribution_shows_the_reason_publicly_and_not_its_text(app, client, mod_client, create_user, place):
    cid = contribute(app, create_user(), place[1], "Compre agora o produto milagroso.")
    response = mod_client.post(f"/moderacao/contribuicoes/{cid}/ocultar",
                               data={"reason": "Propaganda comercial", "next": "/moderacao/?aba=denunciadas&pagina=2"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderacao/?aba=denunciadas&pagina=2"
    row = contribution(app, cid)
    assert (row.visibility, row.moderation_reason) == (Visibility.HIDDEN, "Propaganda comercial")
    mod_client.post("/sair")
    page = article_page(client, place)
    assert "Ocultada pela moderação" in page and "Propaganda comercial" in page
    assert "Compre agora o produto milagroso." not in page


@pytest.mark.parametrize("target", ["https://exemplo.org/phishing", "//exemplo.org/x", "javascript:alert(1)"])
def test_next_must_be_a_local_path(app, mod_client, create_user, place, target):
    cid = contribute(app, create_user(), place[1], "Texto.")
    response = mod_client.post(f"/moderacao/contribuicoes/{cid}/ocultar", data={"reason": "Fora do tema", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderacao/"


def test_restore_brings_the_text_back_and_counters_stay_right(app, mod_client, create_user, place):
    author = create_user()
    keep = contribute(app, author, place[1], "Outra contribuição que fica.", stance=Stance.AGREE)
    cid = contribute(app, author, place[1], "Texto que vai e volta.", stance=Stance.DISAGREE)
    assert stance_counts(app, place[1]) == (1, 0, 1, 0)

    mod_client.post(f"/moderacao/contribuicoes/{cid}/ocultar", data={"reason": "Linguagem ofensiva"})
    assert stance_counts(app, place[1]) == (1, 0, 0, 0)
    assert "Texto que vai e volta." not in article_page(mod_client, place)

    response = mod_client.post(f"/moderacao/contribuicoes/{cid}/restaurar", data={"note": "Revisto: não ofende."})
    assert response.status_code == 303 and response.headers["Location"] == "/moderacao/"
    assert stance_counts(app, place[1]) == (1, 0, 1, 0)
    row = contribution(app, cid)
    assert (row.visibility, row.moderation_reason) == (Visibility.VISIBLE, None)
    page = article_page(mod_client, place)
    assert "Texto que vai e volta." in page and "Outra contribuição que fica." in page
    assert contribution(app, keep).visibility is Visibility.VISIBLE


def test_pending_contribution_counters_after_hide_and_restore(app, mod_client, create_user, place):
    cid = contribute(app, create_user(), place[1], "Denunciada três vezes.", stance=Stance.AGREE)
    report_over_http(app, create_user, cid, 3)
    assert stance_counts(app, place[1]) == (0, 0, 0, 0)
    mod_client.post(f"/moderacao/contribuicoes/{cid}/ocultar", data={"reason": "Spam confirmado"})
    assert stance_counts(app, place[1]) == (0, 0, 0, 0)
    mod_client.post(f"/moderacao/contribuicoes/{cid}/restaurar", data={})
    assert stance_counts(app, place[1]) == (1, 0, 0, 0)
    with app.app_context():
        assert db.session.scalar(select(Report.id).where(Report.resolved_at.is_(None))) is None
    assert "Denunciada três vezes." not in mod_client.get(QUEUE).get_data(as_text=True)


def test_restoring_a_visible_contribution_is_refused_with_a_message(app, mod_client, create_user, place):
    cid = contribute(app, create_user(), place[1], "Sempre visível.")
    response = mod_client.post(f"/moderacao/contribuicoes/{cid}/restaurar", data={}, follow_redirects=True)
    assert "Só contribuições ocultadas podem ser restauradas." in response.get_data(as_text=True)
    assert audit(app, "contribution.restore") == []


def test_restore_note_is_limited(app, mod_client, create_user, place):
    cid = contribute(app, create_user(), place[1], "Texto.")
    mod_client.post(f"/moderacao/contribuicoes/{cid}/ocultar", data={"reason": "Motivo qualquer"})
    response = mod_client.post(f"/moderacao/contribuicoes/{cid}/restaurar", data={"note": "n" * 501})
    assert response.status_code == 422
    assert contribution(app, cid).visibility is Visibility.HIDDEN


def test_unknown_contribution_is_404(mod_client):
    assert mod_client.post("/moderacao/contribuicoes/999999/ocultar", data={"reason": "abc"}).status_code == 404


# -- blocking accounts ----------------------------------------------------------------------------------

def test_block_prevents_login_and_posting(app, mod_client, create_user, place):
    slug, article_id = place
    user = create_user(email="bloqueada@exemplo.com.br")
    browser = client_for(app, user)
    response = mod_client.post(f"/moderacao/contas/{user.id}/bloquear", data={"reason": "Ataques pessoais"})
    assert response.status_code == 303
    with app.app_context():
        blocked = db.session.get(User, user.id)
        assert blocked.blocked_at is not None and blocked.blocked_reason == "Ataques pessoais"

    response = browser.post(f"/consultas/{slug}/artigos/{article_id}/contribuicoes",
                            data={"kind": "comment", "stance": "agree", "body": "Tentando depois do bloqueio."})
    assert response.status_code == 302 and response.headers["Location"].startswith("/entrar")
    with app.app_context():
        assert db.session.scalar(select(Contribution.id)) is None
    response = app.test_client().post("/entrar", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 422 and "E-mail ou senha incorretos." in response.get_data(as_text=True)

    mod_client.post(f"/moderacao/contas/{user.id}/desbloquear", data={"note": "Recurso aceito"})
    client_for(app, user)  # logs in again


def test_block_requires_a_reason_and_keeps_what_was_typed(app, mod_client, create_user):
    user = create_user()
    response = mod_client.post(f"/moderacao/contas/{user.id}/bloquear", data={"reason": "xy"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "\nxy</textarea>" in page and "Escreva o motivo com 3 a 500 caracteres." in page
    with app.app_context():
        assert db.session.get(User, user.id).blocked_at is None


def test_moderator_cannot_block_an_admin(app, mod_client, create_user):
    admin = create_user("admin")
    response = mod_client.post(f"/moderacao/contas/{admin.id}/bloquear", data={"reason": "Tentativa indevida"},
                               follow_redirects=True)
    assert "Moderadores não podem bloquear contas de administradores." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin.id).blocked_at is None
    assert audit(app, "user.block") == []


def test_moderator_cannot_unblock_an_admin(app, mod_client, create_user):
    admin = create_user("admin", blocked=True)
    mod_client.post(f"/moderacao/contas/{admin.id}/desbloquear", data={})
    with app.app_context():
        assert db.session.get(User, admin.id).blocked_at is not None


def test_admin_blocks_anyone_but_themselves(app, client, auth, create_user, moderator):
    admin = create_user("admin")
    other_admin = create_user("admin")
    auth.login(admin)
    client.post(f"/moderacao/contas/{moderator.id}/bloquear", data={"reason": "Abuso de moderação"})
    client.post(f"/moderacao/contas/{other_admin.id}/bloquear", data={"reason": "Conta comprometida"})
    response = client.post(f"/moderacao/contas/{admin.id}/bloquear", data={"reason": "Eu mesmo"}, follow_redirects=True)
    assert "Você não pode bloquear a sua própria conta." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, moderator.id).blocked_at is not None
        assert db.session.get(User, other_admin.id).blocked_at is not None
        assert db.session.get(User, admin.id).blocked_at is None


def test_blocking_twice_logs_once(app, mod_client, create_user):
    user = create_user()
    mod_client.post(f"/moderacao/contas/{user.id}/bloquear", data={"reason": "Spam"})
    response = mod_client.post(f"/moderacao/contas/{user.id}/bloquear", data={"reason": "Spam de novo"},
                               follow_redirects=True)
    assert "já estava bloqueada" in response.get_data(as_text=True)
    assert len(audit(app, "user.block")) == 1


# -- audit log ------------------------------------------------------------------------------------------

def test_every_action_is_logged_and_shown_in_the_registro(app, mod_client, create_user, moderator, place):
    author = create_user(name="Pessoa Autora")
    cid = contribute(app, author, place[1], "Texto moderado.")
    mod_client.post(f"/moderacao/contribuicoes/{cid}/ocultar", data={"reason": "Motivo de ocultar"})
    mod_client.post(f"/moderacao/contribuicoes/{cid}/restaurar", data={"note": "Nota de restaurar"})
    mod_client.post(f"/moderacao/contas/{author.id}/bloquear", data={"reason": "Motivo de bloquear"})
    mod_client.post(f"/moderacao/contas/{author.id}/desbloquear", data={"note": "Nota de desbloquear"})

    assert audit(app, "contribution.hide") == [(moderator.id, "contribution.hide", "Contribution", cid, "Motivo de ocultar")]
    assert audit(app, "contribution.restore") == [
        (moderator.id, "contribution.restore", "Contribution", cid, "Nota de restaurar")]
    assert audit(app, "user.block") == [(moderator.id, "user.block", "User", author.id, "Motivo de bloquear")]
    assert audit(app, "user.unblock") == [(moderator.id, "user.unblock", "User", author.id, "Nota de desbloquear")]

    page = mod_client.get(LOG).get_data(as_text=True)
    for text in ("Ocultou a contribuição", "Restaurou a contribuição", "Bloqueou a conta", "Desbloqueou a conta",
                 "Motivo de ocultar", "Nota de restaurar", "Motivo de bloquear", "Nota de desbloquear",
                 "Marta Moderadora", "Conta: Pessoa Autora", f"Contribuição nº {cid}"):
        assert text in page, text
    assert page.index("Nota de desbloquear") < page.index("Motivo de ocultar")  # newest first

    accounts = mod_client.get(LOG + "?tipo=contas").get_data(as_text=True)
    assert "Motivo de bloquear" in accounts and "Motivo de ocultar" not in accounts
    contributions = mod_client.get(LOG + "?tipo=contribuicoes").get_data(as_text=True)
    assert "Motivo de ocultar" in contributions and "Motivo de bloquear" not in contributions


def test_registro_shows_system_actions_and_brasilia_time(app, mod_client, create_user, place):
    cid = contribute(app, create_user(), place[1], "Texto.")
    report_over_http(app, create_user, cid, 3)
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "contribution.auto_hide"))
        entry.created_at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
        db.session.commit()
    page = mod_client.get(LOG + "?tipo=contribuicoes").get_data(as_text=True)
    assert "Sistema" in page and "Ocultação automática após denúncias" in page and "3 denúncias" in page
    assert "01/03/2026 09:00" in page


def test_registro_lists_consultation_actions_under_their_filter(app, mod_client, create_consultation):
    create_consultation("open", title="Consulta registrada")
    page = mod_client.get(LOG + "?tipo=consultas").get_data(as_text=True)
    assert "Criou a consulta" in page and "Importou o texto da consulta" in page
    assert "Consulta: Consulta registrada" in page and "4 dispositivos" in page
    assert "Consulta registrada" not in mod_client.get(LOG + "?tipo=contas").get_data(as_text=True)


def test_registro_is_paginated_with_50_per_page(app, mod_client, create_user):
    user = create_user()
    with app.app_context():
        for n in range(51):
            db.session.add(AuditLog(action="user.block", object_type="User", object_id=user.id, reason=f"r{n}"))
        db.session.commit()
    first = mod_client.get(LOG).get_data(as_text=True)
    assert first.count("<tr>") == 51  # header row + 50
    assert "Página 1 de 2" in first
    assert mod_client.get(LOG + "?pagina=2").get_data(as_text=True).count("<tr>") == 2


# -- who may moderate -----------------------------------------------------------------------------------

GET_ROUTES = [QUEUE, QUEUE + "?aba=ocultadas", QUEUE + "?aba=denunciadas", QUEUE + "?aba=bloqueadas", LOG,
              LOG + "?tipo=contas"]
ROLE_STATUS = {"participant": 403, "facilitator": 403, "analyst": 403, "moderator": 200, "admin": 200}


@pytest.mark.parametrize("url", GET_ROUTES)
@pytest.mark.parametrize("role", ["anonymous", *ROLE_STATUS])
def test_only_moderators_and_admins_see_moderation_pages(client, auth, create_user, role, url):
    if role != "anonymous":
        auth.login(create_user(role))
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302 and response.headers["Location"].startswith("/entrar?next=")
    else:
        assert response.status_code == ROLE_STATUS[role]


@pytest.mark.parametrize("role", ["anonymous", "participant", "facilitator", "analyst"])
def test_only_moderators_and_admins_act(app, client, auth, create_user, place, role):
    author = create_user()
    cid = contribute(app, author, place[1], "Texto.")
    if role != "anonymous":
        auth.login(create_user(role))
    expected = 302 if role == "anonymous" else 403
    for url, data in ((f"/moderacao/contribuicoes/{cid}/ocultar", {"reason": "abc"}),
                      (f"/moderacao/contribuicoes/{cid}/restaurar", {}),
                      (f"/moderacao/contas/{author.id}/bloquear", {"reason": "abc"}),
                      (f"/moderacao/contas/{author.id}/desbloquear", {})):
        assert client.post(url, data=data).status_code == expected, url
    assert contribution(app, cid).visibility is Visibility.VISIBLE
    with app.app_context():
        assert db.session.get(User, author.id).blocked_at is None
        assert db.session.scalar(select(AuditLog.id).where(AuditLog.action.like("contribution.%"))) is None


def test_actions_are_post_only(app, mod_client, create_user, place):
    author = create_user()
    cid = contribute(app, author, place[1], "Texto.")
    for url in (f"/moderacao/contribuicoes/{cid}/ocultar", f"/moderacao/contribuicoes/{cid}/restaurar",
                f"/moderacao/contas/{author.id}/bloquear", f"/moderacao/contas/{author.id}/desbloquear"):
        assert mod_client.get(url).status_code == 405, url


def test_nav_links_to_moderation_only_for_moderators(client, auth, create_user):
    auth.login(create_user("participant", email="p@exemplo.com.br"))
    assert "Moderação" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(create_user("moderator", email="m@exemplo.com.br"))
    assert 'href="/moderacao/"' in client.get("/").get_data(as_text=True)


def test_actions_need_the_csrf_token_from_the_queue(make_app, create_user, place, app):
    strict = make_app(WTF_CSRF_ENABLED=True)
    browser = strict.test_client()
    cid = contribute(app, create_user(), place[1], "Texto denunciado.")
    report_over_http(app, create_user, cid, 1)
    moderator = create_user("moderator")
    browser.post("/entrar", data={"email": moderator.email, "password": PASSWORD,
                                  "csrf_token": csrf_token_from(browser.get("/entrar").get_data(as_text=True))})
    response = browser.post(f"/moderacao/contribuicoes/{cid}/ocultar", data={"reason": "Sem token"})
    assert response.status_code == 400
    assert contribution(app, cid).visibility is Visibility.VISIBLE
    token = csrf_token_from(browser.get(QUEUE).get_data(as_text=True))
    response = browser.post(f"/moderacao/contribuicoes/{cid}/ocultar",
                            data={"reason": "Com token", "csrf_token": token, "next": "/moderacao/"})
    assert response.status_code == 303
    assert contribution(app, cid).visibility is Visibility.HIDDEN
