"""The preview images and the helpers the pages' share meta use (absolute, canonical and image URLs)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Response, abort, current_app, request, url_for
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select

from consulta.consultations.services import get_visible_or_404
from consulta.degrade import shared_cache as cache
from consulta.extensions import db
from consulta.models import Article, Consultation
from consulta.share import bp
from consulta.share.cards import Card, render
from consulta.web import public_cache

IMAGE_CACHE_SECONDS = 86400  # a drawn card in the shared cache; the image URL changes with its content
DESCRIPTION_LENGTH = 200
_MARKUP = re.compile(r"[*_#>`]+")


def absolute_url(path: str) -> str:
    """`path` on the site's public address (PUBLIC_URL), the same whatever host the request came through."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def canonical_url() -> str:
    """This page's address without its query string, on the public address."""
    if request.endpoint is None:
        return absolute_url(request.path)
    return absolute_url(url_for(request.endpoint, **(request.view_args or {})))


def share_description(text: str | None, limit: int = DESCRIPTION_LENGTH) -> str:
    """`text` as one plain line for a description meta tag: no Markdown marks, cut at a word."""
    plain = " ".join(_MARKUP.sub("", text or "").split())
    if len(plain) <= limit:
        return plain
    return plain[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def _number(n: int) -> str:
    return format_decimal(n)


def _site() -> str:
    return urlsplit(current_app.config["PUBLIC_URL"]).netloc or "Consulta"


def _plural(n: int, one: str, many: str) -> tuple[str, str]:
    return _number(n), one if n == 1 else many


def consultation_card(consultation: Consultation) -> Card:
    """Title, phase and totals of a consultation (one aggregate query over its articles)."""
    a = Article
    articles, contributions, votes = db.session.execute(
        select(func.count(a.id),
               func.coalesce(func.sum(a.contributions_agree + a.contributions_partly + a.contributions_disagree
                                      + a.contributions_none), 0),
               func.coalesce(func.sum(a.votes_agree + a.votes_disagree + a.votes_abstain), 0))
        .where(a.consultation_id == consultation.id)).one()
    kicker = _("Consulta pública · %(phase)s", phase=consultation.phase.label)
    if consultation.is_open and consultation.closes_at:
        kicker = _("Consulta pública · aberta até %(date)s", date=format_date(consultation.closes_at, "short"))
    return Card(kicker=kicker, title=consultation.title, excerpt=consultation.summary or consultation.intro,
                counts=(_plural(articles, _("dispositivo"), _("dispositivos")),
                        _plural(contributions, _("contribuição"), _("contribuições")),
                        _plural(votes, _("voto"), _("votos"))),
                footer=_site())


def article_card(article: Article) -> Card:
    """An article: its label, the consultation, the start of its text and its tallies (no query)."""
    counts = [_plural(article.contribution_total, _("contribuição"), _("contribuições"))]
    if article.accepts_votes:
        counts.append(_plural(article.vote_total, _("voto"), _("votos")))
    return Card(kicker=article.consultation.title, title=article.label, excerpt=article.body, counts=tuple(counts),
                footer=_site())


def results_card(consultation: Consultation, results=None) -> Card:
    """The results page: participants, contributions, votes and workshops from the results snapshot (the one
    the page already holds, if given)."""
    from consulta.results.services import snapshot_results

    totals = (results or snapshot_results(consultation)).totals
    return Card(kicker=_("Resultados da participação"), title=consultation.title, excerpt="",
                counts=(_plural(totals.participants, _("participante"), _("participantes")),
                        _plural(totals.contributions, _("contribuição"), _("contribuições")),
                        _plural(totals.votes, _("voto"), _("votos")),
                        _plural(totals.workshops, _("oficina"), _("oficinas"))),
                footer=_site())


def share_image_url(consultation: Consultation, article: Article | None = None, *, results=None) -> str:
    """The absolute URL of the page's preview image, versioned by the digest of what it shows."""
    slug = consultation.slug
    if article is not None:
        card, endpoint, args = article_card(article), "share.article_image", {"article_id": article.id}
    elif results is not None:
        card, endpoint, args = results_card(consultation, results), "share.results_image", {}
    else:
        card, endpoint, args = consultation_card(consultation), "share.consultation_image", {}
    return absolute_url(url_for(endpoint, slug=slug, v=card.digest, **args))


def _image(card: Card, public: bool) -> Response:
    """The card as a PNG: 304 without drawing when the ETag matches, else from the cache or drawn once."""
    digest = card.digest
    if public and request.if_none_match.contains(digest):
        response = Response(mimetype="image/png")
        response.set_etag(digest)
        return public_cache(response, max_age=_max_age(digest))
    key = f"share:card:{digest}"
    body = cache.get(key)
    if body is None:
        body = render(card)
        cache.set(key, body, timeout=IMAGE_CACHE_SECONDS)
    response = Response(body, mimetype="image/png")
    response.set_etag(digest)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return public_cache(response, max_age=_max_age(digest)) if public else response


def _max_age(digest: str) -> int:
    """A day for the URL of this very content (its `v`); the usual short time for any other."""
    return IMAGE_CACHE_SECONDS if request.args.get("v") == digest else current_app.config["HTTP_CACHE_SECONDS"]


@bp.route("/consultas/<slug>/imagem.png")
def consultation_image(slug: str):
    """The preview image of a consultation."""
    consultation = get_visible_or_404(slug)
    return _image(consultation_card(consultation), consultation.is_public)


@bp.route("/consultas/<slug>/artigos/<int:article_id>/imagem.png")
def article_image(slug: str, article_id: int):
    """The preview image of an article."""
    consultation = get_visible_or_404(slug)
    article = db.get_or_404(Article, article_id)
    if article.consultation_id != consultation.id:
        abort(404)
    return _image(article_card(article), consultation.is_public)


@bp.route("/consultas/<slug>/resultados/imagem.png")
def results_image(slug: str):
    """The preview image of a consultation's results."""
    consultation = get_visible_or_404(slug)
    return _image(results_card(consultation), consultation.is_public)
