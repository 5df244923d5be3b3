"""Untrusted uploads waiting to be read, or read, by the background job that parses them in a sandbox."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from consulta.extensions import db
from consulta.models.types import UTCDateTime, enum_column, utcnow


class UploadState(StrEnum):
    """queued (the file waits for the job) -> read (rows or the file's problems are stored) | failed (a limit)."""

    QUEUED = "queued"
    READ = "read"
    FAILED = "failed"


class UploadPurpose(StrEnum):
    """What the upload is for, which says how it is read and where its result goes."""

    WORKSHOP_INPUTS = "workshop_inputs"
    WORKSHOP_ATTENDEES = "workshop_attendees"
    DRAFT = "draft"

    @property
    def kind(self) -> str:
        """The sandbox's reader: "sheet" or "draft"."""
        return "draft" if self is UploadPurpose.DRAFT else "sheet"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Upload(db.Model):
    """One uploaded file of one user for one object (a workshop, a consultation).

    `content` holds the file until the job has read it (then it is set to NULL); `result` the JSON the
    sandbox returned; `error` "time" or "memory" when the reading hit a limit (shown as a Portuguese message).
    The row is deleted once its result is used, or after UPLOAD_KEEP_HOURS. Only the uploader sees it, by
    its random `token`.
    """

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True, default=new_token)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[UploadPurpose] = mapped_column(enum_column(UploadPurpose, "upload_purpose"))
    target_id: Mapped[int]
    filename: Mapped[str] = mapped_column(String(255), default="")
    size: Mapped[int] = mapped_column(default=0)
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    state: Mapped[UploadState] = mapped_column(enum_column(UploadState, "upload_state"), default=UploadState.QUEUED)
    result: Mapped[dict[str, Any] | None] = deferred(mapped_column(JSON))
    error: Mapped[str | None] = mapped_column(String(20))
    seconds: Mapped[float | None]  # how long the child ran
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
