"""Accessibility tools in a real browser: the main journey by keyboard alone, the display preferences
(high contrast, larger text) with and without JavaScript, and axe clean in every display mode, maps
included. Screenshots of each mode go to test-artifacts/."""

import re
import time
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from consulta.accessibility import preferences
from tests.browser.conftest import DESKTOP, serve
from tests.browser.test_accessibility import article_id, assert_accessible
from tests.browser.test_reading import assert_no_horizontal_scroll, save_screenshot
from tests.browser.test_workshops import registered_workshops
from tests.conftest import PASSWORD

PHONE_390 = {"width": 390, "height": 844}
RECOMMENDATION = "Recomendação 1.1"
TITLE = "Estratégia Nacional de Governo Digital 2024–2027"

# What a keyboard user's focus is on: the element's accessible-ish name (label, aria-label or text).
_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return {name: "", tag: "body", visible: false};
  const label = e.labels && e.labels.length ? e.labels[0].innerText : "";
  const name = (e.getAttribute("aria-label") || label || e.innerText || e.value || "").trim().replace(/\\s+/g, " ");
  return {name: name, tag: e.tagName.toLowerCase(), id: e.id, visible: e.matches(":focus-visible")};
}"""


def focused(page: Page) -> dict:
    return page.evaluate(_FOCUSED)


def tab_to(page: Page, name: str | re.Pattern, *, limit: int = 120, backwards: bool = False) -> dict:
    """Press Tab (or Shift+Tab) until the focused element is called `name`; every stop shows its focus."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        seen.append(now["name"][:40])
        matches = name.search(now["name"]) if isinstance(name, re.Pattern) else now["name"] == name
        if matches:
            assert now["visible"], f"o foco em {now} não está visível (:focus-visible)"
            return now
    raise AssertionError(f"{name!r} não foi alcançado com Tab; o foco passou por: {seen}")


