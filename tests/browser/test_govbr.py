"""gov.br sign-in in Chromium, through the local OpenID Provider's login page and back."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, TIMEOUT_MS, serve
from tests.browser.test_accessibility import assert_accessible_whatever_the_focus
from tests.identity_fixtures import _provider_process, oidc_provider  # noqa: F401


@pytest.fixture
def govbr_server(make_app, oidc_provider):  # noqa: F811
    """An app configured for the local provider, served over HTTP on 127.0.0.1."""
    yield from serve(make_app(**oidc_provider.app_config()))


def test_person_signs_in_with_govbr_and_out_at_govbr_too(browser, govbr_server, oidc_provider):  # noqa: F811
    context = browser.new_context(base_url=govbr_server, viewport=DESKTOP, locale="pt-BR")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto("/privacidade")
        page.get_by_role("link", name="Entrar", exact=True).click()
        assert_accessible_whatever_the_focus(page, "/entrar com o botão gov.br")
        page.get_by_role("link", name="Entrar com gov.br").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Acesso gov.br (provedor de teste)")
        page.get_by_label("Nível").select_option("gold")
        page.get_by_role("button", name="Autorizar").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Concluir entrada com gov.br")
        assert_accessible_whatever_the_focus(page, "/entrar/govbr/concluir")
        page.get_by_label("Li a Política de Privacidade").check()
        page.get_by_role("button", name="Criar conta e entrar").click()
        expect(page).to_have_url(f"{govbr_server}/privacidade")
        expect(page.locator(".flashes")).to_contain_text("Você entrou com gov.br (nível Ouro)")
        page.get_by_role("navigation", name="Conta").get_by_role("link", name="Minha conta").click()
        expect(page.locator(".facts")).to_contain_text("gov.br ouro")
        logouts = oidc_provider.logouts()
        page.get_by_role("button", name="Sair").click()
        expect(page).to_have_url(f"{govbr_server}/")
        assert oidc_provider.logouts() == logouts + 1
        expect(page.get_by_role("link", name="Entrar", exact=True)).to_be_visible()
    finally:
        context.close()
