"""Workshop spreadsheet uploads (the input of a workshop, its attendance list): the file is stored and read by a
background job in a sandbox (consulta/uploads/); the facilitator waits on a page that refreshes itself, then
sees the report of every problem (nothing saved) or a preview to confirm, which saves every row at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from consulta.authz import Permission, require
from consulta.extensions import db
from consulta.models import Article, Upload, UploadPurpose, UploadState, Workshop
from consulta.uploads import services as uploads
from consulta.uploads.sheets import MAX_FILE_BYTES, ReadResult
from consulta.web import form_status, invalid_form_status, is_htmx_partial
from consulta.workshops import bp, services, spreadsheets
from consulta.workshops.forms import AttendeeUploadForm, UploadForm
from consulta.workshops.views import _attendance_page, _editable_workshop, _saved_attendance, _workshop_url

REFRESH_SECONDS = 2


def _read_capped(upload) -> bytes | None:
    """The uploaded bytes, or None when they pass the spreadsheet limit (checked before anything is stored)."""
    data = upload.read(MAX_FILE_BYTES + 1)
    return None if len(data) > MAX_FILE_BYTES else data


def _too_big_message() -> str:
    return _("O arquivo passa de %(mb)s MB; divida-o em arquivos menores.", mb=MAX_FILE_BYTES // (1024 * 1024))


def _waiting(upload: Upload, workshop: Workshop, title: str, back: str):
    """The "processando…" page (meta refresh without JavaScript, htmx polling with it)."""
    if is_htmx_partial():
        return render_template("uploads/_waiting.html", upload=upload, url=request.path)
    return render_template("workshops/upload_waiting.html", upload=upload, workshop=workshop, title=title,
                           back=back, url=request.path, refresh=REFRESH_SECONDS)


def _store(form, purpose: UploadPurpose, workshop: Workshop):
    """The form's file stored for reading in the background (committed), or None with the size error on the form."""
    upload = form.file.data
    data = _read_capped(upload)
    if data is None:
        form.file.errors.append(_too_big_message())
        return None
    stored = uploads.store(current_user, purpose, workshop.id, data, upload.filename or "",
                           sheet=spreadsheets.INPUT_SHEET)
    db.session.commit()
    return stored


# -- the workshop's input -----------------------------------------------------------------------------------

@bp.route("/oficinas/<int:workshop_id>/importar", methods=["GET", "POST"])
@require(Permission.FACILITATE)
def import_inputs(workshop_id: int):
    """Upload a CSV or XLSX of the workshop's input; it is read in the background, then previewed."""
    workshop = _editable_workshop(workshop_id)
    form = UploadForm()
    problems: list[str] = []
    if form.validate_on_submit() and (stored := _store(form, UploadPurpose.WORKSHOP_INPUTS, workshop)):
        return redirect(url_for("workshops.import_inputs_upload", workshop_id=workshop.id, token=stored.token), 303)
    return _import_page(workshop, form, problems=problems), form_status()


def _import_page(workshop: Workshop, form: UploadForm, *, problems=(), report=None) -> str:
    return render_template("workshops/import.html", workshop=workshop, form=form, problems=list(problems),
                           report=report, columns=spreadsheets.INPUT_COLUMNS)


@bp.route("/oficinas/<int:workshop_id>/importar/<token>", methods=["GET", "POST"])
@require(Permission.FACILITATE)
def import_inputs_upload(workshop_id: int, token: str):
    """An uploaded input spreadsheet: wait while it is read; then its problems, or a preview to confirm (POST)."""
    workshop = _editable_workshop(workshop_id)
    upload = uploads.find(token, current_user, UploadPurpose.WORKSHOP_INPUTS, workshop.id)
    if upload is None:
        if request.method == "POST":
            flash(_("Esta planilha não está mais guardada. Envie o arquivo de novo."), "error")
            return redirect(url_for("workshops.import_inputs", workshop_id=workshop.id), 303)
        abort(404)
    if upload.state is UploadState.QUEUED:
        if request.method == "POST":
            return redirect(request.path, 303)
        return _waiting(upload, workshop, _("Importar planilha"),
                        url_for("workshops.import_inputs", workshop_id=workshop.id))
    if (reload := uploads.reload_when_read()) is not None:
        return reload
    empty = UploadForm(formdata=None)
    if upload.state is UploadState.FAILED:
        return _import_page(workshop, empty, problems=[uploads.limit_message(upload)]), 422
    report = spreadsheets.check_inputs(ReadResult.from_json(upload.result or {}), workshop.consultation)
    if not report.ok:
        return _import_page(workshop, empty, report=report), 422
    confirmed, result, problems = _confirm(upload, report,
                                           lambda: services.import_inputs(current_user, workshop, report.rows))
    if confirmed:
        created = ngettext("%(num)d contribuição importada", "%(num)d contribuições importadas", result.created)
        flash(ngettext("%(created)s, %(num)d já existia.", "%(created)s, %(num)d já existiam.",
                       result.duplicates, created=created), "success")
        return redirect(_workshop_url(workshop) + "#contribuicoes", 303)
    labels = dict(db.session.execute(select(Article.id, Article.label)
                                     .where(Article.consultation_id == workshop.consultation_id)).all())
    return render_template("workshops/import_preview.html", workshop=workshop, upload=upload, report=report,
                           labels=labels, problems=problems), invalid_form_status() if problems else 200


