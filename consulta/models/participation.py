"""What people send: contributions (with replies, versions, supports and reports) and votes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, event, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consulta.extensions import db
from consulta.i18n import gettext as _
from consulta.models.consultations import Article, Consultation, Section
from consulta.models.types import UTCDateTime, enum_column, utcnow
from consulta.models.users import User
from consulta.models.workshops import Workshop


class ContributionKind(StrEnum):
    """What a contribution proposes."""

    COMMENT = "comment"
    NEW_WORDING = "new_wording"
    REMOVAL = "removal"
    NEW_ARTICLE = "new_article"  # at section level

    @property
    def label(self) -> str:
        """The kind in Portuguese."""
        return {
            "comment": _("Comentário"), "new_wording": _("Nova redação"), "removal": _("Supressão"),
            "new_article": _("Proposta de novo artigo"),
        }[self.value]


class Stance(StrEnum):
    """The author's position on the article."""

    AGREE = "agree"
    PARTLY = "partly"
    DISAGREE = "disagree"
    NONE = "none"

    @property
    def label(self) -> str:
        """The stance in Portuguese."""
        return {"agree": _("Concordo"), "partly": _("Concordo em parte"), "disagree": _("Discordo"),
                "none": _("Sem posição")}[self.value]


class Channel(StrEnum):
    """Where a contribution came from."""

    ONLINE = "online"
    WORKSHOP = "workshop"
    DOCUMENT = "document"


class ResponseStatus(StrEnum):
    """The drafting team's official response (devolutiva) to a contribution."""

    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    NOT_ACCEPTED = "not_accepted"

    @property
    def label(self) -> str:
        """The status in Portuguese."""
        return {"under_review": _("Em análise"), "accepted": _("Acolhida"), "partly_accepted": _("Parcialmente acolhida"),
                "not_accepted": _("Não acolhida")}[self.value]


class Visibility(StrEnum):
    """Moderation state: only VISIBLE contributions show their text to the public."""

    VISIBLE = "visible"
    PENDING = "pending"  # hidden automatically by reports, waiting for a moderator
    HIDDEN = "hidden"  # hidden by a moderator, with a reason
    WITHDRAWN = "withdrawn"  # withdrawn by its author


