"""Text versions: the drafting team's new version, the public quadro comparativo and relatório de devolutiva."""

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from consulta.extensions import db
from consulta.models import (
    Article,
    Change,
    Channel,
    Consultation,
    Contribution,
    ContributionKind,
    ResponseStatus,
    Stance,
    TextVersion,
    VersionArticle,
)
from consulta.participation import services as participation

NEW_TEXT = "Fica instituída a Estratégia de teste, com participação da sociedade civil."
REASON = "Acolhemos as contribuições que pediram participação social expressa."


@pytest.fixture
def place(app, create_consultation, create_user):
    """A closed consultation with two answered contributions on Art. 1º and one on another article."""
    consultation = create_consultation("closed")
    author, other = create_user(), create_user()
    with app.app_context():
        c = db.session.scalar(select(Consultation).where(Consultation.slug == consultation.slug))
        articles = db.session.scalars(select(Article).where(Article.consultation_id == c.id)
                                      .order_by(Article.position)).all()
        made = []
        for user, article, text in ((author, articles[0], "Incluam a sociedade civil."),
                                    (other, articles[0], "Falta participação social."),
                                    (other, articles[1], "Sobre os princípios.")):
            item = Contribution(consultation_id=c.id, article_id=article.id, author_id=user.id,
                                kind=ContributionKind.COMMENT, stance=Stance.PARTLY, body=text, channel=Channel.ONLINE)
            db.session.add(item)
            made.append(item)
        db.session.flush()
        made[0].response_status, made[0].response_text = ResponseStatus.ACCEPTED, "Acolhida na nova redação."
        made[1].response_status, made[1].response_text = ResponseStatus.PARTLY_ACCEPTED, "Acolhida em parte."
        made[2].response_status, made[2].response_text = ResponseStatus.NOT_ACCEPTED, "Fora do escopo do artigo."
        participation.recount(c)
        db.session.commit()
        return {"slug": c.slug, "articles": [a.id for a in articles], "contributions": [m.id for m in made],
                "author": author}


@pytest.fixture
def analyst_client(client, auth, create_user):
    auth.login(create_user("analyst"))
    return client


def entry_for(app, version_id, article_id):
    with app.app_context():
        return db.session.scalar(select(VersionArticle.id).where(VersionArticle.version_id == version_id,
                                                                 VersionArticle.article_id == article_id))


def start_version(app, client, slug) -> int:
    response = client.post(f"/analise/consultas/{slug}/versoes", data={"title": "Texto final", "note": ""})
    assert response.status_code == 303
    with app.app_context():
        return db.session.scalar(select(TextVersion.id).order_by(TextVersion.id.desc()))


