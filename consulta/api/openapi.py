"""The OpenAPI 3.1 document of the API, built as a Python dict and served at /api/v1/openapi.json.

Descriptions are in Portuguese (they are read by the people who use the API); names follow the JSON. The
enumerations come from the models, so the document cannot drift from what the API answers.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Any

from consulta.api.errors import ERRORS
from consulta.api.pagination import DEFAULT_LIMIT, MAX_CURSOR_LENGTH, MAX_ID, MAX_LIMIT
from consulta.api.resources import AUTHOR_KINDS
from consulta.consultations.services import SLUG_RE
from consulta.models import ArticleKind, Channel, ContributionKind, Phase, ResponseStatus, Stance

API_VERSION = "1.0.0"
Schema = dict[str, Any]


def _ref(name: str, kind: str = "schemas") -> Schema:
    return {"$ref": f"#/components/{kind}/{name}"}


def _nullable(schema: Schema) -> Schema:
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    nullable = {**schema, "type": [schema["type"], "null"]}
    if "enum" in schema:  # an enum restricts every type: null must be one of its values too
        nullable["enum"] = [*schema["enum"], None]
    return nullable


def _object(properties: dict[str, Schema], description: str | None = None) -> Schema:
    """A closed object whose properties are all present (possibly null)."""
    schema: Schema = {"type": "object", "required": list(properties), "properties": properties,
                      "additionalProperties": False}
    if description:
        schema["description"] = description
    return schema


def _values(enum: type[StrEnum], *, exclude: tuple[StrEnum, ...] = ()) -> list[str]:
    return [member.value for member in enum if member not in exclude]


STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
COUNT: Schema = {"type": "integer", "minimum": 0}
ID: Schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
PUBLIC_ID: Schema = {"type": "string", "pattern": "^c-[0-9a-f]{12}$",
                     "description": "Identificador público da contribuição (não é o número usado nas páginas)."}
DATE_TIME: Schema = {"type": "string", "format": "date-time"}
PATH: Schema = {"type": "string", "description": "Caminho a partir da raiz do site."}


def _schemas() -> dict[str, Schema]:
    return {
        "Error": _object({"error": {
            "type": "object", "required": ["status", "code", "message"], "additionalProperties": False,
            "properties": {
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "code": {"type": "string", "examples": [code for code, _ in ERRORS.values()] + ["invalid_parameter"]},
                "message": {"type": "string", "description": "Mensagem em português."},
                "parameter": {"type": "string", "description": "O parâmetro da consulta que causou o erro."},
            },
        }}),
        "PageLinks": _object({"self": PATH, "next": _nullable({**PATH, "description": "A próxima página, "
                                                                "ou null na última."})}),
        "PageMeta": _object({"limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}}),
        "Index": _object({
            "name": STRING, "version": STRING,
            "links": _object({"consultations": PATH, "openapi": PATH}),
        }),
        "Consultation": _object({
            "slug": {"type": "string", "pattern": SLUG_RE.pattern},
            "title": STRING, "summary": STRING, "intro": STRING,
            "status": {"type": "string", "enum": _values(Phase, exclude=(Phase.DRAFT,))},
            "status_label": STRING,
            "opens_at": _nullable(DATE_TIME), "closes_at": _nullable(DATE_TIME),
            "opened_at": _nullable(DATE_TIME), "closed_at": _nullable(DATE_TIME),
            "links": _object({"self": PATH, "sections": PATH, "articles": PATH, "contributions": PATH,
                              "tallies": PATH, "html": PATH}),
        }, "Uma consulta pública (aberta ou encerrada). Datas em UTC."),
        "Section": _object({
            "id": ID, "parent_id": _nullable(ID), "position": COUNT,
            "depth": {"type": "integer", "minimum": 1}, "title": STRING, "intro": STRING,
        }, "Um título do texto (capítulo, eixo, objetivo), com a seção que o contém."),
        "VoteTally": _nullable(_object({"agree": COUNT, "disagree": COUNT, "abstain": COUNT, "total": COUNT},
                                       "Votos no artigo; null se ele não recebe votos.")),
        "ContributionTally": _object({"agree": COUNT, "partly": COUNT, "disagree": COUNT, "none": COUNT,
                                      "total": COUNT},
                                     "Contribuições públicas (sem contar respostas) por posicionamento."),
        "Article": _object({
            "id": ID, "section_id": _nullable(ID), "position": COUNT, "number": STRING, "label": STRING,
            "kind": {"type": "string", "enum": _values(ArticleKind)}, "text": STRING,
            "accepts_votes": {"type": "boolean"}, "accepts_contributions": {"type": "boolean"},
            "votes": _ref("VoteTally"), "contributions": _ref("ContributionTally"),
            "links": _object({"self": PATH, "contributions": PATH, "html": PATH}),
        }, "Um artigo, recomendação ou parágrafo do texto, com suas contagens."),
        "Tally": _object({
            "article_id": ID, "label": STRING, "accepts_votes": {"type": "boolean"},
            "votes": _ref("VoteTally"), "contributions": _ref("ContributionTally"),
        }),
        "Contribution": _object({
            "id": PUBLIC_ID,
            "reply_to": _nullable({**PUBLIC_ID, "description": "A contribuição respondida, se for uma resposta."}),
            "article_id": _nullable(ID), "article_label": _nullable(STRING),
            "part": _nullable({"type": "string", "pattern": "^[A-Za-z0-9.-]+$", "description":
                               'A parte do artigo comentada ("caput", "par-1", "inc-II", "inc-II-ali-a"); '
                               "null quando a contribuição é sobre o dispositivo inteiro."}),
            "section_id": _nullable(ID),
            "kind": {"type": "string", "enum": _values(ContributionKind)},
            "stance": {"type": "string", "enum": _values(Stance)},
            "channel": {"type": "string", "enum": _values(Channel)},
            "author_kind": {"type": "string", "enum": list(AUTHOR_KINDS.values())},
            "author": _nullable({"type": "string", "description": "Pseudônimo estável (pessoa), nome "
                                 "(organização) ou local (oficina); null se a conta foi removida."}),
            "uf": _nullable({"type": "string", "pattern": "^[A-Z]{2}$", "description": "UF da oficina."}),
            "date": {"type": "string", "format": "date", "description": "Data no horário de Brasília, sem hora."},
            "text": {"type": "string", "description": "Texto com e-mails, telefones, CPFs e CNPJs mascarados."},
            "proposed_text": _nullable(STRING),
            "response_status": _nullable({"type": "string", "enum": _values(ResponseStatus)}),
            "response_text": _nullable(STRING),
        }, "Uma contribuição pública, sem dados pessoais."),
    }


def _page_of(item: str, description: str) -> Schema:
    return _object({"data": {"type": "array", "items": _ref(item)}, "links": _ref("PageLinks"),
                    "meta": _ref("PageMeta")}, description)


def _list_of(item: str, description: str) -> Schema:
    return _object({"data": {"type": "array", "items": _ref(item)}}, description)


def _one(item: str) -> Schema:
    return _object({"data": _ref(item)})


def _parameters() -> dict[str, Schema]:
    def query_id(name: str, description: str) -> Schema:
        return {"name": name, "in": "query", "required": False, "description": description, "schema": ID}

    return {
        "Slug": {"name": "slug", "in": "path", "required": True, "description": "Endereço da consulta.",
                 "schema": {"type": "string", "pattern": SLUG_RE.pattern, "minLength": 1, "maxLength": 80}},
        "ArticleId": {"name": "article_id", "in": "path", "required": True, "schema": ID},
        "Limit": {"name": "limit", "in": "query", "required": False, "description": "Itens por página.",
                  "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
        "Cursor": {"name": "cursor", "in": "query", "required": False,
                   "description": "Valor opaco recebido em links.next; ausente na primeira página.",
                   "schema": {"type": "string", "minLength": 1, "maxLength": MAX_CURSOR_LENGTH}},
        "SectionFilter": query_id("section", "Só os artigos desta seção (id)."),
        "ArticleFilter": query_id("article", "Só as contribuições neste artigo (id)."),
        "IfNoneMatch": {"name": "If-None-Match", "in": "header", "required": False,
                        "description": "ETag de uma resposta anterior: se nada mudou, a resposta é 304.",
                        "schema": STRING},
    }


CACHE_HEADERS = {
    "ETag": {"description": "Identifica esta versão da resposta.", "required": True, "schema": STRING},
    "Cache-Control": {"description": "public, max-age curto.", "required": True,
                      "schema": {"type": "string", "pattern": "public"}},
}


def _responses() -> dict[str, Schema]:
    def error(description: str) -> Schema:
        return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}

    return {
        "NotModified": {"description": "Nada mudou desde a ETag enviada em If-None-Match.",
                        "headers": CACHE_HEADERS},
        "BadRequest": error("Parâmetro inválido; error.parameter diz qual."),
        "NotFound": error("Consulta ou artigo inexistente ou não público."),
        "MethodNotAllowed": error("A API só aceita GET, HEAD e OPTIONS."),
        "TooManyRequests": {**error("Limite de requisições por endereço excedido."),
                            "headers": {"Retry-After": {"description": "Segundos até tentar de novo.",
                                                        "schema": STRING}}},
    }


def _operation(operation_id: str, summary: str, tag: str, body: Schema, *, parameters: tuple[str, ...] = (),
               paginated: bool = False, may_be_missing: bool = True) -> Schema:
    """A GET operation: its parameters, the 200 body, and the error and conditional answers."""
    ok_headers = dict(CACHE_HEADERS)
    if paginated:
        ok_headers["Link"] = {"description": 'A próxima página: <...>; rel="next".', "schema": STRING}
    responses: Schema = {
        "200": {"description": "OK", "headers": ok_headers, "content": {"application/json": {"schema": body}}},
        "304": _ref("NotModified", "responses"),
        "405": _ref("MethodNotAllowed", "responses"),
        "429": _ref("TooManyRequests", "responses"),
    }
    if paginated or any(p.endswith("Filter") for p in parameters):
        responses["400"] = _ref("BadRequest", "responses")
    if may_be_missing:
        responses["404"] = _ref("NotFound", "responses")
    names = [*parameters, *(["Limit", "Cursor"] if paginated else []), "IfNoneMatch"]
    return {"get": {"operationId": operation_id, "summary": summary, "tags": [tag],
                    "parameters": [_ref(name, "parameters") for name in names], "responses": responses}}


def _paths() -> dict[str, Schema]:
    slug = ("Slug",)
    return {
        "/": _operation("index", "Ponto de partida", "geral", _ref("Index"), may_be_missing=False),
        "/openapi.json": _operation("openapi", "Este documento OpenAPI", "geral", {"type": "object"},
                                    may_be_missing=False),
        "/consultations": _operation(
            "listConsultations", "Consultas públicas", "consultas",
            _page_of("Consultation", "Consultas abertas ou encerradas, por ordem de criação."),
            paginated=True, may_be_missing=False),
        "/consultations/{slug}": _operation("getConsultation", "Uma consulta", "consultas",
                                            _one("Consultation"), parameters=slug),
        "/consultations/{slug}/sections": _operation(
            "listSections", "Seções do texto", "texto",
            _list_of("Section", "Todas as seções, na ordem do texto."), parameters=slug),
        "/consultations/{slug}/articles": _operation(
            "listArticles", "Artigos do texto", "texto",
            _page_of("Article", "Artigos na ordem do texto."), parameters=(*slug, "SectionFilter"), paginated=True),
        "/consultations/{slug}/articles/{article_id}": _operation(
            "getArticle", "Um artigo e suas contagens", "texto", _one("Article"), parameters=(*slug, "ArticleId")),
        "/consultations/{slug}/contributions": _operation(
            "listContributions", "Contribuições públicas", "participação",
            _page_of("Contribution", "Contribuições visíveis e respostas, na ordem de chegada."),
            parameters=(*slug, "ArticleFilter"), paginated=True),
        "/consultations/{slug}/tallies": _operation(
            "listTallies", "Contagens por artigo", "participação",
            _list_of("Tally", "Votos e contribuições por artigo, na ordem do texto (nunca votos individuais)."),
            parameters=slug),
    }


@cache
def document() -> Schema:
    """The whole OpenAPI document (built once per process: it depends on nothing but the code)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Consulta — API de dados abertos",
            "version": API_VERSION,
            "description": (
                "API somente leitura com os dados públicos das consultas: texto, contribuições públicas "
                "(pseudonimizadas, com dados pessoais mascarados) e contagens. Aceita GET, HEAD e OPTIONS, "
                "sem autenticação; CORS liberado para qualquer origem. Listas longas são paginadas por cursor "
                "(links.next e o cabeçalho Link). Respostas trazem ETag e Cache-Control: public; envie "
                "If-None-Match para receber 304. Erros vêm como JSON: {\"error\": {\"status\", \"code\", "
                "\"message\"}}."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": "/api/v1"}],
        "tags": [{"name": "geral"}, {"name": "consultas"}, {"name": "texto"}, {"name": "participação"}],
        "paths": _paths(),
        "components": {"schemas": _schemas(), "parameters": _parameters(), "responses": _responses()},
    }
