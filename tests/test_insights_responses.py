"""The devolutiva: answering contributions one by one and in bulk, its public display, the report, who may do it."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from consulta.extensions import db
from consulta.insights import responses
from consulta.models import (
    AccountKind,
    AnalysisRun,
    Article,
    AuditLog,
    Channel,
    Consultation,
    Contribution,
    ContributionKind,
    ResponseStatus,
    RunStatus,
    Stance,
    User,
    Workshop,
    WorkshopFormat,
)
from consulta.participation import services

JUSTIFICATION = "A proposta foi incorporada ao texto revisado."


@pytest.fixture
def place(app, create_consultation):
    """An open consultation and its first two articles: (slug, [article ids])."""
    consultation = create_consultation("open")
    with app.app_context():
        article_ids = list(db.session.scalars(
            select(Article.id).join(Consultation).where(Consultation.slug == consultation.slug)
            .order_by(Article.position).limit(2)
        ))
    return consultation.slug, article_ids


@pytest.fixture
def analyst(create_user):
    return create_user("analyst", email="analista@exemplo.com.br", name="Ana Analista")


@pytest.fixture
def analyst_client(client, auth, analyst):
    auth.login(analyst)
    return client


def contribute(app, author, article_id, body, stance=Stance.AGREE):
    """A contribution posted through the participation service; returns its id."""
    with app.app_context():
        contribution, _ = services.contribute(
            db.session.get(User, author.id), article=db.session.get(Article, article_id),
            kind=ContributionKind.COMMENT, stance=stance, body=body,
        )
        db.session.commit()
        return contribution.id


def load(app, contribution_id):
    with app.app_context():
        row = db.session.get(Contribution, contribution_id)
        db.session.expunge(row)
        return row


def respond(app, actor, contribution_id, status, text):
    """Call the service as `actor` and commit."""
    with app.app_context():
        responses.respond(db.session.get(User, actor.id), db.session.get(Contribution, contribution_id), status, text)
        db.session.commit()


def desk(slug):
    return f"/analise/consultas/{slug}/devolutiva"


def result_dict(clusters: dict[int, list[int]], campaigns: dict[int, list[int]]) -> dict:
    """A hand-made engine result (analysis.AnalysisResult.to_dict() field names) with these memberships."""
    campaign_of = {member: cid for cid, members in campaigns.items() for member in members}

    def cluster(cid, members):
        return {
            "id": cid, "group": None, "theme_id": 1, "label": f"Grupo {cid}", "terms": ["acesso"], "is_other": False,
            "size": len(members), "weighted_size": float(len(members)), "share": 0.5, "weighted_share": 0.5,
            "distinct_texts": len(members), "unique_authors": len(members), "stances": {"agree": len(members)},
            "channels": {"online": len(members)}, "ufs": {"unknown": len(members)}, "quotes": [],
            "campaign_ids": sorted({campaign_of[m] for m in members if m in campaign_of}),
        }

    size = sum(len(m) for m in clusters.values())
    return {
        "size": size, "weighted_size": float(size), "distinct_texts": size, "duplicate_groups": 0,
        "duplicated_records": 0,
        "groups": [{
            "key": None, "size": size, "weighted_size": float(size), "distinct_texts": size, "k": len(clusters),
            "k_scores": {}, "clusters": [cluster(cid, members) for cid, members in clusters.items()],
            "themes": [{"id": 1, "group": None, "label": "Tema", "terms": [], "cluster_ids": list(clusters),
                        "size": size, "weighted_size": float(size), "share": 1.0, "weighted_share": 1.0}],
        }],
        "campaigns": [{
            "id": cid, "size": len(members), "weighted_size": float(len(members)), "variants": 1,
            "representative_id": members[0], "representative_text": "texto", "member_ids": members,
            "articles": {}, "channels": {}, "ufs": {},
            "cluster_ids": sorted({c for c, ms in clusters.items() if set(ms) & set(members)}),
        } for cid, members in campaigns.items()],
        "assignments": [{
            "record_id": member, "group": None, "cluster_id": cid, "theme_id": 1, "score": 0.9,
            "duplicate_group": None, "campaign_id": campaign_of.get(member),
        } for cid, members in clusters.items() for member in members],
        "run": {"parameters": {}, "seed": 0, "versions": {}, "timings": {}},
    }


def make_run(app, slug, result, edits=None, status=RunStatus.DONE):
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
        run = AnalysisRun(consultation_id=consultation.id, status=status, result=result, edits=edits or [])
        db.session.add(run)
        db.session.commit()
        return run.id


# -- the service ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [ResponseStatus.ACCEPTED, ResponseStatus.PARTLY_ACCEPTED,
                                    ResponseStatus.NOT_ACCEPTED])
def test_justification_is_required_except_under_review(app, create_user, analyst, place, status):
    cid = contribute(app, create_user(), place[1][0], "Incluir metas de conectividade.")
    for text in ("", "   ", "curta", "x" * 5001):
        with pytest.raises(responses.ResponseError):
            respond(app, analyst, cid, status, text)
    assert load(app, cid).response_status is None
    respond(app, analyst, cid, status, "  " + JUSTIFICATION + "  ")
    assert (load(app, cid).response_status, load(app, cid).response_text) == (status, JUSTIFICATION)


def test_under_review_needs_no_justification(app, create_user, analyst, place):
    cid = contribute(app, create_user(), place[1][0], "Incluir metas de conectividade.")
    respond(app, analyst, cid, ResponseStatus.UNDER_REVIEW, "")
    row = load(app, cid)
    assert row.response_status is ResponseStatus.UNDER_REVIEW
    assert row.response_text is None
    assert row.responded_by_id == analyst.id and row.responded_at is not None


def test_withdrawn_contributions_and_replies_are_refused(app, create_user, analyst, place):
    author = create_user()
    withdrawn = contribute(app, author, place[1][0], "Vou retirar isto.")
    parent = contribute(app, author, place[1][0], "Texto principal.")
    replier = create_user()
    with app.app_context():
        services.withdraw(db.session.get(User, author.id), db.session.get(Contribution, withdrawn))
        answer, _ = services.reply(db.session.get(User, replier.id), db.session.get(Contribution, parent),
                                   "Uma resposta de participante.")
        db.session.commit()
        reply_id = answer.id
    for cid in (withdrawn, reply_id):
        with pytest.raises(responses.ResponseError):
            respond(app, analyst, cid, ResponseStatus.ACCEPTED, JUSTIFICATION)
        assert load(app, cid).response_status is None


def test_respond_records_previous_and_new_status_in_the_audit_log(app, create_user, analyst, place):
    cid = contribute(app, create_user(), place[1][0], "Incluir metas de conectividade.")
    respond(app, analyst, cid, ResponseStatus.UNDER_REVIEW, "")
    respond(app, analyst, cid, ResponseStatus.ACCEPTED, JUSTIFICATION)
    with app.app_context():
        entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "contribution.respond")
                                     .order_by(AuditLog.id)).all()
        assert [(e.actor_id, e.object_type, e.object_id) for e in entries] == [(analyst.id, "Contribution", cid)] * 2
        assert [e.details for e in entries] == [{"previous": None, "new": "under_review"},
                                                {"previous": "under_review", "new": "accepted"}]
        assert entries[1].reason == JUSTIFICATION


def test_hidden_contributions_can_be_answered(app, create_user, analyst, place):
    cid = contribute(app, create_user(), place[1][0], "Texto que a moderação ocultou.")
    with app.app_context():
        services.hide(db.session.get(User, analyst.id), db.session.get(Contribution, cid), "Fora do tema.")
        db.session.commit()
    respond(app, analyst, cid, ResponseStatus.NOT_ACCEPTED, JUSTIFICATION)
    assert load(app, cid).response_status is ResponseStatus.NOT_ACCEPTED


# -- the desk -------------------------------------------------------------------------------------------

def test_desk_lists_answerable_contributions_with_filters(app, analyst_client, create_user, analyst, place):
    slug, (first, second) = place
    author = create_user(name="Beatriz Autora")
    a = contribute(app, author, first, "Acesso à <b>internet</b> nas escolas.")
    b = contribute(app, author, second, "Dados abertos por padrão.")
    withdrawn = contribute(app, author, first, "Retirada depois.")
    with app.app_context():
        services.withdraw(db.session.get(User, author.id), db.session.get(Contribution, withdrawn))
        db.session.commit()
    respond(app, analyst, b, ResponseStatus.ACCEPTED, JUSTIFICATION)

    html = analyst_client.get(desk(slug)).get_data(as_text=True)
    assert f'id="resposta-{a}"' in html and f'id="resposta-{b}"' in html
    assert f'id="resposta-{withdrawn}"' not in html
    assert "Beatriz Autora" in html
    assert "&lt;b&gt;internet&lt;/b&gt;" in html and "<b>internet</b>" not in html
    assert 'name="csrf_token"' in html and 'form="devolutiva-lote"' in html

    html = analyst_client.get(desk(slug) + "?situacao=sem-resposta").get_data(as_text=True)
    assert f'id="resposta-{a}"' in html and f'id="resposta-{b}"' not in html
    html = analyst_client.get(desk(slug) + "?situacao=accepted").get_data(as_text=True)
    assert f'id="resposta-{a}"' not in html and f'id="resposta-{b}"' in html
    html = analyst_client.get(desk(slug) + f"?artigo={second}").get_data(as_text=True)
    assert f'id="resposta-{a}"' not in html and f'id="resposta-{b}"' in html
    html = analyst_client.get(desk(slug) + "?busca=DADOS").get_data(as_text=True)
    assert f'id="resposta-{a}"' not in html and f'id="resposta-{b}"' in html
    html = analyst_client.get(desk(slug) + "?busca=100%25").get_data(as_text=True)
    assert "Nenhuma contribuição com estes filtros." in html


def test_desk_shows_30_per_page(app, analyst_client, create_user, place):
    slug, (first, _) = place
    author = create_user()
    ids = [contribute(app, author, first, f"Contribuição número {n}.") for n in range(31)]
    html = analyst_client.get(desk(slug)).get_data(as_text=True)
    assert html.count('class="response-row"') == 30 and f'id="resposta-{ids[-1]}"' not in html
    assert "Página 1 de 2" in html
    html = analyst_client.get(desk(slug) + "?pagina=2").get_data(as_text=True)
    assert html.count('class="response-row"') == 1 and f'id="resposta-{ids[-1]}"' in html


def test_row_post_without_js_redirects_back_keeping_filters(app, analyst_client, create_user, place):
    slug, (first, _) = place
    cid = contribute(app, create_user(), first, "Incluir metas de conectividade.")
    back = desk(slug) + "?situacao=sem-resposta&pagina=2"
    response = analyst_client.post(f"/analise/contribuicoes/{cid}/resposta",
                                   data={"status": "accepted", "justificativa": JUSTIFICATION, "next": back})
    assert response.status_code == 303 and response.headers["Location"] == back
    assert load(app, cid).response_status is ResponseStatus.ACCEPTED
    assert "Resposta registrada: Acolhida." in analyst_client.get(back).get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_row_post_refuses_foreign_next(app, analyst_client, create_user, place, target):
    slug, (first, _) = place
    cid = contribute(app, create_user(), first, "Incluir metas de conectividade.")
    response = analyst_client.post(f"/analise/contribuicoes/{cid}/resposta",
                                   data={"status": "under_review", "next": target})
    assert response.status_code == 303 and response.headers["Location"] == desk(slug)


def test_row_post_from_htmx_returns_the_row_with_a_message(app, analyst_client, create_user, place):
    cid = contribute(app, create_user(), place[1][0], "Incluir metas de conectividade.")
    response = analyst_client.post(f"/analise/contribuicoes/{cid}/resposta", headers={"HX-Request": "true"},
                                   data={"status": "partly_accepted", "justificativa": JUSTIFICATION})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith("<article") and "<html" not in html
    assert f'id="resposta-{cid}"' in html and "Resposta registrada: Parcialmente acolhida." in html
    assert 'role="status"' in html


def test_invalid_row_post_keeps_what_was_typed(app, analyst_client, create_user, place):
    cid = contribute(app, create_user(), place[1][0], "Incluir metas de conectividade.")
    data = {"status": "not_accepted", "justificativa": "curta <i>"}
    response = analyst_client.post(f"/analise/contribuicoes/{cid}/resposta", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "curta &lt;i&gt;</textarea>" in html and "ao menos 10 caracteres" in html
    assert 'value="not_accepted" selected' in html and 'aria-invalid="true"' in html
    response = analyst_client.post(f"/analise/contribuicoes/{cid}/resposta", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "curta &lt;i&gt;</textarea>" in response.get_data(as_text=True)
    response = analyst_client.post(f"/analise/contribuicoes/{cid}/resposta", data={"justificativa": JUSTIFICATION})
    assert response.status_code == 422 and "Escolha a situação" in response.get_data(as_text=True)
    assert load(app, cid).response_status is None


def test_row_post_on_a_withdrawn_contribution_is_refused(app, analyst_client, create_user, place):
    author = create_user()
    cid = contribute(app, author, place[1][0], "Vou retirar isto.")
    with app.app_context():
        services.withdraw(db.session.get(User, author.id), db.session.get(Contribution, cid))
        db.session.commit()
    response = analyst_client.post(f"/analise/contribuicoes/{cid}/resposta",
                                   data={"status": "accepted", "justificativa": JUSTIFICATION})
    assert response.status_code == 422 and "retirada pelo autor" in response.get_data(as_text=True)
    assert load(app, cid).response_status is None


# -- bulk -----------------------------------------------------------------------------------------------

def bulk_entries(app):
    with app.app_context():
        return sorted((e.object_id, (e.details or {}).get("bulk")) for e in db.session.scalars(
            select(AuditLog).where(AuditLog.action == "contribution.respond")))


def test_bulk_by_selected_ids(app, analyst_client, create_user, create_consultation, place):
    slug, (first, second) = place
    author = create_user()
    a, b, c = (contribute(app, author, art, f"Texto {n} da contribuição.") for n, art in enumerate((first, second, first)))
    withdrawn = contribute(app, author, first, "Vou retirar isto.")
    elsewhere = create_consultation("open")
    with app.app_context():
        services.withdraw(db.session.get(User, author.id), db.session.get(Contribution, withdrawn))
        other_article = db.session.scalar(select(Article.id).join(Consultation)
                                          .where(Consultation.slug == elsewhere.slug).limit(1))
        db.session.commit()
    foreign = contribute(app, author, other_article, "Outra consulta.")
    response = analyst_client.post(
        desk(slug) + "/lote?situacao=sem-resposta",
        data={"ids": [str(a), str(b), str(withdrawn), str(foreign), "x"], "status": "not_accepted",
              "justificativa": JUSTIFICATION},
    )
    assert response.status_code == 303 and response.headers["Location"] == desk(slug) + "?situacao=sem-resposta"
    assert "2 contribuições respondidas." in analyst_client.get(response.headers["Location"]).get_data(as_text=True)
    assert [load(app, i).response_status for i in (a, b, c, withdrawn, foreign)] == [
        ResponseStatus.NOT_ACCEPTED, ResponseStatus.NOT_ACCEPTED, None, None, None]
    assert bulk_entries(app) == [(a, True), (b, True)]


def test_bulk_by_a_runs_cluster_applies_the_analysts_edits(app, analyst_client, create_user, place):
    slug, (first, _) = place
    author = create_user()
    ids = [contribute(app, author, first, f"Texto {n} da contribuição.") for n in range(5)]
    result = result_dict({1: ids[:2], 2: ids[2:4], 3: ids[4:]}, {})
    run_id = make_run(app, slug, result, edits=[{"op": "merge", "into": 1, "clusters": [3]}])
    with app.app_context():
        assert responses.members_of(db.session.get(AnalysisRun, run_id), cluster_id=1) == [ids[0], ids[1], ids[4]]
    response = analyst_client.post(desk(slug) + "/lote", data={
        "run_id": str(run_id), "cluster": "1", "status": "accepted", "justificativa": JUSTIFICATION})
    assert response.status_code == 303
    assert [load(app, i).response_status for i in ids] == [
        ResponseStatus.ACCEPTED, ResponseStatus.ACCEPTED, None, None, ResponseStatus.ACCEPTED]
    assert "3 contribuições respondidas." in analyst_client.get(response.headers["Location"]).get_data(as_text=True)


def test_bulk_by_a_runs_campaign(app, analyst_client, create_user, place):
    slug, (first, _) = place
    author = create_user()
    ids = [contribute(app, author, first, f"Texto {n} da campanha.") for n in range(4)]
    run_id = make_run(app, slug, result_dict({1: ids}, {7: ids[1:3]}))
    with app.app_context():
        run = db.session.get(AnalysisRun, run_id)
        assert responses.members_of(run, campaign_id=7) == ids[1:3]
        assert responses.members_of(run, campaign_id=8) == []
    response = analyst_client.post(desk(slug) + "/lote", data={
        "run_id": str(run_id), "campaign": "7", "status": "under_review", "justificativa": ""})
    assert response.status_code == 303
    assert [load(app, i).response_status for i in ids] == [
        None, ResponseStatus.UNDER_REVIEW, ResponseStatus.UNDER_REVIEW, None]


def test_bulk_refuses_runs_not_done_or_of_another_consultation(app, analyst_client, create_user,
                                                                create_consultation, place):
    slug, (first, _) = place
    cid = contribute(app, create_user(), first, "Texto da contribuição.")
    running = make_run(app, slug, result_dict({1: [cid]}, {}), status=RunStatus.RUNNING)
    foreign = make_run(app, create_consultation("open").slug, result_dict({1: [cid]}, {}))
    for run_id in (running, foreign):
        response = analyst_client.post(desk(slug) + "/lote", data={
            "run_id": str(run_id), "cluster": "1", "status": "accepted", "justificativa": JUSTIFICATION})
        assert response.status_code == 422 and "análise concluída desta consulta" in response.get_data(as_text=True)
    assert load(app, cid).response_status is None


def test_invalid_bulk_keeps_what_was_typed_and_changes_nothing(app, analyst_client, create_user, place):
    slug, (first, _) = place
    cid = contribute(app, create_user(), first, "Texto da contribuição.")
    response = analyst_client.post(desk(slug) + "/lote", data={"ids": [str(cid)], "status": "accepted",
                                                               "justificativa": "curta"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ">curta</textarea>" in html and "ao menos 10 caracteres" in html
    assert f'value="{cid}" form="devolutiva-lote" checked' in html
    assert load(app, cid).response_status is None and bulk_entries(app) == []
    response = analyst_client.post(desk(slug) + "/lote", data={})
    assert response.status_code == 422 and "Selecione contribuições" in response.get_data(as_text=True)


# -- public display -------------------------------------------------------------------------------------

def test_article_page_shows_the_official_response(app, client, create_user, analyst, place):
    slug, (first, _) = place
    cid = contribute(app, create_user(), first, "Incluir metas de conectividade.")
    other = contribute(app, create_user(), first, "Sem resposta ainda.")
    respond(app, analyst, cid, ResponseStatus.PARTLY_ACCEPTED, "Acolhida em parte: <script>x</script> veja o Art. 3º.")
    html = client.get(f"/consultas/{slug}/artigos/{first}").get_data(as_text=True)
    assert "Resposta da equipe de redação: <strong>Parcialmente acolhida</strong>" in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x</script>" not in html
    assert "Respondida em" in html and 'aria-labelledby="resposta-oficial-' + str(cid) + '"' in html
    assert 'id="resposta-oficial-' + str(other) + '"' not in html
    assert 'style="' not in html.split(f'id="contribuicao-{cid}"')[1].split("</article>")[0]


# -- the report -----------------------------------------------------------------------------------------

def test_report_shows_statuses_and_never_names_persons_or_emails(app, analyst_client, create_user, analyst, place):
    slug, (first, second) = place
    person = create_user(name="Carla Cidadã", email="carla@exemplo.com.br")
    org = create_user(name="Instituto Conecta", email="contato@conecta.org.br", kind=AccountKind.ORGANIZATION,
                      cnpj="11222333000181")
    a = contribute(app, person, first, "Ampliar o acesso nas escolas.")
    b = contribute(app, org, second, "Publicar dados abertos.")
    c = contribute(app, person, second, "Outra ideia da mesma pessoa.")
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
        workshop = Workshop(consultation_id=consultation.id, facilitator_id=analyst.id, title="Oficina de Manaus",
                            format=WorkshopFormat.IN_PERSON, starts_at=datetime(2024, 5, 10, 13, tzinfo=UTC),
                            uf="AM", municipality_code="1302603", municipality_name="Manaus")
        db.session.add(workshop)
        db.session.flush()
        from_workshop = Contribution(consultation_id=consultation.id, article_id=first, workshop_id=workshop.id,
                                     channel=Channel.WORKSHOP, body="Proposta da oficina.", head_count=12)
        db.session.add(from_workshop)
        db.session.commit()
        w = from_workshop.id
    respond(app, analyst, a, ResponseStatus.ACCEPTED, JUSTIFICATION)
    respond(app, analyst, b, ResponseStatus.NOT_ACCEPTED, "Fora do escopo desta estratégia.")

    analyst_client.get(desk(slug))  # takes the login's "Olá, <name>!" flash off the report page
    response = analyst_client.get(desk(slug) + "/relatorio")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Acolhida" in html and JUSTIFICATION in html
    assert "Não acolhida" in html and "Fora do escopo desta estratégia." in html
    assert "Sem resposta" in html
    assert "Carla Cidadã" not in html and "Ana Analista" not in html and "@" not in html
    assert "Instituto Conecta" in html and "Oficina de Manaus/AM" in html
    with app.app_context():
        label = responses.public_author(db.session.get(Contribution, a))
        assert label.startswith("Participante ") and label == responses.public_author(db.session.get(Contribution, c))
    assert html.count(label) == 2
    # document order: the first article's contributions come before the second's
    assert max(html.index(f"nº {a}<"), html.index(f"nº {w}<")) < html.index(f"nº {b}<")
    assert html.index("<h2>Art. 1º</h2>") < html.index(f"nº {a}<") < html.index("<h2>Art. 2º</h2>")
    assert 'media="print"' in html


def test_report_hides_the_text_of_contributions_hidden_by_moderation(app, analyst_client, create_user, analyst,
                                                                     place):
    slug, (first, _) = place
    cid = contribute(app, create_user(), first, "Texto ofensivo ocultado.")
    with app.app_context():
        services.hide(db.session.get(User, analyst.id), db.session.get(Contribution, cid), "Ofensivo.")
        db.session.commit()
    html = analyst_client.get(desk(slug) + "/relatorio").get_data(as_text=True)
    assert f"nº {cid}" in html and "Texto ofensivo ocultado." not in html
    assert "Texto ocultado pela moderação." in html


# -- permissions ----------------------------------------------------------------------------------------

ROUTES = ["/analise/consultas/{slug}/devolutiva", "/analise/consultas/{slug}/devolutiva/relatorio"]
EXPECTED = {"participant": 403, "facilitator": 403, "moderator": 403, "analyst": 200, "admin": 200}


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("role", ["anonymous", *EXPECTED])
def test_only_analysts_and_admins_use_the_devolutiva(client, auth, create_user, place, role, route):
    if role != "anonymous":
        auth.login(create_user(role, email=f"{role}@exemplo.com.br"))
    response = client.get(route.format(slug=place[0]))
    if role == "anonymous":
        assert response.status_code == 302 and response.headers["Location"].startswith("/entrar")
    else:
        assert response.status_code == EXPECTED[role]


@pytest.mark.parametrize("role", ["anonymous", "participant", "facilitator", "moderator"])
def test_others_cannot_answer(app, client, auth, create_user, place, role):
    cid = contribute(app, create_user(), place[1][0], "Incluir metas de conectividade.")
    if role != "anonymous":
        auth.login(create_user(role, email=f"{role}@exemplo.com.br"))
    data = {"status": "accepted", "justificativa": JUSTIFICATION, "ids": [str(cid)]}
    for url in (f"/analise/contribuicoes/{cid}/resposta", desk(place[0]) + "/lote"):
        assert client.post(url, data=data).status_code == (302 if role == "anonymous" else 403)
    assert load(app, cid).response_status is None


def test_unknown_consultation_or_contribution_is_404(analyst_client):
    assert analyst_client.get(desk("nao-existe")).status_code == 404
    assert analyst_client.get(desk("nao-existe") + "/relatorio").status_code == 404
    assert analyst_client.post("/analise/contribuicoes/999999/resposta", data={}).status_code == 404


def test_admin_answers_too(app, client, auth, create_user, place):
    admin = create_user("admin", email="admin@exemplo.com.br")
    assert auth.login(admin).status_code == 303
    cid = contribute(app, create_user(), place[1][0], "Incluir metas de conectividade.")
    response = client.post(f"/analise/contribuicoes/{cid}/resposta", data={"status": "under_review"})
    assert response.status_code == 303 and load(app, cid).responded_by_id == admin.id


def test_desk_shows_answered_and_waiting_per_article_in_document_order(app, analyst_client, create_user, analyst,
                                                                       place):
    slug, (first, second) = place
    author = create_user()
    late = contribute(app, author, second, "Chegou primeiro, mas é do segundo artigo.")
    a = contribute(app, author, first, "Primeira do primeiro artigo.")
    b = contribute(app, author, first, "Segunda do primeiro artigo.")
    contribute(app, author, first, "Terceira do primeiro artigo.")
    respond(app, analyst, a, ResponseStatus.ACCEPTED, JUSTIFICATION)
    respond(app, analyst, b, ResponseStatus.UNDER_REVIEW, None)
    respond(app, analyst, late, ResponseStatus.NOT_ACCEPTED, JUSTIFICATION)
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
        progress = responses.article_progress(consultation)
        labels = {i: db.session.get(Article, i).label for i in (first, second)}
    assert [(p["label"], p["answered"], p["waiting"], p["total"]) for p in progress] == [
        (labels[first], 1, 2, 3), (labels[second], 1, 0, 1)]
    html = analyst_client.get(desk(slug)).get_data(as_text=True)
    table = html.split('class="table response-progress"')[1].split("</table>")[0]
    assert table.index(labels[first]) < table.index(labels[second])
    assert "1 de 3" in table and '<progress max="3" value="1"' in table and "33%" in table
