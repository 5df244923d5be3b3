"""Worked examples of every API operation, in Portuguese, for the documentation page (/api/v1/documentacao).

Each example is a request (path and query parameters) and the body of a 200 answer. They are data, not
prose: tests/test_api_docs.py validates every request against the operation's parameters and every body
against the operation's response schema, so an example cannot drift from what the API answers.
"""

from __future__ import annotations

from typing import Any

from consulta.api.pagination import encode_cursor

SLUG = "estrategia-governo-digital"
BASE = f"/api/v1/consultations/{SLUG}"

CONSULTATION: dict[str, Any] = {
    "slug": SLUG,
    "title": "Estratégia Nacional de Governo Digital 2024–2027",
    "summary": "Minuta de decreto e anexo de recomendações em consulta pública.",
    "intro": "Leia cada artigo, comente e vote nas recomendações.",
    "status": "open", "status_label": "Aberta",
    "opens_at": "2026-03-01T12:00:00+00:00", "closes_at": "2026-04-30T23:59:00+00:00",
    "opened_at": "2026-03-01T12:00:04+00:00", "closed_at": None,
    "links": {"self": BASE, "sections": f"{BASE}/sections", "articles": f"{BASE}/articles",
              "contributions": f"{BASE}/contributions", "tallies": f"{BASE}/tallies",
              "html": f"/consultas/{SLUG}"},
}
VOTES = {"agree": 812, "disagree": 96, "abstain": 41, "total": 949}
CONTRIBUTIONS = {"agree": 12, "partly": 9, "disagree": 4, "none": 3, "total": 28}
ARTICLE: dict[str, Any] = {
    "id": 42, "section_id": 7, "position": 15, "number": "3.1", "label": "Recomendação 3.1",
    "kind": "recommendation",
    "text": "Publicar os dados abertos prioritários de cada órgão em formato aberto e legível por máquina.",
    "accepts_votes": True, "accepts_contributions": True, "votes": VOTES, "contributions": CONTRIBUTIONS,
    "links": {"self": f"{BASE}/articles/42", "contributions": f"{BASE}/contributions?article=42",
              "html": f"/consultas/{SLUG}/artigos/42"},
}
CONTRIBUTION: dict[str, Any] = {
    "id": "c-3f9a1c0b7d2e", "reply_to": None, "article_id": 42, "article_label": "Recomendação 3.1",
    "part": None, "section_id": None, "kind": "new_wording", "stance": "partly", "channel": "online",
    "author_kind": "person", "author": "p-5e81c2", "uf": None, "date": "2026-03-12",
    "text": "Sugiro incluir um calendário público de publicação. Contato: [e-mail removido].",
    "proposed_text": "Publicar, conforme calendário público, os dados abertos prioritários de cada órgão.",
    "response_status": "partly_accepted", "response_text": "O calendário foi incluído no art. 5º.",
}
WORKSHOP_CONTRIBUTION: dict[str, Any] = {
    **CONTRIBUTION, "id": "c-a0b1c2d3e4f5", "kind": "comment", "stance": "agree", "channel": "workshop",
    "author_kind": "workshop", "author": "Oficina de Manaus/AM", "uf": "AM", "date": "2026-03-20",
    "text": "A sala defendeu dados abertos com atualização mensal.", "proposed_text": None,
    "response_status": None, "response_text": None,
}
# Cursors in the examples are signed with a key of their own: they show the shape, not a usable position.
_EXAMPLE_KEY = "exemplo-da-documentacao"
NEXT = f"{BASE}/contributions?article=42&limit=2&cursor={encode_cursor(1187, _EXAMPLE_KEY)}"

# operationId -> {"path": {...}, "query": {...}, "response": body of the 200 answer}
EXAMPLES: dict[str, dict[str, Any]] = {
    "index": {"response": {"name": "Consulta — API de dados abertos", "version": "1.0.0",
                           "links": {"consultations": "/api/v1/consultations", "openapi": "/api/v1/openapi.json"}}},
    "listConsultations": {"query": {"limit": 1}, "response": {
        "data": [CONSULTATION],
        "links": {"self": "/api/v1/consultations?limit=1",
                  "next": f"/api/v1/consultations?limit=1&cursor={encode_cursor(1, _EXAMPLE_KEY)}"},
        "meta": {"limit": 1}}},
    "getConsultation": {"path": {"slug": SLUG}, "response": {"data": CONSULTATION}},
    "listSections": {"path": {"slug": SLUG}, "response": {"data": [
        {"id": 1, "parent_id": None, "position": 0, "depth": 1, "title": "Capítulo I — Disposições gerais",
         "intro": ""},
        {"id": 7, "parent_id": None, "position": 6, "depth": 1, "title": "Objetivo 3 — Transparência",
         "intro": "Recomendações sobre dados abertos e transparência ativa."},
    ]}},
    "listArticles": {"path": {"slug": SLUG}, "query": {"section": 7, "limit": 1}, "response": {
        "data": [ARTICLE],
        "links": {"self": f"{BASE}/articles?section=7&limit=1",
                  "next": f"{BASE}/articles?section=7&limit=1&cursor={encode_cursor(15, _EXAMPLE_KEY)}"},
        "meta": {"limit": 1}}},
    "getArticle": {"path": {"slug": SLUG, "article_id": 42}, "response": {"data": ARTICLE}},
    "listContributions": {"path": {"slug": SLUG}, "query": {"article": 42, "limit": 2}, "response": {
        "data": [CONTRIBUTION, WORKSHOP_CONTRIBUTION],
        "links": {"self": f"{BASE}/contributions?article=42&limit=2", "next": NEXT},
        "meta": {"limit": 2}}},
    "listTallies": {"path": {"slug": SLUG}, "response": {"data": [
        {"article_id": 3, "label": "Art. 1º", "accepts_votes": False, "votes": None,
         "contributions": {"agree": 5, "partly": 2, "disagree": 1, "none": 0, "total": 8}},
        {"article_id": 42, "label": "Recomendação 3.1", "accepts_votes": True, "votes": VOTES,
         "contributions": CONTRIBUTIONS},
    ]}},
}
