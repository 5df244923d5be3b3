"""Searching contributions in Chromium: from the consultation page to every mention of "CPF" in Pará in two
clicks, with htmx and without JavaScript, and axe-clean."""

import re
import traceback

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from consulta.cli import DEMO_SLUG
from consulta.extensions import db
from consulta.models import Contribution, Visibility, Workshop
from tests.browser.test_accessibility import assert_accessible


@pytest.fixture
def full_demo(app: Flask) -> str:
    """The whole demo: consultation, workshops (one in Pará), online participation and the devolutiva."""
    result = app.test_cli_runner().invoke(args=["consulta", "load-demo", "--accounts"])
    # The traceback too: the command once exited with 1 right after printing its success line, unexplained.
    failure = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else ""
    assert result.exit_code == 0, result.output + failure
    return DEMO_SLUG


def cpf_in_para(app: Flask) -> set[str]:
    """What the search must find: the public contributions from workshops in Pará that mention CPF."""
    with app.app_context():
        rows = db.session.scalars(
            select(Contribution).join(Workshop, Workshop.id == Contribution.workshop_id)
            .where(Workshop.uf == "PA", Contribution.visibility == Visibility.VISIBLE)
        ).all()
        ids = {f"resultado-{c.id}" for c in rows if "cpf" in c.body.lower()}
    assert len(ids) >= 2, "the demo should have contributions mentioning CPF from Pará"
    return ids


def result_ids(page: Page) -> set[str]:
    return set(page.locator(".search-result article h3").evaluate_all("els => els.map(e => e.id)"))


def test_a_visitor_finds_every_mention_of_cpf_in_para_in_two_clicks(page: Page, app: Flask, full_demo: str):
    expected = cpf_in_para(app)
    page.goto(f"/consultas/{full_demo}")
    page.get_by_role("searchbox", name="Buscar nas contribuições").fill("CPF")
    page.get_by_role("button", name="Buscar", exact=True).click()  # click 1
    expect(page).to_have_url(re.compile(r"/busca\?q=CPF$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Buscar contribuições")
    expect(page.locator(".search-result").first).to_be_visible()
    expect(page.locator(".search-result mark").first).to_have_text(re.compile("CPF", re.IGNORECASE))

    page.locator(".search-states").get_by_role("link", name="Pará").click()  # click 2
    expect(page).to_have_url(re.compile(r"/busca\?q=CPF&uf=PA$"))
    expect(page.locator(".search-result")).to_have_count(len(expected))
    assert result_ids(page) == expected
    expect(page.locator(".search-states [aria-current=true]")).to_have_text("Pará")
    assert_accessible(page, "busca com resultados")


def test_the_filters_form_swaps_results_with_htmx_and_keeps_the_url(page: Page, full_demo: str):
    page.goto(f"/consultas/{full_demo}/busca")
    expect(page.get_by_role("heading", level=1)).to_have_text("Buscar contribuições")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Palavras").fill("informacao")
    page.get_by_label("Canal").select_option("workshop")
    sent = []
    page.on("request", lambda request: request.headers.get("hx-request") and sent.append(request.url))
    page.get_by_role("button", name="Buscar", exact=True).click()
    # Only what the reader chose, in the request htmx sends (app.js drops the empty fields) and in the
    # address bar (the server's HX-Push-Url: the default sort is left out too).
    expect(page).to_have_url(re.compile(r"/busca\?q=informacao&canal=workshop$"))
    assert len(sent) == 1 and "=&" not in sent[0] and not sent[0].endswith("="), sent
    expect(page.locator("#resultados-titulo")).to_contain_text("encontrada")
    assert page.evaluate("window.__sameDocument === true"), "htmx should swap the results, not reload the page"
    for meta in page.locator(".search-result p.meta").all():
        expect(meta).to_contain_text("Oficina")
    assert_accessible(page, "busca filtrada")


def test_the_live_region_announces_the_new_count_after_an_htmx_filter(page: Page, app: Flask, full_demo: str):
    """The count sits in a polite live region outside the swapped results; htmx replaces its content (out of
    band), not the region itself, so screen readers announce the new count."""
    expected = cpf_in_para(app)
    page.goto(f"/consultas/{full_demo}/busca?q=cpf")
    page.wait_for_function("() => window.htmx !== undefined")
    status = page.locator("#resultados-resumo")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_attribute("aria-live", "polite")
    before = status.inner_text()
    assert re.fullmatch(r"\d+ contribuições encontradas", before), before
    status.evaluate("region => { region.dataset.original = 'sim'; }")
    page.get_by_label("Estado da oficina", exact=True).select_option("PA")
    page.get_by_role("button", name="Buscar", exact=True).click()
    expect(status).to_have_text(f"{len(expected)} contribuições encontradas")
    assert before != f"{len(expected)} contribuições encontradas"
    expect(page.locator("#resultados-resumo[data-original=sim]")).to_have_count(1)  # the same region, kept
    expect(page.locator("#resultados-resumo")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/busca\?q=cpf&uf=PA$"))
    expect(page.locator(".search-result")).to_have_count(len(expected))
    assert_accessible(page, "busca filtrada por estado")


def test_searching_works_without_javascript(new_page, app: Flask, full_demo: str):
    page = new_page(java_script_enabled=False)
    expected = cpf_in_para(app)
    page.goto(f"/consultas/{full_demo}/busca")
    page.get_by_label("Palavras").fill("cpf")
    page.get_by_label("Estado da oficina", exact=True).select_option("PA")
    page.get_by_role("button", name="Buscar", exact=True).click()
    # The form sends every field; the server redirects to the clean URL of the same search.
    expect(page).to_have_url(re.compile(r"/busca\?q=cpf&uf=PA$"))
    expect(page.locator(".search-result")).to_have_count(len(expected))
    assert result_ids(page) == expected
    expect(page.locator("#resultados-resumo")).to_have_text(f"{len(expected)} contribuições encontradas")


def test_the_article_search_stays_within_the_article(page: Page, app: Flask, full_demo: str):
    from consulta.models import Article

    with app.app_context():
        article_id = db.session.scalar(select(Article.id).where(Article.label == "Recomendação 1.1"))
    page.goto(f"/consultas/{full_demo}/artigos/{article_id}")
    page.get_by_role("searchbox", name="Buscar nas contribuições de Recomendação 1.1").fill("CPF")
    page.get_by_role("button", name="Buscar", exact=True).click()
    expect(page).to_have_url(re.compile(rf"artigo={article_id}"))
    expect(page.locator(".search-result").first).to_be_visible()
    for meta in page.locator(".search-result p.meta").all():
        expect(meta).to_contain_text("Recomendação 1.1")
