"""Follows, notification preferences and the notifications themselves (one row per recipient and event)."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consulta.extensions import db
from consulta.models.types import UTCDateTime, enum_column, utcnow
from consulta.models.users import User


class FollowTarget(StrEnum):
    """What a person may follow."""

    CONSULTATION = "consultation"
    ARTICLE = "article"


class Follow(db.Model):
    """A person follows a consultation or one article of it."""

    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint("user_id", "target_type", "target_id", name="uq_follows_user_target"),
        Index("ix_follows_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[FollowTarget] = mapped_column(enum_column(FollowTarget, "follow_target"))
    target_id: Mapped[int]
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NotificationKind(StrEnum):
    """The events people are told about; each can be turned off."""

    OPENING = "opening"
    CLOSING_SOON = "closing_soon"
    CLOSED = "closed"
    REPLY = "reply"
    RESPONSE = "response"
    FINAL_TEXT = "final_text"

    @property
    def label(self) -> str:
        """The event in Portuguese, for the preferences page."""
        return str(NOTIFICATION_LABELS[self])


NOTIFICATION_LABELS = {
    NotificationKind.OPENING: _l("Abertura de uma consulta que sigo"),
    NotificationKind.CLOSING_SOON: _l("Faltam 3 dias para o encerramento de uma consulta que sigo"),
    NotificationKind.CLOSED: _l("Encerramento de uma consulta que sigo"),
    NotificationKind.REPLY: _l("Resposta a uma contribuição minha"),
    NotificationKind.RESPONSE: _l("Resposta oficial da equipe a uma contribuição minha"),
    NotificationKind.FINAL_TEXT: _l("Publicação do novo texto de uma consulta que sigo ou em que contribuí"),
}


class NotificationPreference(db.Model):
    """A person's choices: which kinds they receive, and one daily digest instead of one mail per event."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    opening: Mapped[bool] = mapped_column(default=True)
    closing_soon: Mapped[bool] = mapped_column(default=True)
    closed: Mapped[bool] = mapped_column(default=True)
    reply: Mapped[bool] = mapped_column(default=True)
    response: Mapped[bool] = mapped_column(default=True)
    final_text: Mapped[bool] = mapped_column(default=True)
    digest: Mapped[bool] = mapped_column(default=False)
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def wants(self, kind: NotificationKind) -> bool:
        """Whether this kind is turned on."""
        return bool(getattr(self, kind.value))


class Notification(db.Model):
    """One event for one recipient. `key` makes recording idempotent; sent_at/skipped_at make sending so."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_pending", "sent_at", "skipped_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind, "notification_kind"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    skipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class OutgoingMail(db.Model):
    """A built e-mail waiting for the `deliver_mail` job; deleted once the mail server took it, so no copy of
    its text stays in the database."""

    __tablename__ = "outgoing_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipients: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
