"""What the API tells about each thing: the queries behind each endpoint and the JSON objects they return.

Only public data: consultations that left the draft stage, their text, tallies kept on the articles, and
contributions under the open-data rules (`consulta.results.opendata`, whose helpers are reused so the two
never disagree): visible contributions and replies only, persons as a stable pseudonym, organizations by
name, workshop input by the workshop's place, texts masked, dates as Brasília dates without time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import Select, select

from analysis import mask_personal_data
from consulta.api.pagination import Page, PageRequest, take_page
from consulta.extensions import db
from consulta.models import Article, Consultation, Contribution, Section, Status, User, Visibility
from consulta.privacy import public_id
from consulta.results.opendata import _author, _workshop_places, local_date

Json = dict[str, Any]

# opendata names author kinds in Portuguese (its columns are Portuguese); the API speaks English.
AUTHOR_KINDS = {"pessoa": "person", "organizacao": "organization", "oficina": "workshop", "removido": "removed"}


def _timestamp(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# -- consultations ---------------------------------------------------------------------------------------


def consultation_page(page: PageRequest) -> Page:
    """Public consultations (open or closed) in id order."""
    statement = select(Consultation).where(Consultation.status != Status.DRAFT)
    if page.after is not None:
        statement = statement.where(Consultation.id > page.after)
    rows = db.session.scalars(statement.order_by(Consultation.id).limit(page.limit + 1)).all()
    return take_page(rows, page, "id", consultation_json)


def consultation_json(consultation: Consultation) -> Json:
    """A consultation: what it is, its phase now (upcoming/open/closed, from its dates) and dates (UTC), links."""
    slug = consultation.slug
    return {
        "slug": slug, "title": consultation.title, "summary": consultation.summary, "intro": consultation.intro,
        "status": str(consultation.phase), "status_label": consultation.phase.label,
        "opens_at": _timestamp(consultation.opens_at), "closes_at": _timestamp(consultation.closes_at),
        "opened_at": _timestamp(consultation.opened_at), "closed_at": _timestamp(consultation.closed_at),
        "links": {
            "self": url_for("api.consultation", slug=slug),
            "sections": url_for("api.sections", slug=slug),
            "articles": url_for("api.articles", slug=slug),
            "contributions": url_for("api.contributions", slug=slug),
            "tallies": url_for("api.tallies", slug=slug),
            "html": url_for("consultations.consultation", slug=slug),
        },
    }


# -- text ------------------------------------------------------------------------------------------------


def section_list(consultation: Consultation) -> list[Json]:
    """Every section of the text, in reading order (a few dozen at most, so not paginated)."""
    statement = select(Section.id, Section.parent_id, Section.position, Section.depth, Section.title,
                       Section.intro).where(Section.consultation_id == consultation.id).order_by(Section.position)
    return [{"id": s.id, "parent_id": s.parent_id, "position": s.position, "depth": s.depth, "title": s.title,
             "intro": s.intro} for s in db.session.execute(statement)]


def article_page(consultation: Consultation, page: PageRequest, section_id: int | None) -> Page:
    """Articles in reading order, optionally only those of one section."""
    statement = select(Article).where(Article.consultation_id == consultation.id)
    if section_id is not None:
        statement = statement.where(Article.section_id == section_id)
    if page.after is not None:
        statement = statement.where(Article.position > page.after)
    rows = db.session.scalars(statement.order_by(Article.position).limit(page.limit + 1)).all()
    return take_page(rows, page, "position", lambda article: article_json(consultation, article))


def public_article(consultation: Consultation, article_id: int) -> Article | None:
    """The article with this id, if it belongs to `consultation`."""
    return db.session.scalar(select(Article).where(Article.id == article_id,
                                                   Article.consultation_id == consultation.id))


def article_json(consultation: Consultation, article: Article) -> Json:
    """An article: its place in the text, its wording and its tallies."""
    return {
        "id": article.id, "section_id": article.section_id, "position": article.position,
        "number": article.number, "label": article.label, "kind": str(article.kind), "text": article.body,
        "accepts_votes": article.accepts_votes, "accepts_contributions": article.accepts_contributions,
        **article_tallies(article),
        "links": {
            "self": url_for("api.article", slug=consultation.slug, article_id=article.id),
            "contributions": url_for("api.contributions", slug=consultation.slug, article=article.id),
            "html": url_for("consultations.article", slug=consultation.slug, article_id=article.id),
        },
    }


def article_tallies(article: Article) -> Json:
    """The counters kept on an article: votes (null where it takes none) and top-level contributions by stance."""
    votes = None
    if article.accepts_votes:
        votes = {"agree": article.votes_agree, "disagree": article.votes_disagree,
                 "abstain": article.votes_abstain, "total": article.vote_total}
    contributions = {"agree": article.contributions_agree, "partly": article.contributions_partly,
                     "disagree": article.contributions_disagree, "none": article.contributions_none,
                     "total": article.contribution_total}
    return {"votes": votes, "contributions": contributions}


def tally_list(consultation: Consultation) -> list[Json]:
    """Each article's tallies, in reading order (never individual votes)."""
    articles = db.session.scalars(select(Article).where(Article.consultation_id == consultation.id)
                                  .order_by(Article.position))
    return [{"article_id": a.id, "label": a.label, "accepts_votes": a.accepts_votes, **article_tallies(a)}
            for a in articles]


