"""Downloads of a finished analysis run: XLSX, CSVs, JSON and the printable report, from the edited view."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from consulta import tabular
from consulta.extensions import db
from consulta.insights import downloads, runs, votes
from consulta.models import (
    AccountKind,
    AnalysisRun,
    Article,
    ArticleKind,
    Channel,
    Consultation,
    Contribution,
    ResponseStatus,
    RunScope,
    Stance,
    User,
    Vote,
    VoteValue,
    Workshop,
    WorkshopFormat,
)

TEXTS = [
    "Precisamos de mais acessibilidade digital para pessoas com deficiência nos serviços públicos.",
    "Os serviços digitais devem ser acessíveis para pessoas com deficiência visual.",
    "Acessibilidade para pessoas com deficiência deve ser prioridade nos aplicativos do governo.",
    "Garantir acessibilidade digital com leitores de tela para pessoas com deficiência.",
    "Sites do governo precisam de acessibilidade para pessoas com deficiência auditiva e visual.",
    "Proteção de dados pessoais e privacidade devem seguir a LGPD rigorosamente.",
    "A privacidade dos dados pessoais dos cidadãos precisa de proteção forte pela LGPD.",
    "Vazamento de dados pessoais é grave; proteção de dados e privacidade são essenciais.",
    "Exigir consentimento e proteção de dados pessoais conforme a LGPD.",
    "Dados pessoais devem ter privacidade; meu CPF 123.456.789-09 e maria@exemplo.com.br vazaram.",
    "Internet rural e conectividade nas escolas do interior são urgentes.",
    "Levar internet banda larga para áreas rurais e comunidades do interior.",
    "Conectividade e internet nas escolas rurais do interior do país.",
    "=Expandir a internet para comunidades rurais sem conectividade.",
    "Internet nas comunidades rurais do interior com conectividade para escolas.",
]
SECRETS = ["maria@exemplo.com.br", "Maria Secreta", "123.456.789-09", "12345678909", "faci@exemplo.com.br",
           "Fulana Facilitadora", "votante"]


@pytest.fixture
def world(app, create_consultation, create_user):
    consultation = create_consultation("open")
    person = create_user(email="maria@exemplo.com.br", name="Maria Secreta")
    org = create_user(email="ong@exemplo.org.br", name="ONG Transparência", kind=AccountKind.ORGANIZATION,
                      cnpj="11222333000181")
    facilitator = create_user("facilitator", email="faci@exemplo.com.br", name="Fulana Facilitadora")
    voters = [create_user(email=f"votante{i}@exemplo.com.br", name=f"Pessoa votante {i}") for i in range(4)]
    with app.app_context():
        db.session.get(User, person.id).uf = "BA"
        db.session.get(User, org.id).uf = "SP"
        articles = db.session.scalars(db.select(Article).where(Article.consultation_id == consultation.id)
                                      .order_by(Article.position)).all()
        first, second = articles[0], articles[1]
        workshop = Workshop(consultation_id=consultation.id, facilitator_id=facilitator.id, title="Oficina de Manaus",
                            format=WorkshopFormat.IN_PERSON, starts_at=datetime(2024, 5, 10, 13, tzinfo=UTC),
                            uf="AM", municipality_code="1302603", municipality_name="Manaus")
        db.session.add(workshop)
        db.session.flush()
        ids = []
        for n, text in enumerate(TEXTS, start=1):
            article = first if n % 2 else second
            if n % 5 == 0:
                c = Contribution(consultation_id=consultation.id, article_id=article.id, body=text,
                                 channel=Channel.WORKSHOP, workshop_id=workshop.id, author_id=facilitator.id,
                                 head_count=12, stance=Stance.AGREE)
            else:
                c = Contribution(consultation_id=consultation.id, article_id=article.id, body=text,
                                 author_id=org.id if n % 3 == 0 else person.id,
                                 stance=Stance.PARTLY if n % 2 else Stance.DISAGREE)
            db.session.add(c)
            db.session.flush()
            ids.append(c.id)
        answered = db.session.get(Contribution, ids[0])
        answered.response_status = ResponseStatus.ACCEPTED
        answered.response_text = "Acolhida: o texto passa a prever acessibilidade digital."
        recs = db.session.scalars(db.select(Article.id).where(
            Article.consultation_id == consultation.id, Article.kind == ArticleKind.RECOMMENDATION)).all()
        for i, voter in enumerate(voters):
            for j, rec in enumerate(recs):
                value = VoteValue.AGREE if (i + j) % 2 else VoteValue.DISAGREE
                db.session.add(Vote(user_id=voter.id, article_id=rec, value=value))
        db.session.commit()
        run = runs.create_run(None, db.session.get(Consultation, consultation.id), scope=RunScope.CONSULTATION)
        db.session.commit()
        run_id = run.id
    runs.execute_run(run_id, app)
    with app.app_context():
        run = db.session.get(AnalysisRun, run_id)
        assert run.status.value == "done", run.error
        cluster = runs.edited_view(run)["groups"][0]["clusters"][0]
        runs.add_edit(None, run, {"op": "rename", "cluster": cluster["id"], "label": "Nome dado pela equipe"})
        db.session.commit()
        view = runs.edited_view(run)
    return {"run": run_id, "ids": ids, "view": view, "consultation_id": consultation.id, "renamed": cluster["id"]}


@pytest.fixture
def analyst(client, auth, create_user):
    auth.login(create_user("analyst", email="analista@exemplo.com.br", name="Ana Analista"))
    return client


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def _no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret.lower() not in text.lower(), secret


def _csv(response) -> list[dict[str, str]]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    _no_secrets(text)
    return list(csv.DictReader(io.StringIO(text)))


def test_xlsx_holds_the_edited_view(analyst, world):
    response = _get(analyst, f"/analise/execucoes/{world['run']}/download.xlsx")
    assert "attachment" in response.headers["Content-Disposition"]
    assert ".xlsx" in response.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    names = wb.sheetnames
    assert names[0] == "Resumo"
    for name in ("Contribuições", "Campanhas", "Regiões", "Grupos de opinião"):
        assert name in names
    groups = world["view"]["groups"]
    article_sheets = names[1:1 + len(groups)]
    assert len(article_sheets) == len(groups)
    assert all(len(n) <= 31 for n in names)
    labels, sizes = set(), 0
    for name in article_sheets:
        rows = list(wb[name].iter_rows(values_only=True))
        assert rows[0][2] == "Grupo"
        labels |= {r[2] for r in rows[1:]}
        sizes += sum(r[5] for r in rows[1:])
    expected = {c["label"] for g in groups for c in g["clusters"]}
    assert labels == expected and "Nome dado pela equipe" in labels
    assert sizes == world["view"]["size"] == len(world["ids"])
    contributions = list(wb["Contribuições"].iter_rows(values_only=True))
    assert len(contributions) == 1 + len(world["ids"])
    header = contributions[0]
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in contributions[1:]}
    first = by_id[world["ids"][0]]
    assert first["Resposta oficial"] == "Acolhida" or first["Resposta oficial"] == ResponseStatus.ACCEPTED.label
    assert first["Autor"].startswith("Participante ")
    assert by_id[world["ids"][2]]["Autor"] == "ONG Transparência"
    assert by_id[world["ids"][4]]["Autor"] == "Oficina de Manaus/AM"
    assert by_id[world["ids"][13]]["Texto (dados pessoais mascarados)"].startswith("'=")
    regions = list(wb["Regiões"].iter_rows(values_only=True))
    assert sum(r[2] for r in regions[1:]) == len(world["ids"])
    assert ("Nordeste", "BA") in {(r[0], r[1]) for r in regions[1:]}
    opinion = list(wb["Grupos de opinião"].iter_rows(values_only=True))
    assert opinion[0][0] == "Participantes" and opinion[0][1] == 4
    text = " ".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
    _no_secrets(text)
    assert "Ana Analista" not in text


def test_csvs_match_the_edited_view(analyst, world):
    base = f"/analise/execucoes/{world['run']}"
    clusters = _csv(_get(analyst, f"{base}/clusters.csv"))
    expected = {c["id"]: c for g in world["view"]["groups"] for c in g["clusters"]}
    assert {int(r["Grupo nº"]): r["Grupo"] for r in clusters} == {i: c["label"] for i, c in expected.items()}
    assert sum(int(r["Contribuições"]) for r in clusters) == len(world["ids"])
    contributions = _csv(_get(analyst, f"{base}/contribuicoes.csv"))
    assert sorted(int(r["Contribuição nº"]) for r in contributions) == sorted(world["ids"])
    assignment = {a["record_id"]: a["cluster_id"] for a in world["view"]["assignments"]}
    for row in contributions:
        cid = assignment[int(row["Contribuição nº"])]
        assert int(row["Grupo nº"]) == cid and row["Grupo"] == expected[cid]["label"]
    response = _get(analyst, f"{base}/campanhas.csv")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    campaigns = _csv(response)
    assert len(campaigns) == len(world["view"].get("campaigns") or [])


def test_json_parses_and_holds_everything(analyst, world):
    response = _get(analyst, f"/analise/execucoes/{world['run']}/resultado.json")
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    _no_secrets(text)
    data = json.loads(text)
    assert data["run"]["id"] == world["run"] and data["run"]["versions"]
    assert data["run"]["edits"][0]["op"] == "rename"
    labels = {c["label"] for g in data["result"]["groups"] for c in g["clusters"]}
    assert "Nome dado pela equipe" in labels
    assert len(data["contributions"]) == len(world["ids"])
    assert data["opinion_groups"]["participants"] == 4


def test_report_renders(analyst, world):
    response = _get(analyst, f"/analise/execucoes/{world['run']}/relatorio")
    html = response.get_data(as_text=True)
    assert "Nome dado pela equipe" in html
    assert "<svg" in html and "<rect" in html and "style=" not in html
    assert "Grupos de opinião" in html
    _no_secrets(html)


def test_run_page_links_the_downloads(analyst, world):
    html = _get(analyst, f"/analise/execucoes/{world['run']}").get_data(as_text=True)
    assert f"/analise/execucoes/{world['run']}/download.xlsx" in html
    assert f"/analise/execucoes/{world['run']}/relatorio" in html


def test_run_not_done_answers_409(app, analyst, create_consultation):
    consultation = create_consultation("open")
    with app.app_context():
        run = runs.create_run(None, db.session.get(Consultation, consultation.id), scope=RunScope.CONSULTATION)
        db.session.commit()
        run_id = run.id
    for path in ("download.xlsx", "clusters.csv", "contribuicoes.csv", "campanhas.csv", "resultado.json",
                 "relatorio"):
        response = analyst.get(f"/analise/execucoes/{run_id}/{path}")
        assert response.status_code == 409
        assert "Análise não concluída" in response.get_data(as_text=True)
    assert analyst.get("/analise/execucoes/999999/download.xlsx").status_code == 404


def test_no_votes_gives_a_sheet_saying_so(app, world):
    with app.app_context():
        db.session.execute(db.delete(Vote))
        run = runs.create_run(None, db.session.get(Consultation, world["consultation_id"]),
                              scope=RunScope.CONSULTATION)
        db.session.commit()
        run_id = run.id
    runs.execute_run(run_id, app)
    with app.app_context():
        run = db.session.get(AnalysisRun, run_id)
        assert run.result["opinion_groups"] is None
        with app.test_request_context():
            wb = load_workbook(io.BytesIO(downloads.build_xlsx(run)), read_only=True)
    rows = list(wb["Grupos de opinião"].iter_rows(values_only=True))
    assert "Não há votos" in rows[0][0]


def test_sheet_titles_and_safe_cells():
    taken: set[str] = set()
    assert downloads.sheet_title("Art. 1º", taken) == "Art. 1º"
    assert downloads.sheet_title("art. 1º", taken) == "art. 1º (2)"
    long = downloads.sheet_title("A/B:C*D?E[F]G\\" + "x" * 40, taken)
    assert len(long) <= 31 and not any(ch in long for ch in "/:*?[]\\")
    assert downloads.sheet_title("Resumo", taken) == "Resumo (2)"
    assert tabular.neutralise("=1+1") == "'=1+1"
    assert tabular.neutralise("@SUM") == "'@SUM"
    assert tabular.neutralise("-x") == "'-x" and tabular.neutralise(-3) == -3
    assert tabular.neutralise("texto") == "texto"


def test_clusters_csv_carries_phrase_and_coherence(analyst, world):
    rows = _csv(_get(analyst, f"/analise/execucoes/{world['run']}/clusters.csv"))
    expected = {c["id"]: c for g in world["view"]["groups"] for c in g["clusters"]}
    for row in rows:
        cluster = expected[int(row["Grupo nº"])]
        assert row["Frase representativa"] == cluster["phrase"]
        assert float(row["Coesão (0 a 1)"]) == pytest.approx(cluster["coherence"])
        assert row["Baixa coesão"] == ("sim" if cluster["low_coherence"] else "não")
    assert any(r["Frase representativa"] for r in rows)


def test_run_page_shows_phrases_coherence_and_opinion_groups(analyst, world):
    html = _get(analyst, f"/analise/execucoes/{world['run']}").get_data(as_text=True)
    clusters = [c for g in world["view"]["groups"] for c in g["clusters"] if not c["is_other"]]
    assert "Coesão" in html
    assert any(c["label"] in html for c in clusters if c["id"] != world["renamed"])
    section = html[html.index('id="opiniao"'):]
    assert '<svg' in section and 'role="img"' in section and "<title" in section and "<rect" in section
    assert "<table" in section and "<caption>" in section
    assert "4 participantes" in section
    assert "O que divide os grupos" in section and "O que une os grupos" in section
    assert "style=" not in section
    _no_secrets(html)


def test_run_page_without_votes_says_there_are_no_opinion_groups(analyst, world, app):
    with app.app_context():
        db.session.execute(db.delete(Vote))
        run = runs.create_run(None, db.session.get(Consultation, world["consultation_id"]),
                              scope=RunScope.CONSULTATION)
        db.session.commit()
        run_id = run.id
    runs.execute_run(run_id, app)  # the run stores its opinion groups: none, as nobody voted
    html = _get(analyst, f"/analise/execucoes/{run_id}").get_data(as_text=True)
    assert "Não há votos nesta consulta" in html and "<svg" not in html


def test_low_coherence_cluster_is_flagged_on_the_run_page_and_in_the_csv(analyst, world, app):
    with app.app_context():
        run = db.session.get(AnalysisRun, world["run"])
        result = json.loads(json.dumps(run.result))
        cluster = next(c for g in result["groups"] for c in g["clusters"] if c["id"] != world["renamed"])
        cluster.update(label="Diversos — baixa coesão", low_coherence=True, coherence=0.21, is_other=False)
        run.result = result
        db.session.commit()
    html = _get(analyst, f"/analise/execucoes/{world['run']}").get_data(as_text=True)
    card = html[html.index(f'id="grupo-tema-{cluster["id"]}"'):]
    card = card[:card.index("</article>")]
    assert "Diversos — baixa coesão" in card and "baixa coesão</span>" in card
    assert "0,21" in card and "pouco em comum" in card
    rows = _csv(_get(analyst, f"/analise/execucoes/{world['run']}/clusters.csv"))
    row = next(r for r in rows if int(r["Grupo nº"]) == cluster["id"])
    assert row["Baixa coesão"] == "sim" and row["Coesão (0 a 1)"] == "0.21"
# -- opinion groups: streamed votes, stored with the run ------------------------------------------------

def _recommendations(consultation_id: int) -> list[int]:
    return db.session.scalars(db.select(Article.id).where(
        Article.consultation_id == consultation_id, Article.kind == ArticleKind.RECOMMENDATION)).all()


def test_vote_rows_stream_account_article_and_value(app, world):
    with app.app_context():
        rows = list(votes.vote_rows(world["consultation_id"]))
        recs = _recommendations(world["consultation_id"])
        stored = db.session.execute(db.select(Vote.user_id, Vote.article_id, Vote.value).order_by(Vote.id)).all()
    assert len(rows) == 4 * len(recs) > 0
    assert [tuple(r) for r in rows] == [(u, a, v.value) for u, a, v in stored]
    assert all(type(u) is int and type(a) is int and type(v) is str for u, a, v in rows)


def test_run_stores_opinion_groups_without_per_participant_data(app, world):
    with app.app_context():
        run = db.session.get(AnalysisRun, world["run"])
        stored = run.result["opinion_groups"]
        labels = set(db.session.scalars(db.select(Article.label)).all())
    assert stored["participants"] == 4 and stored["votes"] > 0 and stored["run"]["parameters"]["method"] == "exact"
    assert "points" not in stored
    assert sum(g["size"] for g in stored["groups"]) == stored["fitted_participants"]
    assert all(set(g) == {"id", "size", "representative"} for g in stored["groups"])
    assert all(s["label"] in labels for s in stored["consensus"] + stored["divisive"])
    assert "pseudonym" not in json.dumps(stored) and "votante" not in json.dumps(stored)


def test_downloads_show_the_runs_groups_until_a_new_run(app, analyst, world, create_user):
    late = [create_user(email=f"tarde{n}@exemplo.com.br") for n in range(3)]
    with app.app_context():
        recs = _recommendations(world["consultation_id"])
        db.session.add_all(Vote(user_id=voter.id, article_id=r, value=VoteValue.AGREE) for voter in late for r in recs)
        db.session.commit()
    data = json.loads(analyst.get(f"/analise/execucoes/{world['run']}/resultado.json").get_data(as_text=True))
    assert data["opinion_groups"]["participants"] == 4  # the run's snapshot, not today's votes
    assert "opinion_groups" not in data["result"]
    with app.app_context():
        run = db.session.get(AnalysisRun, world["run"])
        run.result = {key: value for key, value in run.result.items() if key != "opinion_groups"}
        db.session.commit()
    data = json.loads(analyst.get(f"/analise/execucoes/{world['run']}/resultado.json").get_data(as_text=True))
    assert data["opinion_groups"]["participants"] == 7  # a run stored before opinion groups: computed now


def test_progress_may_commit_between_stages_and_is_in_portuguese(app, world):
    seen = []

    def progress(fraction, stage):
        seen.append((fraction, stage))
        db.session.commit()

    with app.app_context():
        result = votes.opinion_groups(world["consultation_id"], seed=0, progress=progress)
    assert result["participants"] == 4
    assert seen[0] == (0.0, "grupos de opinião: lendo os votos") and seen[-1][0] == 1.0
    assert all(stage.startswith("grupos de opinião") for _, stage in seen)


CAMPAIGN_TEXT = "Sou contra este artigo: a conectividade rural precisa vir antes de qualquer outra meta."


@pytest.fixture
def late_first_article(app, create_consultation, create_user):
    """A run whose first contributions went to the second article: the first article's arrive later."""
    consultation = create_consultation("open")
    person = create_user(email="pessoa@exemplo.com.br", name="Pessoa")
    senders = [create_user(email=f"campanha{n}@exemplo.com.br", name=f"Campanha {n}") for n in range(6)]
    with app.app_context():
        articles = db.session.scalars(db.select(Article).where(Article.consultation_id == consultation.id)
                                      .order_by(Article.position)).all()
        first, second = articles[0], articles[1]
        for n, text in enumerate(TEXTS):
            article = second if n < 7 else first
            db.session.add(Contribution(consultation_id=consultation.id, article_id=article.id, body=text,
                                        author_id=person.id, stance=Stance.DISAGREE, channel=Channel.ONLINE))
        for sender in senders:  # a campaign: the same text sent again and again
            db.session.add(Contribution(consultation_id=consultation.id, article_id=first.id, body=CAMPAIGN_TEXT,
                                        author_id=sender.id, stance=Stance.DISAGREE, channel=Channel.ONLINE))
        db.session.commit()
        run = runs.create_run(None, db.session.get(Consultation, consultation.id), scope=RunScope.CONSULTATION)
        db.session.commit()
        run_id = run.id
        labels = (first.label, second.label)
    runs.execute_run(run_id, app)
    return {"run": run_id, "labels": labels, "slug": consultation.slug}


