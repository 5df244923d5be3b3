"""The API documentation page, the article statistics and "copiar link" in Chromium: phone and desktop, axe,
no horizontal scroll, the clipboard and the live region."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_reading import assert_no_horizontal_scroll, save_screenshot
from tests.test_article_stats import seeded  # noqa: F401  (an article with contributions from several states)

SIZES = {"desktop": (DESKTOP, {}), "celular": (PHONE, {"is_mobile": True, "has_touch": True})}


@pytest.mark.parametrize("size", list(SIZES))
def test_api_documentation_page_reads_well_at_every_width(new_page, demo_consultation: str, artifacts: Path, size):
    viewport, options = SIZES[size]
    page: Page = new_page(viewport=viewport, **options)
    page.goto("/api/v1/documentacao")
    expect(page.get_by_role("heading", level=1)).to_contain_text("API de dados abertos")
    page.locator("#op-listContributions").scroll_into_view_if_needed()
    page.get_by_text("Resposta de exemplo (200)").nth(2).click()
    expect(page.locator("details[open] pre")).to_contain_text('"status": "open"')
    assert_no_horizontal_scroll(page, viewport["width"])
    assert_accessible(page, f"documentação da API ({size})")
    save_screenshot(page, artifacts / f"api-documentacao-{size}.png")


@pytest.mark.parametrize("size", list(SIZES))
def test_article_statistics_open_and_pass_axe(new_page, seeded, artifacts: Path, size):  # noqa: F811
    """A <details>: it opens without JavaScript too (axe itself needs JavaScript to run)."""
    viewport, options = SIZES[size]
    page: Page = new_page(viewport=viewport, **options)
    page.goto(f"/consultas/{seeded['slug']}/artigos/{seeded['article']}")
    stats = page.locator("#estatisticas")
    stats.locator("summary").click()
    expect(stats.get_by_role("table", name="Contribuições por posição e canal")).to_be_visible()
    expect(stats.get_by_role("table", name="Estados com mais contribuições")).to_contain_text("<5")
    assert_no_horizontal_scroll(page, viewport["width"])
    assert_accessible(page, f"estatísticas do artigo ({size})")
    stats.screenshot(path=str(artifacts / f"artigo-estatisticas-{size}.png"))


def test_copy_link_copies_the_address_and_announces_it(new_page, live_server: str, seeded):  # noqa: F811
    page: Page = new_page(permissions=["clipboard-read", "clipboard-write"])
    url = f"/consultas/{seeded['slug']}/artigos/{seeded['article']}"
    page.goto(url)
    link = page.locator("a[data-copy-link]").first
    href = link.get_attribute("href")
    assert re.fullmatch(r"/contribuicoes/\d+", href)
    link.click()
    expect(page.locator("#aviso")).to_have_text("Link da contribuição copiado.")
    assert page.evaluate("navigator.clipboard.readText()") == live_server + href
    assert page.url == live_server + url  # copied, not followed


def test_copy_link_without_javascript_goes_to_the_contribution(new_page, seeded):  # noqa: F811
    page: Page = new_page(java_script_enabled=False)
    page.goto(f"/consultas/{seeded['slug']}/artigos/{seeded['article']}")
    link = page.locator("a[data-copy-link]").first
    number = link.get_attribute("href").rsplit("/", 1)[1]
    link.click()
    expect(page).to_have_url(re.compile(rf"/artigos/\d+#contribuicao-{number}$"))
