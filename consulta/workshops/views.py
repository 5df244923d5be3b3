"""Workshop routes: the public pages (by region, with the map, and each workshop's report) and the
facilitator's steps (register, attendance, quick input form, spreadsheet import)."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consulta import maps, municipalities
from consulta.authz import Permission, can_edit_workshop, can_view_consultation, require
from consulta.consultations.services import get_visible_or_404, public_consultations
from consulta.disclosure import suppress
from consulta.extensions import db
from consulta.geo import STATES, Region
from consulta.models import (
    Article,
    Audience,
    ContributionKind,
    Role,
    Stance,
    Workshop,
    WorkshopFormat,
    WorkshopStatus,
)
from consulta.participation import gate
from consulta.web import (
    anonymous_page_cache,
    attachment,
    form_status,
    invalid_form_status,
    is_htmx_partial,
    local_to_utc,
    safe_next,
    utc_to_local,
)
from consulta.workshops import bp, services, spreadsheets
from consulta.workshops.forms import (
    MAX_ROWS,
    AttendanceForm,
    AttendeeUploadForm,
    InputRowForm,
    QuickInputForm,
    StatusForm,
    WorkshopForm,
    article_choices,
    set_article_choices,
)

# The buttons offered for each status, as (target status, label).
STATUS_ACTIONS = {
    WorkshopStatus.PLANNED: [(WorkshopStatus.HELD, _l("Marcar como realizada"))],
    WorkshopStatus.HELD: [(WorkshopStatus.REPORTED, _l("Enviar relato"))],
    WorkshopStatus.REPORTED: [(WorkshopStatus.HELD, _l("Reabrir o relato para correções"))],
}


# -- loading and authorizing ---------------------------------------------------------------------------------



def _visible_workshop(workshop_id: int) -> Workshop:
    """The workshop, or 404 when it is missing or belongs to a draft this user may not see."""
    workshop = db.get_or_404(Workshop, workshop_id)
    if not can_view_consultation(current_user, workshop.consultation):
        abort(404)
    return workshop


def _editable_workshop(workshop_id: int) -> Workshop:
    """The workshop, or 403 unless this user is its facilitator or an administrator."""
    workshop = _visible_workshop(workshop_id)
    if not can_edit_workshop(current_user, workshop):
        abort(403)
    return workshop


def _workshop_url(workshop: Workshop) -> str:
    return url_for("workshops.workshop", workshop_id=workshop.id)


def _attach(form, error: services.WorkshopError, problems: list[str]) -> None:
    """Put a service error on the form field it names, or with the form's general problems."""
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        problems.append(str(error))


# -- template helper: the tile map's colour scale ------------------------------------------------------------

@dataclass(frozen=True)
class MapStep:
    """One class of the map's sequential scale: values from `low` to `high` get `step`."""

    step: int
    low: int
    high: int


@dataclass(frozen=True)
class MapScale:
    """Five classes of equal width from 1 to the largest value; zero has its own neutral class."""

    steps: tuple[MapStep, ...]

    def step_of(self, value: int | None) -> int:
        """The class (1–5) of `value`, or 0 for none."""
        if not value:
            return 0
        return next((s.step for s in self.steps if value <= s.high), self.steps[-1].step if self.steps else 0)


@bp.app_template_global()
def tile_map_scale(values: dict[str, int], steps: int = 5) -> MapScale:
    """The colour classes for a {uf: value} map (used by workshops/_map.html)."""
    top = max((v for v in values.values() if v), default=0)
    bounds: list[MapStep] = []
    low = 1
    for step in range(1, steps + 1):
        high = top * step // steps  # so the largest value always gets the darkest class
        if high >= low:
            bounds.append(MapStep(step, low, high))
            low = high + 1
    return MapScale(tuple(bounds))


@bp.app_template_global()
def brazil_states() -> dict[str, tuple[str, Region]]:
    """UF -> (name, region), for the map's labels."""
    return STATES


# -- public pages -------------------------------------------------------------------------------------------