def test_groups_and_rows_follow_the_document_not_the_arrival(analyst, late_first_article):
    run_id, (first, second) = late_first_article["run"], late_first_article["labels"]
    rows = _csv(_get(analyst, f"/analise/execucoes/{run_id}/contribuicoes.csv"))
    order = [r["Dispositivo"] for r in rows]
    assert order.index(first) < order.index(second)
    assert order == sorted(order, key=lambda d: 0 if d == first else 1)
    clusters = [r["Dispositivo"] for r in _csv(_get(analyst, f"/analise/execucoes/{run_id}/clusters.csv"))]
    assert clusters.index(first) < clusters.index(second)
    wb = load_workbook(io.BytesIO(_get(analyst, f"/analise/execucoes/{run_id}/download.xlsx").data))
    assert wb.sheetnames.index(first.replace(":", "-")[:31]) < wb.sheetnames.index(second.replace(":", "-")[:31])
    page = _get(analyst, f"/analise/execucoes/{run_id}").get_data(as_text=True)
    assert page.index(f">{first} <small>") < page.index(f">{second} <small>")
    report = _get(analyst, f"/analise/execucoes/{run_id}/relatorio").get_data(as_text=True)
    assert report.index(first) < report.index(second)
    data = json.loads(_get(analyst, f"/analise/execucoes/{run_id}/resultado.json").data)
    assert [g["key"] for g in data["result"]["groups"]] == [first, second]


