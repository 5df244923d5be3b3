"""Documents published with a consultation (the draft as PDF, a nota técnica): a stored PDF or a link."""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from consulta.extensions import db
from consulta.models.consultations import Consultation
from consulta.models.types import UTCDateTime, utcnow


class Attachment(db.Model):
    """One document of a consultation: `content` holds an uploaded PDF, else `url` points to it."""

    __tablename__ = "consultation_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    filename: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(default=0)
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    consultation: Mapped[Consultation] = relationship()

    @property
    def is_file(self) -> bool:
        """Whether the document is stored here (else it is a link)."""
        return self.url is None
