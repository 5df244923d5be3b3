"""A consultation and its draft: an ordered tree of sections holding articles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consulta.extensions import db
from consulta.models.types import UTCDateTime, enum_column, utcnow


class TransitionError(Exception):
    """A state change that the consultation's current status does not allow (message in Portuguese)."""


class Status(StrEnum):
    """Life cycle: draft -> open -> closed (-> open again, with a logged reason)."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """The status in Portuguese."""
        return {"draft": "Em preparação", "open": "Aberta", "closed": "Encerrada"}[self.value]


class Consultation(db.Model):
    """A public consultation on one draft."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    intro: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[Status] = mapped_column(enum_column(Status, "consultation_status"), default=Status.DRAFT)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    text_imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Weight of open reports that hides a contribution here (None: the REPORTS_TO_HIDE setting).
    reports_to_hide: Mapped[int | None] = mapped_column(Integer)

    sections: Mapped[list[Section]] = relationship(
        back_populates="consultation", order_by="Section.position", cascade="all, delete-orphan"
    )
    articles: Mapped[list[Article]] = relationship(
        back_populates="consultation", order_by="Article.position", cascade="all, delete-orphan"
    )

    @property
    def is_public(self) -> bool:
        """Whether visitors may see it (drafts are visible only to administrators)."""
        return self.status is not Status.DRAFT

    @property
    def is_open(self) -> bool:
        """Whether it takes contributions and votes now."""
        return self.status is Status.OPEN

    @property
    def text_is_frozen(self) -> bool:
        """The text can be replaced only while in draft."""
        return self.status is not Status.DRAFT

    def open(self) -> None:
        """Publish a draft so people can take part."""
        if self.status is not Status.DRAFT:
            raise TransitionError("Só é possível abrir uma consulta em preparação.")
        if not self.articles:
            raise TransitionError("Importe o texto antes de abrir a consulta: ela ainda não tem artigos.")
        self.status = Status.OPEN
        self.opened_at = utcnow()

    def close(self) -> None:
        """Stop taking contributions and votes."""
        if self.status is not Status.OPEN:
            raise TransitionError("Só é possível encerrar uma consulta aberta.")
        self.status = Status.CLOSED
        self.closed_at = utcnow()

    def reopen(self, reason: str) -> None:
        """Open a closed consultation again; the reason is required (and logged by the caller)."""
        if self.status is not Status.CLOSED:
            raise TransitionError("Só é possível reabrir uma consulta encerrada.")
        if not reason.strip():
            raise TransitionError("Informe o motivo da reabertura.")
        self.status = Status.OPEN
        self.closed_at = None

    def __repr__(self) -> str:
        return f"<Consultation {self.slug} {self.status}>"


class Section(db.Model):
    """A heading of the draft (chapter, axis, objective), nested up to three levels."""

    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("consultation_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    depth: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(300))
    intro: Mapped[str] = mapped_column(Text, default="")

    consultation: Mapped[Consultation] = relationship(back_populates="sections")
    parent: Mapped[Section | None] = relationship(remote_side=[id])
    articles: Mapped[list[Article]] = relationship(back_populates="section", order_by="Article.position")

    @property
    def anchor(self) -> str:
        """Fragment id for links into the full text."""
        return f"secao-{self.position}"


class ArticleKind(StrEnum):
    """What an article of the draft is."""

    ARTICLE = "article"
    RECOMMENDATION = "recommendation"
    PARAGRAPH = "paragraph"


class Article(db.Model):
    """One unit people comment and vote on: an article, a recommendation or a paragraph of the draft."""

    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("consultation_id", "position"),
        Index("ix_articles_section_position", "section_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[ArticleKind] = mapped_column(enum_column(ArticleKind, "article_kind"))
    number: Mapped[str] = mapped_column(String(20), default="")
    label: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    accepts_votes: Mapped[bool] = mapped_column(default=False)
    accepts_contributions: Mapped[bool] = mapped_column(default=True)
    # Tallies kept in the same transaction as each vote or contribution; `flask consulta recount` rebuilds them.
    votes_agree: Mapped[int] = mapped_column(default=0, server_default="0")
    votes_disagree: Mapped[int] = mapped_column(default=0, server_default="0")
    votes_abstain: Mapped[int] = mapped_column(default=0, server_default="0")
    contributions_agree: Mapped[int] = mapped_column(default=0, server_default="0")
    contributions_partly: Mapped[int] = mapped_column(default=0, server_default="0")
    contributions_disagree: Mapped[int] = mapped_column(default=0, server_default="0")
    contributions_none: Mapped[int] = mapped_column(default=0, server_default="0")

    consultation: Mapped[Consultation] = relationship(back_populates="articles")
    section: Mapped[Section | None] = relationship(back_populates="articles")

    @property
    def anchor(self) -> str:
        """Fragment id for links into the full text."""
        return f"artigo-{self.position}"

    @property
    def vote_total(self) -> int:
        """Votes cast on this article."""
        return self.votes_agree + self.votes_disagree + self.votes_abstain

    @property
    def contribution_total(self) -> int:
        """Public top-level contributions on this article."""
        return self.contributions_agree + self.contributions_partly + self.contributions_disagree + self.contributions_none

    def __repr__(self) -> str:
        return f"<Article {self.label}>"
