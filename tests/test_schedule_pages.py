"""The consultation page says when it closes and who runs it; admin sets the schedule, documents, extension."""

import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select

from consulta.extensions import db
from consulta.models import (
    Article,
    AuditLog,
    Consultation,
    GovbrLevel,
    Requirement,
    User,
    VerificationLevel,
    Vote,
    VoteValue,
    utcnow,
)
from consulta.participation import services
from consulta.results.verification import LevelVotes

CLOSES = datetime(2027, 3, 16, 2, 59, tzinfo=UTC)  # 15/03/2027, 23:59 in Brasília


def admin_login(client, create_user):
    client.post("/entrar", data={"email": create_user("admin").email, "password": "uma senha longa de teste"})


def test_consultation_page_says_when_it_closes_who_runs_it_and_how_to_take_part(app, client, create_consultation):
    consultation = create_consultation("open")
    with app.app_context():
        c = db.session.get(Consultation, consultation.id)
        c.closes_at, c.organ, c.contact = CLOSES, "Secretaria de Governo Digital", "consulta@gestao.gov.br"
        c.requirement = Requirement.GOVBR_PRATA
        db.session.commit()
    with time_machine.travel(CLOSES - timedelta(days=12, hours=2), tick=False):
        page = client.get(f"/consultas/{consultation.slug}").get_data(as_text=True)
    assert "Encerra em 12 dias — até 15/03/2027, 23:59, horário de Brasília" in page
    assert "Secretaria de Governo Digital" in page and 'href="mailto:consulta@gestao.gov.br"' in page
    assert "Como participar" in page and "Conta gov.br prata ou ouro" in page


def test_admin_sets_dates_in_the_chosen_time_zone_and_the_change_is_audited(app, client, create_user,
                                                                            create_consultation):
    consultation = create_consultation("draft")
    admin_login(client, create_user)
    response = client.post(f"/admin/consultas/{consultation.slug}", data={
        "title": "Consulta", "slug": consultation.slug, "opens_at": "2027-03-01T09:00",
        "closes_at": "2027-03-15T23:59", "time_zone": "America/Manaus", "organ": "Ministério X",
        "contact": "fale@x.gov.br", "requirement": "email"})
    assert response.status_code == 303
    with app.app_context():
        c = db.session.get(Consultation, consultation.id)
        assert c.closes_at == datetime(2027, 3, 16, 3, 59, tzinfo=UTC)  # Manaus is UTC-4
        assert (c.time_zone, c.organ, c.requirement) == ("America/Manaus", "Ministério X", Requirement.EMAIL)
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "consultation.update")).one()
        assert entry.details["changes"]["requirement"] == {"from": "any", "to": "email"}


def test_publish_and_close_ask_for_confirmation_on_a_page_of_their_own(app, client, create_user,
                                                                         create_consultation):
    consultation = create_consultation("draft")
    admin_login(client, create_user)
    confirm = client.get(f"/admin/consultas/{consultation.slug}/abrir")
    assert confirm.status_code == 200 and "Sim, publicar" in confirm.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Consultation, consultation.id).status.value == "draft"  # a GET changes nothing
    assert client.post(f"/admin/consultas/{consultation.slug}/abrir").status_code == 303
    confirm = client.get(f"/admin/consultas/{consultation.slug}/encerrar")
    assert "Sim, encerrar agora" in confirm.get_data(as_text=True)


def test_extending_the_deadline_reopens_a_clock_closed_consultation_with_a_public_note(app, client, create_user,
                                                                                          create_consultation):
    consultation = create_consultation("open")
    with app.app_context():
        db.session.get(Consultation, consultation.id).closes_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    admin_login(client, create_user)
    later = (datetime.now(UTC) + timedelta(days=10)).astimezone(ZoneInfo("America/Sao_Paulo")).strftime(
        "%Y-%m-%dT23:59")
    refused = client.post(f"/admin/consultas/{consultation.slug}/prorrogar", data={"closes_at": later, "reason": ""})
    assert refused.status_code == 422
    response = client.post(f"/admin/consultas/{consultation.slug}/prorrogar",
                           data={"closes_at": later, "reason": "Pedido de entidades da sociedade civil."})
    assert response.status_code == 303
    page = client.get(f"/consultas/{consultation.slug}").get_data(as_text=True)
    day = later[8:10] + "/" + later[5:7] + "/" + later[:4]
    assert f"Prazo prorrogado até {day}, 23:59 (horário de Brasília)." in page
    with app.app_context():
        assert db.session.get(Consultation, consultation.id).is_open
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "consultation.extend")).one()
        assert entry.reason == "Pedido de entidades da sociedade civil."


