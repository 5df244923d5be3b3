"""Administration of a consultation's schedule and documents: extend the deadline, add and remove attachments."""

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consulta.admin import bp
from consulta.admin.forms import AttachmentForm, ConsultationForm, ExtendForm, ReopenForm
from consulta.auth.forms import ActionForm
from consulta.authz import Permission, require
from consulta.consultations import attachments, services
from consulta.extensions import db
from consulta.models import Attachment, TransitionError
from consulta.web import in_zone, invalid_form_status


def _page(consultation, **forms):
    from consulta.admin.views import _consultation_page

    form = ConsultationForm(obj=consultation, current_slug=consultation.slug)
    return _consultation_page(consultation, form, ReopenForm(), **forms)




@bp.route("/consultas/<slug>/prorrogar", methods=["POST"])
@require(Permission.MANAGE_CONSULTATIONS)
def extend(slug: str):
    """Move the closing time later; the public page shows "Prazo prorrogado até ..."."""
    consultation = services.get_by_slug_or_404(slug)
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            services.extend_consultation(current_user, consultation,
                                         in_zone(form.closes_at.data, consultation.time_zone), form.reason.data)
        except TransitionError as error:
            form.closes_at.errors.append(str(error))
        else:
            db.session.commit()
            flash(consultation.deadline_note, "success")
            return redirect(url_for("admin.edit_consultation", slug=slug), 303)
    return _page(consultation, extend_form=form), invalid_form_status()


@bp.route("/consultas/<slug>/anexos", methods=["POST"])
@require(Permission.MANAGE_CONSULTATIONS)
def add_attachment(slug: str):
    """Attach a PDF (uploaded) or a link to one."""
    consultation = services.get_by_slug_or_404(slug)
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            if upload and upload.filename:
                data = upload.read(int(current_app.config["ATTACHMENT_MAX_BYTES"]) + 1)
                attachments.add_pdf(current_user, consultation, form.title.data, data, upload.filename)
            elif (form.url.data or "").strip():
                attachments.add_link(current_user, consultation, form.title.data, form.url.data)
            else:
                raise attachments.AttachmentError(_("Envie um PDF ou informe o endereço do documento."), "file")
        except attachments.AttachmentError as error:
            getattr(form, error.field or "file").errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Documento anexado."), "success")
            return redirect(url_for("admin.edit_consultation", slug=slug, _anchor="documentos"), 303)
    return _page(consultation, attachment_form=form), invalid_form_status()


@bp.route("/consultas/<slug>/anexos/<int:attachment_id>/remover", methods=["POST"])
@require(Permission.MANAGE_CONSULTATIONS)
def remove_attachment(slug: str, attachment_id: int):
    """Delete a document."""
    consultation = services.get_by_slug_or_404(slug)
    attachment = db.get_or_404(Attachment, attachment_id)
    if attachment.consultation_id != consultation.id or not ActionForm().validate_on_submit():
        abort(404 if attachment.consultation_id != consultation.id else 400)
    attachments.remove(current_user, attachment)
    db.session.commit()
    flash(_("Documento removido."), "success")
    return redirect(url_for("admin.edit_consultation", slug=slug, _anchor="documentos"), 303)