@bp.route("/consultas/<slug>/oficinas")
@anonymous_page_cache
def consultation_workshops(slug: str):
    """Workshops of a consultation by region and state: counts, the map and the list."""
    consultation = get_visible_or_404(slug)
    summary = services.region_summary(consultation)
    workshops = db.session.scalars(
        select(Workshop).where(Workshop.consultation_id == consultation.id)
        .order_by(Workshop.starts_at, Workshop.id)
    ).all()
    by_region: dict[Region | None, list[Workshop]] = {}
    for workshop in workshops:
        by_region.setdefault(workshop.region, []).append(workshop)
    groups = [(region, by_region[region]) for region in [*Region, None] if region in by_region]
    dots, unplaced = maps.municipality_dots([(w.municipality_code, w.municipality_name, w.uf) for w in workshops])
    return render_template(
        "workshops/list.html", consultation=consultation, summary=summary, groups=groups,
        attendees_by_uf={state.uf: state.attendees for state in summary.states},
        workshop_dots=dots, unplaced_municipalities=unplaced,
    )


@bp.route("/oficinas/<int:workshop_id>")
@anonymous_page_cache
def workshop(workshop_id: int):
    """A workshop's public report: details, attendance by sector and the input logged per article."""
    workshop = _visible_workshop(workshop_id)
    editable = can_edit_workshop(current_user, workshop)
    inputs = services.workshop_inputs(workshop)
    return render_template(
        "workshops/workshop.html", workshop=workshop, inputs=inputs,
        input_count=sum(len(contributions) for _, contributions in inputs), editable=editable, status_actions=STATUS_ACTIONS[workshop.status] if editable else [],
        # The facilitator sees exact counts; the public sees sectors of 1–4 people as "<5".
        attendance_rows=[(a.sector, a.count if editable else suppress(a.count)) for a in workshop.attendance],
    )


@bp.route("/municipios/<uf>")
@bp.route("/municipios", defaults={"uf": None})
def municipality_options(uf: str | None):
    """The <option>s of a state's municipalities, for the municipality field's <datalist>.

    htmx sends the chosen state as ?uf=XX (the select's own value); /municipios/XX is the same list.
    """
    uf = (uf or request.args.get("uf") or "").upper()
    if uf and uf not in STATES:
        abort(404)
    response = Response(render_template("workshops/_municipality_options.html",
                                        options=municipalities.of_state(uf) if uf else []))
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


# -- the facilitator's pages --------------------------------------------------------------------------------

@bp.route("/oficinas/minhas")
@require(Permission.FACILITATE)
def mine():
    """The workshops this facilitator registered (administrators see every workshop)."""
    stmt = select(Workshop).options(selectinload(Workshop.consultation)).order_by(Workshop.starts_at.desc())
    if current_user.role is not Role.ADMIN:
        stmt = stmt.where(Workshop.facilitator_id == current_user.id)
    return render_template("workshops/mine.html", workshops=db.session.scalars(stmt).all(),
                           consultations=[c for c in public_consultations() if c.is_open],
                           status_actions=STATUS_ACTIONS)


@bp.route("/consultas/<slug>/oficinas/nova", methods=["GET", "POST"])
@require(Permission.FACILITATE)
def new(slug: str):
    """Register a workshop of a consultation."""
    consultation = get_visible_or_404(slug)
    form = WorkshopForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            workshop = services.create_workshop(current_user, consultation, **_workshop_fields(form))
        except services.WorkshopError as error:
            db.session.rollback()
            _attach(form, error, problems)
        else:
            db.session.commit()
            flash(_("Oficina registrada. Depois do evento, registre a presença e o que foi dito."), "success")
            return redirect(_workshop_url(workshop), 303)
    return render_template("workshops/form.html", form=form, consultation=consultation, workshop=None,
                           problems=problems, options=_municipality_choices(form)), form_status()


@bp.route("/oficinas/<int:workshop_id>/editar", methods=["GET", "POST"])
@require(Permission.FACILITATE)
def edit(workshop_id: int):
    """Change a workshop's details (changes after the report was sent are logged)."""
    workshop = _editable_workshop(workshop_id)
    form = WorkshopForm(obj=workshop)
    if request.method == "GET":
        form.format.data = workshop.format.value
        form.audience.data = workshop.audience.value
        form.uf.data = workshop.uf or ""
        form.municipality.data = workshop.municipality_name or ""
        form.starts_at.data = utc_to_local(workshop.starts_at)
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            services.update_workshop(current_user, workshop, **_workshop_fields(form))
        except services.WorkshopError as error:
            db.session.rollback()
            _attach(form, error, problems)
        else:
            db.session.commit()
            flash(_("Dados da oficina salvos."), "success")
            return redirect(_workshop_url(workshop), 303)
    return render_template("workshops/form.html", form=form, consultation=workshop.consultation, workshop=workshop,
                           problems=problems, options=_municipality_choices(form)), form_status()


