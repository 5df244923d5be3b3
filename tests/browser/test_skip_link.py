"""The skip link, as a keyboard user first meets it: one Tab on a page shows it as a bar above the header, a
target of at least 24×24 px that overlaps no other target, and the page stays axe-clean — at phone and desktop
widths, in every display mode (high contrast, larger text). Screenshots go to test-artifacts/."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from consulta.accessibility import preferences
from tests.browser.conftest import DESKTOP
from tests.browser.test_accessibility import assert_accessible

PHONE_390 = {"width": 390, "height": 844}
MODES = {"padrao": "", "contraste": "contraste", "fonte": "fonte", "contraste-e-fonte": "contraste.fonte"}
PAGES = {"inicio": "/", "entrar": "/entrar"}

# The skip link's box, and every other visible focusable element whose box intersects it.
_OVERLAPS = """() => {
  const skip = document.querySelector(".skip-link").getBoundingClientRect();
  const hits = [];
  for (const e of document.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]")) {
    if (e.matches(".skip-link")) continue;
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    if (r.left < skip.right && skip.left < r.right && r.top < skip.bottom && skip.top < r.bottom) {
      hits.push(e.outerHTML.slice(0, 80));
    }
  }
  return {box: {x: skip.x, y: skip.y, width: skip.width, height: skip.height}, overlaps: hits};
}"""


@pytest.mark.parametrize("mode", list(MODES))
def test_one_tab_shows_the_skip_link_as_a_large_target_over_nothing(new_page, live_server: str, artifacts: Path,
                                                                    mode: str):
    for size_name, viewport in (("390", PHONE_390), ("1280", DESKTOP)):
        page = new_page(viewport=viewport)
        if MODES[mode]:
            page.context.add_cookies([{"name": preferences.COOKIE, "value": MODES[mode], "url": live_server}])
        for name, url in PAGES.items():
            page.goto(url)
            skip_link = page.locator(".skip-link")
            assert skip_link.bounding_box()["height"] <= 1, "hidden until focused"
            page.keyboard.press("Tab")
            expect(skip_link).to_be_focused()
            expect(skip_link).to_be_in_viewport()
            found = page.evaluate(_OVERLAPS)
            box = found["box"]
            assert box["width"] >= 24 and box["height"] >= 24, f"{url} ({mode}, {size_name}px): {box}"
            assert box["y"] == 0 and box["width"] == viewport["width"], f"a bar across the top: {box}"
            assert found["overlaps"] == [], f"{url} ({mode}, {size_name}px) overlaps {found['overlaps']}"
            assert_accessible(page, f"{url} com o foco no link de pular ({mode}, {size_name}px)")
            if name == "inicio":
                page.screenshot(path=str(artifacts / f"pular-{mode}-{size_name}.png"))
            page.keyboard.press("Enter")
            expect(page.locator("main#conteudo")).to_be_focused()
            assert skip_link.bounding_box()["height"] <= 1, "hidden again once the focus moved on"
        page.context.close()
