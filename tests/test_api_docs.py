"""The API's documentation page and the open-data catalogue (DCAT, JSON-LD)."""

import copy
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from jsonschema import Draft202012Validator, ValidationError
from sqlalchemy import select

from consulta.api import openapi
from consulta.api.docs import example_path
from consulta.api.examples import EXAMPLES
from consulta.extensions import db
from consulta.models import Article, Consultation, Contribution, Vote, VoteValue
from tests.test_api import world  # noqa: F401  (the API's fixture: open, closed and draft consultations)

DOCS = "/api/v1/documentacao"
CATALOGUE = "/dados/catalogo.json"
JSONLD_KEYWORDS = {"@context", "@id", "@type", "@value", "@language"}


def _operations():
    for path, item in openapi.document()["paths"].items():
        yield path, item["get"]


def _resolved(schema: dict) -> Draft202012Validator:
    """A validator for `schema` whose #/components/... references resolve in the OpenAPI document."""
    return Draft202012Validator({**schema, "components": openapi.document()["components"]})


def _parameter(reference: dict) -> dict:
    return openapi.document()["components"]["parameters"][reference["$ref"].rsplit("/", 1)[-1]]


# -- the documentation page ------------------------------------------------------------------------------


def test_docs_page_describes_every_operation_with_a_curl_example(client):
    response = client.get(DOCS)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for path, operation in _operations():
        assert f'id="op-{operation["operationId"]}"' in html, path
        assert f"<code>/api/v1{path}</code>" in html, path
    assert html.count("curl -s &#39;http://localhost:5000/api/v1") >= len(list(_operations()))
    for name in openapi.document()["components"]["schemas"]:
        assert f'id="esquema-{name}"' in html
    assert 'href="/api/v1/openapi.json"' in html and 'href="/dados/catalogo.json"' in html
    assert "300 per minute" in html  # the rate limit as configured


def test_docs_page_shows_the_parameters_and_their_constraints(client):
    html = client.get(DOCS).get_data(as_text=True)
    section = html.split('id="op-listContributions"', 1)[1].split('class="api-op"', 1)[0]
    for name in ("slug", "article", "limit", "cursor"):
        assert f"<code>{name}</code>" in section
    assert "1–200" in section and "(padrão 50)" in section
    assert 'href="#esquema-Contribution"' in html


