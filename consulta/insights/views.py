"""Analysis pages for the policy team: start runs, follow their progress, read and edit the clusters."""

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from consulta.authz import Permission, require
from consulta.extensions import db
from consulta.insights import bp, runs
from consulta.insights.forms import EditForm, RetryForm, StartRunForm
from consulta.insights.opinions import VOTE_LABELS, opinion_chart, opinion_groups
from consulta.models import AnalysisRun, Article, Consultation, RunScope, RunStatus
from consulta.web import invalid_form_status, is_htmx_partial

STANCE_LABELS = {"agree": _l("Concordo"), "partly": _l("Concordo em parte"), "disagree": _l("Discordo"),
                 "none": _l("Sem posição"), "unknown": _l("não informada")}
CHANNEL_LABELS = {"online": _l("Internet"), "workshop": _l("Oficina"), "document": _l("Documento"),
                  "unknown": _l("não informado")}


def _start_form(form: StartRunForm | None = None) -> tuple[StartRunForm, list[Consultation]]:
    form = form or StartRunForm()
    consultations = db.session.scalars(select(Consultation).order_by(Consultation.created_at.desc())).all()
    form.consultation.choices = [SelectChoice(c.id, c.title) for c in consultations]
    articles = db.session.execute(
        select(Article.id, Article.label, Consultation.title)
        .join(Consultation, Consultation.id == Article.consultation_id)
        .order_by(Consultation.created_at.desc(), Article.position)
    ).all()
    form.article.choices = [SelectChoice("", "—")] + [SelectChoice(a.id, f"{a.title} — {a.label}") for a in articles]
    return form, list(consultations)


def _index(form: StartRunForm | None = None, status: int = 200):
    form, consultations = _start_form(form)
    all_runs = db.session.scalars(
        select(AnalysisRun).options(joinedload(AnalysisRun.created_by), joinedload(AnalysisRun.article))
        .order_by(AnalysisRun.created_at.desc(), AnalysisRun.id.desc())
    ).all()
    by_consultation: dict[int, list[AnalysisRun]] = {}
    for run in all_runs:
        by_consultation.setdefault(run.consultation_id, []).append(run)
    return render_template("insights/index.html", form=form, consultations=consultations,
                           runs=by_consultation), status


@bp.route("/")
@require(Permission.ANALYZE)
def index():
    """Consultations with their runs, and the form to start one."""
    return _index()


@bp.route("/execucoes", methods=["POST"])
@require(Permission.ANALYZE)
def start_run():
    """Create a run and execute it in the background; the run page shows its progress."""
    form, _consultations = _start_form()
    if not form.validate_on_submit():
        return _index(form, invalid_form_status())
    consultation = db.get_or_404(Consultation, form.consultation.data)
    article = None
    if form.scope.data == RunScope.ARTICLE.value:
        article = db.session.get(Article, form.article.data) if form.article.data else None
        if article is None or article.consultation_id != consultation.id:
            form.article.errors.append(_("Este dispositivo não pertence à consulta escolhida."))
            return _index(form, invalid_form_status())
    run = runs.create_run(current_user, consultation, scope=form.scope.data, article=article,
                          k=form.k.data, seed=form.seed.data or 0)
    runs.enqueue_run(run)
    run_id = run.id  # read before the commit: touching the run after it would open a new transaction
    db.session.commit()  # the job is pushed to the queue after this commit
    return redirect(url_for("insights.run", run_id=run_id), 303)


@bp.route("/execucoes/<int:run_id>/tentar-novamente", methods=["POST"])
@require(Permission.ANALYZE)
def retry_run(run_id: int):
    """Queue a failed run again with the same parameters."""
    analysis_run = db.get_or_404(AnalysisRun, run_id)
    if not RetryForm().validate_on_submit():
        abort(400)
    if analysis_run.status is not RunStatus.FAILED:
        flash(_("Só é possível tentar novamente uma análise que falhou."), "error")
        return redirect(url_for("insights.run", run_id=run_id), 303)
    runs.retry_run(current_user, analysis_run)
    db.session.commit()
    flash(_("Análise colocada na fila novamente."), "success")
    return redirect(url_for("insights.run", run_id=run_id), 303)


def _run_page(run: AnalysisRun, *, edit_form: EditForm | None = None, edit_error: str | None = None,
              status: int = 200):
    view = runs.edited_view(run) if run.status is RunStatus.DONE else {}
    opinions = opinion_groups(run) if view else None
    return render_template(
        "insights/run.html", run=run, view=view, clusters=runs.clusters_by_id(view) if view else {},
        opinions=opinions, opinion_chart=opinion_chart(opinions), vote_labels=VOTE_LABELS,
        stage_label=runs.stage_label(run.stage), edit_form=edit_form or EditForm(), edit_error=edit_error,
        retry_form=RetryForm(), job=runs.job_of(run),
        submitted=request.form if edit_error else MultiDict(), stance_labels=STANCE_LABELS, channel_labels=CHANNEL_LABELS,
    ), status


@bp.route("/execucoes/<int:run_id>")
@require(Permission.ANALYZE)
def run(run_id: int):
    """A run: its progress while it works, then its themes, clusters and campaigns with edit forms."""
    return _run_page(db.get_or_404(AnalysisRun, run_id))


@bp.route("/execucoes/<int:run_id>/progresso")
@require(Permission.ANALYZE)
def progress(run_id: int):
    """The progress fragment polled by htmx; a finished run asks htmx to reload the whole page."""
    analysis_run = db.get_or_404(AnalysisRun, run_id)
    if not is_htmx_partial():
        return redirect(url_for("insights.run", run_id=run_id))
    response = make_response(render_template("insights/_progress.html", run=analysis_run, job=runs.job_of(analysis_run),
                                             stage_label=runs.stage_label(analysis_run.stage)))
    if analysis_run.is_finished:
        response.headers["HX-Refresh"] = "true"
    return response


@bp.route("/execucoes/<int:run_id>/edicoes", methods=["POST"])
@require(Permission.ANALYZE)
def edit(run_id: int):
    """Rename or merge clusters, or move a contribution to another cluster."""
    analysis_run = db.get_or_404(AnalysisRun, run_id)
    form = EditForm()
    if not form.validate_on_submit():
        return _run_page(analysis_run, edit_form=form, edit_error=_("Edição inválida: confira os campos."),
                         status=422)
    data = {"op": form.op.data, "cluster": form.cluster.data, "label": form.label.data,
            "clusters": request.form.getlist("clusters"), "into": form.into.data,
            "contribution": form.contribution.data, "to": form.to.data}
    try:
        runs.add_edit(current_user, analysis_run, data)
    except runs.EditError as error:
        db.session.rollback()
        return _run_page(analysis_run, edit_form=form, edit_error=str(error), status=422)
    db.session.commit()
    flash(_("Edição registrada."), "success")
    return redirect(url_for("insights.run", run_id=run_id) + "#grupos", 303)