def _workshop_fields(form: WorkshopForm) -> dict:
    return {
        "title": form.title.data.strip(),
        "format": WorkshopFormat(form.format.data),
        "starts_at": local_to_utc(form.starts_at.data),
        "uf": form.uf.data or None,
        "municipality": (form.municipality.data or "").strip() or None,
        "venue": (form.venue.data or "").strip(),
        "audience": Audience(form.audience.data),
        "summary": (form.summary.data or "").strip(),
    }


def _municipality_choices(form: WorkshopForm) -> list[municipalities.Municipality]:
    """The chosen state's municipalities, so the <datalist> works on a re-rendered form even without htmx."""
    return municipalities.of_state(form.uf.data) if form.uf.data in STATES else []


@bp.route("/oficinas/<int:workshop_id>/situacao", methods=["POST"])
@require(Permission.FACILITATE)
def set_status(workshop_id: int):
    """Move the workshop along planned -> held -> reported (or reopen a sent report)."""
    workshop = _editable_workshop(workshop_id)
    form = StatusForm()
    target = safe_next(form.next.data, _workshop_url(workshop))
    if not form.validate_on_submit():
        flash(_("Escolha a nova situação da oficina."), "error")
        return redirect(target, 303)
    try:
        services.set_status(current_user, workshop, WorkshopStatus(form.status.data))
    except services.WorkshopError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Situação da oficina: %(label)s.", label=workshop.status.label), "success")
    return redirect(target, 303)


# -- attendance ---------------------------------------------------------------------------------------------

def _attendance_page(workshop: Workshop, form: AttendanceForm, upload_form: AttendeeUploadForm, *,
                     problems: Iterable[str] = (), report=None, status: int = 200):
    return render_template(
        "workshops/attendance.html", workshop=workshop, form=form, upload_form=upload_form,
        problems=list(problems), report=report,
    ), status


def _saved_attendance(workshop: Workshop) -> AttendanceForm:
    """The attendance form showing what is saved."""
    form = AttendanceForm(formdata=None)
    form.total.data = workshop.attendance_total
    counts = {a.sector: a.count for a in workshop.attendance}
    for sector, field in form.sector_fields():
        field.data = counts.get(sector)
    return form


@bp.route("/oficinas/<int:workshop_id>/presenca", methods=["GET", "POST"])
@require(Permission.FACILITATE)
def attendance(workshop_id: int):
    """Attendance: the total and the count per sector."""
    workshop = _editable_workshop(workshop_id)
    form = AttendanceForm() if request.method == "POST" else _saved_attendance(workshop)
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            services.set_attendance(current_user, workshop, form.total.data, form.by_sector())
        except services.WorkshopError as error:
            db.session.rollback()
            _attach(form, error, problems)
        else:
            db.session.commit()
            flash(_("Presença registrada."), "success")
            return redirect(_workshop_url(workshop), 303)
    return _attendance_page(workshop, form, AttendeeUploadForm(formdata=None), problems=problems,
                            status=form_status())


@bp.route("/oficinas/<int:workshop_id>/presenca/modelo.csv")
@require(Permission.FACILITATE)
def attendee_template(workshop_id: int):
    """The attendance-list template (CSV)."""
    workshop = _editable_workshop(workshop_id)
    return attachment(spreadsheets.attendee_template_csv(), "csv", f"lista-de-presenca-oficina-{workshop.id}.csv")


# -- input: the quick form ----------------------------------------------------------------------------------

def _report_page(workshop: Workshop, form: QuickInputForm, *, problems: Iterable[str] = (), focus_row: int | None = None,
                 status: int = 200):
    return render_template(
        "workshops/report_form.html", workshop=workshop, form=form, problems=list(problems),
        focus_row=focus_row, max_rows=MAX_ROWS,
    ), status


