"""The API's OpenAPI document: valid, and every operation answers generated requests as it says, never 5xx.

Schemathesis loads the document the app serves and drives the app through WSGI, with valid (positive) and
invalid (negative) parameters. About half of the generated path parameters and filters are swapped for a
seeded consultation's slug and ids, so successful answers are checked against their schemas too, not only
the 404s. Each operation is a Hypothesis test of its own, built from `operation.as_strategy()`: the
`schemathesis.pytest.from_fixture` loader does not run under pytest 9.2 (it sets the removed Node._nodeid).
"""

import json

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from consulta.api import openapi
from consulta.api.pagination import encode_cursor
from consulta.api.views import ARTICLE_ID
from consulta.extensions import db
from consulta.models import Article, Consultation, Contribution, Stance

OPENAPI_URL = "/api/v1/openapi.json"
PATHS = openapi.document()["paths"]
NO_CONSTRAINTS = [{"$ref": "#/components/parameters/IfNoneMatch"}]  # any string is valid: nothing to negate
CASES = [(path, mode) for path in sorted(PATHS) for mode in GenerationMode
         if mode is GenerationMode.POSITIVE or PATHS[path]["get"]["parameters"] != NO_CONSTRAINTS]
EXAMPLES = 40  # per operation: enough to reach every status, fast enough for two database passes
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance,
          response_headers_conformance]


@pytest.fixture
def seeded(app, create_consultation, create_user):
    """A public consultation with a contribution on each article, and a draft; the ids requests may use."""
    public = create_consultation("open", slug="publica")
    create_consultation("draft", slug="rascunho")
    author = create_user()
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == public.slug))
        articles = db.session.scalars(select(Article).where(Article.consultation_id == consultation.id)
                                      .order_by(Article.position)).all()
        for n, article in enumerate(articles):
            db.session.add(Contribution(consultation_id=consultation.id, article_id=article.id, author_id=author.id,
                                        stance=Stance.AGREE, body=f"Contribuição {n} com e-mail a@b.com."))
        db.session.commit()
        return {"slug": public.slug, "articles": [a.id for a in articles],
                "sections": sorted({a.section_id for a in articles})}


@pytest.fixture
def api_schema(app, seeded):
    """The served document, with generated values sometimes replaced by the seeded ones."""
    loaded = schemathesis.openapi.from_wsgi(OPENAPI_URL, app)

    @loaded.hook
    def flatmap_path_parameters(context, path_parameters):
        if not path_parameters:
            return st.just(path_parameters)
        real = {"slug": seeded["slug"], "article_id": seeded["articles"][-1]}
        return st.sampled_from([{**path_parameters, **{k: real[k] for k in path_parameters}}, path_parameters])

    @loaded.hook
    def flatmap_query(context, query):
        if not query:
            return st.just(query)
        real = {"article": st.sampled_from(seeded["articles"]), "section": st.sampled_from(seeded["sections"]),
                "cursor": st.sampled_from([encode_cursor(seeded["articles"][0], "test-secret-key"),
                                            encode_cursor(1, "test-secret-key")]),
                "limit": st.integers(1, 3)}
        replaced = st.fixed_dictionaries({k: real[k] if k in real else st.just(v) for k, v in query.items()})
        return st.one_of(replaced, st.just(query))

    return loaded


def test_the_served_document_is_valid_openapi(client):
    response = client.get(OPENAPI_URL)
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = json.loads(response.get_data())
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_the_document_describes_every_api_route(app, client):
    document = json.loads(client.get(OPENAPI_URL).get_data())
    described = {"/api/v1" + path.replace("{", "<").replace("}", ">") for path in document["paths"]}
    routed = {rule.rule.replace(ARTICLE_ID, "<article_id>") for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("api.")}
    assert described == routed
    assert all(set(item) == {"get"} for item in document["paths"].values())


@pytest.mark.parametrize(("path", "mode"), CASES, ids=[f"GET {path} {mode.value}" for path, mode in CASES])
def test_every_operation_conforms_and_never_fails(api_schema, path, mode):
    operation = api_schema[path]["GET"]

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(case=operation.as_strategy(generation_mode=mode))
    def answers_as_documented(case):
        statuses.append(case.call_and_validate(checks=CHECKS).status_code)

    statuses: list[int] = []
    answers_as_documented()
    assert 200 in statuses  # the seeded data was reached, not only errors
    if "{slug}" in path:
        assert 404 in statuses