def test_the_drafting_teams_path_to_a_public_quadro_comparativo(app, analyst_client, client, place):
    slug, (art1, _art2, *_), (c1, c2, c3) = place["slug"], place["articles"], place["contributions"]
    assert client.get(f"/consultas/{slug}/comparativo").status_code == 404  # nothing published yet
    version_id = start_version(app, analyst_client, slug)
    entry = entry_for(app, version_id, art1)
    response = analyst_client.post(f"/analise/versoes/{version_id}/dispositivos/{entry}",
                                   data={"body": NEW_TEXT, "justification": REASON, "citar": [str(c1), str(c2)],
                                         "other_ids": str(c3)})
    assert response.status_code == 303
    page = analyst_client.get(f"/analise/versoes/{version_id}/publicar")
    assert page.status_code == 200 and "1 dispositivo muda" in page.get_data(as_text=True)
    assert analyst_client.post(f"/analise/versoes/{version_id}/publicar").status_code == 303

    quadro = client.get(f"/consultas/{slug}/comparativo").get_data(as_text=True)
    assert "Alterado" in quadro and REASON in quadro
    assert "</span>, com participação da sociedade civil<span" in quadro.split("class=\"diff\">")[1].split("</div>")[0]
    assert f"/contribuicoes/{c1}" in quadro and f"/contribuicoes/{c3}" in quadro
    article_page = client.get(f"/consultas/{slug}/artigos/{art1}").get_data(as_text=True)
    assert f"/consultas/{slug}/artigos/{art1}/alteracoes" in article_page
    changes = client.get(f"/consultas/{slug}/artigos/{art1}/alteracoes").get_data(as_text=True)
    assert REASON in changes and "<ins>" in changes
    consultation_page = client.get(f"/consultas/{slug}").get_data(as_text=True)
    assert f"/consultas/{slug}/comparativo" in consultation_page and f"/consultas/{slug}/devolutiva" in consultation_page

    data = json.loads(client.get(f"/consultas/{slug}/dados/comparativo.json").get_data())
    changed = [d for d in data["dispositivos"] if d["situacao"] != "unchanged"]
    assert changed == [{"rotulo": "Art. 1º", "artigo_id": art1, "situacao": "modified",
                        "texto_consultado": "Fica instituída a Estratégia de teste.", "texto_novo": NEW_TEXT,
                        "justificativa": REASON, "contribuicoes": [c1, c2, c3]}]
    sheet = load_workbook(io.BytesIO(client.get(f"/consultas/{slug}/comparativo.xlsx").get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Dispositivo" and rows[1][:4] == ("Art. 1º", "Alterado",
                                                           "Fica instituída a Estratégia de teste.", NEW_TEXT)
    with app.app_context():
        in_document_order = list(db.session.scalars(select(Article.label).join(Consultation).where(
            Consultation.slug == slug).order_by(Article.position)))
    assert [r[0] for r in rows[1:]] == in_document_order


def test_the_devolutiva_report_counts_answers_and_links_the_changes(app, analyst_client, client, place):
    slug, art1 = place["slug"], place["articles"][0]
    c1 = place["contributions"][0]
    version_id = start_version(app, analyst_client, slug)
    analyst_client.post(f"/analise/versoes/{version_id}/dispositivos/{entry_for(app, version_id, art1)}",
                        data={"body": NEW_TEXT, "justification": REASON, "citar": [str(c1)]})
    analyst_client.post(f"/analise/versoes/{version_id}/publicar")
    page = client.get(f"/consultas/{slug}/devolutiva").get_data(as_text=True)
    assert "Acolhida na nova redação." in page and "Fora do escopo do artigo." in page
    assert "Ver a alteração em Art. 1º" in page
    online = page.split("<th scope=\"row\">Online</th>")[1].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in online.split("<td>")[1:]] == ["1", "1", "1", "0", "0", "3"]
    book = load_workbook(io.BytesIO(client.get(f"/consultas/{slug}/devolutiva.xlsx").get_data()))
    assert book.sheetnames == ["Por dispositivo", "Por canal", "Respostas", "Quadro comparativo"]
    answers = list(book["Respostas"].iter_rows(values_only=True))
    assert len(answers) == 4 and answers[1][-1] == "Art. 1º"
    assert {a[2] for a in answers[1:]} <= {"Online", "Oficinas", "Documentos"}  # channels in Portuguese
    assert place["author"].display_name not in page  # persons appear by a pseudonym


