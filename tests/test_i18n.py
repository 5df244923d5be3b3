"""Pages in the visitor's language: ?lang=, the footer's switch, the default, the catalogues themselves."""

import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.test_pages import article_ids

CATALOGUES = Path(__file__).resolve().parent.parent / "consulta" / "translations"
LANGS = ("pt_BR", "en", "es")


def _read(lang: str):
    with open(CATALOGUES / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> str:
    """The catalogues compiled into a folder of their own (what `make install` does beside the .po files)."""
    folder = tmp_path_factory.mktemp("translations")
    for lang in LANGS:
        target = folder / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        with open(target / "messages.mo", "wb") as fh:
            write_mo(fh, _read(lang))
    return str(folder)


@pytest.fixture(autouse=True)
def _fresh_translations():
    """Flask-Babel caches loaded catalogues per process, not per app: each test here loads its own."""
    from consulta.extensions import babel

    def clear():
        domain = vars(babel).get("domain_instance")  # a cached property, made on first use
        if domain is not None:
            domain.cache.clear()

    clear()
    yield
    clear()


@pytest.fixture
def i18n_app(make_app, compiled):
    return make_app(BABEL_TRANSLATION_DIRECTORIES=compiled)


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("lang", LANGS)
def test_every_catalogue_compiles_without_errors(lang):
    catalogue = _read(lang)
    problems = [(message.id, error) for message, errors in catalogue.check() for error in errors]
    assert problems == []
    assert len(catalogue) > 500


@pytest.mark.parametrize("lang", ["en", "es"])
def test_translations_bring_no_markup_of_their_own(lang):
    """Templates output a translation as it is (Jinja's gettext marks it safe): a translation may hold the
    same entities and tags as its msgid, and nothing more."""
    def markup(text: str) -> list[str]:
        return sorted(re.findall(r"<[^>]*>|&[#\w]+;|[<>\"]|&", text))

    for message in _read(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in filter(None, strings):
            assert markup(string) == markup(ids[-1 if len(ids) > 1 and string != strings[0] else 0]), string


@pytest.mark.parametrize("lang", ["en", "es"])
def test_public_pages_are_translated_in_en_and_es(lang):
    """The navigation and the article page's labels have a translation (admin pages may fall back)."""
    catalogue = _read(lang)
    for msgid in ("Consultas", "Entrar", "Criar conta", "Política de Privacidade", "Votação", "Concordo",
                  "Contribuições", "Sumário", "Pular para o conteúdo", "Dados abertos", "Mudar idioma"):
        assert catalogue[msgid].string, msgid


def test_the_article_page_in_english_spanish_and_portuguese(i18n_app, create_consultation):
    c = create_consultation("open")
    url = f"/consultas/{c.slug}/artigos/{article_ids(i18n_app, c.slug)[0]}"
    reader = i18n_app.test_client()
    english = _text(reader.get(url + "?lang=en"))
    assert '<html lang="en">' in english
    assert "Skip to content" in english and "Contributions" in english and "Sign in" in english
    assert "Pular para o conteúdo" not in english
    spanish = _text(reader.get(url + "?lang=es"))
    assert '<html lang="es">' in spanish
    assert "Saltar al contenido" in spanish and "Contribuciones" in spanish and "Índice" in spanish
    portuguese = _text(reader.get(url))
    assert '<html lang="pt-BR">' in portuguese
    assert "Pular para o conteúdo" in portuguese and "Skip to content" not in portuguese


def test_pages_name_their_translations_with_hreflang(i18n_app, create_consultation):
    c = create_consultation("open")
    html = _text(i18n_app.test_client().get(f"/consultas/{c.slug}?lang=en&pagina=1"))
    links = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    assert links == {
        "pt-BR": f"http://localhost/consultas/{c.slug}?pagina=1&amp;lang=pt_BR",
        "en": f"http://localhost/consultas/{c.slug}?pagina=1&amp;lang=en",
        "es": f"http://localhost/consultas/{c.slug}?pagina=1&amp;lang=es",
        "x-default": f"http://localhost/consultas/{c.slug}?pagina=1",
    }


def test_the_browser_language_is_ignored_unless_the_setting_allows_it(make_app, compiled, create_consultation):
    english_browser = {"Accept-Language": "en-US,en;q=0.9"}
    plain = make_app(BABEL_TRANSLATION_DIRECTORIES=compiled)
    assert '<html lang="pt-BR">' in _text(plain.test_client().get("/", headers=english_browser))
    negotiating = make_app(BABEL_TRANSLATION_DIRECTORIES=compiled, LOCALE_FROM_BROWSER=True)
    answer = negotiating.test_client().get("/", headers=english_browser)
    assert '<html lang="en">' in _text(answer) and "Public consultations" in _text(answer)
    assert "Accept-Language" in answer.headers["Vary"]
    spanish = negotiating.test_client().get("/", headers={"Accept-Language": "es-AR,es;q=0.8"})
    assert '<html lang="es">' in _text(spanish)


def test_the_default_language_is_a_setting(make_app, compiled):
    app = make_app(BABEL_TRANSLATION_DIRECTORIES=compiled, DEFAULT_LOCALE="es")
    html = _text(app.test_client().get("/"))
    assert '<html lang="es">' in html and "Consultas públicas" in html and "Cambiar idioma" in html


def test_the_footer_switch_remembers_the_language_and_goes_back(i18n_app, create_consultation):
    c = create_consultation("open")
    reader = i18n_app.test_client()
    page = _text(reader.get(f"/consultas/{c.slug}"))
    assert 'action="/idioma"' in page and 'name="next" value="/consultas/' in page
    answer = reader.post("/idioma", data={"lang": "en", "next": f"/consultas/{c.slug}"},
                         headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"})
    assert answer.status_code == 303 and answer.headers["Location"] == f"/consultas/{c.slug}"
    assert "consulta_lang=en" in answer.headers["Set-Cookie"] and "HttpOnly" in answer.headers["Set-Cookie"]
    assert '<html lang="en">' in _text(reader.get(f"/consultas/{c.slug}"))
    assert '<html lang="es">' in _text(reader.get(f"/consultas/{c.slug}?lang=es"))  # a link beats the cookie
    assert "session" not in answer.headers["Set-Cookie"]


def test_the_footer_switch_refuses_cross_site_posts_and_foreign_targets(i18n_app):
    reader = i18n_app.test_client()
    assert reader.post("/idioma", data={"lang": "en"}, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert reader.post("/idioma", data={"lang": "en"}, headers={"Origin": "https://mal.example"}).status_code == 403
    assert reader.post("/idioma", data={"lang": "xx"}).status_code == 400
    outward = reader.post("/idioma", data={"lang": "es", "next": "https://mal.example/"})
    assert outward.status_code == 303 and outward.headers["Location"] == "/"


def test_get_with_lang_changes_nothing(i18n_app):
    answer = i18n_app.test_client().get("/?lang=en")
    assert "Set-Cookie" not in answer.headers


def test_the_page_cache_keeps_each_language_apart(make_app, compiled, create_consultation):
    """An English reader never gets the cached Portuguese page, nor the other way round."""
    app = make_app(BABEL_TRANSLATION_DIRECTORIES=compiled, PAGE_CACHE_SECONDS=60)
    c = create_consultation("open")
    url = f"/consultas/{c.slug}/artigos/{article_ids(app, c.slug)[0]}"
    portuguese = app.test_client()
    assert '<html lang="pt-BR">' in _text(portuguese.get(url))
    english = app.test_client()
    english.set_cookie("consulta_lang", "en")
    first = english.get(url)
    assert first.status_code == 200 and '<html lang="en">' in _text(first)
    assert '<html lang="pt-BR">' in _text(portuguese.get(url))  # still the Portuguese entry
    assert '<html lang="en">' in _text(english.get(url))
    spanish = app.test_client()
    spanish.set_cookie("consulta_lang", "es")
    assert '<html lang="es">' in _text(spanish.get(url))


def test_dates_and_numbers_follow_the_language(i18n_app):
    from datetime import UTC, datetime

    from flask import render_template_string

    moment = datetime(2026, 3, 5, 15, 30, tzinfo=UTC)
    template = "{{ moment|date('medium') }} | {{ moment|datetime('short') }} | {{ 12345.678|number(1) }}"
    with i18n_app.test_request_context("/?lang=en"):
        assert render_template_string(template, moment=moment) == "Mar 5, 2026 | 3/5/26, 12:30\u202fPM | 12,345.7"
    with i18n_app.test_request_context("/"):
        assert render_template_string(template, moment=moment) == "5 de mar. de 2026 | 05/03/2026 12:30 | 12.345,7"


@pytest.mark.parametrize("lang", ["pt_BR", "en", "es"])
def test_small_numbers_skip_babel_and_read_the_same(i18n_app, lang):
    """The number filter's shortcut below 1,000 (counts, whole percentages) writes what Babel writes."""
    from flask_babel import format_decimal

    from consulta.web import number as _number

    values = [0, 7, 999, 1000, 1234, 0.0, 0.5, 1.5, 2.5, 12.49, 33.333, 66.667, 99.5, 999.4, 999.5, 1000.0]
    values += [100.0 * part / whole for whole in range(1, 40) for part in range(whole + 1)]
    with i18n_app.test_request_context(f"/?lang={lang}"):
        for value in values:
            assert _number(value, 0) == format_decimal(value, format="#,##0"), value
            if isinstance(value, int):
                assert _number(value) == format_decimal(value), value


def test_without_compiled_catalogues_every_page_is_in_portuguese(make_app, tmp_path, create_consultation):
    app = make_app(BABEL_TRANSLATION_DIRECTORIES=str(tmp_path))
    c = create_consultation("open")
    html = _text(app.test_client().get(f"/consultas/{c.slug}?lang=en"))
    assert '<html lang="en">' in html and "Pular para o conteúdo" in html


def test_an_anonymous_page_still_sets_no_cookie(i18n_app, create_consultation):
    """The language switch carries no session-bound token, so anonymous pages stay cacheable."""
    c = create_consultation("open")
    answer = i18n_app.test_client().get(f"/consultas/{c.slug}?lang=es")
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers
    assert "public" in answer.headers["Cache-Control"]


def test_consultation_times_follow_the_language(i18n_app, create_consultation):
    c = create_consultation("open")
    reader = i18n_app.test_client()
    english = _text(reader.get(f"/consultas/{c.slug}?lang=en"))
    assert re.search(r"<dt>Opening</dt><dd>\d{1,2}/\d{1,2}/\d{2}, \d{1,2}:\d{2}\s[AP]M</dd>", english)
    portuguese = _text(reader.get(f"/consultas/{c.slug}"))
    assert re.search(r"<dt>Abertura</dt><dd>\d{2}/\d{2}/\d{4} \d{2}:\d{2}</dd>", portuguese)


def test_plurals_keep_the_portuguese_the_pages_always_had(i18n_app):
    """Zero is plural in the pages' Portuguese ("0 contribuições"), as before the catalogues existed."""
    from flask import render_template_string

    template = "{% for n in (0, 1, 2) %}{{ ngettext('%(num)s voto.', '%(num)s votos.', n) }}{% endfor %}"
    with i18n_app.test_request_context("/"):
        assert render_template_string(template) == "0 votos.1 voto.2 votos."
    with i18n_app.test_request_context("/?lang=es"):
        assert render_template_string(template) == "0 votos.1 voto.2 votos."
    with i18n_app.test_request_context("/?lang=en"):
        assert render_template_string(template) == "0 votes.1 vote.2 votes."


def test_links_of_a_page_reached_with_lang_keep_it(i18n_app, create_consultation):
    c = create_consultation("open")
    reader = i18n_app.test_client()
    english = _text(reader.get(f"/consultas/{c.slug}?lang=en"))
    article_link = re.search(r'href="(/consultas/[^"]+/artigos/\d+[^"]*)"', english).group(1)
    assert article_link.endswith("?lang=en")
    assert "lang=en" not in re.search(r'href="(/static/css/app.css[^"]*)"', english).group(1)
    assert '<html lang="en">' in _text(reader.get(article_link.replace("&amp;", "&")))
    assert "?lang=" not in re.search(r'href="(/consultas/[^"]+/artigos/\d+[^"]*)"',
                                     _text(reader.get(f"/consultas/{c.slug}"))).group(1)


@pytest.mark.parametrize("lang, recorded, label", [
    ("en", "Your vote was recorded: Agree.", "Change to:"),
    ("es", "Su voto fue registrado: De acuerdo.", "Cambiar a:"),
    ("pt_BR", "Seu voto foi registrado: Concordo.", "Mudar para:"),
])
def test_a_vote_is_confirmed_in_the_visitors_language(i18n_app, create_consultation, create_user, lang, recorded,
                                                      label):
    from tests.conftest import PASSWORD

    c = create_consultation("open")
    recommendation = article_ids(i18n_app, c.slug)[-1]  # the small draft ends with recommendations
    reader = i18n_app.test_client()
    reader.set_cookie("consulta_lang", lang)
    reader.post("/entrar", data={"email": create_user().email, "password": PASSWORD})
    page = reader.post(f"/consultas/{c.slug}/artigos/{recommendation}/voto", data={"value": "agree"},
                       follow_redirects=True)
    assert recorded in _text(page)
    assert label in _text(page)  # the vote panel speaks the same language


def test_the_sign_up_form_speaks_the_visitors_language(i18n_app):
    spanish = _text(i18n_app.test_client().get("/cadastro?lang=es"))
    assert "Ciudadano o ciudadana" in spanish and "Prefiero no informar" in spanish and "Contraseña" in spanish
    assert "Cidadão ou cidadã" in _text(i18n_app.test_client().get("/cadastro"))


def test_the_api_ignores_the_language_cookie(i18n_app, create_consultation):
    """API answers are cached publicly without Vary: Cookie: only ?lang= may change their language."""
    c = create_consultation("open")
    reader = i18n_app.test_client()
    reader.set_cookie("consulta_lang", "en")
    with_cookie = reader.get(f"/api/v1/consultations/{c.slug}").get_json()
    assert with_cookie["data"]["status_label"] == "Aberta"
    assert reader.get(f"/api/v1/consultations/{c.slug}?lang=en").get_json()["data"]["status_label"] == "Open"
    assert '<html lang="en">' in _text(reader.get(f"/consultas/{c.slug}"))  # pages still follow the cookie
