"""Participation routes. Each answers htmx with a fragment and everyone else with a redirect or full page."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from consulta.auth.forms import ActionForm
from consulta.authz import can_view_consultation
from consulta.db_utils import commit_keeping_loaded, end_write, late_write_lock
from consulta.errors import render_error
from consulta.extensions import db, limiter
from consulta.i18n import gettext as _
from consulta.models import Article, Contribution, ContributionKind, ReportReason, Section, Stance, VoteValue
from consulta.participation import bp, services, votes
from consulta.participation.forms import (
    ContributionForm,
    EditForm,
    NewArticleForm,
    ReplyForm,
    ReportForm,
    SupportForm,
)
from consulta.participation.gate import Action, WriteRefused, decide
from consulta.participation.page import article_context, filter_from_args, section_context, thread_context
from consulta.participation.vote_panel import render as vote_panel_html
from consulta.web import attach_error, is_htmx_partial, keep_request_csrf_token, passes_through_url_for


def _failure_status(error: services.ParticipationError | None) -> int:
    """A refused or invalid form: 200 for htmx (it swaps only 2xx), else 403 for the gate, 422 for input."""
    if is_htmx_partial():
        return 200
    return 403 if isinstance(error, WriteRefused) else 422


def _account_key() -> str:
    return f"account:{current_user.get_id()}" if current_user.is_authenticated else "anonymous"


def _write_limits(view):
    """Per-account and per-IP limits on writing routes (429 with a Portuguese page)."""
    view = limiter.limit(lambda: current_app.config["RATELIMIT_WRITE"], key_func=_account_key)(view)
    return limiter.limit(lambda: current_app.config["RATELIMIT_WRITE_IP"])(view)


def _vote_limits(view):
    view = limiter.limit(lambda: current_app.config["RATELIMIT_VOTE"], key_func=_account_key)(view)
    return limiter.limit(lambda: current_app.config["RATELIMIT_VOTE_IP"])(view)


def _article(slug: str, article_id: int) -> Article:
    article = db.get_or_404(Article, article_id)
    if article.consultation.slug != slug or not can_view_consultation(current_user, article.consultation):
        abort(404)
    return article


def _contribution(contribution_id: int) -> Contribution:
    contribution = db.get_or_404(Contribution, contribution_id)
    if not can_view_consultation(current_user, contribution.consultation):
        abort(404)
    return contribution


def _article_url(article: Article, anchor: str | None = None) -> str:
    return url_for("consultations.article", slug=article.consultation.slug, article_id=article.id,
                   _anchor=anchor)


def _contribution_url(contribution: Contribution) -> str:
    if contribution.article is None:
        return url_for("consultations.section", slug=contribution.consultation.slug,
                       section_id=contribution.section_id, _anchor=f"contribuicao-{contribution.id}")
    return _article_url(contribution.article, f"contribuicao-{contribution.id}")


def _render_article(article: Article, status: int, **forms):
    context = article_context(article, filter_from_args(request.args), **forms)
    return render_template("consultations/article.html", **context), status


@bp.route("/consultas/<slug>/artigos/<int:article_id>/contribuicoes", methods=["GET"])
def contribution_page(slug: str, article_id: int):
    """A page of contributions: the "carregar mais" fragment for htmx, else the article page."""
    article = _article(slug, article_id)
    if not is_htmx_partial():
        query = {name: value for name, value in request.args.items()
                 if passes_through_url_for(name, ("slug", "article_id"))}
        return redirect(url_for("consultations.article", slug=slug, article_id=article_id, **query))
    context = article_context(article, filter_from_args(request.args))
    if "contribution_list_html" in context:  # the shared list, personalised (participation.fragments)
        return context["contribution_list_html"]
    return render_template("participation/_contribution_page.html", **context)


@bp.route("/consultas/<slug>/artigos/<int:article_id>/contribuicoes", methods=["POST"])
@login_required
@_write_limits
def contribute(slug: str, article_id: int):
    """Post a contribution on an article."""
    article = _article(slug, article_id)
    form = ContributionForm()
    failure = None
    if form.validate_on_submit():
        try:
            contribution, created = services.contribute(
                current_user, article=article, kind=ContributionKind(form.kind.data), stance=Stance(form.stance.data),
                body=form.body.data, proposed_text=form.proposed_text.data, submission_key=form.submission_key.data,
                part=form.part.data or "",
            )
        except services.ParticipationError as error:
            failure = error
            attach_error(form, error)
        else:
            db.session.commit()
            message = _("Contribuição publicada.") if created else _("Esta contribuição já tinha sido enviada.")
            if is_htmx_partial():
                context = article_context(article, filter_from_args({}),
                                          contribution_form=ContributionForm(formdata=None).fresh_key())
                return render_template("participation/_contributed.html", contribution=contribution,
                                       message=message, created=created, **context)
            flash(message, "success")
            return redirect(_contribution_url(contribution), 303)
    if is_htmx_partial():
        context = article_context(article, filter_from_args({}), contribution_form=form)
        return render_template("participation/_contribute_form.html", **context), 200
    return _render_article(article, _failure_status(failure), contribution_form=form)


@bp.route("/consultas/<slug>/secoes/<int:section_id>/propostas", methods=["POST"])
@login_required
@_write_limits
def propose_article(slug: str, section_id: int):
    """Propose a new article in a section."""
    section = db.get_or_404(Section, section_id)
    if section.consultation.slug != slug or not can_view_consultation(current_user, section.consultation):
        abort(404)
    form = NewArticleForm()
    failure = None
    if form.validate_on_submit():
        try:
            contribution, created = services.contribute(
                current_user, section=section, kind=ContributionKind.NEW_ARTICLE, stance=Stance.NONE,
                body=form.body.data, proposed_text=form.proposed_text.data, submission_key=form.submission_key.data,
            )
        except services.ParticipationError as error:
            failure = error
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Proposta publicada.") if created else _("Esta proposta já tinha sido enviada."), "success")
            return redirect(_contribution_url(contribution), 303)
    context = section_context(section, filter_from_args({}), proposal_form=form)
    return render_template("consultations/section.html", **context), _failure_status(failure)


@bp.route("/contribuicoes/<int:contribution_id>/respostas", methods=["POST"])
@login_required
@_write_limits
def reply(contribution_id: int):
    """Answer a contribution."""
    parent = _contribution(contribution_id)
    form = ReplyForm(prefix=f"r{contribution_id}")
    failure = None
    if form.validate_on_submit():
        try:
            answer, created = services.reply(current_user, parent, form.body.data, form.submission_key.data)
        except services.ParticipationError as error:
            failure = error
            form.body.errors.append(str(error))
        else:
            db.session.commit()
            message = _("Resposta publicada.") if created else _("Esta resposta já tinha sido enviada.")
            if is_htmx_partial():
                return _contribution_fragment(db.session.get(Contribution, answer.parent_id), message,
                                              focus_id=f"contribuicao-{answer.id}")
            flash(message, "success")
            return redirect(_contribution_url(answer), 303)
    if is_htmx_partial():
        return _contribution_fragment(parent, None, reply_form=form)
    if parent.article is None:
        context = section_context(parent.section, filter_from_args({}))
        context.update(thread_context(parent.consultation, reply_forms={parent.id: form}))
        return render_template("consultations/section.html", **context), _failure_status(failure)
    return _render_article(parent.article, _failure_status(failure), reply_forms={parent.id: form})


def _contribution_fragment(contribution: Contribution, message: str | None, focus_id: str | None = None, **forms):
    """One contribution (with its replies) as a fragment, plus the live-region message.

    Focus goes to `focus_id` (the button just pressed, the new reply) or else to the visible message.
    """
    parent = contribution if contribution.parent_id is None else contribution.parent
    replies = services.replies_for([parent])
    supported = services.supported_ids(current_user if current_user.is_authenticated else None,
                                       [parent, *replies.get(parent.id, [])])
    context = thread_context(parent.consultation, **forms)
    context.update(c=parent, replies=replies, supported=supported, message=message, focus_id=focus_id,
                   message_for=parent.id)
    return render_template("participation/_contribution_swap.html", **context)


@bp.route("/contribuicoes/<int:contribution_id>/apoio", methods=["POST"])
@login_required
@_vote_limits
def support(contribution_id: int):
    """Support a contribution, or take the support back."""
    contribution = _contribution(contribution_id)
    form = SupportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        now = services.set_support(current_user, contribution, form.support.data == "1")
    except services.ParticipationError as error:
        if is_htmx_partial():
            return _contribution_fragment(contribution, str(error))
        if isinstance(error, WriteRefused):
            return render_error(403, str(error))
        flash(str(error), "error")
        return redirect(_contribution_url(contribution), 303)
    db.session.commit()
    message = _("Você apoiou esta contribuição.") if now else _("Você retirou o seu apoio.")
    if is_htmx_partial():
        return _contribution_fragment(contribution, message, focus_id=f"apoio-{contribution.id}")
    flash(message, "success")
    return redirect(_contribution_url(contribution), 303)


@bp.route("/consultas/<slug>/artigos/<int:article_id>/voto", methods=["POST"])
@late_write_lock
@login_required
@_vote_limits
def vote(slug: str, article_id: int):
    """Vote on a recommendation, change the vote, or remove it.

    Core statements end to end (consulta.participation.votes): one read (tallies, the consultation's gate
    columns, the stored vote), one write. current_user is a SessionAccount here
    (consulta.auth.sessions.LIGHT_ENDPOINTS): the sign-in is checked as on every route, without the ORM user.
    """
    article = votes.load_target(article_id, current_user.id)
    if article is None or article.consultation.slug != slug or not can_view_consultation(
        current_user, article.consultation
    ):
        abort(404)
    # One enum field: read it directly (CSRFProtect has already checked the token for every POST).
    raw = request.form.get("value", "")
    if raw and raw not in VoteValue._value2member_map_:
        return _vote_answer(article, _("Escolha uma opção de voto."), 422, article.my_vote)
    value = VoteValue(raw) if raw else None
    try:
        result, tallies = votes.record_vote(current_user, article, value)  # takes SQLite's lock if it writes
    except services.ParticipationError as error:
        db.session.rollback()
        end_write()
        return _vote_answer(article, str(error), error.status, votes.vote_of(current_user.id, article.id))
    commit_keeping_loaded()
    end_write()
    message = _("Seu voto foi registrado: %(vote)s.", vote=result.label) if result else _("Seu voto foi removido.")
    return _vote_answer(article.with_tallies(tallies), message, 200, result)


def _vote_answer(article: votes.VoteTarget, message: str, status: int, my_vote: VoteValue | None):
    if is_htmx_partial():
        # Only the vote panel: the tallies as just written, the reader's vote and the form.
        keep_request_csrf_token()
        return vote_panel_html(article, article.consultation, my_vote=my_vote, message=message, message_ok=status == 200,
                               focus=True, can_take_part=decide(current_user, article.consultation, Action.VOTE)), 200
    if status == 403:
        return render_error(403, message)
    flash(message, "success" if status == 200 else "error")
    return redirect(_article_url(article, "votacao"), 303)


@bp.route("/contribuicoes/<int:contribution_id>/denuncia", methods=["POST"])
@login_required
@_write_limits
def report(contribution_id: int):
    """Report a contribution to the moderators."""
    contribution = _contribution(contribution_id)
    form = ReportForm(prefix=f"d{contribution_id}")
    if form.validate_on_submit():
        try:
            created = services.report(current_user, contribution, ReportReason(form.reason.data), form.note.data)
        except services.ParticipationError as error:
            if isinstance(error, WriteRefused) and not is_htmx_partial():
                return render_error(403, str(error))
            message = str(error)
        else:
            db.session.commit()
            message = (_("Denúncia recebida. A moderação vai analisar.") if created
                       else _("Você já tinha denunciado esta contribuição."))
    else:
        message = _("Escolha o motivo da denúncia.")
    if is_htmx_partial():
        return _contribution_fragment(contribution, message)
    flash(message, "info")
    return redirect(_contribution_url(contribution), 303)


@bp.route("/contribuicoes/<int:contribution_id>/editar", methods=["GET", "POST"])
@login_required
@_write_limits
def edit(contribution_id: int):
    """Edit one's own contribution within the edit window."""
    contribution = _contribution(contribution_id)
    if contribution.author_id != current_user.id:
        abort(403)
    form = EditForm(obj=contribution)
    if request.method == "GET":
        form.stance.data = contribution.stance.value
    failure = None
    if form.validate_on_submit():
        try:
            services.edit(current_user, contribution, body=form.body.data,
                          stance=Stance(form.stance.data) if form.stance.data else None,
                          proposed_text=form.proposed_text.data)
        except services.ParticipationError as error:
            db.session.rollback()
            failure = error
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Contribuição editada. A versão anterior fica registrada."), "success")
            return redirect(_contribution_url(contribution), 303)
    status = _failure_status(failure) if request.method == "POST" else 200
    return render_template("participation/edit.html", form=form, contribution=contribution,
                           window_open=services.edit_window_open(contribution)), status


@bp.route("/contribuicoes/<int:contribution_id>/retirar", methods=["GET", "POST"])
@login_required
@_write_limits
def withdraw(contribution_id: int):
    """Withdraw one's own contribution; GET asks for confirmation (a page: it works without JavaScript)."""
    contribution = _contribution(contribution_id)
    if contribution.author_id != current_user.id:
        abort(403)
    if request.method == "GET":
        return render_template("participation/withdraw_confirm.html", contribution=contribution,
                               back=_contribution_url(contribution))
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw(current_user, contribution)
    except services.ParticipationError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Contribuição retirada. O texto não aparece mais publicamente."), "success")
    return redirect(_contribution_url(contribution), 303)


@bp.route("/contribuicoes/<int:contribution_id>")
def permalink(contribution_id: int):
    """A contribution's address: its place on the article page."""
    return redirect(_contribution_url(_contribution(contribution_id)))
