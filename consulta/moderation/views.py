"""Moderators' workspace: the queue of reported contributions, hide/restore, account blocks, the audit log.

Every route requires Permission.MODERATE. Pages load a constant number of queries whatever their length:
rows come with their author, consultation and article joined, and report reasons are counted for the whole
page in one grouped query.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from consulta.authz import Permission, require
from consulta.extensions import db
from consulta.inputs import page_number
from consulta.models import (
    AuditLog,
    Consultation,
    Contribution,
    Report,
    ReportReason,
    Role,
    User,
    Visibility,
    utcnow,
)
from consulta.moderation import bp
from consulta.moderation.audit_labels import action_label, describe_details, object_label
from consulta.moderation.forms import BlockForm, DismissForm, HideForm, RestoreForm, UnblockForm
from consulta.participation import services
from consulta.participation.trust import report_weight
from consulta.web import invalid_form_status, safe_next

QUEUE_PER_PAGE = 30
LOG_PER_PAGE = 50
NOTES_PER_CONTRIBUTION = 5

TABS = {
    "pendentes": _l("Aguardando análise"),
    "ocultadas": _l("Ocultadas"),
    "denunciadas": _l("Todas denunciadas"),
    "bloqueadas": _l("Contas bloqueadas"),
}
DEFAULT_TAB = "pendentes"

LOG_FILTERS = {
    "contribuicoes": ("contribution.", _l("Contribuições")),
    "contas": ("user.", _l("Contas")),
    "consultas": ("consultation.", _l("Consultas")),
    "oficinas": ("workshop.", _l("Oficinas")),
    "versoes": ("version.", _l("Versões do texto")),
    "analises": ("analysis.", _l("Análises")),
}

# -- reading ----------------------------------------------------------------------------------------------

def _has_open_reports():
    return (
        select(Report.id)
        .where(Report.contribution_id == Contribution.id, Report.resolved_at.is_(None))
        .exists()
    )


def _tab_condition(tab: str):
    if tab == "ocultadas":
        return Contribution.visibility == Visibility.HIDDEN
    if tab == "denunciadas":
        return Contribution.report_count > 0
    return or_(
        Contribution.visibility == Visibility.PENDING,
        and_(Contribution.visibility == Visibility.VISIBLE, _has_open_reports()),
    )


def queue_query(tab: str) -> Select:
    """Contributions of a tab: pending review first, then by report count, oldest first (newest for hidden)."""
    stmt = select(Contribution).where(_tab_condition(tab)).options(
        joinedload(Contribution.author), joinedload(Contribution.consultation), joinedload(Contribution.article),
        joinedload(Contribution.section),
    )
    if tab == "ocultadas":
        return stmt.order_by(Contribution.created_at.desc(), Contribution.id.desc())
    pending_first = case((Contribution.visibility == Visibility.PENDING, 0), else_=1)
    return stmt.order_by(pending_first, Contribution.report_count.desc(), Contribution.created_at,
                         Contribution.id)


def _blocked_accounts_query() -> Select:
    return (
        select(User).where(User.blocked_at.is_not(None), User.deleted_at.is_(None))
        .order_by(User.blocked_at.desc(), User.id.desc())
    )


def tab_counts() -> dict[str, int]:
    """How many rows each tab holds (one query)."""

    def count(model: Any, condition: Any) -> Any:
        return select(func.count()).select_from(model).where(condition).scalar_subquery()

    row = db.session.execute(select(
        *(count(Contribution, _tab_condition(tab)).label(tab) for tab in ("pendentes", "ocultadas", "denunciadas")),
        count(User, and_(User.blocked_at.is_not(None), User.deleted_at.is_(None))).label("bloqueadas"),
    )).one()
    return dict(row._mapping)


@dataclass
class ReportSummary:
    """The reports of one contribution: counts by reason, how many are still open, recent notes."""

    reasons: list[tuple[ReportReason, int]] = field(default_factory=list)
    total: int = 0
    open: int = 0
    notes: list[str] = field(default_factory=list)
    reporters: list[tuple[User | None, float]] = field(default_factory=list)  # open reports: who, and the weight


def report_summaries(contributions: Sequence[Contribution]) -> dict[int, ReportSummary]:
    """Report counts by reason (one grouped query) and the open reports' notes (one query) for these rows."""
    ids = [c.id for c in contributions]
    summaries = {cid: ReportSummary() for cid in ids}
    if not ids:
        return summaries
    grouped = db.session.execute(
        select(Report.contribution_id, Report.reason, func.count(), func.count(Report.resolved_at))
        .where(Report.contribution_id.in_(ids))
        .group_by(Report.contribution_id, Report.reason)
        .order_by(Report.contribution_id, func.count().desc(), Report.reason)
    )
    for contribution_id, reason, total, resolved in grouped:
        summary = summaries[contribution_id]
        summary.reasons.append((reason, total))
        summary.total += total
        summary.open += total - resolved
    notes = db.session.execute(
        select(Report.contribution_id, Report.note)
        .where(Report.contribution_id.in_(ids), Report.note.is_not(None), Report.resolved_at.is_(None))
        .order_by(Report.created_at.desc(), Report.id.desc())
    )
    for contribution_id, note in notes:
        kept = summaries[contribution_id].notes
        if len(kept) < NOTES_PER_CONTRIBUTION:
            kept.append(note)
    reporters = db.session.execute(
        select(Report.contribution_id, User).outerjoin(User, User.id == Report.user_id)
        .where(Report.contribution_id.in_(ids), Report.resolved_at.is_(None))
        .order_by(Report.created_at, Report.id)
    )
    now = utcnow()
    for contribution_id, reporter in reporters:
        summaries[contribution_id].reporters.append((reporter, report_weight(reporter, now)))
    return summaries


