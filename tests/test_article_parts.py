"""Contributions on one part of an article (caput, §, inciso, alínea): page, form, diff, counts."""

import re

import pytest
from sqlalchemy import select

from consulta.extensions import db
from consulta.models import Contribution
from tests.test_participation import articles_of, contributions, post_contribution


@pytest.fixture
def open_consultation(create_consultation):
    return create_consultation("open")


def _article_with_incisos(app, slug):
    """Art. 2º of the small draft: "São princípios:" with incisos I and II."""
    return articles_of(app, slug)[0][1]


def test_part_link_opens_the_form_on_that_part_with_its_current_text(app, client, auth, create_user,
                                                                     open_consultation):
    auth.login(create_user())
    article_id = _article_with_incisos(app, open_consultation.slug)
    page = client.get(f"/consultas/{open_consultation.slug}/artigos/{article_id}?parte=inc-II").get_data(as_text=True)
    assert 'id="parte-inc-II"' in page and "parte--selecionada" in page
    assert re.search(r'<option selected value="inc-II">Inciso II</option>|<option value="inc-II" selected>', page)
    assert re.search(r'<textarea[^>]*name="proposed_text"[^>]*>\s*II – participação\.</textarea>', page)
    assert f'href="/consultas/{open_consultation.slug}/artigos/{article_id}?parte=inc-I#contribuir"' in page


def test_new_wording_of_an_inciso_is_diffed_against_that_inciso_only(app, client, auth, create_user,
                                                                      open_consultation):
    auth.login(create_user())
    article_id = _article_with_incisos(app, open_consultation.slug)
    response = post_contribution(client, open_consultation.slug, article_id, kind="new_wording",
                                 part="inc-II", proposed_text="II – participação social.")
    assert response.status_code == 303
    [contribution] = contributions(app)
    assert contribution.part == "inc-II"
    assert "transparência" not in contribution.proposal_html and "princípios" not in contribution.proposal_html
    assert "<ins>" in contribution.proposal_html and "social" in contribution.proposal_html
    page = client.get(f"/consultas/{open_consultation.slug}/artigos/{article_id}").get_data(as_text=True)
    assert re.search(r'<li class="parte" id="parte-inc-II" data-parte="inc-II">.*?'
                     r'<span class="parte__contagem">1<', page, re.S)
    assert "Sobre: inciso II" in page


def test_listing_can_be_narrowed_to_one_part(app, client, auth, create_user, open_consultation):
    auth.login(create_user())
    article_id = _article_with_incisos(app, open_consultation.slug)
    post_contribution(client, open_consultation.slug, article_id, part="inc-I", body="Sobre a transparência.")
    post_contribution(client, open_consultation.slug, article_id, body="Sobre o artigo todo.")
    page = client.get(f"/consultas/{open_consultation.slug}/artigos/{article_id}?parte=inc-I").get_data(as_text=True)
    assert "Sobre a transparência." in page and "Sobre o artigo todo." not in page
    page = client.get(f"/consultas/{open_consultation.slug}/artigos/{article_id}").get_data(as_text=True)
    assert "Sobre a transparência." in page and "Sobre o artigo todo." in page


def test_unknown_part_is_refused_with_a_message_and_nothing_typed_is_lost(app, client, auth, create_user,
                                                                          open_consultation):
    auth.login(create_user())
    article_id = _article_with_incisos(app, open_consultation.slug)
    response = post_contribution(client, open_consultation.slug, article_id, part="inc-IX",
                                 body="Texto que não pode se perder.")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Esta parte não existe no dispositivo" in page and "Texto que não pode se perder." in page
    with app.app_context():
        assert db.session.scalars(select(Contribution)).all() == []


def test_open_data_api_and_analysis_download_carry_the_part(app, client, auth, create_user, open_consultation):
    import csv
    import io

    from consulta.insights.downloads import contribution_rows

    auth.login(create_user())
    article_id = _article_with_incisos(app, open_consultation.slug)
    post_contribution(client, open_consultation.slug, article_id, part="inc-II", body="Sobre a participação.")
    post_contribution(client, open_consultation.slug, article_id, body="Sobre o artigo.")
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/consultas/{open_consultation.slug}/dados/contribuicoes.csv").get_data(as_text=True))))
    assert [(r["texto"], r["parte"]) for r in rows] == [("Sobre a participação.", "inc-II"), ("Sobre o artigo.", "")]
    data = client.get(f"/api/v1/consultations/{open_consultation.slug}/contributions").get_json()["data"]
    assert sorted((item["text"], item["part"]) for item in data) == [
        ("Sobre a participação.", "inc-II"), ("Sobre o artigo.", None)]
    ids = [c.id for c in contributions(app)]
    view = {"groups": [{"clusters": [{"id": 1, "label": "Participação"}]}],
            "assignments": [{"record_id": i, "cluster_id": 1} for i in ids]}
    with app.test_request_context():
        assert [(r["texto"], r["parte"]) for r in contribution_rows(view)] == [
            ("Sobre a participação.", "inciso II"), ("Sobre o artigo.", "")]


def test_table_of_contents_shows_contributions_per_article(app, client, auth, create_user, open_consultation):
    auth.login(create_user())
    ids, _ = articles_of(app, open_consultation.slug)
    post_contribution(client, open_consultation.slug, ids[1], part="inc-I")
    post_contribution(client, open_consultation.slug, ids[1], body="Outro comentário.")
    page = client.get(f"/consultas/{open_consultation.slug}").get_data(as_text=True)
    counts = re.findall(r'>(Art\. \dº|Recomendação [\d.]+)</a> <span class="count toc-articles__count">(\d+) ', page)
    assert counts == [("Art. 1º", "0"), ("Art. 2º", "2"), ("Recomendação 1.1", "0"), ("Recomendação 1.2", "0")]
