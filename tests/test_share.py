"""Share links and previews: canonical URLs, Open Graph / Twitter meta, the drawn images, "copiar link"."""

import html as html_lib
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from consulta.extensions import db
from consulta.models import Article, ArticleKind, Consultation, Contribution, Stance, User
from consulta.share.cards import MAX_TITLE, Card, _font, _wrap, drawable, render

PUBLIC = "http://localhost:5000"  # PUBLIC_URL's default: the test client's requests come from elsewhere
HOSTILE_TITLE = 'Consulta "aspas" <script>alert(1)</script> & outras — ' + "muito longa " * 40


def _meta(html: str) -> dict[str, str]:
    """property/name -> content of every meta tag, and the canonical link."""
    found = {m[0]: html_lib.unescape(m[1]) for m in re.findall(
        r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', html)}
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html)
    if canonical:
        found["canonical"] = canonical.group(1)
    return found


@pytest.fixture
def place(app, create_consultation):
    consultation = create_consultation("open", title=HOSTILE_TITLE[:300])
    with app.app_context():
        c = db.session.scalar(select(Consultation).where(Consultation.slug == consultation.slug))
        c.summary = "Resumo da consulta com *ênfase* e\nquebra de linha."
        article = db.session.scalar(select(Article).where(Article.consultation_id == c.id,
                                                          Article.kind == ArticleKind.RECOMMENDATION).limit(1))
        author = User(email="autora@exemplo.com.br", display_name="Autora")
        db.session.add(author)
        db.session.flush()
        item = Contribution(consultation_id=c.id, article_id=article.id, author_id=author.id, body="Comentário.",
                            stance=Stance.AGREE)
        db.session.add(item)
        db.session.commit()
        return {"slug": c.slug, "article": article.id, "label": article.label, "contribution": item.id}


@pytest.mark.parametrize("page", ["consultation", "article", "results"])
def test_public_pages_carry_canonical_open_graph_and_twitter_meta(client, place, page):
    path = {"consultation": f"/consultas/{place['slug']}", "article": f"/consultas/{place['slug']}/artigos/{place['article']}",
            "results": f"/consultas/{place['slug']}/resultados"}[page]
    html = client.get(path + "?pagina=2&ordem=apoiadas").get_data(as_text=True)
    meta = _meta(html)
    assert meta["canonical"] == PUBLIC + path == meta["og:url"]
    for key in ("og:title", "og:description", "og:image", "twitter:title", "twitter:description", "twitter:image",
                "og:image:alt", "description"):
        assert meta[key], key
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:image"] == meta["twitter:image"] and meta["og:image"].startswith(PUBLIC + "/consultas/")
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html  # escaped, in meta as elsewhere


def test_descriptions_come_from_the_text(client, place):
    meta = _meta(client.get(f"/consultas/{place['slug']}").get_data(as_text=True))
    assert meta["og:description"] == "Resumo da consulta com ênfase e quebra de linha."
    meta = _meta(client.get(f"/consultas/{place['slug']}/artigos/{place['article']}").get_data(as_text=True))
    assert meta["og:title"].startswith(place["label"] + " — ")
    assert meta["og:description"] == "Garantir acesso digital a todos."
    meta = _meta(client.get(f"/consultas/{place['slug']}/resultados").get_data(as_text=True))
    assert "1 contribuições" in meta["og:description"] or "1 contribuição" in meta["og:description"]


@pytest.mark.parametrize("page", ["consultation", "article", "results"])
def test_preview_image_is_a_1200_by_630_png_cached_by_its_content(client, place, page):
    path = {"consultation": f"/consultas/{place['slug']}", "article": f"/consultas/{place['slug']}/artigos/{place['article']}",
            "results": f"/consultas/{place['slug']}/resultados"}[page]
    image_url = _meta(client.get(path).get_data(as_text=True))["og:image"].removeprefix(PUBLIC)
    response = client.get(image_url)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == (1200, 630)
    version = re.search(r"[?&]v=([0-9a-f]+)", image_url).group(1)
    assert response.headers["ETag"] == f'"{version}"'
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    again = client.get(image_url, headers={"If-None-Match": f'"{version}"'})
    assert again.status_code == 304 and again.data == b""
    other = client.get(image_url.split("?")[0] + "?v=antiga")  # an old URL still answers, briefly cached
    assert other.status_code == 200 and other.headers["Cache-Control"] == "public, max-age=30"


def test_image_url_changes_when_what_it_shows_changes(app, client, place):
    path = f"/consultas/{place['slug']}/artigos/{place['article']}"
    before = _meta(client.get(path).get_data(as_text=True))["og:image"]
    with app.app_context():
        db.session.get(Article, place["article"]).contributions_agree += 1
        db.session.commit()
    after = _meta(client.get(path).get_data(as_text=True))["og:image"]
    assert before != after


def test_draft_images_are_404_for_the_public(client, create_consultation, app):
    draft = create_consultation("draft")
    with app.app_context():
        article_id = db.session.scalar(select(Article.id).join(Consultation).where(
            Consultation.slug == draft.slug).limit(1))
    for url in (f"/consultas/{draft.slug}/imagem.png", f"/consultas/{draft.slug}/resultados/imagem.png",
                f"/consultas/{draft.slug}/artigos/{article_id}/imagem.png"):
        assert client.get(url).status_code == 404, url


def test_article_image_of_another_consultation_is_404(client, place, create_consultation):
    other = create_consultation("open")
    assert client.get(f"/consultas/{other.slug}/artigos/{place['article']}/imagem.png").status_code == 404


def test_card_text_is_bounded_and_drawable():
    text = drawable("Título 🚀 com emoji\u200b, ő acento\u202e e árabe عربي " + "x" * 1000, MAX_TITLE)
    assert len(text) <= MAX_TITLE and text.endswith("…")
    assert "🚀" not in text and "\u202e" not in text and "o acento" in text and "Título" in text
    lines = _wrap(" ".join(["palavra"] * 200), _font(60, True), 1056, 3)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(_font(60, True).getlength(line) <= 1056 for line in lines)
    assert _wrap("Supercalifragilístico" * 10, _font(60, True), 1056, 3)[0].endswith("…")
    huge = Card("k" * 10_000, "t" * 10_000, "e" * 10_000, (("9" * 50, "l" * 50),) * 20, "f" * 10_000)
    assert Image.open(io.BytesIO(render(huge))).size == (1200, 630)


def test_each_contribution_has_a_plain_copy_link_to_its_place(client, place):
    html = client.get(f"/consultas/{place['slug']}/artigos/{place['article']}").get_data(as_text=True)
    link = re.search(r'<a class="copy-link" href="([^"]+)" data-copy-link data-copied="[^"]+">Copiar link', html)
    assert link and link.group(1) == f"/contribuicoes/{place['contribution']}"
    response = client.get(link.group(1))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/consultas/{place['slug']}/artigos/{place['article']}#contribuicao-{place['contribution']}")


def test_article_canonical_is_the_article_whatever_route_rendered_it(client, auth, create_user, place):
    article = f"/consultas/{place['slug']}/artigos/{place['article']}"
    auth.login(create_user())
    response = client.post(article + "/contribuicoes", data={"body": ""})  # an invalid form: the page again
    assert response.status_code == 422
    assert _meta(response.get_data(as_text=True))["canonical"] == PUBLIC + article
