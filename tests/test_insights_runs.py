"""Analysis runs: the records sent to the engine, executing and storing runs, edits, pages and the CLI."""

from datetime import UTC, datetime

import pytest

from consulta.extensions import db
from consulta.insights import runs
from consulta.models import (
    AccountKind,
    AnalysisRun,
    Article,
    AuditLog,
    Channel,
    Consultation,
    Contribution,
    ContributionKind,
    RunScope,
    RunStatus,
    Stance,
    User,
    Visibility,
    Workshop,
    WorkshopFormat,
)

THEMES = {
    "acessibilidade": [
        "Precisamos de mais acessibilidade digital para pessoas com deficiência nos serviços públicos.",
        "Os serviços digitais devem ser acessíveis para pessoas com deficiência visual.",
        "Acessibilidade para pessoas com deficiência deve ser prioridade nos aplicativos do governo.",
        "Garantir acessibilidade digital com leitores de tela para pessoas com deficiência.",
        "Sites do governo precisam de acessibilidade para pessoas com deficiência auditiva e visual.",
    ],
    "dados": [
        "Proteção de dados pessoais e privacidade devem seguir a LGPD rigorosamente.",
        "A privacidade dos dados pessoais dos cidadãos precisa de proteção forte pela LGPD.",
        "Vazamento de dados pessoais é grave; proteção de dados e privacidade são essenciais.",
        "Exigir consentimento e proteção de dados pessoais conforme a LGPD.",
        "Dados pessoais devem ter privacidade garantida e proteção contra vazamento.",
    ],
    "internet": [
        "Internet rural e conectividade nas escolas do interior são urgentes.",
        "Levar internet banda larga para áreas rurais e comunidades do interior.",
        "Conectividade e internet nas escolas rurais do interior do país.",
        "Expandir a internet para comunidades rurais sem conectividade.",
    ],
}


@pytest.fixture
def analysis_world(app, create_consultation, create_user):
    """An open consultation with 14 visible contributions on three themes, plus some that must be left out."""
    consultation = create_consultation("open")
    person = create_user(email="maria@exemplo.com.br", name="Maria Secreta")
    org = create_user(email="ong@exemplo.org.br", name="ONG Transparência", kind=AccountKind.ORGANIZATION,
                      cnpj="11222333000181")
    facilitator = create_user("facilitator", email="faci@exemplo.com.br")
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
        ids: dict[str, list[int]] = {}
        n = 0
        for theme, texts in THEMES.items():
            for text in texts:
                n += 1
                article = first if n % 2 else second
                if n % 5 == 0:  # workshop input, backed by several people in the room
                    c = Contribution(consultation_id=consultation.id, article_id=article.id, body=text,
                                     channel=Channel.WORKSHOP, workshop_id=workshop.id, author_id=facilitator.id,
                                     head_count=12, stance=Stance.AGREE)
                else:
                    c = Contribution(consultation_id=consultation.id, article_id=article.id, body=text,
                                     author_id=org.id if n % 3 == 0 else person.id,
                                     stance=Stance.PARTLY if n % 2 else Stance.DISAGREE)
                db.session.add(c)
                db.session.flush()
                ids.setdefault(theme, []).append(c.id)
        hidden = Contribution(consultation_id=consultation.id, article_id=first.id, author_id=person.id,
                              body="Texto oculto pela moderação.", visibility=Visibility.HIDDEN)
        db.session.add(hidden)
        db.session.flush()
        reply = Contribution(consultation_id=consultation.id, article_id=first.id, author_id=person.id,
                             body="Uma resposta a outra contribuição.", parent_id=ids["dados"][0])
        wording = Contribution(consultation_id=consultation.id, article_id=first.id, author_id=person.id,
                               kind=ContributionKind.NEW_WORDING, body="Sugiro mudar o texto.",
                               proposed_text="Fica instituída a Estratégia Nacional com acessibilidade.")
        db.session.add_all([reply, wording])
        db.session.commit()
        return {"consultation_id": consultation.id, "slug": consultation.slug, "first": first.id,
                "second": second.id, "first_label": first.label, "ids": ids, "hidden": hidden.id,
                "reply": reply.id, "wording": wording.id, "workshop": workshop.id,
                "person": person, "org": org}


def _consultation(world) -> Consultation:
    return db.session.get(Consultation, world["consultation_id"])


def _done_run(app, world, **kwargs) -> int:
    with app.app_context():
        run = runs.create_run(None, _consultation(world), scope=RunScope.CONSULTATION, **kwargs)
        db.session.commit()
        run_id = run.id
    runs.execute_run(run_id, app)
    return run_id


# -- records ---------------------------------------------------------------------------------------------


