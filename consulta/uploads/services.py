"""Storing an untrusted upload, reading it in the sandbox (the `read_upload` job) and forgetting it afterwards.

A view calls `store` (the size is capped before anything is stored), commits, and sends the user to a page
that waits for the job; the job calls `read`, which runs the reader in a child process with the limits
UPLOAD_PARSE_SECONDS / UPLOAD_PARSE_MEMORY_MB and stores its JSON result (or which limit it hit) in the
same row, deleting the file. The view then checks that result against the database and shows the same
preview or report as before; confirming saves everything in one commit and deletes the row. Rows left
behind are deleted after UPLOAD_KEEP_HOURS by the periodic clean-up.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Response, current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from consulta.extensions import db
from consulta.models import Upload, UploadPurpose, UploadState, User, utcnow
from consulta.security import UPLOAD_LIMIT_EXCEEDED, log_event
from consulta.uploads import sandbox
from consulta.web import is_htmx_partial

log = logging.getLogger(__name__)


def store(user: User, purpose: UploadPurpose, target_id: int, data: bytes, filename: str,
          *, sheet: str | None = None) -> Upload:
    """Keep an upload (already size-capped by the caller) and queue the job that reads it; flushes."""
    from consulta import jobs

    upload = Upload(user_id=user.id, purpose=purpose, target_id=target_id, filename=(filename or "")[:255],
                    size=len(data), content=data)
    db.session.add(upload)
    db.session.flush()
    jobs.enqueue("read_upload", upload_id=upload.id, sheet=sheet)
    return upload


def find(token: str, user: User, purpose: UploadPurpose, target_id: int) -> Upload | None:
    """This user's upload with `token` for this purpose and object, if it is still kept."""
    if not token or len(token) > 40:
        return None
    return db.session.scalars(select(Upload).where(
        Upload.token == token, Upload.user_id == user.id, Upload.purpose == purpose, Upload.target_id == target_id,
    )).first()


def read(upload_id: int, sheet: str | None = None) -> None:
    """Read a queued upload in the sandbox and store the result or the limit it hit; the file is deleted."""
    upload = db.session.get(Upload, upload_id)
    if upload is None or upload.state is not UploadState.QUEUED:
        return
    data = upload.content or b""
    config = current_app.config
    options: dict = {"filename": upload.filename}
    if upload.purpose.kind == "sheet":
        options.update(sheet=sheet, caps=dict(config["UPLOAD_SHEET_CAPS"] or {}))
    try:
        upload.result = sandbox.run(upload.purpose.kind, data, seconds=float(config["UPLOAD_PARSE_SECONDS"]),
                                    memory_bytes=int(config["UPLOAD_PARSE_MEMORY_MB"]) * 1024 * 1024, **options)
    except sandbox.LimitExceeded as exceeded:
        upload.state, upload.error, upload.seconds = UploadState.FAILED, exceeded.which, exceeded.seconds
        log_event(UPLOAD_LIMIT_EXCEEDED, level=logging.WARNING, upload_id=upload.id, user_id=upload.user_id,
                  purpose=upload.purpose.value, limit=exceeded.which, size=upload.size,
                  seconds=round(exceeded.seconds, 2))
    else:
        upload.state = UploadState.READ
    upload.content = None
    upload.finished_at = utcnow()
    db.session.commit()


def mark_failed(upload_id: int) -> None:
    """The job gave up (the reader crashed twice): keep no file, show a failure."""
    upload = db.session.get(Upload, upload_id)
    if upload is not None and upload.state is UploadState.QUEUED:
        upload.state, upload.error, upload.content, upload.finished_at = UploadState.FAILED, "failed", None, utcnow()


def discard(upload: Upload) -> None:
    """Forget an upload once its result was used (or abandoned); flushes."""
    db.session.delete(upload)
    db.session.flush()


def expire() -> int:
    """Delete uploads older than UPLOAD_KEEP_HOURS, read or not; returns how many."""
    cutoff = utcnow() - timedelta(hours=float(current_app.config["UPLOAD_KEEP_HOURS"]))
    return db.session.execute(delete(Upload).where(Upload.created_at < cutoff)
                              .execution_options(synchronize_session=False)).rowcount


def limit_message(upload: Upload) -> str:
    """Why a failed upload has no result, in Portuguese."""
    config = current_app.config
    sheet = upload.purpose.kind == "sheet"
    if upload.error == "time":
        seconds = config["UPLOAD_PARSE_SECONDS"]
        return (_("A planilha excedeu o limite de tempo de leitura (%(seconds)s segundos). Apague as linhas e "
                  "colunas vazias ou divida o arquivo em partes menores e envie de novo. Nada foi salvo.",
                  seconds=seconds) if sheet else
                _("O documento excedeu o limite de tempo de leitura (%(seconds)s segundos). Divida-o em partes "
                  "menores ou envie o texto como Markdown (.md). Nada foi salvo.", seconds=seconds))
    if upload.error == "memory":
        mb = config["UPLOAD_PARSE_MEMORY_MB"]
        return (_("A planilha excedeu o limite de memória de leitura (%(mb)s MB). Apague as linhas e colunas vazias "
                  "ou divida o arquivo em partes menores e envie de novo. Nada foi salvo.", mb=mb) if sheet else
                _("O documento excedeu o limite de memória de leitura (%(mb)s MB). Divida-o em partes menores ou "
                  "envie o texto como Markdown (.md). Nada foi salvo.", mb=mb))
    return _("Não foi possível ler o arquivo. Salve-o de novo (a planilha como .xlsx ou CSV UTF-8, o documento como "
             ".docx, .odt ou .md) e envie. Nada foi salvo.")


def reload_when_read() -> Response | None:
    """For an htmx poll of a waiting page that finds the upload read: reload the whole page (HX-Refresh)."""
    if is_htmx_partial():
        response = Response(status=204)
        response.headers["HX-Refresh"] = "true"
        return response
    return None