# -- the attendance list ------------------------------------------------------------------------------------

@bp.route("/oficinas/<int:workshop_id>/presenca/lista", methods=["POST"])
@require(Permission.FACILITATE)
def attendee_list(workshop_id: int):
    """Upload an attendance list; it is read in the background, then previewed before it replaces the list."""
    workshop = _editable_workshop(workshop_id)
    upload_form = AttendeeUploadForm()
    if upload_form.validate_on_submit() and (stored := _store(upload_form, UploadPurpose.WORKSHOP_ATTENDEES, workshop)):
        return redirect(url_for("workshops.attendee_list_upload", workshop_id=workshop.id, token=stored.token), 303)
    return _attendance_page(workshop, _saved_attendance(workshop), upload_form, status=invalid_form_status())


@bp.route("/oficinas/<int:workshop_id>/presenca/lista/<token>", methods=["GET", "POST"])
@require(Permission.FACILITATE)
def attendee_list_upload(workshop_id: int, token: str):
    """An uploaded attendance list: wait while it is read; then its problems, or a preview to confirm (POST)."""
    workshop = _editable_workshop(workshop_id)
    upload = uploads.find(token, current_user, UploadPurpose.WORKSHOP_ATTENDEES, workshop.id)
    attendance_url = url_for("workshops.attendance", workshop_id=workshop.id)
    if upload is None:
        if request.method == "POST":
            flash(_("Esta lista não está mais guardada. Envie o arquivo de novo."), "error")
            return redirect(attendance_url, 303)
        abort(404)
    if upload.state is UploadState.QUEUED:
        if request.method == "POST":
            return redirect(request.path, 303)
        return _waiting(upload, workshop, _("Lista de presença"), attendance_url)
    if (reload := uploads.reload_when_read()) is not None:
        return reload
    saved, empty = _saved_attendance(workshop), AttendeeUploadForm(formdata=None)
    if upload.state is UploadState.FAILED:
        return _attendance_page(workshop, saved, empty, problems=[uploads.limit_message(upload)], status=422)
    report = spreadsheets.check_attendees(ReadResult.from_json(upload.result or {}))
    if not report.ok:
        return _attendance_page(workshop, saved, empty, report=report, status=422)
    confirmed, _result, problems = _confirm(upload, report,
                                            lambda: services.replace_attendees(current_user, workshop, report.rows))
    if confirmed:
        flash(ngettext("Lista de presença salva: %(num)d pessoa.", "Lista de presença salva: %(num)d pessoas.",
                       len(report.rows)), "success")
        return redirect(attendance_url, 303)
    return render_template("workshops/attendees_preview.html", workshop=workshop, upload=upload, report=report,
                           problems=problems), invalid_form_status() if problems else 200


def _confirm(upload, report, apply: Callable[[], Any]) -> tuple[bool, Any, list[str]]:
    """A preview's confirmation (a valid POST): `apply()` the checked rows, then forget the upload, commit and
    flash the report's warnings. Returns (confirmed, apply's result, problems); nothing is saved unless
    confirmed (a GET, an invalid form, or a refusal, whose message is in problems)."""
    if request.method != "POST" or not FlaskForm().validate_on_submit():
        return False, None, []
    try:
        result = apply()
    except services.WorkshopError as error:
        db.session.rollback()
        return False, None, [str(error)]
    uploads.discard(upload)
    db.session.commit()
    _flash_warnings(report)
    return True, result, []


def _flash_warnings(report) -> None:
    for warning in report.warnings[:20]:
        flash(_("Aviso: %(warning)s", warning=warning), "warning")