# -- contributions ---------------------------------------------------------------------------------------


def contribution_page(consultation: Consultation, page: PageRequest, article_id: int | None) -> Page:
    """Visible contributions and replies in id order, optionally only those on one article."""
    statement = _public_contributions(consultation.id)
    if article_id is not None:
        statement = statement.where(Contribution.article_id == article_id)
    if page.after is not None:
        statement = statement.where(Contribution.id > page.after)
    rows = db.session.execute(statement.order_by(Contribution.id).limit(page.limit + 1)).all()
    places = _workshop_places(consultation.id) if rows else {}
    return take_page(rows, page, "id", lambda row: contribution_json(row, places))


def _public_contributions(consultation_id: int) -> Select:
    """The columns and the rule of the open-data export: this consultation's visible contributions."""
    return (
        select(Contribution.id, Contribution.parent_id, Contribution.article_id, Contribution.section_id,
               Article.label, Contribution.part, Contribution.kind, Contribution.stance, Contribution.channel, Contribution.author_id,
               Contribution.workshop_id, Contribution.created_at, Contribution.body, Contribution.proposed_text,
               Contribution.response_status, Contribution.response_text,
               User.kind.label("author_kind"), User.display_name, User.deleted_at)
        .outerjoin(Article, Article.id == Contribution.article_id)
        .outerjoin(User, User.id == Contribution.author_id)
        .where(Contribution.consultation_id == consultation_id, Contribution.visibility == Visibility.VISIBLE)
    )


def contribution_json(row: Any, places: dict[int, tuple[str, str | None]]) -> Json:
    """A public contribution: no name or e-mail of a person, texts masked, the date without time."""
    author_kind, author, uf = _author(row, places)
    return {
        "id": public_id(row.id), "reply_to": public_id(row.parent_id), "article_id": row.article_id,
        "article_label": row.label, "part": row.part or None,
        "section_id": row.section_id, "kind": str(row.kind), "stance": str(row.stance),
        "channel": str(row.channel), "author_kind": AUTHOR_KINDS[author_kind], "author": author, "uf": uf,
        "date": local_date(row.created_at), "text": mask_personal_data(row.body or ""),
        "proposed_text": mask_personal_data(row.proposed_text) if row.proposed_text else None,
        "response_status": str(row.response_status) if row.response_status else None,
        "response_text": mask_personal_data(row.response_text) if row.response_text else None,
    }