def test_records_are_visible_top_level_and_pseudonymous(app, analysis_world):
    world = analysis_world
    with app.app_context():
        records = runs.records_for(_consultation(world), RunScope.CONSULTATION)
        by_id = {r.id: r for r in records}
    assert world["hidden"] not in by_id and world["reply"] not in by_id
    assert len(records) == 15  # 14 on themes + the new wording
    assert "Fica instituída a Estratégia Nacional com acessibilidade." in by_id[world["wording"]].text
    assert by_id[world["wording"]].text.startswith("Sugiro mudar o texto.")
    dump = repr(records)
    for secret in ("maria@exemplo.com.br", "Maria Secreta", "ong@exemplo.org.br", "ONG Transparência"):
        assert secret not in dump
    person_keys = {r.author_id for r in records if r.author_kind == "person"}
    org_keys = {r.author_id for r in records if r.author_kind == "organization"}
    assert len(person_keys) == 1 and len(org_keys) == 1
    assert all(k.startswith("p-") and len(k) == 10 for k in person_keys | org_keys)
    assert str(world["person"].id) != next(iter(person_keys))[2:]
    assert {r.uf for r in records if r.author_kind == "person"} == {"BA"}
    assert {r.uf for r in records if r.author_kind == "organization"} == {"SP"}
    assert by_id[world["wording"]].article == world["first_label"]


def test_workshop_input_weighs_its_head_count(app, analysis_world):
    with app.app_context():
        records = runs.records_for(_consultation(analysis_world), RunScope.CONSULTATION)
    workshop = [r for r in records if r.author_kind == "workshop"]
    assert workshop and all(r.weight == 12 and r.uf == "AM" and r.channel == "workshop" for r in workshop)
    assert all(r.author_id.startswith("w-") for r in workshop)
    assert all(r.weight == 1 for r in records if r.author_kind != "workshop")


def test_article_scope(app, analysis_world):
    world = analysis_world
    with app.app_context():
        article = db.session.get(Article, world["first"])
        records = runs.records_for(_consultation(world), RunScope.ARTICLE, article=article)
    assert records and {r.article for r in records} == {world["first_label"]}


# -- executing -------------------------------------------------------------------------------------------


def test_execute_run_end_to_end(app, analysis_world):
    world = analysis_world
    with app.app_context():
        run = runs.create_run(None, _consultation(world), scope=RunScope.CONSULTATION, seed=3)
        db.session.commit()
        run_id = run.id
        assert run.status is RunStatus.QUEUED and run.params["seed"] == 3
        assert db.session.scalar(db.select(AuditLog).where(AuditLog.action == "analysis.create")) is not None
    runs.execute_run(run_id, app)
    with app.app_context():
        run = db.session.get(AnalysisRun, run_id)
        assert run.status is RunStatus.DONE, run.error
        assert run.progress == 1.0 and run.started_at and run.finished_at
        assert run.versions["sklearn"] and "total" in run.timings
        assert run.result["size"] == 15
        assert {g["key"] for g in run.result["groups"]} == {world["first_label"], "Art. 2º"}
        clusters = [c for g in run.result["groups"] for c in g["clusters"]]
        assert clusters and all(c["label"] and c["terms"] for c in clusters)


def test_execute_run_with_k_per_article(app, analysis_world):
    world = analysis_world
    with app.app_context():
        article = db.session.get(Article, world["first"])
        run = runs.create_run(None, _consultation(world), scope=RunScope.ARTICLE, article=article, k=2)
        db.session.commit()
        run_id = run.id
    runs.execute_run(run_id, app)
    with app.app_context():
        run = db.session.get(AnalysisRun, run_id)
        assert run.status is RunStatus.DONE, run.error
        assert [g["key"] for g in run.result["groups"]] == [None]


def test_failure_is_stored_not_raised(app, analysis_world, monkeypatch, caplog):
    def boom(*args, **kwargs):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(runs.analysis, "analyze_contributions", boom)
    run_id = _done_run(app, analysis_world)
    with app.app_context():
        run = db.session.get(AnalysisRun, run_id)
        assert run.status is RunStatus.FAILED and run.finished_at
        assert "erro interno" in run.error and "exploded" not in run.error
    assert "engine exploded" in caplog.text


def test_empty_scope_fails_with_message(app, create_consultation):
    consultation = create_consultation("open")
    with app.app_context():
        run = runs.create_run(None, db.session.get(Consultation, consultation.id), scope=RunScope.CONSULTATION)
        db.session.commit()
        run_id = run.id
    runs.execute_run(run_id, app)
    with app.app_context():
        run = db.session.get(AnalysisRun, run_id)
        assert run.status is RunStatus.FAILED and "Não há contribuições" in run.error


