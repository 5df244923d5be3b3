"""Public pages: consultation, article, full text."""

from sqlalchemy import select

from consulta.extensions import db
from consulta.models import Article
from tests.conftest import csrf_token_from


def article_ids(app, slug):
    with app.app_context():
        from consulta.models import Consultation

        return list(db.session.scalars(
            select(Article.id).join(Consultation).where(Consultation.slug == slug).order_by(Article.position)
        ))


def test_consultation_page_shows_status_and_table_of_contents(client, create_consultation):
    c = create_consultation("open")
    page = client.get(f"/consultas/{c.slug}").get_data(as_text=True)
    assert "Aberta" in page
    assert "Capítulo I — Disposições gerais" in page and "2 dispositivos" in page
    assert "Art. 1º" in page and "Recomendação 1.2" in page


def test_article_page_renders_structure_and_neighbours(app, client, create_consultation):
    c = create_consultation("open")
    ids = article_ids(app, c.slug)
    page = client.get(f"/consultas/{c.slug}/artigos/{ids[1]}").get_data(as_text=True)
    assert "<h1>Art. 2º</h1>" in page
    assert '<ol class="incisos">' in page and "transparência;" in page
    assert f'href="/consultas/{c.slug}/artigos/{ids[0]}"' in page and 'rel="prev"' in page
    assert f'href="/consultas/{c.slug}/artigos/{ids[2]}"' in page and 'rel="next"' in page


def test_first_article_has_no_previous(app, client, create_consultation):
    c = create_consultation("open")
    page = client.get(f"/consultas/{c.slug}/artigos/{article_ids(app, c.slug)[0]}").get_data(as_text=True)
    assert 'rel="prev"' not in page and 'rel="next"' in page


def test_article_of_another_consultation_is_404(app, client, create_consultation):
    a, b = create_consultation("open"), create_consultation("open")
    assert client.get(f"/consultas/{a.slug}/artigos/{article_ids(app, b.slug)[0]}").status_code == 404
    assert client.get(f"/consultas/{a.slug}/artigos/999999").status_code == 404


def test_full_text_has_every_article_with_anchors(app, client, create_consultation):
    c = create_consultation("open")
    page = client.get(f"/consultas/{c.slug}/texto").get_data(as_text=True)
    for label in ["Art. 1º", "Art. 2º", "Recomendação 1.1", "Recomendação 1.2"]:
        assert label in page
    assert 'id="artigo-1"' in page and 'id="secao-1"' in page
    assert 'media="print"' in page


def test_closed_consultation_says_so(app, client, create_consultation):
    c = create_consultation("closed")
    page = client.get(f"/consultas/{c.slug}/artigos/{article_ids(app, c.slug)[0]}").get_data(as_text=True)
    assert "Consulta encerrada" in page