def test_downloads_give_portuguese_labels_and_local_times(app, analyst, late_first_article):
    run_id = late_first_article["run"]
    with app.app_context():
        run = db.session.get(AnalysisRun, run_id)
        run.finished_at = datetime(2026, 12, 7, 15, 30, tzinfo=UTC)
        db.session.commit()
    rows = _csv(_get(analyst, f"/analise/execucoes/{run_id}/contribuicoes.csv"))
    assert {r["Posição"] for r in rows} == {"Discordo"}
    assert {r["Canal"] for r in rows} == {"Internet"}
    clusters = _csv(_get(analyst, f"/analise/execucoes/{run_id}/clusters.csv"))
    assert all("unknown" not in r["Posições"] + r["Canais"] + r["UFs"] for r in clusters)
    wb = load_workbook(io.BytesIO(_get(analyst, f"/analise/execucoes/{run_id}/download.xlsx").data))
    summary = {row[0]: row[1] for row in wb["Resumo"].iter_rows(values_only=True)}
    assert summary["Concluída em"] == "07/12/2026 12:30 (horário de Brasília)"
    assert "UTC" not in str(summary["Gerado em"])


def test_answer_all_links_open_the_desk_with_the_cluster_or_campaign_chosen(app, analyst, world):
    run_id = world["run"]
    with app.app_context():
        slug = db.session.get(Consultation, world["consultation_id"]).slug
    page = _get(analyst, f"/analise/execucoes/{run_id}").get_data(as_text=True)
    cluster = next(c for g in world["view"]["groups"] for c in g["clusters"] if c["id"] == world["renamed"])
    link = f"/analise/consultas/{slug}/devolutiva?run_id={run_id}&amp;cluster={cluster['id']}#devolutiva-lote"
    assert f'href="{link}"' in page and f"Responder a todas ({cluster['size']})" in page

    desk = _get(analyst, link.replace("&amp;", "&").split("#")[0]).get_data(as_text=True)
    assert f'<option value="{run_id}" selected>' in desk
    assert f'name="cluster" min="0" value="{cluster["id"]}"' in desk
    assert f"as {cluster['size']} contribuições do grupo “Nome dado pela equipe” (análise nº {run_id})" in desk

    response = analyst.post(f"/analise/consultas/{slug}/devolutiva/lote", data={
        "run_id": str(run_id), "cluster": str(cluster["id"]), "status": "not_accepted",
        "justificativa": "Fora do escopo desta estratégia, segundo a equipe."})
    assert response.status_code == 303
    members = sorted(a["record_id"] for a in world["view"]["assignments"] if a["cluster_id"] == cluster["id"])
    with app.app_context():
        statuses = {c.id: c.response_status for c in db.session.scalars(
            db.select(Contribution).where(Contribution.consultation_id == world["consultation_id"]))}
    assert {i for i, s in statuses.items() if s is ResponseStatus.NOT_ACCEPTED} == set(members)


def test_each_campaign_has_an_answer_all_link_to_the_desk(app, analyst, late_first_article):
    run_id, slug = late_first_article["run"], late_first_article["slug"]
    with app.app_context():
        campaigns = runs.edited_view(db.session.get(AnalysisRun, run_id))["campaigns"]
    assert campaigns
    page = _get(analyst, f"/analise/execucoes/{run_id}").get_data(as_text=True)
    for campaign in campaigns:
        link = f"/analise/consultas/{slug}/devolutiva?run_id={run_id}&amp;campaign={campaign['id']}#devolutiva-lote"
        assert f'href="{link}"' in page and f"Responder a todas ({campaign['size']})" in page
    campaign = campaigns[0]
    desk = _get(analyst, f"/analise/consultas/{slug}/devolutiva?run_id={run_id}&campaign={campaign['id']}")
    html = desk.get_data(as_text=True)
    assert f'name="campaign" min="0" value="{campaign["id"]}"' in html
    assert f"as {campaign['size']} contribuições da campanha nº {campaign['id']} (análise nº {run_id})" in html