def test_a_change_needs_a_justification_and_keeps_what_was_typed(app, analyst_client, place):
    slug, art1 = place["slug"], place["articles"][0]
    version_id = start_version(app, analyst_client, slug)
    url = f"/analise/versoes/{version_id}/dispositivos/{entry_for(app, version_id, art1)}"
    response = analyst_client.post(url, data={"body": NEW_TEXT, "justification": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Justifique a alteração" in page and NEW_TEXT in page
    with app.app_context():
        assert db.session.get(VersionArticle, entry_for(app, version_id, art1)).change is Change.UNCHANGED


def test_citations_must_belong_to_the_consultation(app, analyst_client, place, create_consultation, create_user):
    other = create_consultation("open")
    someone = create_user()
    with app.app_context():
        c = db.session.scalar(select(Consultation).where(Consultation.slug == other.slug))
        article = db.session.scalar(select(Article).where(Article.consultation_id == c.id))
        foreign = Contribution(consultation_id=c.id, article_id=article.id, author_id=someone.id,
                               kind=ContributionKind.COMMENT, stance=Stance.NONE, body="Outra consulta.")
        db.session.add(foreign)
        db.session.commit()
        foreign_id = foreign.id
    version_id = start_version(app, analyst_client, place["slug"])
    url = f"/analise/versoes/{version_id}/dispositivos/{entry_for(app, version_id, place['articles'][0])}"
    response = analyst_client.post(url, data={"body": NEW_TEXT, "justification": REASON,
                                              "other_ids": f"{foreign_id}"})
    assert response.status_code == 422 and f"#{foreign_id}" in response.get_data(as_text=True)


def test_suppress_include_publish_once_and_start_from_the_published_text(app, analyst_client, client, place):
    slug, (art1, art2, *_) = place["slug"], place["articles"]
    version_id = start_version(app, analyst_client, slug)
    assert analyst_client.post(f"/analise/versoes/{version_id}/publicar").status_code == 422  # nothing changed
    assert analyst_client.post(f"/analise/consultas/{slug}/versoes", data={"title": "Outra"}).status_code == 422
    second = entry_for(app, version_id, art2)
    analyst_client.post(f"/analise/versoes/{version_id}/dispositivos/{second}",
                        data={"acao": "suprimir", "justification": "Tema já tratado no artigo primeiro."})
    response = analyst_client.post(f"/analise/versoes/{version_id}/incluir?depois={second}",
                                   data={"label": "Art. 2º-A", "body": "Novo dispositivo incluído.",
                                         "justification": "Proposta recebida nas oficinas."})
    assert response.status_code == 303
    analyst_client.post(f"/analise/versoes/{version_id}/publicar")
    with app.app_context():
        entries = db.session.scalars(select(VersionArticle).where(VersionArticle.version_id == version_id)
                                     .order_by(VersionArticle.position)).all()
        assert [(e.label, e.change) for e in entries][:4] == [
            ("Art. 1º", Change.UNCHANGED), ("Art. 2º", Change.REMOVED), ("Art. 2º-A", Change.NEW),
            ("Recomendação 1.1", Change.UNCHANGED)]
    edit = analyst_client.post(f"/analise/versoes/{version_id}/dispositivos/{entry_for(app, version_id, art1)}",
                               data={"body": NEW_TEXT, "justification": REASON})
    assert edit.status_code == 422 or "não muda" in edit.get_data(as_text=True)
    third = start_version(app, analyst_client, slug)
    with app.app_context():
        copied = db.session.scalars(select(VersionArticle).where(VersionArticle.version_id == third)
                                    .order_by(VersionArticle.position)).all()
        assert [e.label for e in copied][:3] == ["Art. 1º", "Art. 2º", "Art. 2º-A"]
        assert db.session.get(TextVersion, third).number == 3
    quadro = client.get(f"/consultas/{slug}/comparativo").get_data(as_text=True)
    assert "Suprimido" in quadro and "Incluído" in quadro and "Art. 2º-A" in quadro


def test_only_the_drafting_team_edits_versions(app, client, auth, create_user, place):
    auth.login(create_user())
    assert client.get(f"/analise/consultas/{place['slug']}/versoes").status_code == 403
    assert client.post(f"/analise/consultas/{place['slug']}/versoes", data={"title": "x"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(TextVersion.id)) is None


def test_drafts_have_no_public_quadro(client, create_consultation):
    draft = create_consultation("draft")
    for url in (f"/consultas/{draft.slug}/comparativo", f"/consultas/{draft.slug}/devolutiva",
                f"/consultas/{draft.slug}/dados/comparativo.json"):
        assert client.get(url).status_code == 404


def test_the_analysis_page_links_each_consultations_response_desk_and_versions(analyst_client, place):
    page = analyst_client.get("/analise/").get_data(as_text=True)
    assert f"/analise/consultas/{place['slug']}/devolutiva" in page
    assert f"/analise/consultas/{place['slug']}/versoes" in page


REIMPORTED = """# Capítulo I — Disposições gerais

Art. 1º Fica instituída a Estratégia de teste, com participação da sociedade civil.

Art. 2º São princípios:
I – transparência;
II – participação.

# Anexo — Recomendações

1.1 Garantir acesso digital a todos.
1.2 Publicar dados abertos por padrão.
1.3 Formar servidores públicos em dados e em experiência do usuário.
"""


def test_a_reimported_text_is_matched_previewed_and_applied(app, analyst_client, client, place):
    slug = place["slug"]
    version_id = start_version(app, analyst_client, slug)
    url = f"/analise/versoes/{version_id}/importar"
    preview = analyst_client.post(url, data={"text": REIMPORTED, "acao": "ver"})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Alterado" in page and "Incluído" in page and "Sem alteração" in page
    with app.app_context():
        assert all(e.change is Change.UNCHANGED for e in db.session.get(TextVersion, version_id).articles)
    assert analyst_client.post(url, data={"text": REIMPORTED, "acao": "confirmar"}).status_code == 303
    with app.app_context():
        entries = db.session.get(TextVersion, version_id).articles
        assert [(e.label, e.change) for e in entries] == [
            ("Art. 1º", Change.MODIFIED), ("Art. 2º", Change.UNCHANGED), ("Recomendação 1.1", Change.UNCHANGED),
            ("Recomendação 1.2", Change.UNCHANGED), ("Recomendação 1.3", Change.NEW)]
        first = entries[0].id
    refused = analyst_client.post(f"/analise/versoes/{version_id}/publicar")
    assert refused.status_code == 422 and "Justifique as alterações antes de publicar: Art. 1º" in refused.get_data(
        as_text=True)
    analyst_client.post(f"/analise/versoes/{version_id}/dispositivos/{first}",
                        data={"body": NEW_TEXT, "justification": REASON})
    with app.app_context():
        new_entry = next(e for e in db.session.get(TextVersion, version_id).articles if e.change is Change.NEW)
        new_id = new_entry.id
    analyst_client.post(f"/analise/versoes/{version_id}/dispositivos/{new_id}",
                        data={"body": "Formar servidores públicos em dados e em experiência do usuário.",
                              "justification": "Proposta das oficinas regionais."})
    assert analyst_client.post(f"/analise/versoes/{version_id}/publicar").status_code == 303
    assert "Recomendação 1.3" in client.get(f"/consultas/{slug}/comparativo").get_data(as_text=True)


def test_an_import_with_errors_saves_nothing_and_keeps_the_text(app, analyst_client, place):
    version_id = start_version(app, analyst_client, place["slug"])
    broken = "Art. 1º Primeiro.\n\nArt. 1º Repetido."
    response = analyst_client.post(f"/analise/versoes/{version_id}/importar", data={"text": broken,
                                                                                   "acao": "confirmar"})
    assert response.status_code == 422 and "Repetido." in response.get_data(as_text=True)
    with app.app_context():
        assert all(e.change is Change.UNCHANGED for e in db.session.get(TextVersion, version_id).articles)


def test_publishing_tells_followers_and_the_authors_it_cites(app, analyst_client, place, create_user):
    from consulta.models import Follow, FollowTarget, Notification, NotificationKind

    slug, art1, c1 = place["slug"], place["articles"][0], place["contributions"][0]
    follower, bystander = create_user(), create_user()
    with app.app_context():
        consultation_id = db.session.scalar(select(Consultation.id).where(Consultation.slug == slug))
        db.session.add(Follow(user_id=follower.id, target_type=FollowTarget.CONSULTATION, target_id=consultation_id,
                              consultation_id=consultation_id))
        db.session.commit()
        cited_author = db.session.get(Contribution, c1).author_id
    version_id = start_version(app, analyst_client, slug)
    analyst_client.post(f"/analise/versoes/{version_id}/dispositivos/{entry_for(app, version_id, art1)}",
                        data={"body": NEW_TEXT, "justification": REASON, "citar": [str(c1)]})
    assert analyst_client.post(f"/analise/versoes/{version_id}/publicar").status_code == 303
    with app.app_context():
        told = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert told == {(follower.id, NotificationKind.FINAL_TEXT), (cited_author, NotificationKind.FINAL_TEXT)}
    assert bystander.id not in {user for user, _ in told}
    from pathlib import Path

    from consulta.notifications.sending import send_pending

    with app.test_request_context("/", base_url="https://consulta.example"):
        counts = send_pending()
        db.session.commit()
        mails = "".join(p.read_text(encoding="utf-8") for p in Path(app.config["MAIL_FILE_PATH"]).glob("*"))
    assert counts["sent"] == 2, counts
    assert "Novo texto publicado" in mails and f"https://consulta.example/consultas/{slug}/comparativo" in mails


def test_malformed_citation_numbers_are_ignored_not_a_500(app, analyst_client, place):
    version_id = start_version(app, analyst_client, place["slug"])
    url = f"/analise/versoes/{version_id}/dispositivos/{entry_for(app, version_id, place['articles'][0])}"
    response = analyst_client.post(url, data={"body": NEW_TEXT, "justification": "", "citar": ["²", "9" * 30]})
    assert response.status_code == 422 and "Justifique" in response.get_data(as_text=True)
    assert analyst_client.get(f"/analise/versoes/{version_id}/incluir?depois=²").status_code == 200