def test_attachments_take_only_pdfs_under_the_cap_or_https_links(app, client, create_user, create_consultation):
    consultation = create_consultation("open")
    admin_login(client, create_user)
    url = f"/admin/consultas/{consultation.slug}/anexos"
    fake = client.post(url, data={"title": "Minuta", "file": (io.BytesIO(b"<script>x</script>"), "minuta.pdf")},
                       content_type="multipart/form-data")
    assert fake.status_code == 422 and "Envie um arquivo PDF." in fake.get_data(as_text=True)
    app.config["ATTACHMENT_MAX_BYTES"] = 1024
    big = client.post(url, data={"title": "Minuta", "file": (io.BytesIO(b"%PDF-1.7\n" + b"0" * 2000), "m.pdf")},
                      content_type="multipart/form-data")
    assert big.status_code == 422
    app.config["ATTACHMENT_MAX_BYTES"] = 5 * 1024 * 1024
    pdf = b"%PDF-1.7\n%minuta\n"
    assert client.post(url, data={"title": "Minuta em PDF", "file": (io.BytesIO(pdf), "minuta final.pdf")},
                       content_type="multipart/form-data").status_code == 303
    assert client.post(url, data={"title": "Nota técnica", "url": "javascript:alert(1)"}).status_code == 422
    assert client.post(url, data={"title": "Nota técnica", "url": "https://www.gov.br/nota.pdf"}).status_code == 303
    admin_page = client.get(f"/admin/consultas/{consultation.slug}").get_data(as_text=True)
    title = admin_page.split("<title>")[1].split("</title>")[0]
    assert "<" not in title and "Minuta em PDF" in admin_page.split("</title>")[1]
    page = client.get(f"/consultas/{consultation.slug}").get_data(as_text=True)
    assert "Minuta em PDF" in page and 'href="https://www.gov.br/nota.pdf" rel="nofollow noopener"' in page
    link = page.split('href="/consultas/' + consultation.slug + '/documentos/')[1].split('"')[0]
    download = client.get(f"/consultas/{consultation.slug}/documentos/{link}")
    assert download.data == pdf and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == 'attachment; filename="minutafinal.pdf"'


def test_results_and_open_data_report_votes_by_verification_level_with_small_cells_suppressed(
        app, client, create_user, create_consultation):
    consultation = create_consultation("open")
    voters = [create_user() for _ in range(7)]
    with app.app_context():
        article = db.session.scalars(select(Article).where(Article.consultation_id == consultation.id,
                                                           Article.accepts_votes)).first()
        for n, voter in enumerate(voters):
            user = db.session.get(User, voter.id)
            if n < 5:
                user.govbr_level = GovbrLevel.PRATA
            elif n == 5:
                user.email_verified_at = utcnow()
            services.cast_vote(user, article, VoteValue.AGREE if n < 4 else VoteValue.DISAGREE)
        db.session.commit()
        assert db.session.query(Vote).count() == 7
    page = client.get(f"/consultas/{consultation.slug}/resultados").get_data(as_text=True)
    table = page.split('id="tabela-verificacao"')[1].split("</table>")[0]
    assert "gov.br prata</th><td>&lt;5</td><td>&lt;5</td><td>0</td><td>5</td><td>—</td>" in re.sub(r">\s+<", "><", table)
    data = client.get(f"/consultas/{consultation.slug}/dados/votos-por-verificacao.csv").get_data(as_text=True)
    assert "govbr_prata,gov.br prata,<5,<5,0,5" in data
    assert "none,E-mail não confirmado,0,<5,0,<5" in data


def test_withdrawing_a_contribution_asks_for_confirmation_first(app, client, auth, create_user,
                                                                create_consultation):
    author = create_user()
    consultation = create_consultation("open")
    with app.app_context():
        article = db.session.scalars(select(Article).where(Article.consultation_id == consultation.id,
                                                           Article.accepts_contributions)).first()
        mine, _ = services.contribute(db.session.get(User, author.id), article=article,
                                      kind=services.ContributionKind.COMMENT, stance=services.Stance.NONE,
                                      body="Texto que vou retirar.")
        db.session.commit()
        cid = mine.id
    auth.login(author)
    confirm = client.get(f"/contribuicoes/{cid}/retirar")
    assert confirm.status_code == 200 and "Sim, retirar" in confirm.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(services.Contribution, cid).visibility.value == "visible"
    assert client.post(f"/contribuicoes/{cid}/retirar").status_code == 303
    with app.app_context():
        assert db.session.get(services.Contribution, cid).visibility.value == "withdrawn"


def test_agreement_by_level_is_shown_only_when_no_count_is_suppressed():
    big = LevelVotes(VerificationLevel.EMAIL, {VoteValue.AGREE: 10, VoteValue.DISAGREE: 5, VoteValue.ABSTAIN: 0})
    small = LevelVotes(VerificationLevel.EMAIL, {VoteValue.AGREE: 10, VoteValue.DISAGREE: 2, VoteValue.ABSTAIN: 0})
    assert round(big.agreement, 1) == 66.7
    assert small.agreement is None and str(small.shown["disagree"]) == "<5"


def test_a_refused_htmx_contribution_keeps_the_typed_text_and_says_why(app, client, auth, create_user,
                                                                       create_consultation):
    consultation = create_consultation("closed")
    auth.login(create_user())
    with app.app_context():
        article_id = db.session.scalars(select(Article.id).where(Article.consultation_id == consultation.id,
                                                                 Article.accepts_contributions)).first()
    response = client.post(f"/consultas/{consultation.slug}/artigos/{article_id}/contribuicoes",
                           data={"kind": "comment", "stance": "none", "body": "Texto que digitei com cuidado."},
                           headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "foi encerrada" in body and "Texto que digitei com cuidado." in body
