"""The open-data catalogue: every dataset the site publishes, described in DCAT (JSON-LD), as open-data portals
such as dados.gov.br (CKAN with its DCAT harvester) read them.

`/dados/catalogo.json` lists the datasets of every public consultation and the API as a data service;
`/consultas/<slug>/dados/catalogo.json` those of one consultation. Each dataset (the text, contributions,
votes, workshops, participants by state and by sector) has its CSV and JSON downloads as distributions, the
licence, the publisher and its real modification time, read from the data with a few grouped queries for
the whole catalogue (not per dataset).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from consulta.consultations.services import get_visible_or_404, public_consultations
from consulta.degrade import shared_cache as cache
from consulta.extensions import db
from consulta.models import Article, Consultation, Contribution, Vote, Workshop
from consulta.results import bp
from consulta.web import public_cache

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
}
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}
Json = dict[str, Any]


def _datasets() -> list[tuple[str, str, str, str, list[str]]]:
    """(file name, endpoint, title, description, keywords) of each dataset of a consultation."""
    return [
        ("texto", "results.opendata_text", _("Texto da consulta"),
         _("Seções e artigos do texto em consulta, na ordem do documento."), [_("texto normativo")]),
        ("contribuicoes", "results.opendata_contributions", _("Contribuições públicas"),
         _("Contribuições e respostas visíveis, com autores pessoas pseudonimizados, dados pessoais mascarados e "
           "datas sem hora."), [_("contribuições"), _("devolutiva")]),
        ("votos", "results.opendata_votes", _("Votos por recomendação"),
         _("Totais de votos (concordo, discordo, abstenção) por recomendação; nunca votos individuais."), [_("votos")]),
        ("votos-por-verificacao", "results.opendata_votes_by_level", _("Votos por nível de verificação"),
         _("Totais de votos por recomendação e nível de verificação da conta gov.br; recortes de 1 a 4 pessoas "
           "aparecem como <5."), [_("votos"), "gov.br"]),
        ("oficinas", "results.opendata_workshops", _("Oficinas e público"),
         _("Oficinas presenciais e remotas, com público total e por setor (nunca a lista de presença)."),
         [_("oficinas")]),
        ("estados", "results.opendata_states", _("Participantes por estado"),
         _("Participantes online (pelo estado do perfil) e em oficinas (pelo estado da oficina), por UF; "
           "recortes de 1 a 4 pessoas aparecem como <5."), [_("estados"), "UF"]),
        ("setores", "results.opendata_sectors", _("Participantes por setor"),
         _("Participantes online e em oficinas por setor; recortes de 1 a 4 pessoas aparecem como <5."),
         [_("setores")]),
    ]


def _latest(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return max(present) if present else None


def modification_times(ids: list[int]) -> dict[int, dict[str, datetime | None]]:
    """When each consultation's contributions, votes and workshops last changed (three grouped queries)."""
    times: dict[int, dict[str, datetime | None]] = {i: {} for i in ids}
    if not ids:
        return times
    c = Contribution
    for row in db.session.execute(
            select(c.consultation_id, func.max(c.created_at), func.max(c.edited_at), func.max(c.responded_at),
                   func.max(c.withdrawn_at)).where(c.consultation_id.in_(ids)).group_by(c.consultation_id)):
        times[row[0]]["contributions"] = _latest(*row[1:])
    for consultation_id, moment in db.session.execute(
            select(Article.consultation_id, func.max(Vote.updated_at)).join(Vote, Vote.article_id == Article.id)
            .where(Article.consultation_id.in_(ids)).group_by(Article.consultation_id)):
        times[consultation_id]["votes"] = moment
    for consultation_id, moment in db.session.execute(
            select(Workshop.consultation_id, func.max(Workshop.updated_at)).where(Workshop.consultation_id.in_(ids))
            .group_by(Workshop.consultation_id)):
        times[consultation_id]["workshops"] = moment
    return times


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _absolute(path: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def licence() -> Json:
    """The open-data licence (OPEN_DATA_LICENSE) as a DCAT licence document."""
    name, url = current_app.config["OPEN_DATA_LICENSE"]
    return {"@id": url, "@type": "dct:LicenseDocument", "dct:title": name}


def _publisher(consultation: Consultation | None) -> Json:
    name = (consultation.organ if consultation is not None else "") or current_app.config["PRIVACY_CONTROLLER"]
    return {"@type": "foaf:Agent", "foaf:name": name}


def consultation_datasets(consultation: Consultation, times: dict[str, datetime | None]) -> list[Json]:
    """The DCAT datasets of one public consultation, each with its CSV and JSON distributions."""
    slug = consultation.slug
    text_time = _latest(consultation.text_imported_at, consultation.created_at)
    everything = _latest(times.get("contributions"), times.get("votes"), times.get("workshops"))
    modified = {"texto": text_time, "contribuicoes": times.get("contributions"), "votos": times.get("votes"),
                "votos-por-verificacao": times.get("votes"), "oficinas": times.get("workshops"),
                "estados": everything, "setores": everything}
    landing = _absolute(url_for("results.consultation_results", slug=slug, _anchor="dados-abertos"))
    contact = consultation.contact or None
    datasets = []
    for name, endpoint, title, description, keywords in _datasets():
        distributions = [{
            "@id": _absolute(url_for(endpoint, slug=slug, fmt=fmt)), "@type": "dcat:Distribution",
            "dct:title": f"{title} ({fmt.upper()})", "dcat:downloadURL": {"@id": _absolute(url_for(endpoint, slug=slug, fmt=fmt))},
            "dcat:accessURL": {"@id": _absolute(url_for(endpoint, slug=slug, fmt=fmt))},
            "dcat:mediaType": MEDIA_TYPES[fmt], "dct:format": fmt.upper(), "dct:license": licence(),
        } for fmt in ("csv", "json")]
        dataset: Json = {
            "@id": _absolute(url_for("results.consultation_catalogue", slug=slug, _anchor=name)),
            "@type": "dcat:Dataset",
            "dct:identifier": f"{slug}/{name}",
            "dct:title": f"{title} — {consultation.title}",
            "dct:description": description,
            "dcat:keyword": [_("consulta pública"), _("participação social"), *keywords],
            "dct:publisher": _publisher(consultation),
            "dct:license": licence(),
            "dct:language": "pt-BR",
            "dct:issued": _iso(consultation.opened_at or consultation.created_at),
            "dct:modified": _iso(modified[name] or text_time),
            "dcat:landingPage": {"@id": landing},
            "dcat:distribution": distributions,
        }
        if contact:
            dataset["dcat:contactPoint"] = {"@type": "vcard:Kind", "vcard:fn": consultation.organ or contact,
                                            "vcard:note": contact}
        datasets.append(dataset)
    return datasets


def api_service() -> Json:
    """The read-only JSON API as a DCAT data service, described by its OpenAPI document."""
    return {
        "@id": _absolute(url_for("api.index")), "@type": "dcat:DataService",
        "dct:title": _("API de dados abertos (JSON)"),
        "dct:description": _("API somente leitura com o texto, as contribuições públicas e as contagens de cada "
                             "consulta, paginada por cursor."),
        "dcat:endpointURL": {"@id": _absolute(url_for("api.index"))},
        "dcat:endpointDescription": {"@id": _absolute(url_for("api.openapi_document"))},
        "dcat:landingPage": {"@id": _absolute(url_for("api_docs.documentation"))},
        "dct:conformsTo": {"@id": "https://spec.openapis.org/oas/v3.1.0"},
        "dct:license": licence(),
        "dct:publisher": _publisher(None),
    }


def catalogue(consultations: Iterable[Consultation], *, self_url: str, title: str) -> Json:
    """A DCAT catalogue of the datasets of `consultations` and the API."""
    consultations = [c for c in consultations if c.is_public]
    times = modification_times([c.id for c in consultations])
    datasets = [d for c in consultations for d in consultation_datasets(c, times[c.id])]
    service = api_service()
    service["dcat:servesDataset"] = [{"@id": d["@id"]} for d in datasets]
    modified = [d["dct:modified"] for d in datasets if d["dct:modified"]]
    return {
        "@context": CONTEXT, "@id": self_url, "@type": "dcat:Catalog",
        "dct:title": title,
        "dct:description": _("Dados abertos das consultas públicas desta plataforma: texto, contribuições "
                             "públicas, votos, oficinas e participação por estado e setor, sem dados pessoais."),
        "dct:language": "pt-BR",
        "dct:publisher": _publisher(None),
        "dct:license": licence(),
        "dct:modified": max(modified) if modified else None,
        "foaf:homepage": {"@id": _absolute(url_for("consultations.home"))},
        "dcat:service": [service],
        "dcat:dataset": datasets,
    }


def _json_response(key: str, build) -> Any:
    """The catalogue as JSON, built at most once per RESULTS_MAX_AGE seconds (the times scan the votes)."""
    seconds = current_app.config["RESULTS_MAX_AGE"]
    body = cache.get(key) if seconds else None
    if body is None:
        body = current_app.json.dumps(build(), indent=1)
        if seconds:
            cache.set(key, body, timeout=seconds)
    response = current_app.response_class(body, content_type="application/json; charset=utf-8")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/dados/catalogo.json")
def catalogue_json():
    """Every public consultation's datasets and the API, as one DCAT catalogue (JSON-LD)."""
    self_url = _absolute(url_for("results.catalogue_json"))
    response = _json_response("catalogue:v1:all", lambda: catalogue(
        public_consultations(), self_url=self_url, title=_("Catálogo de dados abertos — Consulta")))
    return public_cache(response)


@bp.route("/consultas/<slug>/dados/catalogo.json")
def consultation_catalogue(slug: str):
    """One consultation's datasets, as a DCAT catalogue (staff may read a draft's; it lists nothing)."""
    consultation = get_visible_or_404(slug)
    self_url = _absolute(url_for("results.consultation_catalogue", slug=slug))
    response = _json_response(f"catalogue:v1:{consultation.id}:{int(consultation.is_public)}", lambda: catalogue(
        [consultation], self_url=self_url, title=_("Dados abertos — %(title)s", title=consultation.title)))
    return public_cache(response) if consultation.is_public else response
