"""The analyst's daily path in a real browser, on a small consultation: run an analysis, open the finished
run, pick a cluster, answer all its contributions at the response desk, make version 2 citing one of them,
publish it; the public quadro comparativo and relatório de devolutiva show the change and the answer, and the
author sees the answer under "Minhas contribuições". The versions pages and the public reports pass axe."""

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from consulta.extensions import db
from consulta.insights.responses import members_of
from consulta.models import AnalysisRun, Article, Contribution, ContributionKind, Stance, User
from consulta.participation import services as participation
from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_participation import log_in

TEXTS = [
    "O acesso digital precisa de atendimento presencial para quem não tem internet em casa.",
    "Atendimento presencial nos municípios garante acesso digital a quem não tem celular.",
    "Pontos de acesso público à internet em bibliotecas ajudam quem não tem conexão.",
    "Dados abertos devem sair em formato legível por máquina e com calendário.",
    "Publicar dados abertos com calendário e formato aberto ajuda a fiscalizar o governo.",
    "Os dados abertos precisam de dicionário de dados e licença livre.",
]
NEW_TEXT = "Garantir acesso digital a todos, com atendimento presencial em todos os municípios."
ANSWER = "A equipe incluiu o atendimento presencial na nova redação."
JUSTIFICATION = "Incluído o atendimento presencial pedido nas contribuições."


def seed(app: Flask, slug: str, author_id: int) -> None:
    """Contributions on the two recommendations of the small draft."""
    with app.app_context():
        author = db.session.get(User, author_id)
        articles = {a.label: a for a in db.session.scalars(select(Article))}
        for n, text in enumerate(TEXTS * 2):
            article = articles["Recomendação 1.1"] if n % 6 < 3 else articles["Recomendação 1.2"]
            participation.contribute(author, article=article, kind=ContributionKind.COMMENT,
                                     stance=[Stance.AGREE, Stance.PARTLY][n % 2], body=f"{text} ({n})")
        db.session.commit()