def test_pages_are_portuguese(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="pt-BR">' in page and "Consultas públicas" in page


def test_dates_are_shown_in_brasilia_time(app, client, create_consultation):
    from datetime import UTC, datetime

    from consulta.models import Consultation

    c = create_consultation("open")
    with app.app_context():
        row = db.session.scalar(select(Consultation).where(Consultation.slug == c.slug))
        row.opened_at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
        db.session.commit()
    page = client.get(f"/consultas/{c.slug}").get_data(as_text=True)
    assert "01/03/2026 09:00" in page


def test_anonymous_readers_share_a_short_lived_page_cache(make_app, create_consultation, create_user):
    """Anonymous readers get the cached page (no cookie set); logged-in readers always get a fresh one."""
    app = make_app(PAGE_CACHE_SECONDS=60)
    c = create_consultation("open")
    ids = article_ids(app, c.slug)
    url = f"/consultas/{c.slug}/artigos/{ids[0]}"
    anonymous = app.test_client()
    first = anonymous.get(url)
    assert first.status_code == 200 and "Set-Cookie" not in first.headers
    with app.app_context():
        article = db.session.get(Article, ids[0])
        article.label = "Rótulo alterado"
        db.session.commit()
    assert "Rótulo alterado" not in anonymous.get(url).get_data(as_text=True)  # served from the cache
    reader = app.test_client()
    reader.post("/entrar", data={"email": create_user().email, "password": "uma senha longa de teste"})
    assert "Rótulo alterado" in reader.get(url).get_data(as_text=True)
    fragment = anonymous.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200


def test_page_cache_keys_fragments_apart_from_full_pages(make_app):
    """A cached view answering htmx with a fragment: each kind is cached under its own key, never served as
    the other, and a boosted link (which wants the whole page) gets the page."""
    from consulta.web import anonymous_page_cache, is_htmx_partial

    app = make_app(PAGE_CACHE_SECONDS=60)
    served = []

    @anonymous_page_cache
    def page_or_fragment():
        served.append(is_htmx_partial())
        return "<li>fragmento</li>" if is_htmx_partial() else "<html><body><ul><li>fragmento</li></ul></body></html>"

    app.add_url_rule("/_pagina-de-teste", "page_or_fragment_for_test", page_or_fragment)
    reader = app.test_client()
    htmx = {"HX-Request": "true"}
    fragment = reader.get("/_pagina-de-teste", headers=htmx).get_data(as_text=True)
    page = reader.get("/_pagina-de-teste").get_data(as_text=True)
    assert "<html" in page and "<html" not in fragment
    assert reader.get("/_pagina-de-teste", headers=htmx).get_data(as_text=True) == fragment
    assert reader.get("/_pagina-de-teste").get_data(as_text=True) == page
    boosted = reader.get("/_pagina-de-teste", headers={**htmx, "HX-Boosted": "true"}).get_data(as_text=True)
    assert boosted == page
    assert served == [True, False]  # each rendered once, then served from its own cache entry


def test_an_answer_that_wrote_to_the_session_is_never_cached_or_shared(make_app):
    """With CSRF and the page cache on, a cached view that puts a form token in the session answers
    `private, no-cache`, and the next anonymous reader gets a token of their own."""
    from flask import render_template_string

    from consulta.web import anonymous_page_cache

    app = make_app(PAGE_CACHE_SECONDS=60, WTF_CSRF_ENABLED=True)

    @anonymous_page_cache
    def form_page():
        return render_template_string('<form method="post"><input name="csrf_token" value="{{ csrf_token() }}"></form>')

    app.add_url_rule("/_formulario-de-teste", "form_page_for_test", form_page)
    first, second = app.test_client(), app.test_client()
    one = first.get("/_formulario-de-teste")
    two = second.get("/_formulario-de-teste")
    assert "private" in one.headers["Cache-Control"] and "public" not in one.headers["Cache-Control"]
    assert "ETag" not in one.headers
    assert first.get_cookie("session") is not None and second.get_cookie("session") is not None
    token = csrf_token_from(one.get_data(as_text=True))
    assert token != csrf_token_from(two.get_data(as_text=True))


def test_public_pages_carry_etag_and_answer_304(client, create_consultation):
    """Anonymous readers get cacheable pages (public, short max-age, ETag) and a 304 when nothing changed."""
    c = create_consultation("open")
    first = client.get(f"/consultas/{c.slug}")
    assert first.status_code == 200 and first.headers.get("ETag")
    assert "public" in first.headers["Cache-Control"] and "max-age=30" in first.headers["Cache-Control"]
    assert "Cookie" in first.headers["Vary"] and "Set-Cookie" not in first.headers
    again = client.get(f"/consultas/{c.slug}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    stale = client.get(f"/consultas/{c.slug}", headers={"If-None-Match": '"outro"'})
    assert stale.status_code == 200
    head = client.head(f"/consultas/{c.slug}")
    assert "public" in head.headers["Cache-Control"] and head.headers["ETag"] == first.headers["ETag"]


def test_pages_for_a_logged_in_reader_are_private(client, create_consultation, create_user):
    c = create_consultation("open")
    client.post("/entrar", data={"email": create_user().email, "password": "uma senha longa de teste"})
    response = client.get(f"/consultas/{c.slug}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in response.headers
