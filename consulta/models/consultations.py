"""A consultation and its draft: an ordered tree of sections holding articles."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consulta.extensions import db
from consulta.models.types import UTCDateTime, enum_column, utcnow
from consulta.models.users import VerificationLevel


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
        return {"draft": _("Em preparação"), "open": _("Aberta"), "closed": _("Encerrada")}[self.value]


class Phase(StrEnum):
    """Where a consultation stands now: its stored status read against the clock."""

    DRAFT = "draft"
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """The phase in Portuguese."""
        return {"draft": _("Em preparação"), "upcoming": _("Em breve"), "open": _("Aberta"), "closed": _("Encerrada")}[self.value]


DEFAULT_TIME_ZONE = "America/Sao_Paulo"


def _in(delta: timedelta) -> str:
    """'em 12 dias', 'em 5 horas', 'em 3 minutos' for a positive time span."""
    if delta.days >= 1:
        return ngettext("em %(num)d dia", "em %(num)d dias", delta.days)
    hours = delta.seconds // 3600
    if hours >= 1:
        return ngettext("em %(num)d hora", "em %(num)d horas", hours)
    minutes = max(1, delta.seconds // 60)
    return ngettext("em %(num)d minuto", "em %(num)d minutos", minutes)


class Requirement(StrEnum):
    """Who may contribute and vote in a consultation, by the account's verification level."""

    ANY = "any"
    EMAIL = "email"
    GOVBR_BRONZE = "govbr_bronze"
    GOVBR_PRATA = "govbr_prata"
    GOVBR_OURO = "govbr_ouro"

    @property
    def minimum(self) -> VerificationLevel:
        """The lowest verification level that meets this requirement."""
        return REQUIREMENT_MINIMUM[self]

    @property
    def label(self) -> str:
        """The requirement in Portuguese."""
        return str(REQUIREMENT_LABELS[self])

    def is_met_by(self, user) -> bool:
        """Whether `user` (an authenticated account) holds at least the required verification level."""
        return user.verification_level >= self.minimum


REQUIREMENT_MINIMUM = {
    Requirement.ANY: VerificationLevel.NONE,
    Requirement.EMAIL: VerificationLevel.EMAIL,
    Requirement.GOVBR_BRONZE: VerificationLevel.GOVBR_BRONZE,
    Requirement.GOVBR_PRATA: VerificationLevel.GOVBR_PRATA,
    Requirement.GOVBR_OURO: VerificationLevel.GOVBR_OURO,
}

REQUIREMENT_LABELS = {
    Requirement.ANY: _l("Qualquer conta"),
    Requirement.EMAIL: _l("Conta com e-mail confirmado"),
    Requirement.GOVBR_BRONZE: _l("Conta gov.br (qualquer nível)"),
    Requirement.GOVBR_PRATA: _l("Conta gov.br prata ou ouro"),
    Requirement.GOVBR_OURO: _l("Conta gov.br ouro"),
}