def test_docs_page_is_public_cacheable_and_has_no_inline_script(client):
    response = client.get(DOCS)
    assert response.headers["Cache-Control"].startswith("public")
    assert client.get(DOCS, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # only external scripts (CSP: no inline)
    assert " style=" not in html and " on" not in re.sub(r"<pre.*?</pre>", "", html, flags=re.S).replace(" onde", "")


def test_every_operation_but_the_document_itself_has_an_example():
    ids = {operation["operationId"] for _, operation in _operations()}
    assert set(EXAMPLES) == ids - {"openapi"}


@pytest.mark.parametrize("operation_id", sorted(EXAMPLES))
def test_examples_are_valid_requests_and_answers_of_the_spec(operation_id):
    path, operation = next((p, o) for p, o in _operations() if o["operationId"] == operation_id)
    example = EXAMPLES[operation_id]
    parameters = {(p["in"], p["name"]): p for p in map(_parameter, operation["parameters"])}
    for location, values in (("path", example.get("path", {})), ("query", example.get("query", {}))):
        for name, value in values.items():
            assert (location, name) in parameters, f"{operation_id}: unknown {location} parameter {name}"
            Draft202012Validator(parameters[(location, name)]["schema"]).validate(value)
    required = {name for (location, name), p in parameters.items() if p.get("required")}
    assert required <= set(example.get("path", {})) | set(example.get("query", {}))
    assert "{" not in example_path(path, example)
    body_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    _resolved(body_schema).validate(example["response"])


def test_a_wrong_example_is_caught():
    """The example check has teeth: a field the schema does not allow fails it."""
    schema = next(o for _, o in _operations() if o["operationId"] == "listContributions")[
        "responses"]["200"]["content"]["application/json"]["schema"]
    broken = copy.deepcopy(EXAMPLES["listContributions"]["response"])
    broken["data"][0]["stance"] = "talvez"
    with pytest.raises(ValidationError):
        _resolved(schema).validate(broken)


def test_example_answers_have_the_shape_the_api_answers(client, world):  # noqa: F811
    """Same keys as a real answer of the API, at every level that is an object."""
    real = json.loads(client.get(f"/api/v1/consultations/{world['slug']}/contributions?limit=2").get_data())
    example = EXAMPLES["listContributions"]["response"]
    assert set(real) == set(example) and set(real["data"][0]) == set(example["data"][0])
    article = json.loads(client.get(f"/api/v1/consultations/{world['slug']}/articles/"
                                    f"{world['recommendation']}").get_data())["data"]
    assert set(article) == set(EXAMPLES["getArticle"]["response"]["data"])


# -- the DCAT catalogue ----------------------------------------------------------------------------------


def _compact_keys(node, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "@context":
                found.add(key)
                _compact_keys(value, found)
    elif isinstance(node, list):
        for value in node:
            _compact_keys(value, found)
    return found


def _catalogue(client, url: str = CATALOGUE) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.get_data())


def test_catalogue_lists_every_dataset_of_public_consultations_never_drafts(client, world):  # noqa: F811
    catalogue = _catalogue(client)
    assert catalogue["@type"] == "dcat:Catalog"
    identifiers = [d["dct:identifier"] for d in catalogue["dcat:dataset"]]
    for slug in (world["slug"], world["closed"]):
        assert {f"{slug}/{name}" for name in ("texto", "contribuicoes", "votos", "votos-por-verificacao",
                                                "oficinas", "estados", "setores")} <= set(identifiers)
    assert not any(i.startswith(world["draft"]) for i in identifiers)
    assert len(identifiers) == len(set(identifiers)) == 14


def test_catalogue_is_valid_compact_json_ld(client, world):  # noqa: F811
    catalogue = _catalogue(client)
    prefixes = set(catalogue["@context"])
    for key in _compact_keys(catalogue, set()):
        assert key in JSONLD_KEYWORDS or key.split(":", 1)[0] in prefixes, key
    for value in catalogue["@context"].values():
        assert value.startswith("http") and value[-1] in "#/"


def test_each_dataset_has_licence_publisher_and_downloads_that_work(client, world):  # noqa: F811
    catalogue = _catalogue(client)
    for dataset in catalogue["dcat:dataset"]:
        for field in ("dct:title", "dct:description", "dct:publisher", "dct:modified", "dct:issued", "dcat:keyword"):
            assert dataset[field], (dataset["dct:identifier"], field)
        assert dataset["dct:license"]["@id"] == "https://creativecommons.org/licenses/by/4.0/"
        assert {d["dcat:mediaType"] for d in dataset["dcat:distribution"]} == {"text/csv", "application/json"}
        for distribution in dataset["dcat:distribution"]:
            url = distribution["dcat:downloadURL"]["@id"]
            assert url.startswith("http://localhost:5000/consultas/")
            response = client.get(url.removeprefix("http://localhost:5000"))
            response.get_data()
            assert response.status_code == 200, url
            assert response.mimetype == distribution["dcat:mediaType"]
    service = catalogue["dcat:service"][0]
    assert service["@type"] == "dcat:DataService"
    assert service["dcat:endpointDescription"]["@id"].endswith("/api/v1/openapi.json")
    assert len(service["dcat:servesDataset"]) == len(catalogue["dcat:dataset"])


def test_modified_is_the_time_the_data_last_changed(app, client, world):  # noqa: F811
    def modified(name: str) -> datetime:
        catalogue = _catalogue(client, f"/consultas/{world['slug']}/dados/catalogo.json")
        dataset = next(d for d in catalogue["dcat:dataset"] if d["dct:identifier"] == f"{world['slug']}/{name}")
        return datetime.fromisoformat(dataset["dct:modified"])

    assert modified("contribuicoes") == datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # the fixture's contributions
    later = datetime(2026, 3, 20, 15, 30, tzinfo=UTC)
    with app.app_context():
        contribution = db.session.get(Contribution, world["first"])
        contribution.responded_at = later
        db.session.add(Vote(article_id=world["recommendation"], value=VoteValue.AGREE, created_at=later,
                            updated_at=later + timedelta(hours=1)))
        db.session.commit()
    assert modified("contribuicoes") == later
    assert modified("votos") == later + timedelta(hours=1)
    assert modified("estados") == max(modified("votos"), modified("oficinas"), modified("contribuicoes"))


def test_consultation_catalogue_of_a_draft_is_404_for_the_public(client, world):  # noqa: F811
    assert client.get(f"/consultas/{world['draft']}/dados/catalogo.json").status_code == 404
    one = _catalogue(client, f"/consultas/{world['slug']}/dados/catalogo.json")
    assert {d["dct:identifier"].split("/")[0] for d in one["dcat:dataset"]} == {world["slug"]}


def test_catalogue_is_linked_from_the_footer_and_the_open_data_section(client, world):  # noqa: F811
    html = client.get(f"/consultas/{world['slug']}/resultados").get_data(as_text=True)
    assert 'href="/dados/catalogo.json"' in html
    assert f'href="/consultas/{world["slug"]}/dados/catalogo.json"' in html
    assert 'rel="license"' in html and 'href="/api/v1/documentacao"' in html


def test_catalogue_publisher_is_the_consultations_organ(app, client, world):  # noqa: F811
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == world["slug"]))
        consultation.organ = "Ministério do Exemplo"
        db.session.commit()
        assert db.session.scalar(select(Article.id).where(Article.consultation_id == consultation.id).limit(1))
    dataset = _catalogue(client)["dcat:dataset"]
    organs = {d["dct:publisher"]["foaf:name"] for d in dataset if d["dct:identifier"].startswith(world["slug"] + "/")}
    assert organs == {"Ministério do Exemplo"}
