"""Accessibility tools: high contrast and larger text kept in a cookie and applied on <html> by the server,
the anonymous page cache kept apart per preference, and the VLibras widget behind a setting that also opens
the Content-Security-Policy to its hosts."""

import re

from flask import Flask

from consulta.accessibility import preferences
from tests.conftest import csrf_token_from


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def save(client, *, contrast=False, larger_text=False, next_url="/", token=None):
    data = {"next": next_url}
    if contrast:
        data["contrast"] = "y"
    if larger_text:
        data["larger_text"] = "y"
    if token:
        data["csrf_token"] = token
    return client.post("/acessibilidade", data=data)


def test_preferences_page_works_without_javascript_and_sets_a_cookie(client, create_consultation):
    c = create_consultation("open")
    page = client.get(f"/acessibilidade?next=/consultas/{c.slug}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'name="contrast"' in body and 'name="larger_text"' in body and 'method="post"' in body
    response = save(client, contrast=True, larger_text=True, next_url=f"/consultas/{c.slug}")
    assert response.status_code == 303 and response.headers["Location"] == f"/consultas/{c.slug}"
    cookie = client.get_cookie(preferences.COOKIE)
    assert cookie is not None and cookie.value == "contraste.fonte" and cookie.http_only
    assert html_tag(client.get(f"/consultas/{c.slug}").get_data(as_text=True)) == (
        '<html lang="pt-BR" class="alto-contraste fonte-maior">')
    save(client)  # nothing chosen: the cookie goes
    assert client.get_cookie(preferences.COOKIE) is None
    assert html_tag(client.get("/").get_data(as_text=True)) == '<html lang="pt-BR">'


def test_the_form_needs_its_csrf_token_and_goes_back_only_to_this_site(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    reader = app.test_client()
    assert save(reader, contrast=True).status_code == 400
    assert reader.get_cookie(preferences.COOKIE) is None
    token = csrf_token_from(reader.get("/acessibilidade").get_data(as_text=True))
    response = save(reader, contrast=True, next_url="https://exemplo.com/", token=token)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert reader.get_cookie(preferences.COOKIE).value == "contraste"


def test_a_forged_cookie_selects_only_known_classes(client):
    client.set_cookie(preferences.COOKIE, 'fonte.x" onload="alert(1).contraste')
    assert html_tag(client.get("/").get_data(as_text=True)) == '<html lang="pt-BR" class="alto-contraste fonte-maior">'


def _reader(app: Flask, value: str | None):
    reader = app.test_client()
    if value:
        reader.set_cookie(preferences.COOKIE, value)
    return reader


def test_page_cache_never_serves_one_preference_the_page_of_another(make_app, create_consultation):
    """Anonymous readers share the page cache, but each combination of preferences has its own entry: a
    high-contrast reader never gets the normal page cached a moment before, and the other way round."""
    app = make_app(PAGE_CACHE_SECONDS=60)
    c = create_consultation("open")
    for first, second in ((None, "contraste"), ("contraste.fonte", None), ("fonte", "contraste")):
        url = f"/consultas/{c.slug}?ordem={first}-{second}"  # a fresh cache entry per pair
        one = _reader(app, first).get(url)
        two = _reader(app, second).get(url)
        assert "public" in one.headers["Cache-Control"] and "public" in two.headers["Cache-Control"]
        assert "Cookie" in two.headers["Vary"] and one.headers["ETag"] != two.headers["ETag"]
        for response, value in ((one, first), (two, second)):
            classes = [preferences.CLASSES[name] for name in preferences.CLASSES if value and name in value.split(".")]
            expected = f' class="{" ".join(classes)}"' if classes else ""
            assert html_tag(response.get_data(as_text=True)) == f'<html lang="pt-BR"{expected}>'
        # and each is now served from its own entry
        again = _reader(app, second).get(url)
        assert again.get_data() == two.get_data()


def test_saving_drops_an_anonymous_session_so_the_reader_shares_the_cache_again(make_app, create_consultation):
    app = make_app(PAGE_CACHE_SECONDS=60, WTF_CSRF_ENABLED=True)
    c = create_consultation("open")
    reader = app.test_client()
    token = csrf_token_from(reader.get("/acessibilidade").get_data(as_text=True))
    assert reader.get_cookie("session") is not None
    save(reader, contrast=True, token=token, next_url=f"/consultas/{c.slug}")
    assert reader.get_cookie("session") is None
    page = reader.get(f"/consultas/{c.slug}")
    assert "public" in page.headers["Cache-Control"]
    assert 'class="alto-contraste"' in html_tag(page.get_data(as_text=True))


def test_vlibras_is_off_by_default_and_the_policy_names_no_vlibras_host(client):
    response = client.get("/")
    assert "vlibras" not in response.headers["Content-Security-Policy"]
    page = response.get_data(as_text=True)
    assert "vlibras" not in page.lower() and "vw-access-button" not in page


def test_vlibras_setting_shows_the_widget_and_opens_the_policy_to_its_hosts_only(make_app, client):
    app = make_app(VLIBRAS=True)
    response = app.test_client().get("/")
    page = response.get_data(as_text=True)
    assert '<script src="https://vlibras.gov.br/app/vlibras-plugin.js" defer></script>' in page
    assert "vw-access-button" in page and "js/vlibras.js" in page
    directives = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert directives["script-src"] == "'self' https://vlibras.gov.br 'wasm-unsafe-eval'"
    assert directives["style-src"] == "'self' https://vlibras.gov.br 'unsafe-inline'"
    assert directives["img-src"] == "'self' https://vlibras.gov.br"
    assert directives["font-src"] == "'self' https://vlibras.gov.br"
    assert directives["connect-src"] == ("'self' https://vlibras.gov.br https://traducao2.vlibras.gov.br "
                                         "https://dicionario2.vlibras.gov.br")
    for untouched in ("default-src", "frame-ancestors", "object-src", "base-uri", "form-action"):
        assert "vlibras" not in directives[untouched]
    assert "'unsafe-eval'" not in directives["script-src"] and "'unsafe-inline'" not in directives["script-src"]
    # The other app of this process (setting off) keeps its own, closed policy.
    assert "vlibras" not in client.get("/").headers["Content-Security-Policy"]


def test_display_preferences_stay_open_to_someone_asked_to_consent_again(make_app, create_user):
    app = make_app(PRIVACY_POLICY_VERSION="2027-01")
    user = create_user()  # consented to an earlier version
    reader = app.test_client()
    reader.post("/entrar", data={"email": user.email, "password": "uma senha longa de teste"})
    assert reader.get("/oficinas/minhas").status_code == 303  # everything else asks for consent first
    assert reader.get("/acessibilidade").status_code == 200
    response = save(reader, contrast=True, next_url="/privacidade")
    assert response.status_code == 303 and response.headers["Location"] == "/privacidade"
    assert 'class="alto-contraste"' in html_tag(reader.get("/privacidade").get_data(as_text=True))
