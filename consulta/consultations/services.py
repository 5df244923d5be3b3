"""Consultation operations: create, replace the text from an imported draft, change status."""

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import abort, g
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import contains_eager

from consulta.authz import can_view_consultation
from consulta.db_utils import route_connection, transient
from consulta.drafts import DraftDocument, DraftSection, render_article_body
from consulta.extensions import db
from consulta.models import Article, ArticleKind, Consultation, Section, TransitionError, User, record, utcnow

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str, max_length: int = 80) -> str:
    """An ASCII, hyphenated slug for `text` ("Governo Digital 2024" -> "governo-digital-2024")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "consulta"


def get_by_slug(slug: str) -> Consultation | None:
    """The consultation with this slug, if any."""
    return db.session.scalar(select(Consultation).where(Consultation.slug == slug))


def get_by_slug_or_404(slug: str) -> Consultation:
    """The consultation with this slug, or a 404."""
    consultation = get_by_slug(slug)
    if consultation is None:
        abort(404)
    return consultation


def get_visible_or_404(slug: str) -> Consultation:
    """The consultation, or 404 when it does not exist or is a draft the current user may not see."""
    consultation = get_by_slug_or_404(slug)
    if not can_view_consultation(current_user, consultation):
        abort(404)
    return consultation


@functools.cache
def _article_statement():
    return (select(Article).join(Article.consultation).options(contains_eager(Article.consultation))
            .where(Consultation.slug == bindparam("slug"), Article.id == bindparam("article_id")))


def get_visible_article_or_404(slug: str, article_id: int) -> Article:
    """The article of the consultation `slug` with its consultation, in one query; 404 like
    `get_visible_or_404` (or when the article belongs to another consultation)."""
    route_connection()  # in autocommit on the article page (consulta.db_utils.autocommit_reads)
    article = db.session.scalar(_article_statement(), {"slug": slug, "article_id": article_id})
    if article is None or not can_view_consultation(current_user, article.consultation):
        abort(404)
    return article


# What of a consultation the participation gate (gate.decide), can_view_consultation and the vote panel read:
# enough for a transient stand-in on the hot paths (the vote, a kept article page).
GATE_COLUMNS = ("id", "slug", "status", "opens_at", "closes_at", "closed_at", "requirement", "time_zone")
# What the article page reads of its consultation when it serves a kept page: those, and when it last changed.
HEAD_CONSULTATION_COLUMNS = (*GATE_COLUMNS, "updated_at")
HEAD_ARTICLE_COLUMNS = ("id", "page_version", "accepts_votes", "votes_agree", "votes_disagree", "votes_abstain",
                        "contributions_agree", "contributions_partly", "contributions_disagree", "contributions_none")


@dataclass(frozen=True)
class ArticleHead:
    """The article as the article page needs it to serve a kept page (consulta.participation.page): its
    version, tallies and counts, and a transient `Consultation` holding HEAD_CONSULTATION_COLUMNS only.

    Read with one Core query instead of the ORM objects, which the page loads only to render what is not
    kept (`get_visible_article_or_404`). Anything else is not here: asking for it fails loudly.
    """

    id: int
    page_version: int
    accepts_votes: bool
    votes_agree: int
    votes_disagree: int
    votes_abstain: int
    contributions_agree: int
    contributions_partly: int
    contributions_disagree: int
    contributions_none: int
    consultation: Consultation

    vote_total = Article.vote_total
    contribution_total = Article.contribution_total


@functools.cache
def _head_statement():
    articles, consultations = Article.__table__, Consultation.__table__
    return (select(*head_columns())
            .select_from(articles.join(consultations, consultations.c.id == articles.c.consultation_id))
            .where(consultations.c.slug == bindparam("slug"), articles.c.id == bindparam("article_id")))


def head_columns() -> tuple:
    """What an ArticleHead is read from, in order (`head_from_row`)."""
    articles, consultations = Article.__table__, Consultation.__table__
    return (*(consultations.c[name] for name in HEAD_CONSULTATION_COLUMNS),
            *(articles.c[name] for name in HEAD_ARTICLE_COLUMNS))


def join_head(source: Any) -> Any:
    """`source` outer-joined with the article :article_id of the consultation :slug (its head_columns)."""
    articles, consultations = Article.__table__, Consultation.__table__
    return source.outerjoin(articles.join(consultations, consultations.c.id == articles.c.consultation_id),
                            (articles.c.id == bindparam("article_id")) & (consultations.c.slug == bindparam("slug")))


def head_from_row(row: Any) -> ArticleHead | None:
    """The ArticleHead of head_columns' values (None when an outer join found no such article)."""
    width = len(HEAD_CONSULTATION_COLUMNS)
    if row[0] is None:
        return None
    consultation = transient(Consultation, zip(HEAD_CONSULTATION_COLUMNS, row[:width], strict=True))
    return ArticleHead(*row[width:width + len(HEAD_ARTICLE_COLUMNS)], consultation=consultation)