def test_analyst_answers_a_cluster_publishes_version_2_and_the_author_sees_the_answer(
    new_page, app: Flask, create_consultation, create_user
):
    consultation = create_consultation()
    slug = consultation.slug
    author = create_user(name="Autora Cidadã")
    seed(app, slug, author.id)
    analyst = create_user("analyst", name="Ana Analista")
    page: Page = new_page()
    log_in(page, analyst.email)

    # Run an analysis: in tests the queue runs the job right after the commit, so the run page shows it done.
    page.goto("/analise/")
    page.get_by_role("button", name="Iniciar análise").click()
    expect(page.get_by_text("Concluída").first).to_be_visible()
    run_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    # Pick a cluster of the finished run, one with contributions on Recomendação 1.1.
    cluster_ids = [int(v.removeprefix("grupo-tema-")) for v in
                   page.locator("article.insights-cluster").evaluate_all("els => els.map(e => e.id)")]
    with app.app_context():
        run = db.session.get(AnalysisRun, run_id)
        article_11 = db.session.scalar(select(Article).where(Article.label == "Recomendação 1.1"))
        article_id = article_11.id
        chosen, members = None, []
        for cid in cluster_ids:
            ids = members_of(run, cluster_id=cid)
            on_11 = [i for i in ids if db.session.get(Contribution, i).article_id == article_11.id]
            if on_11:
                chosen, members, cited = cid, ids, on_11[0]
                break
    assert chosen is not None and members
    expect(page.locator(f"#grupo-tema-{chosen}")).to_be_visible()

    # Answer all its contributions at once at the response desk (the bulk form takes a run and a cluster).
    page.goto(f"/analise/consultas/{slug}/devolutiva")
    page.locator(".bulk-response summary").click()
    page.locator("#lote-analise").select_option(str(run_id))
    page.locator("#lote-grupo").fill(str(chosen))
    page.locator("#lote-situacao").select_option("accepted")
    page.locator("#lote-justificativa").fill(ANSWER)
    page.locator("#devolutiva-lote").get_by_role("button").last.click()
    expect(page.locator(".flashes")).to_contain_text(
        f"{len(members)} {'contribuição respondida' if len(members) == 1 else 'contribuições respondidas'}")
    with app.app_context():
        statuses = {c.response_status for c in db.session.scalars(
            select(Contribution).where(Contribution.id.in_(members)))}
        assert len(statuses) == 1 and None not in statuses

    # Version 2, citing one of the answered contributions.
    page.goto(f"/analise/consultas/{slug}/versoes")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Versões do texto")
    assert_accessible(page, "versões do texto")
    page.get_by_role("button", name="Criar versão").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Versão 2")
    assert_accessible(page, "edição da versão")
    page.get_by_role("link", name="Editar Recomendação 1.1", exact=True).click()
    assert_accessible(page, "edição de um dispositivo")
    page.get_by_label("Texto nesta versão").fill(NEW_TEXT)
    page.get_by_label("Justificativa").fill(JUSTIFICATION)
    page.locator(f"#citar-{cited}").check()
    page.get_by_role("button", name="Salvar").click()
    expect(page.locator(".flashes")).to_contain_text("Recomendação 1.1")
    expect(page.locator(".diff").first).to_be_visible()
    assert_accessible(page, "versão com um dispositivo alterado")
    page.get_by_role("link", name="Publicar esta versão…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publicar a versão 2?")
    assert_accessible(page, "confirmação da publicação")
    page.get_by_role("button", name="Publicar a versão 2").click()
    expect(page.locator(".flashes")).to_contain_text("Versão 2 publicada")

    # The public quadro comparativo and relatório de devolutiva, seen by anyone.
    public: Page = new_page()
    public.goto(f"/consultas/{slug}/comparativo")
    expect(public.locator("main")).to_contain_text("acesso digital a todos")
    expect(public.locator("main")).to_contain_text("atendimento presencial em todos os municípios")
    expect(public.locator("main")).to_contain_text(JUSTIFICATION)
    assert_accessible(public, "quadro comparativo")
    public.goto(f"/consultas/{slug}/devolutiva")
    expect(public.locator("main")).to_contain_text(ANSWER)
    expect(public.locator("main")).to_contain_text("Quadro comparativo (versão 2)")
    change = public.get_by_role("link", name="Ver a alteração em Recomendação 1.1")
    expect(change).to_have_count(1)  # only the cited contribution led to the change
    assert_accessible(public, "relatório de devolutiva")
    change.click()
    expect(public.locator("main")).to_contain_text(NEW_TEXT.split(",")[1].strip())
    public.goto(f"/consultas/{slug}/artigos/{article_id}/alteracoes")
    expect(public.locator("main")).to_contain_text(JUSTIFICATION)
    assert_accessible(public, "alterações de um dispositivo")

    # The author, signed in, sees the answer under "Minhas contribuições".
    mine: Page = new_page()
    log_in(mine, author.email)
    mine.goto("/conta/contribuicoes")
    expect(mine.locator("main")).to_contain_text(ANSWER)


def test_versions_forms_with_errors_and_the_import_page_pass_axe(new_page, create_consultation, create_user):
    slug = create_consultation().slug
    page: Page = new_page()
    log_in(page, create_user("analyst").email)
    page.goto(f"/analise/consultas/{slug}/versoes")
    page.get_by_label("Título da versão").fill("")
    page.get_by_role("button", name="Criar versão").click()
    expect(page.locator("#resumo-erros")).to_contain_text("Dê um título à versão.")
    assert_accessible(page, "nova versão com erro")
    page.get_by_label("Título da versão").fill("Texto final")
    page.get_by_role("button", name="Criar versão").click()
    page.get_by_role("link", name="Editar Art. 1º", exact=True).click()
    page.get_by_label("Texto nesta versão").fill("Fica instituída a Estratégia de teste e avaliação.")
    page.get_by_label("Justificativa").fill("")
    page.get_by_role("button", name="Salvar").click()
    expect(page.locator("#resumo-erros")).to_be_visible()
    assert_accessible(page, "dispositivo com erro")
    page.get_by_role("link", name="← Voltar à versão").click()
    page.get_by_role("link", name="Importar o texto inteiro da nova versão (Markdown)").click()
    assert_accessible(page, "importação do novo texto")
