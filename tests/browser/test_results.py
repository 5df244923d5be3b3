"""The public results page in a real browser: map and timeline visible at phone and desktop widths, axe clean."""

from flask import Flask
from playwright.sync_api import expect

from consulta.extensions import db
from consulta.models import Article, ContributionKind, Stance, User, VoteValue
from consulta.participation import services as participation
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_accessibility import article_id, assert_accessible
from tests.browser.test_reading import assert_no_horizontal_scroll, save_screenshot


def test_results_page_shows_its_charts_and_passes_axe(
    new_page, app: Flask, demo_consultation: str, create_user, artifacts
):
    people = [create_user().id for _ in range(6)]
    target = article_id(app, demo_consultation, "Recomendação 1.1")
    with app.app_context():
        article = db.session.get(Article, target)
        for n, user_id in enumerate(people):
            user = db.session.get(User, user_id)
            participation.contribute(user, article=article, kind=ContributionKind.COMMENT, stance=Stance.AGREE,
                                     body=f"Contribuição de teste número {n}.")
            participation.cast_vote(user, article, [VoteValue.AGREE, VoteValue.DISAGREE][n % 2])
        db.session.commit()

    for name, viewport in (("desktop", DESKTOP), ("celular", PHONE)):
        page = new_page(viewport=viewport)
        page.goto(f"/consultas/{demo_consultation}/resultados")
        expect(page.get_by_role("heading", level=1)).to_have_text("Resultados da participação")
        for chart in ("svg.tile-map__svg", "svg.timeline", "svg.votes-bar"):
            box = page.locator(chart).first.bounding_box()
            assert box is not None and box["width"] > 0 and box["height"] > 0, f"{chart} invisível ({name})"
        assert_accessible(page, f"resultados ({name})")
        if viewport == PHONE:
            assert_no_horizontal_scroll(page, PHONE["width"])
        save_screenshot(page, artifacts / f"resultados-{name}.png")
        page.context.close()
