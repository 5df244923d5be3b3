"""Reading, signing up and publishing through a real browser (headless Chromium)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from consulta.cli import DEMO_TITLE
from tests.browser.conftest import PHONE
from tests.conftest import PASSWORD, SMALL_DRAFT


def assert_no_horizontal_scroll(page: Page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url}: a página rola na horizontal ({scroll_width}px > {width}px)"


def save_screenshot(page: Page, path: Path) -> None:
    """Full-page screenshot, after checking there is real content on it (not a blank or error page)."""
    main = page.locator("main#conteudo")
    expect(main).to_be_visible()
    box = main.bounding_box()
    assert box is not None and box["height"] > 300, f"conteúdo principal quase vazio: {box}"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000, f"captura suspeita de estar em branco: {path}"


def test_phone_reader_goes_from_home_to_the_next_article(phone_page: Page, demo_consultation: str, artifacts: Path):
    page = phone_page
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultas públicas")
    assert_no_horizontal_scroll(page, PHONE["width"])

    page.get_by_role("link", name=DEMO_TITLE).click()
    expect(page).to_have_url(re.compile(rf"/consultas/{demo_consultation}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_TITLE)
    assert_no_horizontal_scroll(page, PHONE["width"])

    page.locator(".toc-articles").get_by_role("link", name="Art. 2º", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/consultas/{demo_consultation}/artigos/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Art. 2º")
    expect(page.locator(".article__section")).to_have_text("Capítulo I — Disposições gerais")
    text = page.locator(".article-text")
    expect(text.locator("p.caput")).to_contain_text("considera-se")
    incisos = text.locator("ol > li")
    expect(incisos).to_have_count(5)
    expect(incisos.first).to_contain_text("governo digital")
    expect(page.locator(".breadcrumbs [aria-current=page]")).to_have_text("Art. 2º")
    assert_no_horizontal_scroll(page, PHONE["width"])
    save_screenshot(page, artifacts / "artigo-celular.png")

    page.get_by_role("link", name=re.compile(r"^Próximo:")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Art. 3º")
    expect(page.locator(".article-text ol > li")).to_have_count(6)
    expect(page.get_by_role("link", name=re.compile(r"^Anterior:"))).to_contain_text("Art. 2º")
    assert_no_horizontal_scroll(page, PHONE["width"])


def test_article_pages_work_without_javascript(new_page, demo_consultation: str):
    page = new_page(viewport=PHONE, java_script_enabled=False)
    page.goto(f"/consultas/{demo_consultation}")
    page.locator(".toc-articles").get_by_role("link", name="Art. 4º", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Art. 4º")
    # Art. 4º nests alíneas a) to c) inside inciso IV.
    expect(page.locator(".article-text ol > li")).to_have_count(9)
    expect(page.locator(".article-text li li")).to_have_count(3)

    page.get_by_role("link", name=re.compile(r"^Próximo:")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Art. 5º")
    expect(page.locator(".article__section")).to_have_text("Capítulo II — Da governança")

    page.get_by_role("link", name=re.compile(r"^Anterior:")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Art. 4º")

    page.get_by_role("link", name="Sumário", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_TITLE)
    page.get_by_role("link", name="Ler o texto completo").click()
    expect(page).to_have_url(re.compile(rf"/consultas/{demo_consultation}/texto$"))
    expect(page.get_by_role("link", name="Art. 12", exact=True)).to_be_visible()
    assert_no_horizontal_scroll(page, PHONE["width"])


def test_person_registers_logs_in_and_logs_out(page: Page, app):
    email = "maria.silva@exemplo.com.br"
    password = "girassol azul na janela da cozinha"
    page.goto("/")
    page.get_by_role("link", name="Criar conta").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Criar conta")

    expect(page.get_by_role("radio", name="Pessoa", exact=True)).to_be_checked()
    page.get_by_role("radio", name="Pessoa", exact=True).check()
    page.get_by_label("Nome (como aparecerá nas contribuições)").fill("Maria da Silva")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha", exact=True).fill(password)
    page.get_by_label("Estado (UF)").select_option("BA")
    page.get_by_label("Li a Política de Privacidade").check()
    page.get_by_role("button", name="Criar conta").click()

    # Signing up signs in and returns to the page the person came from.
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".flashes")).to_contain_text("Conta criada")
    account_nav = page.get_by_role("navigation", name="Conta")
    account_nav.get_by_role("button", name="Sair").click()
    account_nav.get_by_role("link", name="Entrar").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha", exact=True).fill(password)
    page.get_by_role("button", name="Entrar").click()

    expect(page.locator(".flashes")).to_contain_text("Olá, Maria da Silva!")
    account_nav = page.get_by_role("navigation", name="Conta")
    expect(account_nav.get_by_role("link", name="Minha conta")).to_be_visible()
    expect(account_nav.get_by_role("link", name="Entrar")).to_have_count(0)

    account_nav.get_by_role("button", name="Sair").click()
    expect(page.locator(".flashes")).to_contain_text("Você saiu da sua conta.")
    expect(account_nav.get_by_role("link", name="Entrar")).to_be_visible()
    expect(account_nav.get_by_role("link", name="Minha conta")).to_have_count(0)


def test_admin_creates_imports_and_publishes_a_consultation(new_page, create_user):
    page = new_page()
    admin = create_user("admin", email="admin@exemplo.gov.br", name="Administração")
    page.goto("/entrar")
    page.get_by_label("E-mail").fill(admin.email)
    page.get_by_label("Senha", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("link", name="Administração")).to_be_visible()

    page.goto("/admin/consultas/nova")
    page.get_by_label("Título").fill("Estratégia de teste")
    page.get_by_label("Endereço (slug)").fill("estrategia-de-teste")
    page.get_by_label("Resumo").fill("Uma consulta criada pelo navegador.")
    page.get_by_role("button", name="Criar consulta").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Importar texto")
    expect(page.locator(".flashes")).to_contain_text("Consulta criada")
    page.get_by_label("…ou cole o texto aqui").fill(SMALL_DRAFT)
    page.get_by_role("button", name="Pré-visualizar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Pré-visualização da importação")
    preview = page.locator(".preview")
    expect(preview.get_by_text("Art. 1º", exact=True)).to_be_visible()
    expect(preview).to_contain_text("transparência")
    page.get_by_role("button", name="Confirmar importação").click()

    expect(page.locator(".flashes")).to_contain_text("Texto importado")
    expect(page.locator("#situacao")).to_contain_text("Em preparação")
    page.get_by_role("link", name="Publicar…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publicar a consulta?")
    page.get_by_role("button", name="Sim, publicar").click()
    expect(page.locator(".flashes")).to_contain_text("Consulta aberta à participação.")
    expect(page.locator("#situacao")).to_contain_text("Aberta")

    # What a visitor sees, in another context without the admin's session.
    public = new_page()
    public.goto("/consultas/estrategia-de-teste")
    expect(public.get_by_role("heading", level=1)).to_have_text("Estratégia de teste")
    expect(public.locator(".facts .badge")).to_have_text("Aberta")
    expect(public.locator(".toc-articles").get_by_role("link", name="Art. 2º", exact=True)).to_be_visible()
    public.goto("/")
    expect(public.get_by_role("link", name="Estratégia de teste")).to_be_visible()


def test_desktop_consultation_page_screenshot(page: Page, demo_consultation: str, artifacts: Path):
    page.goto(f"/consultas/{demo_consultation}")
    expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_TITLE)
    expect(page.locator(".facts .badge")).to_have_text("Aberta")
    expect(page.locator(".toc__section")).to_have_count(11)
    assert_no_horizontal_scroll(page, 1280)
    save_screenshot(page, artifacts / "consulta-desktop.png")


@pytest.mark.console_errors
def test_console_errors_and_csp_violations_are_caught(page, browser_problems):
    """The guard every browser test runs under: an inline style blocked by the CSP, an uncaught error and a
    missing subresource are all reported."""
    page.goto("/")
    page.evaluate("""() => {
        const inline = document.createElement('style');
        inline.textContent = 'body { background: red; }';
        document.head.appendChild(inline);
        setTimeout(() => { throw new Error('falha de teste'); }, 0);
        const img = document.createElement('img');
        img.src = '/static/nao-existe.png';
        document.body.appendChild(img);
    }""")
    page.wait_for_timeout(500)
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"  # blocked
    reported = "\n".join(browser_problems)
    assert "Content Security Policy" in reported
    assert "falha de teste" in reported
    assert "404 for image" in reported