def test_main_journey_by_keyboard_alone(page: Page, app: Flask, demo_consultation: str, create_user):
    """Skip link, consultation, article, sign in, vote and contribute without touching the mouse."""
    user = create_user(name="Teresa Teclado")
    page.goto("/")
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["name"] == "Pular para o conteúdo" and skip["visible"]
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#conteudo")).to_be_focused()

    tab_to(page, TITLE)  # the first link after the skip target is inside main
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    tab_to(page, re.compile(rf"^{re.escape(RECOMMENDATION)}$"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(RECOMMENDATION)
    article_url = page.url

    page.keyboard.press("Tab")  # back at the top of the new page: the skip link first
    assert focused(page)["name"] == "Pular para o conteúdo"
    tab_to(page, "Entrar")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Entrar")
    tab_to(page, "E-mail")
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "Senha"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")  # submits the form
    expect(page.locator(".flashes")).to_contain_text("Olá")
    assert page.url == article_url, "o login deveria voltar ao artigo"

    tab_to(page, "Concordo")
    page.keyboard.press("Enter")
    status = page.locator("#votacao [role=status]")
    expect(status).to_have_text("Seu voto foi registrado: Concordo.")
    expect(status).to_be_focused()

    tab_to(page, re.compile(r"^Escrever uma contribuição sobre "))
    page.keyboard.press("Enter")
    expect(page.locator("#contribuir details")).to_have_attribute("open", "")
    tab_to(page, "Sua contribuição")
    page.keyboard.type("Contribuição escrita só com o teclado.")
    tab_to(page, "Publicar contribuição")
    page.keyboard.press("Enter")
    message = page.locator("#contribuir [role=status]")
    expect(message).to_have_text("Contribuição publicada.")
    expect(message).to_be_focused()
    expect(page.locator("#lista-contribuicoes .contribution").first).to_contain_text("só com o teclado")
    assert article_id(app, demo_consultation, RECOMMENDATION) > 0


@pytest.mark.parametrize("javascript", [True, False], ids=["com-js", "sem-js"])
def test_display_preferences_are_saved_and_applied_on_every_page(new_page, demo_consultation: str, javascript: bool):
    page = new_page(java_script_enabled=javascript)
    page.goto(f"/consultas/{demo_consultation}")
    page.get_by_role("link", name="Acessibilidade").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acessibilidade")
    html = page.locator("html")
    page.get_by_label(re.compile("^Alto contraste")).check()
    page.get_by_label(re.compile("^Texto maior")).check()
    if javascript:  # the enhancement shows the result before saving
        expect(html).to_have_class(re.compile(r"\balto-contraste\b"))
        expect(html).to_have_class(re.compile(r"\bfonte-maior\b"))
    else:
        expect(html).not_to_have_class(re.compile("alto-contraste"))
    page.get_by_role("button", name="Salvar preferências").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)  # back where the reader was
    expect(html).to_have_attribute("class", "alto-contraste fonte-maior")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(7, 29, 65)"
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "19.2px"
    page.goto("/")
    expect(html).to_have_attribute("class", "alto-contraste fonte-maior")


@pytest.fixture
def mapped(app: Flask, demo_consultation: str, create_user) -> str:
    registered_workshops(app, demo_consultation, create_user("facilitator").id)
    return demo_consultation


MODES = {"padrao": "", "contraste": "contraste", "fonte": "fonte", "contraste-e-fonte": "contraste.fonte"}


@pytest.mark.parametrize("mode", list(MODES))
def test_pages_are_axe_clean_in_every_display_mode(new_page, app: Flask, mapped: str, artifacts: Path, mode: str,
                                                   live_server: str):
    pages = {
        "inicio": "/",
        "artigo": f"/consultas/{mapped}/artigos/{article_id(app, mapped, RECOMMENDATION)}",
        "resultados": f"/consultas/{mapped}/resultados",
        "oficinas": f"/consultas/{mapped}/oficinas",
        "acessibilidade": "/acessibilidade",
    }
    for size_name, viewport in (("1280", DESKTOP), ("390", PHONE_390)):
        page = new_page(viewport=viewport)
        if MODES[mode]:
            page.context.add_cookies([{"name": preferences.COOKIE, "value": MODES[mode], "url": live_server}])
        for name, url in pages.items():
            page.goto(url)
            classes = " ".join(preferences.CLASSES[p] for p in preferences.CLASSES if p in MODES[mode].split("."))
            if classes:
                expect(page.locator("html")).to_have_attribute("class", classes)
            else:
                expect(page.locator("html")).not_to_have_attribute("class", re.compile("."))
            assert_no_horizontal_scroll(page, viewport["width"])
            assert_accessible(page, f"{url} ({mode}, {size_name}px)")
            if name in ("resultados", "oficinas", "acessibilidade") or size_name == "390":
                save_screenshot(page, artifacts / f"a11y-{mode}-{name}-{size_name}.png")
            if name in ("resultados", "oficinas"):
                page.locator(".geo-map").screenshot(path=str(artifacts / f"a11y-{mode}-{name}-{size_name}-mapa.png"))
        page.context.close()



@pytest.fixture
def vlibras_server(make_app) -> str:
    """A second live server, of an app with VLIBRAS on."""
    yield from serve(make_app(VLIBRAS=True))


# Stands in for vlibras-plugin.js (no network here). Like the real one, the widget's constructor only sets
# window.onload, which builds the widget when the page has loaded (so it must be constructed before that);
# then it loads a further script from vlibras.gov.br, as the plugin loads its player, through a Trusted
# Types sink.
FAKE_PLUGIN = """
window.VLibras = {Widget: function (root) {
  window.onload = function () {
    window.vlibrasStarted = root;
    var player = document.createElement("script");
    player.src = "https://vlibras.gov.br/app/target/UnityLoader.js";
    document.body.appendChild(player);
  };
}};
"""


def test_vlibras_widget_starts_under_the_policy_and_other_script_urls_stay_blocked(browser, vlibras_server: str):
    context = browser.new_context(base_url=vlibras_server)
    page = context.new_page()
    violations = []
    page.on("console", lambda message: message.type == "error" and violations.append(message.text))
    served = []

    def vlibras(route):
        served.append(route.request.url)
        body = FAKE_PLUGIN if route.request.url.endswith("vlibras-plugin.js") else "window.playerLoaded = true;"
        route.fulfill(status=200, content_type="application/javascript", body=body)

    page.route("https://vlibras.gov.br/**", vlibras)
    page.goto("/")
    # Polled from Python: wait_for_function's polling evaluates its predicate with eval(), which this very
    # policy forbids, so it only passed when the player had loaded before the first check.
    deadline = time.monotonic() + 10
    while page.evaluate("window.playerLoaded === true") is not True:
        assert time.monotonic() < deadline, "o VLibras (substituto) não carregou em 10 s"
        page.wait_for_timeout(50)
    assert page.evaluate("window.vlibrasStarted") == "https://vlibras.gov.br/app"
    assert served == ["https://vlibras.gov.br/app/vlibras-plugin.js", "https://vlibras.gov.br/app/target/UnityLoader.js"]
    expect(page.locator("[vw-access-button]")).to_have_count(1)
    assert violations == [], violations  # nothing the widget did was blocked or reported
    # Any other origin stays out: Trusted Types refuses the URL before the CSP is even asked.
    refused = page.evaluate("""() => {
      try { document.createElement("script").src = "https://exemplo.com/x.js"; return "allowed"; }
      catch (error) { return error.name; } }""")
    assert refused == "TypeError"
    assert len(violations) == 1 and "TrustedScriptURL" in violations[0], violations
    context.close()