# -- edits -----------------------------------------------------------------------------------------------


def _member_of(view, cluster_id):
    return next(a["record_id"] for a in view["assignments"] if a["cluster_id"] == cluster_id)


def test_edits_rename_merge_move(app, analysis_world):
    run_id = _done_run(app, analysis_world, k=2)
    with app.app_context():
        run = db.session.get(AnalysisRun, run_id)
        group = next(g for g in run.result["groups"] if len(g["clusters"]) >= 2)
        a, b = (cl["id"] for cl in group["clusters"][:2])
        sizes = {cl["id"]: cl["size"] for cl in group["clusters"]}
        original = [cl["label"] for cl in group["clusters"]]

        runs.add_edit(None, run, {"op": "rename", "cluster": a, "label": "  Acessibilidade  digital "})
        moved = _member_of(runs.edited_view(run), b)
        runs.add_edit(None, run, {"op": "move", "contribution": moved, "to": a})
        after_move = runs.clusters_by_id(runs.edited_view(run))
        assert after_move[a]["size"] == sizes[a] + 1 and after_move[b]["size"] == sizes[b] - 1
        assert next(x for x in runs.edited_view(run)["assignments"] if x["record_id"] == moved)["cluster_id"] == a
        runs.add_edit(None, run, {"op": "merge", "clusters": [str(a), str(b)], "into": str(a)})
        db.session.commit()

        run = db.session.get(AnalysisRun, run_id)
        assert [e["op"] for e in run.edits] == ["rename", "move", "merge"]
        view = runs.edited_view(run)
        clusters = runs.clusters_by_id(view)
        assert clusters[a]["label"] == "Acessibilidade digital" and clusters[a]["renamed"]
        assert b not in clusters
        assert clusters[a]["size"] == sizes[a] + sizes[b]
        assert clusters[a]["merged_from"][0]["id"] == b
        assert all(x["cluster_id"] != b for x in view["assignments"])
        edited_group = next(g for g in view["groups"] if g["key"] == group["key"])
        assert sum(cl["share"] for cl in edited_group["clusters"]) == pytest.approx(1, abs=0.01)
        assert all(b not in t["cluster_ids"] for t in edited_group["themes"])
        # the engine's result is kept as computed
        assert [cl["label"] for cl in next(g for g in run.result["groups"] if g["key"] == group["key"])
                ["clusters"]] == original
        actions = db.session.scalars(db.select(AuditLog.action).where(AuditLog.action == "analysis.edit")).all()
        assert len(actions) == 3


def test_invalid_edits_are_refused(app, analysis_world):
    run_id = _done_run(app, analysis_world, k=2)
    with app.app_context():
        run = db.session.get(AnalysisRun, run_id)
        groups = run.result["groups"]
        cid = groups[0]["clusters"][0]["id"]
        for bad in ({"op": "rename", "cluster": cid, "label": "  "}, {"op": "rename", "cluster": 999, "label": "x"},
                    {"op": "merge", "clusters": [cid]}, {"op": "move", "contribution": 10**9, "to": cid},
                    {"op": "merge", "clusters": [groups[0]["clusters"][0]["id"], groups[1]["clusters"][0]["id"]]},
                    {"op": "nope"}):
            with pytest.raises(runs.EditError):
                runs.add_edit(None, run, bad)
        assert run.edits == []


# -- pages -----------------------------------------------------------------------------------------------


def _analyst(auth, create_user, role="analyst"):
    auth.login(create_user(role, email=f"{role}-insights@exemplo.com.br"))


def test_start_run_from_the_page(app, client, auth, create_user, analysis_world):
    _analyst(auth, create_user)
    page = client.get("/analise/")
    assert page.status_code == 200 and "Nova análise" in page.get_data(as_text=True)
    response = client.post("/analise/execucoes", data={
        "consultation": analysis_world["consultation_id"], "scope": "consultation", "k": "", "seed": "0"})
    assert response.status_code == 303
    run_page = client.get(response.headers["Location"])
    html = run_page.get_data(as_text=True)
    assert run_page.status_code == 200 and "Concluída" in html and "Renomear" in html and "Juntar" in html
    assert "Maria Secreta" not in html and "maria@exemplo.com.br" not in html
    assert "Análise nº" in client.get("/analise/").get_data(as_text=True)


