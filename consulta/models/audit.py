"""Audit trail: who did what to which object, when and why."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consulta.extensions import db
from consulta.models.types import UTCDateTime, utcnow
from consulta.models.users import User


class AuditLog(db.Model):
    """One recorded action. Rows are only ever added."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()


def record(actor: User | None, action: str, obj: Any, reason: str | None = None, **details: Any) -> AuditLog:
    """Add an audit entry for `action` on `obj` to the session (the caller commits)."""
    entry = AuditLog(
        actor=actor,
        action=action,
        object_type=type(obj).__name__,
        object_id=getattr(obj, "id", None),
        reason=reason,
        details=details or None,
    )
    db.session.add(entry)
    return entry
