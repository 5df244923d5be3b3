"""WCAG 2.2 AA checks with axe-core on the public and account pages, at desktop and at phone width."""

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from consulta.extensions import db
from consulta.models import Article, Consultation
from tests.browser.conftest import DESKTOP, PHONE

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
VIEWPORTS = {"desktop": DESKTOP, "celular": PHONE}

_axe = Axe()


def describe_violations(where: str, violations: list[dict]) -> str:
    """One block per rule: id, impact, help, link, then each offending node's selector, HTML and summary."""
    lines = [f"{len(violations)} violação(ões) de acessibilidade em {where}:"]
    for violation in violations:
        lines.append(
            f"\n[{violation['id']}] ({violation.get('impact')}) {violation['help']}\n    {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"  - alvo: {target}\n    html: {node['html']}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            if summary:
                lines.append(f"    {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page, where: str) -> None:
    results = _axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert not violations, describe_violations(where, violations)


def assert_accessible_whatever_the_focus(page: Page, where: str) -> None:
    """Scan with nothing focused, then with the skip link focused.

    After a navigation (a redirect chain through another site, say) the browser may leave its focus on the
    first link of the new page or on none, and when it lands is a matter of timing; scanning both states
    makes the outcome independent of it. The focus is left on nothing.
    """
    page.wait_for_load_state("load")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    assert_accessible(page, where)
    skip_link = page.locator(".skip-link")
    skip_link.focus()
    assert_accessible(page, f"{where}, com o foco em “Pular para o conteúdo”")
    skip_link.blur()


def article_id(app: Flask, slug: str, label: str) -> int:
    with app.app_context():
        found = db.session.scalar(
            select(Article.id).join(Consultation).where(Consultation.slug == slug, Article.label == label)
        )
    assert found is not None, f"{label} não encontrado em {slug}"
    return found


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def sized_page(request: pytest.FixtureRequest, new_page) -> Page:
    """A page at desktop width, then at phone width (360×800, touch)."""
    if request.param == "celular":
        return new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    return new_page(viewport=DESKTOP)


def open_page(page: Page, url: str, heading: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


PUBLIC_PAGES: dict[str, Callable[[Flask, str], tuple[str, str]]] = {
    "inicio": lambda app, slug: ("/", "Consultas públicas"),
    "consulta": lambda app, slug: (f"/consultas/{slug}", "Estratégia Nacional de Governo Digital 2024–2027"),
    # Art. 4º has incisos and, inside inciso IV, alíneas: the deepest structure in the demo.
    "artigo": lambda app, slug: (f"/consultas/{slug}/artigos/{article_id(app, slug, 'Art. 4º')}", "Art. 4º"),
    "texto-completo": lambda app, slug: (
        f"/consultas/{slug}/texto", "Estratégia Nacional de Governo Digital 2024–2027"
    ),
}


@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_public_pages_have_no_wcag_violations(sized_page: Page, app: Flask, demo_consultation: str, name: str):
    url, heading = PUBLIC_PAGES[name](app, demo_consultation)
    open_page(sized_page, url, heading)
    if name == "artigo":
        expect(sized_page.locator(".article-text li li").first).to_be_visible()
    assert_accessible(sized_page, f"{url} ({sized_page.viewport_size})")


@pytest.mark.parametrize(
    ("url", "heading"), [("/entrar", "Entrar"), ("/cadastro", "Criar conta"), ("/senha/esqueci", "Esqueci minha senha")],
    ids=["entrar", "cadastro", "esqueci"],
)
def test_account_forms_have_no_wcag_violations(sized_page: Page, url: str, heading: str):
    open_page(sized_page, url, heading)
    assert_accessible(sized_page, f"{url} ({sized_page.viewport_size})")


def test_registration_errors_have_no_wcag_violations(sized_page: Page):
    page = sized_page
    open_page(page, "/cadastro", "Criar conta")
    page.get_by_label("E-mail").fill("isto-nao-e-um-email")
    page.get_by_label("Senha", exact=True).fill("123")
    page.get_by_role("button", name="Criar conta").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Corrija os campos abaixo")
    expect(page.locator(".field--error")).not_to_have_count(0)
    # Each error is tied to its field, so screen readers announce it with the field.
    name_field = page.get_by_label("Nome (como aparecerá nas contribuições)")
    expect(name_field).to_have_attribute("aria-invalid", "true")
    expect(name_field).to_have_accessible_description("Informe seu nome.")
    assert_accessible(page, f"/cadastro com erros ({page.viewport_size})")


def test_login_error_has_no_wcag_violations(sized_page: Page):
    page = sized_page
    open_page(page, "/entrar", "Entrar")
    page.get_by_label("E-mail").fill("ninguem@exemplo.com.br")
    page.get_by_label("Senha", exact=True).fill("senha errada de propósito")
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("alert")).to_contain_text("E-mail ou senha incorretos.")
    assert_accessible(page, f"/entrar com erro ({page.viewport_size})")


@pytest.mark.parametrize(("url", "heading"), [("/conta/seguranca", "Segurança da conta"),
                                             ("/conta/contribuicoes", "Minhas contribuições")],
                         ids=["seguranca", "contribuicoes"])
def test_account_security_pages_have_no_wcag_violations(sized_page: Page, create_user, url: str, heading: str):
    from tests.conftest import PASSWORD

    user = create_user()
    page = sized_page
    open_page(page, "/entrar", "Entrar")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Senha", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.locator(".flashes")).to_contain_text("Olá")
    open_page(page, url, heading)
    assert_accessible(page, f"{url} ({page.viewport_size})")
