"""A consultation's documents: PDFs uploaded by the admin (checked, size-capped, kept in the database) or links."""

from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from consulta.extensions import db
from consulta.models import Attachment, Consultation, User, record


class AttachmentError(Exception):
    """A document the rules refuse; the message is Portuguese. `field` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def attachments_of(consultation: Consultation) -> list[Attachment]:
    """The consultation's documents in the order they were added (their contents are not loaded)."""
    return list(db.session.scalars(
        select(Attachment).where(Attachment.consultation_id == consultation.id).order_by(Attachment.id)
    ))


def _title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise AttachmentError(_("Informe o título do documento."), "title")
    return title[:200]


def add_pdf(actor: User, consultation: Consultation, title: str, data: bytes, filename: str) -> Attachment:
    """Store an uploaded PDF: only a real PDF (by its signature), at most ATTACHMENT_MAX_BYTES."""
    title = _title(title)
    limit = int(current_app.config["ATTACHMENT_MAX_BYTES"])
    if not data:
        raise AttachmentError(_("O arquivo enviado está vazio."), "file")
    if len(data) > limit:
        raise AttachmentError(_("O arquivo passa do limite de %(value)s MB.", value=limit // (1024 * 1024)), "file")
    if not data.startswith(b"%PDF-"):
        raise AttachmentError(_("Envie um arquivo PDF."), "file")
    name = "".join(ch for ch in (filename or "") if ch.isalnum() or ch in "-_.")[:150] or "documento"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    attachment = Attachment(consultation_id=consultation.id, title=title, filename=name, size=len(data),
                            content=data)
    db.session.add(attachment)
    db.session.flush()
    record(actor, "consultation.attachment_add", consultation, title=title, size=len(data))
    return attachment


def add_link(actor: User, consultation: Consultation, title: str, url: str) -> Attachment:
    """Link a document published elsewhere (an https address)."""
    title = _title(title)
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc or any(ord(ch) < 33 for ch in url):
        raise AttachmentError(_("Informe um endereço que comece com https://."), "url")
    attachment = Attachment(consultation_id=consultation.id, title=title, url=url[:500])
    db.session.add(attachment)
    db.session.flush()
    record(actor, "consultation.attachment_add", consultation, title=title, url=url)
    return attachment


def remove(actor: User, attachment: Attachment) -> None:
    """Delete a document, logged."""
    record(actor, "consultation.attachment_remove", attachment.consultation, title=attachment.title)
    db.session.delete(attachment)
    db.session.flush()
