"""The API's documentation page: the OpenAPI document read into what a person needs, rendered by Jinja.

No Swagger UI or Redoc: both run the document through JavaScript (Redoc also injects styles), which the
strict Content-Security-Policy and the "works without JavaScript" rule exclude. The page is built from the
same `openapi.document()` the API serves, so it cannot describe an endpoint the API does not have.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consulta.api import openapi
from consulta.api.errors import ERRORS
from consulta.api.examples import EXAMPLES
from consulta.web import anonymous_page_cache

# A page for people, not an API operation: its own blueprint, so the API's JSON error handlers and its rate
# limit stay the API's (the path is under /api/v1/ so people find it beside the document it describes).
bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")
Schema = dict[str, Any]
TYPE_LABELS = {"string": _l("texto"), "integer": _l("inteiro"), "boolean": _l("booleano"), "object": _l("objeto"),
               "array": _l("lista"), "null": "null", "number": _l("número")}
FORMAT_LABELS = {"date-time": _l("data e hora ISO 8601"), "date": _l("data AAAA-MM-DD")}


@dataclass
class TypeInfo:
    """A schema summed up for a table cell: words, a component it points to, allowed values."""

    text: str
    ref: str | None = None
    values: list[str] = field(default_factory=list)
    many: bool = False  # a list of `ref`
    nullable: bool = False
    fields: list[Field] = field(default_factory=list)  # an object described in place


@dataclass
class Field:
    """One property of an object schema."""

    name: str
    type: TypeInfo
    description: str
    required: bool


@dataclass
class Parameter:
    """One parameter of an operation (path, query or header)."""

    name: str
    location: str
    required: bool
    description: str
    type: TypeInfo


@dataclass
class Operation:
    """One GET endpoint as the page shows it."""

    id: str
    path: str
    summary: str
    parameters: list[Parameter]
    responses: list[tuple[str, str, TypeInfo | None]]  # status, description, body schema
    example_url: str
    curl: str
    example_body: str | None


@dataclass
class SchemaDoc:
    """A component schema with its fields."""

    name: str
    description: str
    fields: list[Field]
    type: TypeInfo | None = None  # for schemas that are not plain objects (e.g. nullable)


def _component(document: Schema, ref: str) -> tuple[str, Schema]:
    """(name, schema) of a local $ref like #/components/parameters/Slug."""
    *_, kind, name = ref.split("/")
    return name, document["components"][kind][name]


def describe(schema: Schema) -> TypeInfo:
    """A short Portuguese description of a schema's type, with the component it refers to, if any."""
    if "$ref" in schema:
        return TypeInfo(_("objeto"), ref=schema["$ref"].rsplit("/", 1)[-1])
    if "oneOf" in schema:
        options = [describe(option) for option in schema["oneOf"] if option.get("type") != "null"]
        nullable = any(option.get("type") == "null" for option in schema["oneOf"])
        first = options[0] if options else TypeInfo("")
        return TypeInfo(first.text + (_(" ou null") if nullable else ""), ref=first.ref, values=first.values,
                        many=first.many, nullable=nullable)
    kinds = schema.get("type", "object")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    main = next((k for k in kinds if k != "null"), "null")
    if main == "array":
        item = describe(schema.get("items", {}))
        info = TypeInfo(_("lista de %(item)s", item=item.text), ref=item.ref, values=item.values, many=True)
    else:
        words = [str(TYPE_LABELS.get(main, main))]
        if schema.get("format") in FORMAT_LABELS:
            words.append(f"({FORMAT_LABELS[schema['format']]})")
        if "minimum" in schema and "maximum" in schema:
            words.append(f"{schema['minimum']}–{schema['maximum']}")
        elif "minimum" in schema:
            words.append(f"≥ {schema['minimum']}")
        if "pattern" in schema and main == "string":
            words.append(_("no formato %(pattern)s", pattern=schema["pattern"]))
        if "default" in schema:
            words.append(_("(padrão %(value)s)", value=schema["default"]))
        info = TypeInfo(" ".join(words), values=[str(v) for v in schema.get("enum", [])],
                        fields=_fields(schema) if main == "object" else [])
    if "null" in kinds and main != "null":
        info.text += _(" ou null")
        info.nullable = True
    return info


def _fields(schema: Schema) -> list[Field]:
    required = set(schema.get("required", []))
    return [Field(name, describe(prop), prop.get("description", ""), name in required)
            for name, prop in schema.get("properties", {}).items()]


def _schema_docs(document: Schema) -> list[SchemaDoc]:
    docs = []
    for name, schema in document["components"]["schemas"].items():
        if schema.get("type") == "object":
            docs.append(SchemaDoc(name, schema.get("description", ""), _fields(schema)))
        else:  # a nullable object: describe the object inside
            inner = next((s for s in schema.get("oneOf", []) if s.get("type") == "object"), None)
            if inner is None:
                inner = schema
            docs.append(SchemaDoc(name, inner.get("description", ""), _fields(inner), type=describe(schema)))
    return docs


def example_path(path: str, example: dict[str, Any]) -> str:
    """The operation's path with the example's path parameters filled in and its query string."""
    for name, value in example.get("path", {}).items():
        path = path.replace("{" + name + "}", str(value))
    query = example.get("query")
    return path + ("?" + urlencode(query) if query else "")


def _operations(document: Schema, base_url: str) -> dict[str, list[Operation]]:
    prefix = document["servers"][0]["url"]
    by_tag: dict[str, list[Operation]] = {tag["name"]: [] for tag in document["tags"]}
    for path, item in document["paths"].items():
        operation = item["get"]
        parameters = []
        for reference in operation.get("parameters", []):
            _name, parameter = _component(document, reference["$ref"])
            if parameter["in"] == "header":
                continue  # If-None-Match, the same on every operation: "Como usar" explains it once
            parameters.append(Parameter(parameter["name"], parameter["in"], parameter.get("required", False),
                                        parameter.get("description", ""), describe(parameter["schema"])))
        responses = []
        for status, response in operation["responses"].items():
            if "$ref" in response:
                _name, response = _component(document, response["$ref"])
            body = response.get("content", {}).get("application/json", {}).get("schema")
            responses.append((status, response["description"], describe(body) if body else None))
        example = EXAMPLES.get(operation["operationId"], {})
        url = base_url + prefix + example_path(path, example)
        body = example.get("response")
        by_tag[operation["tags"][0]].append(Operation(
            id=operation["operationId"], path=prefix + path, summary=operation["summary"], parameters=parameters,
            responses=responses, example_url=url, curl=f"curl -s '{url}'",
            example_body=json.dumps(body, ensure_ascii=False, indent=2) if body is not None else None,
        ))
    return by_tag


@bp.route("/documentacao")
@anonymous_page_cache
def documentation():
    """The API described for people: endpoints by tag, parameters, answers, examples in Portuguese."""
    document = openapi.document()
    base_url = current_app.config["PUBLIC_URL"].rstrip("/")
    errors = sorted((status, code, message) for status, (code, message) in ERRORS.items())
    response = current_app.make_response(render_template(
        "api/documentation.html", document=document, info=document["info"], base_url=base_url,
        operations=_operations(document, base_url), schemas=_schema_docs(document), errors=errors,
        rate_limit=current_app.config["RATELIMIT_API"], cache_seconds=current_app.config["HTTP_CACHE_SECONDS"],
        first_list=base_url + url_for("api.consultations"),
    ))
    return response