@bp.route("/oficinas/<int:workshop_id>/relato", methods=["GET", "POST"])
@require(Permission.FACILITATE)
def report(workshop_id: int):
    """Log what the room said, several articles at once; "Adicionar linha" works with and without htmx."""
    workshop = _editable_workshop(workshop_id)
    choices = article_choices(workshop.consultation)
    form = QuickInputForm().with_articles(choices)
    if request.method == "GET":
        return _report_page(workshop, form.fresh_key())
    if request.form.get("acao") == "adicionar":
        if len(form.rows) >= MAX_ROWS:
            return _report_page(workshop, form, problems=[_max_rows_message()])
        entry = form.rows.append_entry()
        set_article_choices(entry.form, choices)
        return _report_page(workshop, form, focus_row=len(form.rows))

    problems: list[str] = []
    decision = gate.decide(current_user, workshop.consultation, gate.Action.WORKSHOP_INPUT, workshop=workshop)
    if not decision:
        return _report_page(workshop, form, problems=[decision.reason], status=200 if is_htmx_partial() else 403)
    if form.validate_on_submit():
        filled = form.filled_rows()
        if not filled:
            problems.append(_("Preencha pelo menos uma linha: o dispositivo e o que foi dito."))
        else:
            saved = _save_rows(workshop, form, filled)
            if saved is not None:
                db.session.commit()
                created, repeated = saved
                message = ngettext("%(num)d contribuição registrada", "%(num)d contribuições registradas", created)
                if repeated:
                    message += _(" (%(n)s já tinham sido enviadas)", n=repeated)
                flash(message + ".", "success")
                return redirect(_workshop_url(workshop) + "#contribuicoes", 303)
    return _report_page(workshop, form, problems=problems, status=invalid_form_status())


def _save_rows(workshop: Workshop, form: QuickInputForm, filled) -> tuple[int, int] | None:
    """Add every filled row; on a service error, roll back, put it on its row and return None."""
    created = repeated = 0
    for number, row in filled:
        try:
            _, was_created = services.add_input(
                current_user, workshop,
                article=db.session.get(Article, int(row.article.data)),
                kind=ContributionKind(row.kind.data), stance=Stance(row.stance.data),
                body=row.body.data.strip(), head_count=row.head_count.data,
                group_label=(row.group_label.data or "").strip() or None,
                import_key=_row_key(form.submission_key.data, number, row),
            )
        except services.WorkshopError as error:
            db.session.rollback()
            field = row._fields.get(error.field) if error.field else None
            field = field if field is not None else row.body
            field.errors = [*field.errors, str(error)]
            return None
        created += was_created
        repeated += not was_created
    return created, repeated


def _row_key(submission_key: str | None, number: int, row: InputRowForm) -> str | None:
    """A key per submitted row, so sending the same form twice (double click, reload) saves it once."""
    if not submission_key:
        return None
    parts = [submission_key, str(number), row.article.data, row.kind.data, row.stance.data, row.body.data.strip(),
             str(row.head_count.data), (row.group_label.data or "").strip()]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _max_rows_message() -> str:
    return _("O formulário aceita até %(n)s linhas. Salve estas e continue, ou importe uma planilha.", n=MAX_ROWS)


@bp.route("/oficinas/<int:workshop_id>/relato/linha")
@require(Permission.FACILITATE)
def report_row(workshop_id: int):
    """One more empty row for the quick form (htmx); other requests go to the form itself."""
    workshop = _editable_workshop(workshop_id)
    if not is_htmx_partial():
        return redirect(url_for("workshops.report", workshop_id=workshop.id))
    index = request.args.get("n", type=int)
    if index is None or index < 0:
        abort(400)
    if index >= MAX_ROWS:
        return render_template("workshops/_add_row.html", workshop=workshop, next_index=index, oob=True,
                               message=_max_rows_message())
    row = InputRowForm(formdata=None, prefix=f"rows-{index}")
    set_article_choices(row, article_choices(workshop.consultation))
    return render_template("workshops/_input_row.html", workshop=workshop, row=row, number=index + 1, focus=True,
                           next_index=index + 1, oob=True)


# -- input: spreadsheets ------------------------------------------------------------------------------------

@bp.route("/oficinas/<int:workshop_id>/relato/modelo.<any(csv, xlsx):extension>")
@require(Permission.FACILITATE)
def input_template(workshop_id: int, extension: str):
    """The input spreadsheet template, listing the consultation's articles."""
    workshop = _editable_workshop(workshop_id)
    name = f"contribuicoes-oficina-{workshop.id}.{extension}"
    if extension == "xlsx":
        return attachment(spreadsheets.input_template_xlsx(workshop.consultation), "xlsx", name)
    return attachment(spreadsheets.input_template_csv(workshop.consultation), "csv", name)
