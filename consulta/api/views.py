"""The API's routes: read-only, session-free, every answer public and cacheable."""

from flask import Response, url_for
from flask_babel import gettext as _

from consulta import authz
from consulta.api import bp, openapi, resources
from consulta.api.errors import NotFound
from consulta.api.pagination import MAX_ID, id_parameter, page_request, page_response, public_json
from consulta.consultations.services import SLUG_RE, get_by_slug
from consulta.extensions import login_manager
from consulta.models import Consultation

ARTICLE_ID = f"<int(min=1, max={MAX_ID}):article_id>"
SLUG_MAX_LENGTH = 80


def public_consultation(slug: str) -> Consultation:
    """The consultation an anonymous visitor may see under this slug, or a 404 (drafts included)."""
    consultation = None
    if len(slug) <= SLUG_MAX_LENGTH and SLUG_RE.fullmatch(slug):
        consultation = get_by_slug(slug)
    if consultation is None or not authz.can_view_consultation(login_manager.anonymous_user(), consultation):
        raise NotFound(_("Consulta não encontrada."))
    return consultation


@bp.route("/")
def index() -> Response:
    """Where to start: the list of consultations and the OpenAPI document."""
    return public_json({
        "name": _("Consulta — API de dados abertos"),
        "version": openapi.API_VERSION,
        "links": {"consultations": url_for("api.consultations"), "openapi": url_for("api.openapi_document")},
    })


@bp.route("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return public_json(openapi.document())


@bp.route("/consultations")
def consultations() -> Response:
    """Public consultations, a page at a time."""
    page = page_request()
    return page_response(resources.consultation_page(page), page)


@bp.route("/consultations/<slug>")
def consultation(slug: str) -> Response:
    """One public consultation."""
    return public_json({"data": resources.consultation_json(public_consultation(slug))})


@bp.route("/consultations/<slug>/sections")
def sections(slug: str) -> Response:
    """All the sections of a consultation's text."""
    return public_json({"data": resources.section_list(public_consultation(slug))})


@bp.route("/consultations/<slug>/articles")
def articles(slug: str) -> Response:
    """A consultation's articles in reading order, a page at a time, optionally of one section."""
    consultation = public_consultation(slug)
    page, section = page_request(), id_parameter("section")
    return page_response(resources.article_page(consultation, page, section), page, section=section)


@bp.route(f"/consultations/<slug>/articles/{ARTICLE_ID}")
def article(slug: str, article_id: int) -> Response:
    """One article with its tallies."""
    consultation = public_consultation(slug)
    found = resources.public_article(consultation, article_id)
    if found is None:
        raise NotFound(_("Artigo não encontrado nesta consulta."))
    return public_json({"data": resources.article_json(consultation, found)})


@bp.route("/consultations/<slug>/contributions")
def contributions(slug: str) -> Response:
    """Public contributions and replies in the order they arrived, a page at a time, optionally on one article."""
    consultation = public_consultation(slug)
    page, article_id = page_request(), id_parameter("article")
    return page_response(resources.contribution_page(consultation, page, article_id), page, article=article_id)


@bp.route("/consultations/<slug>/tallies")
def tallies(slug: str) -> Response:
    """Vote and contribution tallies of every article."""
    return public_json({"data": resources.tally_list(public_consultation(slug))})
