"""Administration pages. Every view here requires a permission from consulta.authz."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from consulta.admin import bp
from consulta.admin.forms import (
    AttachmentForm,
    ConfirmImportForm,
    ConsultationForm,
    ExtendForm,
    ImportForm,
    ReopenForm,
    RoleForm,
)
from consulta.auth.forms import ActionForm
from consulta.auth.services import change_role
from consulta.authz import Permission, require
from consulta.consultations import services
from consulta.consultations.attachments import attachments_of
from consulta.drafts import (
    DraftDocument,
    Problem,
    parse_blocks,
    parse_pasted,
    read_source,
    source_text,
    too_large,
)
from consulta.extensions import db
from consulta.inputs import page_number
from consulta.models import (
    Article,
    Consultation,
    Requirement,
    Role,
    TransitionError,
    UploadPurpose,
    UploadState,
    User,
)
from consulta.uploads import drafts as upload_drafts
from consulta.uploads import services as uploads
from consulta.web import form_status, from_zone, in_zone, invalid_form_status, is_htmx_partial

USERS_PER_PAGE = 50




@bp.route("/")
@require(Permission.MANAGE_CONSULTATIONS)
def dashboard():
    """Every consultation, whatever its status, with its article count."""
    rows = db.session.execute(
        select(Consultation, func.count(Article.id))
        .outerjoin(Article, Article.consultation_id == Consultation.id)
        .group_by(Consultation.id)
        .order_by(Consultation.created_at.desc())
    ).all()
    return render_template("admin/dashboard.html", rows=rows)


@bp.route("/consultas/nova", methods=["GET", "POST"])
@require(Permission.MANAGE_CONSULTATIONS)
def new_consultation():
    """Create a consultation in draft."""
    form = ConsultationForm()
    if request.method == "GET" and request.args.get("titulo"):
        form.title.data = request.args["titulo"]
    if form.validate_on_submit():
        consultation = services.create_consultation(
            current_user,
            slug=form.slug.data,
            title=form.title.data,
            summary=form.summary.data or "",
            opens_at=in_zone(form.opens_at.data, form.time_zone.data),
            closes_at=in_zone(form.closes_at.data, form.time_zone.data),
            time_zone=form.time_zone.data,
            organ=(form.organ.data or "").strip(),
            contact=(form.contact.data or "").strip(),
            requirement=Requirement(form.requirement.data),
        )
        consultation.reports_to_hide = form.reports_to_hide.data
        db.session.commit()
        flash(_("Consulta criada. Agora importe o texto."), "success")
        return redirect(url_for("admin.import_text", slug=consultation.slug), 303)
    return render_template("admin/consultation_form.html", form=form, consultation=None), form_status()


@bp.route("/consultas/<slug>", methods=["GET", "POST"])
@require(Permission.MANAGE_CONSULTATIONS)
def edit_consultation(slug: str):
    """Edit a consultation's details and change its status."""
    consultation = services.get_by_slug_or_404(slug)
    form = ConsultationForm(obj=consultation, current_slug=consultation.slug)
    if request.method == "GET":
        form.opens_at.data = from_zone(consultation.opens_at, consultation.time_zone)
        form.closes_at.data = from_zone(consultation.closes_at, consultation.time_zone)
        form.requirement.data = consultation.requirement.value
    if form.validate_on_submit():
        zone = form.time_zone.data
        services.update_details(
            current_user, consultation, title=form.title.data.strip(), slug=form.slug.data,
            summary=(form.summary.data or "").strip(), time_zone=zone,
            opens_at=in_zone(form.opens_at.data, zone), closes_at=in_zone(form.closes_at.data, zone),
            organ=(form.organ.data or "").strip(), contact=(form.contact.data or "").strip(),
            requirement=Requirement(form.requirement.data), reports_to_hide=form.reports_to_hide.data,
        )
        db.session.commit()
        flash(_("Dados da consulta salvos."), "success")
        return redirect(url_for("admin.edit_consultation", slug=consultation.slug), 303)
    return _consultation_page(consultation, form, ReopenForm()), form_status()