def get_visible_article_head_or_404(slug: str, article_id: int) -> ArticleHead:
    """`get_visible_article_or_404`'s article as an ArticleHead: one Core query (none when the sign-in check
    read it: consulta.participation.page), the same 404s."""
    kept = g.pop("article_head", None)
    if kept is not None and kept[0] == (slug, article_id):
        head = kept[1]
    else:
        row = route_connection().execute(_head_statement(), {"slug": slug, "article_id": article_id}).first()
        head = head_from_row(row) if row is not None else None
    if head is None or not can_view_consultation(current_user, head.consultation):
        abort(404)
    return head


def create_consultation(
    actor: User | None,
    *,
    slug: str,
    title: str,
    summary: str = "",
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    **details: Any,
) -> Consultation:
    """A new consultation in draft; `details` sets further columns (organ, contact, time_zone, requirement)."""
    consultation = Consultation(
        slug=slug, title=title.strip(), summary=summary.strip(), opens_at=opens_at, closes_at=closes_at, **details
    )
    db.session.add(consultation)
    db.session.flush()
    record(actor, "consultation.create", consultation)
    return consultation


def replace_text(actor: User | None, consultation: Consultation, draft: DraftDocument) -> None:
    """Replace the consultation's sections and articles with the imported draft (only while in draft)."""
    if consultation.text_is_frozen:
        raise TransitionError(_("O texto desta consulta já foi publicado e não pode mais ser substituído."))
    if not draft.ok:
        raise ValueError("refusing to save a draft with errors")
    db.session.execute(db.delete(Article).where(Article.consultation_id == consultation.id))
    db.session.execute(
        db.update(Section).where(Section.consultation_id == consultation.id).values(parent_id=None)
    )
    db.session.execute(db.delete(Section).where(Section.consultation_id == consultation.id))
    db.session.expire(consultation, ["sections", "articles"])

    counter = _Positions()
    for article in draft.articles:
        db.session.add(_new_article(consultation, None, article, counter))
    for draft_section in draft.sections:
        _add_section(consultation, None, draft_section, counter)
    consultation.intro = draft.intro
    consultation.closing = draft.closing
    consultation.text_imported_at = utcnow()
    db.session.flush()
    record(
        actor, "consultation.import_text", consultation,
        sections=counter.section, articles=counter.article, warnings=len(draft.warnings),
    )


@dataclass
class _Positions:
    section: int = 0
    article: int = 0


def _add_section(
    consultation: Consultation, parent: Section | None, draft: DraftSection, counter: _Positions
) -> None:
    counter.section += 1
    section = Section(
        consultation=consultation, parent=parent, position=counter.section,
        depth=draft.depth, title=draft.title, intro=draft.intro,
    )
    db.session.add(section)
    for article in draft.articles:
        db.session.add(_new_article(consultation, section, article, counter))
    for child in draft.children:
        _add_section(consultation, section, child, counter)


