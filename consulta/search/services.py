"""Search of a consultation's public contributions: the filters, the order, a page of results with snippets.

Only what the article page shows to everyone is searched: visible contributions and replies (not hidden,
pending, or withdrawn), in a consultation the visitor may see (the view checks it), by the masked text
(`Contribution.search_text`). The state and region filters use the place of the workshop a contribution
came from: a person's profile state is never public, so it is never searchable either.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from consulta.extensions import db
from consulta.geo import STATES
from consulta.models import (
    AccountKind,
    Article,
    Consultation,
    Contribution,
    ResponseStatus,
    User,
    Visibility,
    Workshop,
)
from consulta.privacy import shown
from consulta.search import backends, snippets
from consulta.search.filters import SearchQuery

PER_PAGE = 20
COUNT_LIMIT = 1000  # counting stops here: "more than 1,000 results" is enough to say "refine the search"


@dataclass
class Result:
    """One found contribution and its snippets (body, and the proposed text when that is where it matched)."""

    contribution: Contribution
    body: list[snippets.Segment]
    proposal: list[snippets.Segment] | None


@dataclass
class ResultPage:
    """A page of results and where it sits among them."""

    results: list[Result]
    total: int  # at most COUNT_LIMIT
    more: bool  # whether there are more than COUNT_LIMIT
    page: int
    pages: int
    terms: list[str]


def _answered():
    return Contribution.response_status.is_not(None) & (Contribution.response_status != ResponseStatus.UNDER_REVIEW)


def filtered(consultation: Consultation, query: SearchQuery, match: backends.Match) -> Select:
    """The ids of the consultation's public contributions that match the words and the filters."""
    stmt = match.apply(select(Contribution.id).where(
        Contribution.consultation_id == consultation.id, Contribution.visibility == Visibility.VISIBLE,
    ))
    if query.stance is not None:
        stmt = stmt.where(Contribution.stance == query.stance)
    if query.channel is not None:
        stmt = stmt.where(Contribution.channel == query.channel)
    if query.kind is not None:
        stmt = stmt.where(Contribution.kind == query.kind)
    if query.article_id is not None:
        stmt = stmt.where(Contribution.article_id == query.article_id)
    ufs = [query.uf] if query.uf else []
    if query.region is not None:
        ufs = [uf for uf, (_, region) in STATES.items() if region is query.region and (not ufs or uf in ufs)] or ["--"]
    if ufs:
        stmt = stmt.where(Contribution.workshop_id.in_(
            select(Workshop.id).where(Workshop.consultation_id == consultation.id, Workshop.uf.in_(ufs))
        ))
    if query.author is not None:
        kind = AccountKind.ORGANIZATION if query.author == "organizacao" else AccountKind.PERSON
        stmt = stmt.join(User, User.id == Contribution.author_id).where(
            Contribution.workshop_id.is_(None), User.kind == kind, User.deleted_at.is_(None)
        )
    if query.answered == "com":
        stmt = stmt.where(_answered())
    elif query.answered == "sem":
        stmt = stmt.where(Contribution.parent_id.is_(None),
                          or_(Contribution.response_status.is_(None),
                              Contribution.response_status == ResponseStatus.UNDER_REVIEW))
    return stmt


def _ordered(stmt: Select, order: str, match: backends.Match) -> Select:
    column = {
        "relevancia": match.score,
        "apoiadas": Contribution.support_count,
        "respostas": Contribution.reply_count,
        "recentes": Contribution.created_at,
    }[order]
    return stmt.order_by(column.desc(), Contribution.id.desc())


def search(consultation: Consultation, query: SearchQuery) -> ResultPage:
    """One page of the consultation's public contributions that match `query` (three queries)."""
    terms = backends.words(query.q)
    match = backends.match(db.engine.dialect.name, terms) if terms else backends.everything()
    stmt = filtered(consultation, query, match)
    total = db.session.scalar(select(func.count()).select_from(stmt.limit(COUNT_LIMIT + 1).subquery())) or 0
    more = total > COUNT_LIMIT
    total = min(total, COUNT_LIMIT)
    pages = max(1, math.ceil(total / PER_PAGE))
    ids: list[int] = []
    if total and query.page <= pages:
        ids = list(db.session.scalars(
            _ordered(stmt, query.order, match).limit(PER_PAGE).offset((query.page - 1) * PER_PAGE)
        ))
    found = {c.id: c for c in db.session.scalars(
        select(Contribution).where(Contribution.id.in_(ids)).options(
            joinedload(Contribution.author), joinedload(Contribution.workshop),
            joinedload(Contribution.article), joinedload(Contribution.section),
        )
    ).unique()} if ids else {}
    marked = backends.plain_words(terms)
    results = [_result(found[i], marked) for i in ids if i in found]
    return ResultPage(results=results, total=total, more=more, page=query.page, pages=pages, terms=marked)


def _result(contribution: Contribution, terms: list[str]) -> Result:
    body, in_body = snippets.segments(shown(contribution.body), terms)
    proposal = None
    if terms and not in_body and contribution.proposed_text:
        proposal_segments, in_proposal = snippets.segments(shown(contribution.proposed_text), terms)
        proposal = proposal_segments if in_proposal else None
    return Result(contribution, body, proposal)


def workshop_states(consultation: Consultation) -> list[str]:
    """The UFs where the consultation's workshops took place, by state name (for "refine by state" links)."""
    ufs = db.session.scalars(
        select(Workshop.uf).where(Workshop.consultation_id == consultation.id, Workshop.uf.is_not(None)).distinct()
    )
    return sorted((uf for uf in ufs if uf in STATES), key=lambda uf: STATES[uf][0])


def article_of(consultation: Consultation, article_id: int | None) -> Article | None:
    """The article a search is narrowed to, if it belongs to this consultation."""
    if article_id is None:
        return None
    article = db.session.get(Article, article_id)
    return article if article is not None and article.consultation_id == consultation.id else None


def articles_of(consultation: Consultation) -> list[tuple[int, str]]:
    """(id, label) of the consultation's articles in document order, for the article filter."""
    return [(row.id, row.label) for row in db.session.execute(
        select(Article.id, Article.label).where(Article.consultation_id == consultation.id).order_by(Article.position)
    )]