@bp.route("/consultas/<slug>/importar", methods=["GET", "POST"])
@require(Permission.MANAGE_CONSULTATIONS)
def import_text(slug: str):
    """Upload or paste the draft; show a preview (nothing saved) or the problems found."""
    consultation = services.get_by_slug_or_404(slug)
    form = ImportForm()
    draft: DraftDocument | None = None
    source = ""
    if form.validate_on_submit():
        upload = form.file.data
        if upload and upload.filename:
            data = upload.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
            if data.startswith(b"PK") and not too_large(len(data)):
                # Word and LibreOffice files are ZIPs of XML, inflated whole by their readers: read in the sandbox.
                stored = uploads.store(current_user, UploadPurpose.DRAFT, consultation.id, data, upload.filename)
                db.session.commit()
                return redirect(url_for("admin.import_upload", slug=consultation.slug, token=stored.token), 303)
            reader, errors = read_source(data)
            draft = parse_blocks(reader) if reader is not None else DraftDocument(errors=errors)
            source = source_text(reader) if reader is not None else ""
        elif (form.text.data or "").strip():
            source = form.text.data
            draft = parse_pasted(source)
        else:
            form.file.errors.append(_("Envie um arquivo ou cole o texto do rascunho."))
    if draft is not None and draft.ok:
        confirm = ConfirmImportForm(source=source)
        return render_template(
            "admin/import_preview.html", consultation=consultation, draft=draft, confirm_form=confirm
        )
    return render_template(
        "admin/import.html", consultation=consultation, form=form, draft=draft
    ), form_status()


@bp.route("/consultas/<slug>/importar/<token>")
@require(Permission.MANAGE_CONSULTATIONS)
def import_upload(slug: str, token: str):
    """An uploaded Word or LibreOffice draft: wait while the background job reads it, then the preview."""
    consultation = services.get_by_slug_or_404(slug)
    upload = uploads.find(token, current_user, UploadPurpose.DRAFT, consultation.id)
    if upload is None:
        abort(404)
    if upload.state is UploadState.QUEUED:
        if is_htmx_partial():
            return render_template("uploads/_waiting.html", upload=upload, url=request.path)
        return render_template("admin/import_waiting.html", consultation=consultation, upload=upload,
                               url=request.path, refresh=2)
    if (reload := uploads.reload_when_read()) is not None:
        return reload
    if upload.state is UploadState.FAILED:
        reader, errors = None, [Problem(None, uploads.limit_message(upload))]
    else:
        reader, errors = upload_drafts.source_from(upload.result or {})
    draft = parse_blocks(reader) if reader is not None else DraftDocument(errors=errors)
    if draft.ok:
        return render_template("admin/import_preview.html", consultation=consultation, draft=draft,
                               confirm_form=ConfirmImportForm(source=source_text(reader)))
    return render_template("admin/import.html", consultation=consultation, form=ImportForm(formdata=None),
                           draft=draft), 422


@bp.route("/consultas/<slug>/importar/confirmar", methods=["POST"])
@require(Permission.MANAGE_CONSULTATIONS)
def confirm_import(slug: str):
    """Save the previewed text, replacing the draft's current text."""
    consultation = services.get_by_slug_or_404(slug)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        flash(_("A pré-visualização expirou. Envie o texto de novo."), "error")
        return redirect(url_for("admin.import_text", slug=slug), 303)
    draft = parse_pasted(form.source.data)
    if not draft.ok:
        return render_template(
            "admin/import.html", consultation=consultation, form=ImportForm(), draft=draft
        ), 422
    try:
        services.replace_text(current_user, consultation, draft)
    except TransitionError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.edit_consultation", slug=slug), 303)
    db.session.commit()
    flash(_("Texto importado: %(n)s dispositivos.", n=draft.article_count), "success")
    return redirect(url_for("admin.edit_consultation", slug=slug), 303)