def _new_article(consultation: Consultation, section: Section | None, draft, counter: _Positions) -> Article:
    counter.article += 1
    kind = ArticleKind(draft.kind)
    return Article(
        consultation=consultation, section=section, position=counter.article, kind=kind,
        number=draft.number, label=draft.label, body=draft.body, body_html=render_article_body(draft.body),
        accepts_votes=kind is ArticleKind.RECOMMENDATION, accepts_contributions=True,
    )


def open_consultation(actor: User | None, consultation: Consultation) -> None:
    """Publish the consultation (draft -> open), logged."""
    consultation.open()
    record(actor, "consultation.open", consultation)


def close_consultation(actor: User | None, consultation: Consultation) -> None:
    """Close the consultation (open -> closed), logged."""
    consultation.close()
    record(actor, "consultation.close", consultation)


def update_details(actor: User | None, consultation: Consultation, **fields: Any) -> dict[str, Any]:
    """Change a consultation's details (title, dates, time zone, órgão, contact, requirement), logging the changes."""
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        old = getattr(consultation, name)
        if old != value:
            changes[name] = {"from": _plain(old), "to": _plain(value)}
            setattr(consultation, name, value)
    if changes:
        record(actor, "consultation.update", consultation, changes=changes)
    return changes


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else str(value) if value is not None else None


def extend_consultation(actor: User | None, consultation: Consultation, closes_at: datetime, reason: str) -> None:
    """Move the closing time later with a public note; the reason goes into the audit log."""
    previous = consultation.closes_at
    consultation.extend(closes_at)
    record(actor, "consultation.extend", consultation, reason=reason.strip(),
           previous=_plain(previous), closes_at=_plain(closes_at))


def reopen_consultation(actor: User | None, consultation: Consultation, reason: str) -> None:
    """Reopen a closed consultation; the reason goes into the audit log."""
    consultation.reopen(reason)
    record(actor, "consultation.reopen", consultation, reason=reason.strip())


def public_consultations() -> list[Consultation]:
    """Open consultations first, then closed ones, newest first."""
    from consulta.models import Status

    rows = db.session.scalars(
        select(Consultation).where(Consultation.status != Status.DRAFT).order_by(Consultation.created_at.desc())
    ).all()
    return sorted(rows, key=lambda c: not c.is_open)


def article_counts_by_section(consultation: Consultation) -> dict[int | None, int]:
    """How many articles each section holds directly (None: articles outside any section)."""
    rows = db.session.execute(
        select(Article.section_id, func.count())
        .where(Article.consultation_id == consultation.id)
        .group_by(Article.section_id)
    ).all()
    return {section_id: count for section_id, count in rows}


def table_of_contents(consultation: Consultation) -> tuple[list[Section], dict[int | None, list[Article]]]:
    """All sections in order and the articles of each, in two queries."""
    sections = db.session.scalars(
        select(Section).where(Section.consultation_id == consultation.id).order_by(Section.position)
    ).all()
    by_section: dict[int | None, list[Article]] = {}
    articles = db.session.scalars(
        select(Article).where(Article.consultation_id == consultation.id).order_by(Article.position)
    ).all()
    for article in articles:
        by_section.setdefault(article.section_id, []).append(article)
    return list(sections), by_section


def neighbours(article: Article) -> tuple[Article | None, Article | None]:
    """The previous and next article of the same consultation."""
    base = select(Article).where(Article.consultation_id == article.consultation_id)
    previous = db.session.scalar(
        base.where(Article.position < article.position).order_by(Article.position.desc()).limit(1)
    )
    following = db.session.scalar(
        base.where(Article.position > article.position).order_by(Article.position).limit(1)
    )
    return previous, following


def section_trail(section: Section | None) -> list[Section]:
    """The section and its ancestors, outermost first (for breadcrumbs)."""
    trail = []
    while section is not None:
        trail.append(section)
        section = section.parent
    return list(reversed(trail))


def articles_of_section(section: Section) -> list[Article]:
    """The articles directly in a section, in order."""
    return list(db.session.scalars(
        select(Article).where(Article.section_id == section.id).order_by(Article.position)
    ))
