"""Two app instances sharing one Redis: the page cache and the results snapshot are shared, suppression kept."""

import os
import uuid

import pytest
from sqlalchemy import select

from consulta.extensions import db
from consulta.models import Article, Consultation, Contribution, Sector
from tests.test_results import DAY, DRAFT, _seed, _user

REDIS_URL = os.environ.get("CONSULTA_TEST_REDIS_URL")


@pytest.fixture
def two_instances(make_app):
    """Two apps (as two servers would be) on the same database and the same Redis cache."""
    if not REDIS_URL:
        if os.environ.get("CONSULTA_STRICT_SKIPS") == "1":
            pytest.fail("CONSULTA_TEST_REDIS_URL is not set under CI")
        pytest.skip("CONSULTA_TEST_REDIS_URL não definido: teste do Redis pulado")

    def build(**overrides):
        prefix = f"teste-{uuid.uuid4().hex}:"
        settings = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix,
                    **overrides}
        return make_app(**settings), make_app(**settings)

    return build


def add_contribution_in_sp(app, slug):
    """A change the figures would show: one more online participant, in SP."""
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
        article = db.session.scalar(select(Article).where(Article.consultation_id == consultation.id))
        author = _user(7001, "SP", Sector.CITIZEN)
        db.session.flush()
        db.session.add(Contribution(consultation_id=consultation.id, article_id=article.id, author_id=author.id,
                                    body="Mais uma contribuição.", created_at=DAY))
        db.session.commit()


def am_row(page: str) -> str:
    return page.split('id="uf-AM"')[1].split("</tr>")[0]


def test_a_page_cached_by_one_instance_is_served_by_the_other(two_instances, create_consultation):
    first, second = two_instances(PAGE_CACHE_SECONDS=60, RESULTS_MAX_AGE=60)
    consultation = create_consultation("open", text=DRAFT)
    _seed(first, consultation.slug)
    url = f"/consultas/{consultation.slug}/resultados"
    page = first.test_client().get(url).get_data(as_text=True)
    add_contribution_in_sp(first, consultation.slug)
    shared = second.test_client().get(url)
    assert shared.status_code == 200 and shared.get_data(as_text=True) == page
    assert am_row(page).count("&lt;5") == 2 and ">2<" not in am_row(page)


def test_the_results_snapshot_is_shared_and_keeps_suppression(two_instances, create_consultation):
    first, second = two_instances(PAGE_CACHE_SECONDS=0, RESULTS_MAX_AGE=60)
    consultation = create_consultation("open", text=DRAFT)
    _seed(first, consultation.slug)
    url = f"/consultas/{consultation.slug}/resultados"
    participants = first.test_client().get(url).get_data(as_text=True).split("<dt>Participantes</dt><dd>")[1][:10]
    add_contribution_in_sp(first, consultation.slug)
    page = second.test_client().get(url).get_data(as_text=True)
    assert page.split("<dt>Participantes</dt><dd>")[1][:10] == participants  # the first instance's snapshot
    assert am_row(page).count("&lt;5") == 2 and ">2<" not in am_row(page)
    assert "Amazonas (AM), região Norte: &lt;5 participantes" in page
