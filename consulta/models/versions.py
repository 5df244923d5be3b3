"""Text versions: what the drafting team made of the consulted text, article by article, and why.

Version 1 is the text as consulted (the Article rows themselves). Each later version holds its own copy of
every article's text, marked unchanged, modified, new or removed, with the team's justification and the
contributions that motivated the change. A published version is public (the "quadro comparativo").
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consulta.extensions import db
from consulta.models.consultations import Article, Consultation, Section
from consulta.models.participation import Contribution
from consulta.models.types import UTCDateTime, enum_column, utcnow
from consulta.models.users import User


class VersionError(Exception):
    """A change to a version that the rules refuse (message in Portuguese)."""


class Change(StrEnum):
    """What happened to an article from the consulted text to this version."""

    UNCHANGED = "unchanged"
    MODIFIED = "modified"
    NEW = "new"
    REMOVED = "removed"

    @property
    def label(self) -> str:
        """The change in Portuguese."""
        return {"unchanged": _("Sem alteração"), "modified": _("Alterado"), "new": _("Incluído"),
                "removed": _("Suprimido")}[self.value]


citations = Table(
    "version_citations",
    db.metadata,
    Column("version_article_id", ForeignKey("version_articles.id", ondelete="CASCADE"), primary_key=True),
    Column("contribution_id", ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class TextVersion(db.Model):
    """A version of a consultation's text after the consultation (number 2, 3, ...)."""

    __tablename__ = "text_versions"
    __table_args__ = (UniqueConstraint("consultation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    consultation: Mapped[Consultation] = relationship()
    created_by: Mapped[User | None] = relationship()
    articles: Mapped[list[VersionArticle]] = relationship(
        back_populates="version", order_by="VersionArticle.position", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        """Whether the public may see it."""
        return self.published_at is not None

    def publish(self) -> None:
        """Make the version public; a published version no longer changes."""
        if self.is_published:
            raise VersionError(_("Esta versão já foi publicada."))
        changed = [a for a in self.articles if a.change is not Change.UNCHANGED]
        if not changed:
            raise VersionError(_("Esta versão não altera nenhum dispositivo: nada a publicar."))
        unjustified = [a.label for a in changed if not a.justification.strip()]
        if unjustified:
            raise VersionError(_("Justifique as alterações antes de publicar: %(labels)s.", labels=", ".join(unjustified)))
        self.published_at = utcnow()


class VersionArticle(db.Model):
    """One article's text in a version, with what changed and why."""

    __tablename__ = "version_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("text_versions.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="SET NULL"))
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text, default="")
    change: Mapped[Change] = mapped_column(enum_column(Change, "version_change"), default=Change.UNCHANGED)
    justification: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[TextVersion] = relationship(back_populates="articles")
    article: Mapped[Article | None] = relationship()
    section: Mapped[Section | None] = relationship()
    cited: Mapped[list[Contribution]] = relationship(secondary=citations, order_by="Contribution.id")

    @property
    def original(self) -> str:
        """The text as consulted ("" for an article the version adds)."""
        return self.article.body if self.article is not None else ""
