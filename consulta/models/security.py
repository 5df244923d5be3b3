"""Security events kept for the administrators' health page: Content-Security-Policy violation reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from consulta.extensions import db
from consulta.models.types import UTCDateTime, utcnow


class CspViolation(db.Model):
    """One violation report a browser sent. No personal data: no address, account, page query or sample."""

    __tablename__ = "csp_violations"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    directive: Mapped[str] = mapped_column(String(64))  # the effective directive, e.g. "img-src"
    blocked: Mapped[str] = mapped_column(String(120))  # a keyword ("inline", "eval", "trusted-types-sink") or an origin
    page: Mapped[str] = mapped_column(String(200))  # the document's path, without query or fragment