class Consultation(db.Model):
    """A public consultation on one draft."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    intro: Mapped[str] = mapped_column(Text, default="")
    # The act's closing as imported (place and date, signatures): shown after the text, never commented on.
    closing: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[Status] = mapped_column(enum_column(Status, "consultation_status"), default=Status.DRAFT)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    text_imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who may contribute and vote (reading is always public once published).
    requirement: Mapped[Requirement] = mapped_column(
        enum_column(Requirement, "participation_requirement"), default=Requirement.ANY, server_default="any"
    )
    # The schedule is read in this zone (dates typed by the admin, dates shown to the public).
    time_zone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIME_ZONE, server_default=DEFAULT_TIME_ZONE)
    # Public note when the deadline moved, e.g. "Prazo prorrogado até 20/03/2027, 23:59 (horário de Brasília)".
    deadline_note: Mapped[str | None] = mapped_column(String(300))
    # Who answers for the consultation, and how to reach them.
    organ: Mapped[str] = mapped_column(String(300), default="", server_default="")
    contact: Mapped[str] = mapped_column(String(300), default="", server_default="")
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

    def phase_at(self, now: datetime) -> Phase:
        """The phase at `now`: a published consultation is upcoming before opens_at and closed from closes_at."""
        if self.status is Status.DRAFT:
            return Phase.DRAFT
        if self.status is Status.CLOSED:
            return Phase.CLOSED
        if self.opens_at is not None and now < self.opens_at:
            return Phase.UPCOMING
        if self.closes_at is not None and now >= self.closes_at:
            return Phase.CLOSED
        return Phase.OPEN

    @property
    def phase(self) -> Phase:
        """The phase now."""
        return self.phase_at(utcnow())

    @property
    def is_open(self) -> bool:
        """Whether it takes contributions and votes now (published, and inside its window)."""
        return self.phase is Phase.OPEN

    def ended_at_as_of(self, now: datetime) -> datetime | None:
        """When participation ended (closed early by the admin, or at closes_at), None if not by `now`."""
        if self.status is Status.CLOSED:
            return self.closed_at or self.closes_at
        if self.phase_at(now) is Phase.CLOSED:
            return self.closes_at
        return None

    @property
    def ended_at(self) -> datetime | None:
        """When participation ended, None while it has not."""
        return self.ended_at_as_of(utcnow())

    @property
    def zone(self) -> ZoneInfo:
        """The consultation's time zone."""
        try:
            return ZoneInfo(self.time_zone or DEFAULT_TIME_ZONE)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(DEFAULT_TIME_ZONE)

    @property
    def zone_label(self) -> str:
        """How the zone is named to readers ("horário de Brasília" for the default)."""
        return _("horário de Brasília") if (self.time_zone or DEFAULT_TIME_ZONE) == DEFAULT_TIME_ZONE else self.time_zone

    def schedule_sentence(self, now: datetime | None = None) -> str:
        """When it opens or closes, in plain Portuguese ("Encerra em 12 dias — até 15/03/2027, 23:59, ...")."""
        now = now or utcnow()
        phase = self.phase_at(now)
        if phase is Phase.UPCOMING:
            return _("Abre %(delay)s — em %(when)s, %(zone)s", delay=_in(self.opens_at - now),
                     when=self.local(self.opens_at), zone=self.zone_label)
        if phase is Phase.OPEN:
            if self.closes_at is None:
                return _("Aberta, sem data de encerramento definida")
            return _("Encerra %(delay)s — até %(when)s, %(zone)s", delay=_in(self.closes_at - now),
                     when=self.local(self.closes_at), zone=self.zone_label)
        if phase is Phase.CLOSED:
            return _("Encerrada em %(when)s, %(zone)s", when=self.local(self.ended_at_as_of(now)), zone=self.zone_label)
        return _("Em preparação")

    def local(self, moment: datetime | None, fmt: str = "%d/%m/%Y, %H:%M") -> str:
        """`moment` as dd/mm/aaaa, HH:MM in the consultation's time zone."""
        from consulta.i18n import local_moment  # other languages: their own short form

        return local_moment(moment, self.zone, fmt) if moment else ""

    @property
    def text_is_frozen(self) -> bool:
        """The text can be replaced only while in draft."""
        return self.status is not Status.DRAFT

    def open(self) -> None:
        """Publish a draft so people can take part."""
        if self.status is not Status.DRAFT:
            raise TransitionError(_("Só é possível abrir uma consulta em preparação."))
        if not self.articles:
            raise TransitionError(_("Importe o texto antes de abrir a consulta: ela ainda não tem artigos."))
        self.status = Status.OPEN
        self.opened_at = utcnow()

    def close(self) -> None:
        """Stop taking contributions and votes now (before closes_at: an early close)."""
        if self.status is not Status.OPEN:
            raise TransitionError(_("Só é possível encerrar uma consulta publicada e não encerrada."))
        self.status = Status.CLOSED
        self.closed_at = utcnow()

    def extend(self, closes_at: datetime) -> None:
        """Move the closing time later (reopening one the clock closed) and note it publicly."""
        if self.status is not Status.OPEN:
            raise TransitionError(_("Só é possível prorrogar uma consulta publicada e não encerrada pela administração."))
        if self.closes_at is not None and closes_at <= self.closes_at:
            raise TransitionError(_("A nova data de encerramento precisa ser depois da atual."))
        if closes_at <= utcnow():
            raise TransitionError(_("A nova data de encerramento precisa estar no futuro."))
        if self.opens_at is not None and closes_at <= self.opens_at:
            raise TransitionError(_("O encerramento precisa ser depois da abertura."))
        self.closes_at = closes_at
        self.deadline_note = _("Prazo prorrogado até %(when)s (%(zone)s).", when=self.local(closes_at), zone=self.zone_label)

    def reopen(self, reason: str) -> None:
        """Open a closed consultation again; the reason is required (and logged by the caller)."""
        if self.status is not Status.CLOSED:
            raise TransitionError(_("Só é possível reabrir uma consulta encerrada."))
        if not reason.strip():
            raise TransitionError(_("Informe o motivo da reabertura."))
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
    # Moves with every change to what the article's page lists (contributions, replies, supports, moderation,
    # responses): the key of the shared part of the page in consulta.participation.fragments.
    page_version: Mapped[int] = mapped_column(default=0, server_default="0")

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