class Contribution(db.Model):
    """A comment, new wording, removal or new-article proposal; or a reply to one (one level)."""

    __tablename__ = "contributions"
    __table_args__ = (
        # The article page lists top-level contributions newest first or most supported first, 20 at a time:
        # these partial indexes serve both orders without sorting the article's rows (PostgreSQL cannot use
        # "parent_id IS NULL" as an equality inside a plain index).
        Index("ix_contributions_article_listing", "article_id", "created_at", "id",
              postgresql_where=text("parent_id IS NULL"), sqlite_where=text("parent_id IS NULL")),
        Index("ix_contributions_article_support", "article_id", "support_count", "id",
              postgresql_where=text("parent_id IS NULL"), sqlite_where=text("parent_id IS NULL")),
        Index("ix_contributions_parent", "parent_id", "created_at"),
        Index("ix_contributions_moderation", "visibility", "report_count"),
        Index("ix_contributions_consultation", "consultation_id", "created_at"),
        # Open data and the API walk a consultation's contributions in id order (keyset pages, streams).
        Index("ix_contributions_consultation_id", "consultation_id", "id"),
        # The search page (consulta.search) without words: a consultation's contributions by support or replies,
        # and an article's contributions with their replies, newest first.
        Index("ix_contributions_consultation_support", "consultation_id", "support_count", "id"),
        Index("ix_contributions_consultation_replies", "consultation_id", "reply_count", "id"),
        Index("ix_contributions_article_created", "article_id", "created_at"),
        UniqueConstraint("author_id", "submission_key"),
        UniqueConstraint("workshop_id", "import_key"),
        CheckConstraint("article_id IS NOT NULL OR section_id IS NOT NULL", name="has_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[ContributionKind] = mapped_column(enum_column(ContributionKind, "contribution_kind"),
                                                   default=ContributionKind.COMMENT)
    stance: Mapped[Stance] = mapped_column(enum_column(Stance, "contribution_stance"), default=Stance.NONE)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "contribution_channel"), default=Channel.ONLINE)
    body: Mapped[str] = mapped_column(Text)
    # The part of the article it is about ("caput", "par-1", "inc-II-ali-a"); "" for the whole article.
    part: Mapped[str] = mapped_column(String(80), default="", server_default="")
    proposed_text: Mapped[str | None] = mapped_column(Text)
    # Rendered once when written (consulta.text), not on every page view; see render_contribution().
    body_html: Mapped[str | None] = mapped_column(Text)
    proposal_html: Mapped[str | None] = mapped_column(Text)
    # What full-text search indexes: body and proposed text with personal data masked (consulta.search), so a
    # search for a CPF or e-mail can never find a contribution whose page shows it masked.
    search_text: Mapped[str | None] = mapped_column(Text)
    head_count: Mapped[int | None]  # how many people in a workshop room backed it
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    group_label: Mapped[str | None] = mapped_column(String(120))  # the workshop table or group it came from
    # A hash of an imported spreadsheet row, so uploading the same file twice adds nothing.
    import_key: Mapped[str | None] = mapped_column(String(64))
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility, "contribution_visibility"),
                                                   default=Visibility.VISIBLE)
    moderation_reason: Mapped[str | None] = mapped_column(String(500))
    support_count: Mapped[int] = mapped_column(default=0)
    reply_count: Mapped[int] = mapped_column(default=0)
    report_count: Mapped[int] = mapped_column(default=0)
    # A random key carried by the form: a double-submitted form finds its first record instead of a copy.
    submission_key: Mapped[str | None] = mapped_column(String(64))
    # The drafting team's official response, shown publicly under the contribution.
    response_status: Mapped[ResponseStatus | None] = mapped_column(enum_column(ResponseStatus, "response_status"))
    response_text: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    consultation: Mapped[Consultation] = relationship()
    article: Mapped[Article | None] = relationship()
    section: Mapped[Section | None] = relationship()
    parent: Mapped[Contribution | None] = relationship(remote_side=[id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    workshop: Mapped[Workshop | None] = relationship()
    versions: Mapped[list[ContributionVersion]] = relationship(
        back_populates="contribution", order_by="ContributionVersion.id", cascade="all, delete-orphan"
    )

    @property
    def is_public(self) -> bool:
        """Whether the public sees its text."""
        return self.visibility is Visibility.VISIBLE

    @property
    def author_name(self) -> str:
        """The name shown as author: the workshop, the person's display name, the organization's name."""
        if self.workshop_id is not None and self.workshop is not None:
            return self.workshop.place_label
        if self.author is None or self.author.deleted_at is not None:
            return _("Participante removido")
        return self.author.display_name

    @property
    def by_organization(self) -> bool:
        """Whether an organization (CNPJ) signs it."""
        return self.author is not None and self.author.deleted_at is None and self.author.is_organization

    @property
    def is_reply(self) -> bool:
        """Whether it answers another contribution."""
        return self.parent_id is not None


class ContributionVersion(db.Model):
    """A previous text of an edited contribution, kept for the record."""

    __tablename__ = "contribution_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    proposed_text: Mapped[str | None] = mapped_column(Text)
    stance: Mapped[Stance] = mapped_column(enum_column(Stance, "version_stance"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    contribution: Mapped[Contribution] = relationship(back_populates="versions")


class Support(db.Model):
    """An account's support ("apoiar") for a contribution; one per account."""

    __tablename__ = "supports"

    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReportReason(StrEnum):
    """Why someone reports a contribution."""

    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"

    @property
    def label(self) -> str:
        """The reason in Portuguese."""
        return {"spam": _("Spam ou propaganda"), "offensive": _("Ofensivo"), "off_topic": _("Fora do tema")}[self.value]


class Report(db.Model):
    """An account's report of a contribution; one per account and contribution."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("contribution_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reason: Mapped[ReportReason] = mapped_column(enum_column(ReportReason, "report_reason"))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    contribution: Mapped[Contribution] = relationship()


class VoteValue(StrEnum):
    """A vote on a recommendation."""

    AGREE = "agree"
    DISAGREE = "disagree"
    ABSTAIN = "abstain"

    @property
    def label(self) -> str:
        """The value in Portuguese."""
        if self is VoteValue.AGREE:
            return _("Concordo")
        return _("Discordo") if self is VoteValue.DISAGREE else _("Abstenção")


class Vote(db.Model):
    """One account's vote on one article, unique by constraint; user_id is cleared when the account is deleted."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("user_id", "article_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    value: Mapped[VoteValue] = mapped_column(enum_column(VoteValue, "vote_value"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def rendered_html(body: str, proposed_text: str | None, kind: ContributionKind,
                  article_body: str | None) -> tuple[str, str | None]:
    """The stored HTML of a contribution's text and of its proposal (a word diff for new wording)."""
    from consulta.text import render_plain, word_diff

    body_html = str(render_plain(body or ""))
    if not proposed_text:
        return body_html, None
    if kind is ContributionKind.NEW_WORDING and article_body is not None:
        return body_html, str(word_diff(article_body, proposed_text))
    return body_html, str(render_plain(proposed_text))


def searchable_text(body: str | None, proposed_text: str | None) -> str:
    """What search indexes for a contribution: its text and proposed text, personal data masked."""
    from consulta.privacy import masked

    return masked("\n".join(part for part in (body, proposed_text) if part))


def render_contribution(contribution: Contribution, article_body: str | None) -> None:
    """Fill a contribution's stored HTML from its text."""
    contribution.body_html, contribution.proposal_html = rendered_html(
        contribution.body, contribution.proposed_text, contribution.kind, article_body
    )


@event.listens_for(Contribution, "before_insert")
@event.listens_for(Contribution, "before_update")
def _render_before_write(mapper, connection, contribution: Contribution) -> None:
    """Keep the stored HTML in step with the text whenever the ORM writes a contribution."""
    state = db.inspect(contribution)
    changed = any(getattr(state.attrs, name).history.has_changes() for name in ("body", "proposed_text", "part"))
    if contribution.search_text is None or changed:
        contribution.search_text = searchable_text(contribution.body, contribution.proposed_text)
    if contribution.body_html is not None and not changed:
        return
    article_body = None
    if contribution.article_id is not None:
        article_body = connection.execute(
            select(Article.body).where(Article.id == contribution.article_id)
        ).scalar_one_or_none()
    render_contribution(contribution, diff_base(article_body, contribution.part))


def diff_base(article_body: str | None, part: str | None) -> str | None:
    """What a new wording is compared with: the chosen part's text, or the whole article."""
    if not part or article_body is None:
        return article_body
    from consulta.drafts import part_source

    return part_source(article_body, part) or article_body