def test_start_run_validation_keeps_input(client, auth, create_user, analysis_world):
    _analyst(auth, create_user)
    response = client.post("/analise/execucoes", data={
        "consultation": analysis_world["consultation_id"], "scope": "article", "k": "7", "seed": "5"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Escolha o dispositivo." in html and 'value="7"' in html


def test_progress_fragment_polls_until_done(app, client, auth, create_user, analysis_world):
    _analyst(auth, create_user)
    with app.app_context():
        run = runs.create_run(None, _consultation(analysis_world), scope=RunScope.CONSULTATION)
        run.status, run.progress, run.stage = RunStatus.RUNNING, 0.42, "cluster"
        db.session.commit()
        run_id = run.id
    page = client.get(f"/analise/execucoes/{run_id}").get_data(as_text=True)
    assert '<progress id="barra-progresso" max="1" value="0.42">' in page and "Atualizar" in page
    assert 'hx-trigger="every 1s"' in page
    fragment = client.get(f"/analise/execucoes/{run_id}/progresso", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "42% — agrupando" in html and 'hx-trigger="every 1s"' in html
    assert "<html" not in html
    plain = client.get(f"/analise/execucoes/{run_id}/progresso")
    assert plain.status_code == 302 and plain.headers["Location"].endswith(f"/analise/execucoes/{run_id}")
    with app.app_context():
        db.session.get(AnalysisRun, run_id).status = RunStatus.DONE
        db.session.commit()
    done = client.get(f"/analise/execucoes/{run_id}/progresso", headers={"HX-Request": "true"})
    assert "hx-trigger" not in done.get_data(as_text=True) and done.headers["HX-Refresh"] == "true"


def test_edit_views(app, client, auth, create_user, analysis_world):
    run_id = _done_run(app, analysis_world, k=2)
    _analyst(auth, create_user, "admin")
    with app.app_context():
        cid = db.session.get(AnalysisRun, run_id).result["groups"][0]["clusters"][0]["id"]
    ok = client.post(f"/analise/execucoes/{run_id}/edicoes", data={"op": "rename", "cluster": cid,
                                                                    "label": "Inclusão digital"})
    assert ok.status_code == 303
    assert "Inclusão digital" in client.get(f"/analise/execucoes/{run_id}").get_data(as_text=True)
    bad = client.post(f"/analise/execucoes/{run_id}/edicoes", data={"op": "move", "contribution": "999999",
                                                                     "to": cid})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "não faz parte da análise" in html and 'value="999999"' in html
    with app.app_context():
        assert len(db.session.get(AnalysisRun, run_id).edits) == 1


def test_failed_run_page(app, client, auth, create_user, analysis_world, monkeypatch):
    monkeypatch.setattr(runs.analysis, "analyze_contributions", lambda *a, **k: 1 / 0)
    run_id = _done_run(app, analysis_world)
    _analyst(auth, create_user)
    response = client.get(f"/analise/execucoes/{run_id}")
    assert response.status_code == 200 and "erro interno" in response.get_data(as_text=True)


@pytest.mark.parametrize(("role", "expected"), [
    ("anonymous", 302), ("participant", 403), ("facilitator", 403), ("moderator", 403), ("analyst", 200),
    ("admin", 200),
])
def test_permissions(app, client, auth, create_user, analysis_world, role, expected):
    run_id = _done_run(app, analysis_world)
    if role != "anonymous":
        auth.login(create_user(role, email=f"{role}-perm@exemplo.com.br"))
    for url in ("/analise/", f"/analise/execucoes/{run_id}"):
        assert client.get(url).status_code == expected, url
    fragment = client.get(f"/analise/execucoes/{run_id}/progresso", headers={"HX-Request": "true"})
    assert fragment.status_code == expected
    post = client.post(f"/analise/execucoes/{run_id}/edicoes", data={"op": "rename"})
    assert post.status_code == {200: 422}.get(expected, expected)


def test_nav_link_for_analysts_only(client, auth, create_user):
    auth.login(create_user("moderator", email="mod-nav@exemplo.com.br"))
    assert 'href="/analise/"' not in client.get("/conta").get_data(as_text=True)
    auth.logout()
    auth.login(create_user("analyst", email="an-nav@exemplo.com.br"))
    assert 'href="/analise/"' in client.get("/conta").get_data(as_text=True)


# -- CLI -------------------------------------------------------------------------------------------------


def test_cli_analyze(app, runner, analysis_world):
    result = runner.invoke(args=["consulta", "analyze", analysis_world["slug"], "--k", "2", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "15 contribuições" in result.output
    with app.app_context():
        run = db.session.scalars(db.select(AnalysisRun)).one()
        assert run.status is RunStatus.DONE and run.params == {"k": 2, "seed": 1, "group_by": "article"}
    article = runner.invoke(args=["consulta", "analyze", analysis_world["slug"], "--article",
                                  str(analysis_world["first"])])
    assert article.exit_code == 0, article.output
    missing = runner.invoke(args=["consulta", "analyze", "nao-existe"])
    assert missing.exit_code != 0 and "não encontrada" in missing.output
