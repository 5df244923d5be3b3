"""The drafting team in a real browser: an analyst runs an analysis of the demo consultation, reads its
themes, answers a contribution (officially, in place) and sees the answer under the contribution in public.
The analysis pages pass axe."""

import openpyxl
from flask import Flask
from playwright.sync_api import Page, expect

from consulta.extensions import db
from consulta.models import Article, ContributionKind, Stance, User
from consulta.participation import services as participation
from tests.browser.conftest import DESKTOP
from tests.browser.test_accessibility import article_id, assert_accessible
from tests.browser.test_participation import log_in
from tests.browser.test_reading import save_screenshot

TEXTS = [
    "A conta gov.br precisa de recuperação presencial para quem não tem celular.",
    "A recuperação da conta gov.br deve ter atendimento presencial nos municípios.",
    "Dados abertos devem ser publicados em formato legível por máquina.",
    "Publicar dados abertos com calendário e formato aberto ajuda a fiscalizar.",
    "A inteligência artificial no atendimento precisa de transparência e revisão humana.",
    "Sistemas de inteligência artificial do governo devem explicar suas decisões.",
]


def seed_contributions(app: Flask, slug: str, author_id: int) -> int:
    """Contributions on one recommendation; returns its id."""
    target = article_id(app, slug, "Recomendação 1.4")
    with app.app_context():
        author = db.session.get(User, author_id)
        article = db.session.get(Article, target)
        for n, text in enumerate(TEXTS * 2):
            participation.contribute(author, article=article, kind=ContributionKind.COMMENT,
                                     stance=[Stance.AGREE, Stance.PARTLY][n % 2], body=f"{text} ({n})")
        db.session.commit()
    return target


def test_analyst_runs_an_analysis_and_answers_a_contribution(
    new_page, app: Flask, demo_consultation: str, create_user, artifacts
):
    page: Page = new_page(viewport=DESKTOP)
    target = seed_contributions(app, demo_consultation, create_user().id)
    analyst = create_user("analyst", name="Ana Analista")
    log_in(page, analyst.email)

    page.get_by_role("link", name="Análise").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Análise das contribuições")
    assert_accessible(page, "lista de análises")
    page.get_by_role("button", name="Iniciar análise").click()
    # The test app runs the analysis inline; in production a worker thread runs it and the page polls.
    expect(page.get_by_text("Concluída").first).to_be_visible()
    expect(page.get_by_role("heading", name="Recomendação 1.4")).to_be_visible()
    expect(page.get_by_text("Grupos de contribuições").first).to_be_visible()
    assert_accessible(page, "página da análise")
    save_screenshot(page, artifacts / "analise-desktop.png")
    run_url = page.url

    # Downloads: the spreadsheet opens with openpyxl and the printable report renders.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Planilha completa (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = artifacts / "analise.xlsx"
    download.save_as(saved)
    workbook = openpyxl.load_workbook(saved, read_only=True)
    assert {"Resumo", "Contribuições", "Campanhas", "Regiões", "Grupos de opinião"} <= set(workbook.sheetnames)
    workbook.close()
    page.goto(run_url)
    page.get_by_role("link", name="Relatório para impressão").click()
    expect(page.get_by_role("heading", name="Recomendação 1.4").first).to_be_visible()
    assert_accessible(page, "relatório da análise")
    page.emulate_media(media="print")
    save_screenshot(page, artifacts / "relatorio-impressao.png")
    page.emulate_media(media="screen")

    # Official response, in place, then public under the contribution.
    page.goto(f"/analise/consultas/{demo_consultation}/devolutiva")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Devolutiva")
    assert_accessible(page, "devolutiva")
    row = page.locator(".response-row").first
    row.get_by_label("Situação").select_option("accepted")
    row.get_by_label("Justificativa").fill("Acolhida: a recomendação passa a prever atendimento presencial.")
    answered = row.get_attribute("id").removeprefix("resposta-")
    row.get_by_role("button", name="Registrar resposta").click()
    expect(page.locator(f"#resposta-{answered} .response-status")).to_have_text("Acolhida")

    page.goto(f"/contribuicoes/{answered}")
    assert f"/artigos/{target}" in page.url
    expect(page.locator(f"#contribuicao-{answered} .official-response")).to_contain_text("Resposta da equipe de redação")
    expect(page.locator(f"#contribuicao-{answered} .official-response")).to_contain_text("atendimento presencial")
