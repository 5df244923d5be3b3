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
from consulta.search import backends, schema, snippets
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


def _states(query: SearchQuery) -> list[str]:
    """The UFs the state and region filters allow ([] when neither is set; ["--"] when they exclude each other)."""
    ufs = [query.uf] if query.uf else []
    if query.region is not None:
        ufs = [uf for uf, (_, region) in STATES.items() if region is query.region and (not ufs or uf in ufs)] or ["--"]
    return ufs


def tags(consultation: Consultation, query: SearchQuery) -> backends.Tags | None:
    """The filter tokens (schema.py) the index should hold besides the words; None when no row can match."""
    found: backends.Tags = []
    if query.stance is not None:
        found.append([schema.stance_tag(query.stance.value)])
    if query.channel is not None:
        found.append([schema.channel_tag(query.channel.value)])
    if query.kind is not None:
        found.append([schema.kind_tag(query.kind.value)])
    if query.article_id is not None:
        found.append([schema.article_tag(query.article_id)])
    if query.answered is not None:
        found.append([schema.answered_tag(query.answered == "com")])
    if query.author is not None:
        kind = AccountKind.ORGANIZATION if query.author == "organizacao" else AccountKind.PERSON
        found.append([schema.author_tag(kind.value)])
    if ufs := _states(query):
        workshops = db.session.scalars(select(Workshop.id).where(Workshop.consultation_id == consultation.id,
                                                                 Workshop.uf.in_(ufs))).all()
        if not workshops:
            return None
        found.append([schema.workshop_tag(w) for w in workshops])
    return found


def filtered(consultation: Consultation, query: SearchQuery, match: backends.Match, *, by_tokens: bool = False
             ) -> Select:
    """The ids of the consultation's public contributions that match the words and the filters.

    Every filter of the row's own columns is checked here, also when `by_tokens` (the match already holds the
    filters' tokens): the tokens make a search fast, the row's values decide."""
    col = match.column
    ufs = _states(query)
    # A state or region means a few workshops: their rows are found by workshop_id, not among the consultation's.
    few = bool(ufs)
    stmt = match.apply(select(Contribution.id).where(
        col(Contribution.consultation_id, unindexed=few) == consultation.id,
        col(Contribution.visibility, unindexed=few) == Visibility.VISIBLE,
    ))
    if query.stance is not None:
        stmt = stmt.where(col(Contribution.stance) == query.stance)
    if query.channel is not None:
        stmt = stmt.where(col(Contribution.channel) == query.channel)
    if query.kind is not None:
        stmt = stmt.where(col(Contribution.kind) == query.kind)
    if query.article_id is not None:
        stmt = stmt.where(col(Contribution.article_id) == query.article_id)
    if ufs:
        stmt = stmt.where(col(Contribution.workshop_id).in_(
            select(Workshop.id).where(Workshop.consultation_id == consultation.id, Workshop.uf.in_(ufs))
        ))
    if query.author is not None and by_tokens:
        # The author's kind and deletion live on `users`: the token (kept by a trigger on that table) is the
        # check, so a search does not join every match to its author.
        stmt = stmt.where(col(Contribution.workshop_id).is_(None), col(Contribution.author_id).is_not(None))
    elif query.author is not None:
        kind = AccountKind.ORGANIZATION if query.author == "organizacao" else AccountKind.PERSON
        stmt = stmt.join(User, User.id == Contribution.author_id).where(
            col(Contribution.workshop_id).is_(None), User.kind == kind, User.deleted_at.is_(None)
        )
    status = col(Contribution.response_status)
    if query.answered == "com":
        stmt = stmt.where(status.is_not(None), status != ResponseStatus.UNDER_REVIEW)
    elif query.answered == "sem":
        stmt = stmt.where(col(Contribution.parent_id).is_(None),
                          or_(status.is_(None), status == ResponseStatus.UNDER_REVIEW))
    return stmt


def search(consultation: Consultation, query: SearchQuery) -> ResultPage:
    """One page of the consultation's public contributions that match `query`.

    Without words the database orders and pages them (indexes serve each order). With words, the full-text
    index finds the words and the filters' tokens together, and the newest COUNT_LIMIT + 1 matches are read
    once, in the order the index yields them, and ordered here: ranking every match of a common word would
    cost time in proportion to the consultation's size, and a search that finds more than COUNT_LIMIT asks to
    be refined.
    """
    terms = backends.words(query.q)
    if terms and (wanted := tags(consultation, query)) is None:
        total, more, ids = 0, False, []
    elif terms:
        # An organization's, an answered, a workshop's or an article's contributions are a small share of a
        # consultation's; a stance, a channel, a kind, a person or "not answered" are large ones.
        selective = (query.author == "organizacao" or query.answered == "com" or query.article_id is not None
                     or bool(_states(query)))
        match = backends.match(db.engine.dialect.name, terms, wanted, selective=selective)
        total, more, ids = _ranked(filtered(consultation, query, match, by_tokens=True), query, match)
    else:
        total, more, ids = _paged(filtered(consultation, query, backends.everything(db.engine.dialect.name)), query)
    pages = max(1, math.ceil(total / PER_PAGE))
    found = {c.id: c for c in db.session.scalars(
        select(Contribution).where(Contribution.id.in_(ids)).options(
            joinedload(Contribution.author), joinedload(Contribution.workshop),
            joinedload(Contribution.article), joinedload(Contribution.section),
        )
    ).unique()} if ids else {}
    marked = backends.plain_words(terms)
    results = [_result(found[i], marked) for i in ids if i in found]
    return ResultPage(results=results, total=total, more=more, page=query.page, pages=pages, terms=marked)


def _paged(stmt: Select, query: SearchQuery) -> tuple[int, bool, list[int]]:
    """(count up to COUNT_LIMIT, whether there are more, the page's ids) with the database doing the order."""
    total = db.session.scalar(select(func.count()).select_from(stmt.limit(COUNT_LIMIT + 1).subquery())) or 0
    ids: list[int] = []
    if total and query.page <= math.ceil(min(total, COUNT_LIMIT) / PER_PAGE):
        column = {"apoiadas": Contribution.support_count, "respostas": Contribution.reply_count}.get(
            query.order, Contribution.created_at)
        ids = list(db.session.scalars(stmt.order_by(column.desc(), Contribution.id.desc())
                                      .limit(PER_PAGE).offset((query.page - 1) * PER_PAGE)))
    return min(total, COUNT_LIMIT), total > COUNT_LIMIT, ids


def _ranked(stmt: Select, query: SearchQuery, match: backends.Match) -> tuple[int, bool, list[int]]:
    """(count up to COUNT_LIMIT, whether there are more, the page's ids) from the newest matches, ordered here.

    Only the value the order needs is read with each match: a relevance score costs the engine a look at each
    match's text (its term counts, its length), support and reply counts do not."""
    value = {
        "relevancia": match.score,
        "apoiadas": Contribution.support_count,
        "respostas": Contribution.reply_count,
        "recentes": Contribution.created_at,  # workshop input is dated on its workshop, not on its import
    }[query.order]
    stmt = stmt.add_columns(value.label("value")).order_by(match.newest).limit(COUNT_LIMIT + 1)
    rows = db.session.execute(stmt).all()
    more = len(rows) > COUNT_LIMIT
    rows = rows[:COUNT_LIMIT]
    rows.sort(key=lambda r: (r.value or 0, r.id), reverse=True)
    start = (query.page - 1) * PER_PAGE
    return len(rows), more, [r.id for r in rows[start:start + PER_PAGE]]


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
