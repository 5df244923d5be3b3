"""The read-only JSON API: shapes, keyset pagination, caching, CORS, JSON errors and no personal data."""

import base64
import json
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select

from consulta.api.pagination import encode_cursor
from consulta.extensions import db
from consulta.insights.runs import pseudonym
from consulta.models import (
    AccountKind,
    Article,
    Channel,
    Consultation,
    Contribution,
    ResponseStatus,
    Section,
    Stance,
    User,
    Visibility,
    Workshop,
    WorkshopFormat,
)
from consulta.privacy import public_id, public_pseudonym

API = "/api/v1"
SECRET = "test-secret-key"  # the test app's SECRET_KEY (tests/conftest.py), which signs the cursors
DAY = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 23:00 of 9 March in Brasília
SECRET_NAME = "Zuleica Tavares Quintanilha"
SECRET_EMAIL = "zuleica.quintanilha@exemplo.com.br"
CPF = "123.456.789-09"
SECRETS = (SECRET_NAME, SECRET_EMAIL, CPF, "12345678909", "Facilitadora Secreta", "facilita@exemplo.com.br",
           "contato@instituto.org.br", "Contribuição escondida", "Contribuição retirada", "Contribuição pendente")
ORIGIN = "https://painel.exemplo.org"


def _json(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    return json.loads(response.get_data())


def _error(response, status: int, code: str) -> dict:
    error = _json(response, status)["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert error["message"]
    return error


def _walk(client, url: str) -> tuple[list[dict], list]:
    """Every item of a paginated list, following links.next; and each page's response."""
    items, responses = [], []
    while url:
        response = client.get(url)
        body = _json(response)
        items += body["data"]
        responses.append(response)
        url = body["links"]["next"]
    return items, responses


@pytest.fixture
def world(app, create_consultation):
    """An open, a closed and a draft consultation; on the open one, contributions of every kind of author,
    replies, workshop input, hidden, withdrawn and pending ones, and vote counters."""
    open_c = create_consultation("open", slug="aberta", title="Consulta aberta")
    closed_c = create_consultation("closed", slug="encerrada")
    draft_c = create_consultation("draft", slug="rascunho")
    with app.app_context():
        c = db.session.scalar(select(Consultation).where(Consultation.slug == open_c.slug))
        articles = db.session.scalars(select(Article).where(Article.consultation_id == c.id)
                                      .order_by(Article.position)).all()
        closed_article = db.session.scalar(select(Article).where(Article.consultation_id == closed_c.id).limit(1))
        person = User(email=SECRET_EMAIL, display_name=SECRET_NAME, uf="RJ")
        org = User(email="contato@instituto.org.br", display_name="Instituto Aberto", kind=AccountKind.ORGANIZATION,
                   cnpj="11222333000181", uf="SP")
        facilitator = User(email="facilita@exemplo.com.br", display_name="Facilitadora Secreta", uf="BA")
        db.session.add_all([person, org, facilitator])
        db.session.flush()
        workshop = Workshop(consultation_id=c.id, facilitator_id=facilitator.id, title="Oficina X",
                            format=WorkshopFormat.IN_PERSON, starts_at=DAY, uf="BA", municipality_code="2927408",
                            municipality_name="Salvador")
        db.session.add(workshop)
        db.session.flush()

        def add(author, body, article=articles[0], consultation=c, **kwargs) -> Contribution:
            item = Contribution(consultation_id=consultation.id, article_id=article.id, author_id=author.id,
                                body=body, created_at=DAY, **kwargs)
            db.session.add(item)
            db.session.flush()
            return item

        first = add(person, f"Meu CPF é {CPF} e meu e-mail {SECRET_EMAIL}.", stance=Stance.AGREE,
                    response_status=ResponseStatus.ACCEPTED, response_text="Acolhida no texto final.")
        visible = [first.id, add(org, "Resposta da organização.", parent_id=first.id).id]
        add(person, "Contribuição escondida.", visibility=Visibility.HIDDEN)
        visible.append(add(facilitator, "Proposta da oficina.", channel=Channel.WORKSHOP, workshop_id=workshop.id,
                           article=articles[1]).id)
        add(person, "Contribuição retirada.", visibility=Visibility.WITHDRAWN)
        add(person, "Contribuição pendente.", visibility=Visibility.PENDING)
        visible += [add(org if n % 2 else person, f"Comentário número {n}.", article=articles[n % 2]).id
                    for n in range(4)]
        add(person, "Na consulta encerrada.", article=closed_article, consultation=closed_article.consultation)
        recommendation = next(a for a in articles if a.accepts_votes)
        recommendation.votes_agree, recommendation.votes_disagree, recommendation.votes_abstain = 7, 2, 1
        articles[0].contributions_agree, articles[0].contributions_none = 1, 2
        db.session.commit()
        return {
            "slug": c.slug, "closed": closed_c.slug, "draft": draft_c.slug, "person": person.id,
            "visible": visible, "first": first.id, "articles": [a.id for a in articles],
            "article_sections": [a.section_id for a in articles], "recommendation": recommendation.id,
            "sections": db.session.scalars(select(Section.id).where(Section.consultation_id == c.id)
                                           .order_by(Section.position)).all(),
            "draft_article": db.session.scalar(select(Article.id).where(
                Article.consultation_id == db.session.scalar(select(Consultation.id).where(
                    Consultation.slug == draft_c.slug))).limit(1)),
        }


# -- shapes ----------------------------------------------------------------------------------------------


def test_index_links_to_the_consultations_and_the_openapi_document(client):
    body = _json(client.get(f"{API}/"))
    assert body["links"] == {"consultations": f"{API}/consultations", "openapi": f"{API}/openapi.json"}
    assert _json(client.get(body["links"]["openapi"]))["openapi"].startswith("3.")


def test_consultations_lists_open_and_closed_but_never_drafts(client, world):
    body = _json(client.get(f"{API}/consultations"))
    assert [c["slug"] for c in body["data"]] == [world["slug"], world["closed"]]
    assert [c["status"] for c in body["data"]] == ["open", "closed"]
    assert body["links"] == {"self": f"{API}/consultations?limit=50", "next": None}
    assert body["meta"] == {"limit": 50}


def test_consultation_has_its_dates_and_links(client, world):
    data = _json(client.get(f"{API}/consultations/{world['slug']}"))["data"]
    assert (data["title"], data["status"], data["status_label"]) == ("Consulta aberta", "open", "Aberta")
    assert datetime.fromisoformat(data["opened_at"]).tzinfo is not None
    assert data["closed_at"] is None
    base = f"{API}/consultations/{world['slug']}"
    assert data["links"] == {"self": base, "sections": f"{base}/sections", "articles": f"{base}/articles",
                             "contributions": f"{base}/contributions", "tallies": f"{base}/tallies",
                             "html": f"/consultas/{world['slug']}"}
    for link in data["links"].values():
        assert client.get(link).status_code == 200, link


def test_sections_come_all_in_reading_order(client, world):
    data = _json(client.get(f"{API}/consultations/{world['slug']}/sections"))["data"]
    assert [s["id"] for s in data] == world["sections"]
    assert set(data[0]) == {"id", "parent_id", "position", "depth", "title", "intro"}
    assert data[0]["title"] == "Capítulo I — Disposições gerais" and data[0]["parent_id"] is None


def test_articles_are_paginated_in_reading_order_and_filtered_by_section(client, world):
    url = f"{API}/consultations/{world['slug']}/articles"
    items, _ = _walk(client, f"{url}?limit=3")
    assert [a["id"] for a in items] == world["articles"]
    first = items[0]
    assert (first["label"], first["kind"], first["accepts_votes"]) == ("Art. 1º", "article", False)
    assert first["text"] == "Fica instituída a Estratégia de teste."
    assert first["votes"] is None
    assert first["contributions"] == {"agree": 1, "partly": 0, "disagree": 0, "none": 2, "total": 3}
    section = world["article_sections"][-1]
    filtered = _json(client.get(f"{url}?section={section}"))["data"]
    expected = [a for a, s in zip(world["articles"], world["article_sections"], strict=True) if s == section]
    assert [a["id"] for a in filtered] == expected and 0 < len(expected) < len(world["articles"])


def test_article_has_its_text_and_tallies(client, world):
    data = _json(client.get(f"{API}/consultations/{world['slug']}/articles/{world['recommendation']}"))["data"]
    assert data["kind"] == "recommendation" and data["accepts_votes"] is True
    assert data["votes"] == {"agree": 7, "disagree": 2, "abstain": 1, "total": 10}
    assert data["links"]["contributions"] == (f"{API}/consultations/{world['slug']}/contributions"
                                              f"?article={world['recommendation']}")


def test_tallies_count_votes_and_contributions_per_article_never_single_votes(client, world):
    data = _json(client.get(f"{API}/consultations/{world['slug']}/tallies"))["data"]
    assert [t["article_id"] for t in data] == world["articles"]
    by_id = {t["article_id"]: t for t in data}
    assert by_id[world["recommendation"]]["votes"] == {"agree": 7, "disagree": 2, "abstain": 1, "total": 10}
    assert by_id[world["articles"][0]]["votes"] is None
    assert by_id[world["articles"][0]]["contributions"]["total"] == 3
    assert set(data[0]) == {"article_id", "label", "accepts_votes", "votes", "contributions"}


# -- contributions ---------------------------------------------------------------------------------------


def test_walking_every_page_returns_each_public_contribution_once_in_order(app, client, world):
    items, responses = _walk(client, f"{API}/consultations/{world['slug']}/contributions?limit=2")
    with app.app_context():
        assert [c["id"] for c in items] == [public_id(i) for i in world["visible"]]
    assert len(responses) == 4  # 7 items, 2 a page
    for response in responses[:-1]:
        body = json.loads(response.get_data())
        assert response.headers["Link"] == f'<{body["links"]["next"]}>; rel="next"'
        assert body["meta"] == {"limit": 2}
    last = json.loads(responses[-1].get_data())
    assert last["links"]["next"] is None and "Link" not in responses[-1].headers


def test_contributions_follow_the_open_data_rules(app, client, world):
    items, _ = _walk(client, f"{API}/consultations/{world['slug']}/contributions?limit=200")
    with app.app_context():
        by_id = {c["id"]: c for c in items}
        ids = {i: public_id(i) for i in world["visible"]}
        first = by_id[ids[world["first"]]]
        assert (first["author_kind"], first["author"], first["uf"]) == ("person", public_pseudonym(world["person"]),
                                                                        None)
        assert first["author"] != pseudonym(world["person"])  # not the analysts' pseudonym
    assert first["text"].startswith("Meu CPF é") and CPF not in first["text"] and "@" not in first["text"]
    assert (first["response_status"], first["response_text"]) == ("accepted", "Acolhida no texto final.")
    assert first["date"] == "2026-03-09"  # Brasília date, no time
    reply = by_id[ids[world["visible"][1]]]
    assert (reply["author_kind"], reply["author"], reply["reply_to"]) == ("organization", "Instituto Aberto",
                                                                          ids[world["first"]])
    workshop = by_id[ids[world["visible"][2]]]
    assert (workshop["author_kind"], workshop["author"], workshop["uf"], workshop["channel"]) == (
        "workshop", "Oficina de Salvador/BA", "BA", "workshop")


def test_contributions_say_what_the_open_data_export_says(client, world):
    """Same contributions, same authors, texts and dates as /dados/contribuicoes.json."""
    items, _ = _walk(client, f"{API}/consultations/{world['slug']}/contributions?limit=3")
    export = json.loads(client.get(f"/consultas/{world['slug']}/dados/contribuicoes.json").get_data())
    kinds = {"pessoa": "person", "organizacao": "organization", "oficina": "workshop", "removido": "removed"}
    assert [(c["id"], c["reply_to"], c["article_id"], c["author_kind"], c["author"], c["uf"], c["date"],
             c["text"], c["stance"], c["response_status"]) for c in items] == [
        (r["id"], r["resposta_a"], r["artigo_id"], kinds[r["autor_tipo"]], r["autor"], r["uf"], r["data"],
         r["texto"], r["posicionamento"], r["devolutiva_status"]) for r in export]


def test_contributions_filtered_by_article(client, world):
    article = world["articles"][1]
    items, _ = _walk(client, f"{API}/consultations/{world['slug']}/contributions?article={article}&limit=1")
    assert items and {c["article_id"] for c in items} == {article}
    assert _json(client.get(f"{API}/consultations/{world['slug']}/contributions?article=999999"))["data"] == []


def test_no_personal_or_hidden_data_in_any_answer(client, world):
    slug, bodies = world["slug"], []
    for url in (f"{API}/", f"{API}/consultations", f"{API}/consultations/{slug}", f"{API}/consultations/{slug}/sections",
                f"{API}/consultations/{slug}/tallies", f"{API}/openapi.json"):
        bodies.append(client.get(url).get_data())
    for url in (f"{API}/consultations/{slug}/articles?limit=2", f"{API}/consultations/{slug}/contributions?limit=2"):
        bodies += [r.get_data() for r in _walk(client, url)[1]]
    bodies += [client.get(f"{API}/consultations/{slug}/articles/{a}").get_data() for a in world["articles"]]
    text = b"\n".join(bodies).decode("utf-8")
    decoded = json.dumps([json.loads(b) for b in bodies], ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text and secret not in decoded, secret
    assert "Na consulta encerrada" not in decoded and "T02:00" not in decoded


# -- errors ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "/sections", "/articles", "/contributions", "/tallies"])
def test_draft_and_unknown_consultations_are_json_404(client, world, path):
    for slug in (world["draft"], "nao-existe", "Maiúsculas e espaços"):
        _error(client.get(f"{API}/consultations/{slug}{path}"), 404, "not_found")


def test_drafts_stay_404_for_an_administrator_the_api_ignores_the_session(client, auth, create_user, world):
    auth.login(create_user("admin"))
    assert client.get(f"/consultas/{world['draft']}").status_code == 200  # the site shows it to the admin
    _error(client.get(f"{API}/consultations/{world['draft']}"), 404, "not_found")
    _error(client.get(f"{API}/consultations/{world['draft']}/articles/{world['draft_article']}"), 404, "not_found")
    assert [c["slug"] for c in _json(client.get(f"{API}/consultations"))["data"]] == [world["slug"], world["closed"]]


def test_article_of_another_consultation_or_unknown_is_json_404(client, world):
    for article_id in (world["draft_article"], 999999, 0, 2**31):
        _error(client.get(f"{API}/consultations/{world['slug']}/articles/{article_id}"), 404, "not_found")


@pytest.mark.parametrize("path", ["/api/v1/nada", "/api/v1/consultations/aberta/nada", "/api/", "/api/v2/x",
                                  "/api/v1/consultations/aberta/articles/abc"])
def test_unknown_paths_under_the_api_are_json_404(client, world, path):
    _error(client.get(path), 404, "not_found")


def test_pages_outside_the_api_keep_their_html_errors(client):
    response = client.get("/pagina-que-nao-existe")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert client.post("/").status_code == 405 and client.post("/").mimetype == "text/html"


@pytest.mark.parametrize("limit", ["0", "201", "-1", "abc", "1.5", "", "５", "1e2"])
def test_bad_limit_is_400_naming_it(client, world, limit):
    for url in (f"{API}/consultations", f"{API}/consultations/{world['slug']}/contributions"):
        error = _error(client.get(url, query_string={"limit": limit}), 400, "invalid_parameter")
        assert error["parameter"] == "limit" and "limit" in error["message"]


@pytest.mark.parametrize("cursor", ["", "zz", "!!!", encode_cursor(5, SECRET) + "=", "YWJj", "MDU", "A" * 40,
                                    "ÇÇ", encode_cursor(2**31, SECRET), "NQ", encode_cursor(5, "outra-chave"),
                                    encode_cursor(5, SECRET)[:-1] + "A", encode_cursor("5", SECRET)])
def test_bad_cursor_is_400_naming_it(client, world, cursor):
    error = _error(client.get(f"{API}/consultations/{world['slug']}/articles", query_string={"cursor": cursor}),
                   400, "invalid_parameter")
    assert error["parameter"] == "cursor"


def test_the_cursor_is_signed_not_a_database_id(client, world):
    url = f"{API}/consultations/{world['slug']}/articles"
    first = client.get(url, query_string={"limit": 1}).get_json()
    cursor = dict(parse_qsl(urlsplit(first["links"]["next"]).query))["cursor"]
    payload, _, signature = cursor.partition(".")
    key = int(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert len(signature) >= 20 and cursor == encode_cursor(key, SECRET)
    second = client.get(url, query_string={"limit": 1, "cursor": cursor})
    assert second.status_code == 200 and second.get_json()["data"][0]["id"] != first["data"][0]["id"]
    assert client.get(url, query_string={"cursor": payload}).status_code == 400  # the old, unsigned form
    assert client.get(url, query_string={"cursor": encode_cursor(key + 1, "outra-chave")}).status_code == 400


@pytest.mark.parametrize(("path", "name"), [("articles", "section"), ("contributions", "article")])
def test_bad_filter_is_400_naming_it(client, world, path, name):
    for value in ("x", "0", str(2**31)):
        error = _error(client.get(f"{API}/consultations/{world['slug']}/{path}", query_string={name: value}),
                       400, "invalid_parameter")
        assert error["parameter"] == name


def test_writes_are_json_405_even_with_csrf_on(make_app, world):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = client.open(f"{API}/consultations/{world['slug']}", method=method, json={})
        _error(response, 405, "method_not_allowed")
        assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_rate_limit_is_json_429(limited_app, world):
    limited_app.config["RATELIMIT_API"] = "2 per minute"
    client = limited_app.test_client()
    assert client.get(f"{API}/consultations").status_code == 200
    assert client.get(f"{API}/consultations/{world['slug']}").status_code == 200  # one budget for the API
    response = client.get(f"{API}/consultations")
    _error(response, 429, "too_many_requests")
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/").status_code == 200  # the site's pages are not counted


def test_server_error_is_json_500(make_app, monkeypatch):
    from consulta.api import resources

    def broken(page):
        raise RuntimeError("boom")

    monkeypatch.setattr(resources, "consultation_page", broken)
    client = make_app(TESTING=False).test_client()
    error = _error(client.get(f"{API}/consultations"), 500, "internal_error")
    assert "boom" not in error["message"]


# -- caching, CORS, session ------------------------------------------------------------------------------


def test_answers_are_public_and_revalidate_with_304(client, world):
    url = f"{API}/consultations/{world['slug']}/contributions?limit=2"
    response = client.get(url)
    assert response.status_code == 200
    assert response.cache_control.public and response.cache_control.max_age > 0
    etag = response.headers["ETag"]
    assert etag.startswith('"')  # strong
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": '"outra"'}).status_code == 200


def test_etag_changes_when_the_data_changes(app, client, world):
    url = f"{API}/consultations/{world['slug']}/tallies"
    before = client.get(url).headers["ETag"]
    with app.app_context():
        db.session.get(Article, world["recommendation"]).votes_agree += 1
        db.session.commit()
    response = client.get(url, headers={"If-None-Match": before})
    assert response.status_code == 200 and response.headers["ETag"] != before


def test_errors_are_not_cached(client):
    assert client.get(f"{API}/consultations/nao-existe").cache_control.no_store


def test_head_answers_without_a_body(client, world):
    response = client.head(f"{API}/consultations/{world['slug']}")
    assert response.status_code == 200 and response.get_data() == b"" and response.headers["ETag"]


def test_cross_origin_reads_are_allowed_without_credentials(client, world):
    response = client.get(f"{API}/consultations", headers={"Origin": ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert {"ETag", "Link"} <= {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    preflight = client.options(f"{API}/consultations/{world['slug']}/contributions", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "If-None-Match"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert set(preflight.headers["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "if-none-match" in preflight.headers["Access-Control-Allow-Headers"].lower()
    error = client.get(f"{API}/consultations/nao-existe", headers={"Origin": ORIGIN})
    assert error.headers["Access-Control-Allow-Origin"] == "*"


def test_site_pages_get_no_cors_headers(client):
    assert "Access-Control-Allow-Origin" not in client.get("/", headers={"Origin": ORIGIN}).headers


def test_no_session_cookie_is_ever_set(client, world):
    urls = [f"{API}/", f"{API}/consultations", f"{API}/consultations/{world['slug']}/contributions",
            f"{API}/consultations/nao-existe", f"{API}/nada", f"{API}/consultations?limit=0"]
    for url in urls:
        response = client.get(url)
        assert "Set-Cookie" not in response.headers, url
    assert "Set-Cookie" not in client.post(f"{API}/consultations").headers