def _page_arg() -> int:
    return page_number(request.args)


@bp.route("/")
@require(Permission.MODERATE)
def queue():
    """The moderation queue, by tab: awaiting review, hidden, every reported contribution, blocked accounts."""
    tab = request.args.get("aba", DEFAULT_TAB)
    if tab not in TABS:
        tab = DEFAULT_TAB
    page = _page_arg()
    if tab == "bloqueadas":
        pagination = db.paginate(_blocked_accounts_query(), page=page, per_page=QUEUE_PER_PAGE, error_out=False)
        reports: dict[int, ReportSummary] = {}
    else:
        pagination = db.paginate(queue_query(tab), page=page, per_page=QUEUE_PER_PAGE, error_out=False)
        reports = report_summaries(pagination.items)
    return render_template(
        "moderation/queue.html", tab=tab, tabs=TABS, counts=tab_counts(), pagination=pagination, reports=reports,
        hide_form=HideForm(), restore_form=RestoreForm(), dismiss_form=DismissForm(), block_form=BlockForm(), unblock_form=UnblockForm(),
        may_moderate_account=lambda account: may_moderate_account(current_user, account),
    )


# -- contributions ----------------------------------------------------------------------------------------

def _back(form: Any) -> str:
    return safe_next(form.next.data, url_for("moderation.queue"))


def _contribution_form_page(contribution: Contribution, form: HideForm | RestoreForm | DismissForm, action: str):
    """The one contribution with the form that failed validation, keeping what was typed."""
    return render_template(
        "moderation/contribution_action.html", contribution=contribution, form=form, action=action,
        report=report_summaries([contribution])[contribution.id], back=_back(form),
    ), invalid_form_status()


@bp.route("/contribuicoes/<int:contribution_id>/ocultar", methods=["POST"])
@require(Permission.MODERATE)
def hide(contribution_id: int):
    """Hide a contribution with a reason shown publicly in place of its text."""
    contribution = db.get_or_404(Contribution, contribution_id)
    form = HideForm()
    if not form.validate_on_submit():
        return _contribution_form_page(contribution, form, "ocultar")
    try:
        services.hide(current_user, contribution, form.reason.data)
    except services.ParticipationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Contribuição ocultada. O motivo aparece publicamente no lugar do texto."), "success")
    return redirect(_back(form), 303)


@bp.route("/contribuicoes/<int:contribution_id>/restaurar", methods=["POST"])
@require(Permission.MODERATE)
def restore(contribution_id: int):
    """Make a hidden or pending contribution public again."""
    contribution = db.get_or_404(Contribution, contribution_id)
    form = RestoreForm()
    if not form.validate_on_submit():
        return _contribution_form_page(contribution, form, "restaurar")
    try:
        services.restore(current_user, contribution, form.note.data)
    except services.ParticipationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Contribuição restaurada: o texto voltou a ser público."), "success")
    return redirect(_back(form), 303)