@bp.route("/consultas/<slug>/<any(abrir, encerrar):action>", methods=["GET", "POST"])
@require(Permission.MANAGE_CONSULTATIONS)
def change_status(slug: str, action: str):
    """Open or close a consultation; GET asks for confirmation (a page, so it works without JavaScript)."""
    consultation = services.get_by_slug_or_404(slug)
    if request.method == "GET":
        return render_template("admin/confirm_status.html", consultation=consultation, action=action,
                               article_count=len(consultation.articles))
    if not ActionForm().validate_on_submit():
        abort(400)
    operation = services.open_consultation if action == "abrir" else services.close_consultation
    try:
        operation(current_user, consultation)
    except TransitionError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Consulta aberta à participação.") if action == "abrir" else _("Consulta encerrada."), "success")
    return redirect(url_for("admin.edit_consultation", slug=slug), 303)


@bp.route("/consultas/<slug>/reabrir", methods=["POST"])
@require(Permission.MANAGE_CONSULTATIONS)
def reopen(slug: str):
    """Reopen a closed consultation, with a reason that is logged."""
    consultation = services.get_by_slug_or_404(slug)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            services.reopen_consultation(current_user, consultation, form.reason.data)
        except TransitionError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Consulta reaberta. O motivo foi registrado."), "success")
        return redirect(url_for("admin.edit_consultation", slug=slug), 303)
    return _consultation_page(
        consultation, ConsultationForm(obj=consultation, current_slug=consultation.slug), form
    ), invalid_form_status()


def _consultation_page(consultation: Consultation, form: ConsultationForm, reopen_form: ReopenForm,
                       extend_form: ExtendForm | None = None, attachment_form: AttachmentForm | None = None) -> str:
    """The consultation's admin page: details form, status actions, reopen, extend and attachments."""
    article_count = db.session.scalar(select(func.count()).where(Article.consultation_id == consultation.id))
    return render_template(
        "admin/consultation_form.html", form=form, consultation=consultation, article_count=article_count,
        action_form=ActionForm(), reopen_form=reopen_form, extend_form=extend_form or ExtendForm(),
        attachment_form=attachment_form or AttachmentForm(), attachments=attachments_of(consultation),
    )


@bp.route("/usuarios")
@require(Permission.MANAGE_USERS)
def users():
    """Accounts, searchable by name or e-mail, with their roles."""
    query = (request.args.get("q") or "").strip()[:100]
    page = page_number(request.args)
    stmt = select(User).where(User.deleted_at.is_(None)).order_by(User.id)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(or_(func.lower(User.display_name).like(like), User.email.like(like)))
    pagination = db.paginate(stmt, page=page, per_page=USERS_PER_PAGE, error_out=False)
    forms = {u.id: RoleForm(role=u.role.value, prefix=f"u{u.id}") for u in pagination.items}
    return render_template("admin/users.html", pagination=pagination, forms=forms, query=query)


@bp.route("/usuarios/<int:user_id>/papel", methods=["POST"])
@require(Permission.MANAGE_USERS)
def set_role(user_id: int):
    """Change an account's role (logged)."""
    user = db.get_or_404(User, user_id)
    form = RoleForm(prefix=f"u{user.id}")
    if not form.validate_on_submit():
        flash(_("Papel inválido."), "error")
        return redirect(url_for("admin.users"), 303)
    if user.id == current_user.id and form.role.data != Role.ADMIN.value:
        flash(_("Você não pode retirar seu próprio papel de administrador."), "error")
        return redirect(url_for("admin.users"), 303)
    change_role(current_user, user, Role(form.role.data))
    db.session.commit()
    flash(_("Papel de %(display_name)s alterado para %(label)s.", display_name=user.display_name, label=Role(form.role.data).label), "success")
    return redirect(url_for("admin.users", q=request.args.get("q")), 303)