@bp.route("/contribuicoes/<int:contribution_id>/descartar-denuncias", methods=["POST"])
@require(Permission.MODERATE)
def dismiss(contribution_id: int):
    """Dismiss the open reports: the contribution stays (or becomes again) public and nobody is blocked."""
    contribution = db.get_or_404(Contribution, contribution_id)
    form = DismissForm()
    if not form.validate_on_submit():
        return _contribution_form_page(contribution, form, "descartar")
    try:
        services.dismiss_reports(current_user, contribution, form.note.data)
    except services.ParticipationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Denúncias descartadas: a contribuição continua pública."), "success")
    return redirect(_back(form), 303)


# -- accounts ---------------------------------------------------------------------------------------------

def may_moderate_account(actor: User, account: User) -> bool:
    """Moderators may block and unblock anyone but administrators; administrators anyone."""
    return account.role is not Role.ADMIN or actor.role is Role.ADMIN


def _account_or_404(user_id: int) -> User:
    account = db.get_or_404(User, user_id)
    if account.deleted_at is not None:
        abort(404)
    return account


def _account_form_page(account: User, form: BlockForm | UnblockForm, action: str):
    return render_template(
        "moderation/account_action.html", account=account, form=form, action=action, back=_back(form),
    ), invalid_form_status()


@bp.route("/contas/<int:user_id>/bloquear", methods=["POST"])
@require(Permission.MODERATE)
def block(user_id: int):
    """Block an account: it can no longer log in, post or vote."""
    account = _account_or_404(user_id)
    form = BlockForm()
    if not may_moderate_account(current_user, account):
        flash(_("Moderadores não podem bloquear contas de administradores."), "error")
        return redirect(_back(form), 303)
    if not form.validate_on_submit():
        return _account_form_page(account, form, "bloquear")
    if account.blocked_at is not None:
        flash(_("A conta de %(display_name)s já estava bloqueada.", display_name=account.display_name), "info")
        return redirect(_back(form), 303)
    try:
        services.block_account(current_user, account, form.reason.data)
    except services.ParticipationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Conta de %(display_name)s bloqueada.", display_name=account.display_name), "success")
    return redirect(_back(form), 303)


@bp.route("/contas/<int:user_id>/desbloquear", methods=["POST"])
@require(Permission.MODERATE)
def unblock(user_id: int):
    """Lift an account's block."""
    account = _account_or_404(user_id)
    form = UnblockForm()
    if not may_moderate_account(current_user, account):
        flash(_("Moderadores não podem desbloquear contas de administradores."), "error")
        return redirect(_back(form), 303)
    if not form.validate_on_submit():
        return _account_form_page(account, form, "desbloquear")
    if account.blocked_at is None:
        flash(_("A conta de %(display_name)s não está bloqueada.", display_name=account.display_name), "info")
        return redirect(_back(form), 303)
    services.unblock_account(current_user, account, form.note.data)
    db.session.commit()
    flash(_("Conta de %(display_name)s desbloqueada.", display_name=account.display_name), "success")
    return redirect(_back(form), 303)


# -- audit log --------------------------------------------------------------------------------------------

def _object_labels(entries: Sequence[AuditLog]) -> dict[tuple[str, int], str]:
    """Names of the accounts and consultations the entries refer to (one query per kind, not per row)."""
    labels: dict[tuple[str, int], str] = {}
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.object_id is not None:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
    if ids := wanted.get("User"):
        for uid, name, deleted_at in db.session.execute(
            select(User.id, User.display_name, User.deleted_at).where(User.id.in_(ids))
        ):
            labels["User", uid] = _("Conta removida") if deleted_at else _("Conta: %(name)s", name=name)
    if ids := wanted.get("Consultation"):
        for cid, title in db.session.execute(select(Consultation.id, Consultation.title).where(Consultation.id.in_(ids))):
            labels["Consultation", cid] = _("Consulta: %(title)s", title=title)
    return labels


@bp.route("/registro")
@require(Permission.MODERATE)
def log():
    """The audit log, newest first, filtered by kind of object."""
    kind = request.args.get("tipo", "")
    if kind not in LOG_FILTERS:
        kind = ""
    stmt = select(AuditLog).options(joinedload(AuditLog.actor)).order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
    if kind:
        stmt = stmt.where(AuditLog.action.startswith(LOG_FILTERS[kind][0], autoescape=True))
    pagination = db.paginate(stmt, page=_page_arg(), per_page=LOG_PER_PAGE, error_out=False)
    return render_template(
        "moderation/log.html", pagination=pagination, kind=kind, filters=LOG_FILTERS,
        action_label=action_label, object_label=object_label, objects=_object_labels(pagination.items),
        describe_details=describe_details,
    )
