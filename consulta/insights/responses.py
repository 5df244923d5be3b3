"""The devolutiva: the drafting team's official response to each contribution, one by one or in bulk.

Services take the acting user, flush and never commit. The routes (the response desk, the per-row answer,
the bulk answer and the printable report) live here too and join the insights blueprint; every one requires
Permission.ANALYZE.

Bulk answers write one audit entry per contribution (action "contribution.respond" with ``bulk=True``), so
each contribution's history reads the same whether it was answered alone or with a whole cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, stream_template, url_for
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import joinedload

from consulta.authz import Permission, require
from consulta.extensions import db
from consulta.inputs import MAX_ID, page_number, parse_id
from consulta.insights import bp
from consulta.insights.runs import edited_view, pseudonym
from consulta.models import (
    AnalysisRun,
    Article,
    Consultation,
    Contribution,
    ResponseStatus,
    RunStatus,
    Section,
    User,
    Visibility,
    record,
    utcnow,
)
from consulta.notifications.events import notify_response
from consulta.web import invalid_form_status, is_htmx_partial, safe_next

JUSTIFICATION_MIN = 10
JUSTIFICATION_MAX = 5000
DESK_PER_PAGE = 30
SEARCH_MAX = 200
NO_RESPONSE = "sem-resposta"
FINAL_STATUSES = (ResponseStatus.ACCEPTED, ResponseStatus.PARTLY_ACCEPTED, ResponseStatus.NOT_ACCEPTED)
NEW_ARTICLES = "novos"  # the article filter's value for section-level proposals of new articles
REPORT_BATCH = 500


class ResponseError(Exception):
    """A response the rules refuse; the message is Portuguese and safe to show. `field` names a form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# -- services -------------------------------------------------------------------------------------------

def _answerable_refusal(contribution: Contribution) -> str | None:
    if contribution.parent_id is not None:
        return _("Só contribuições principais recebem devolutiva; respostas entre participantes não.")
    if contribution.visibility is Visibility.WITHDRAWN:
        return _("Esta contribuição foi retirada pelo autor e não recebe devolutiva.")
    return None


def clean_justification(status: ResponseStatus, text: str | None) -> str | None:
    """The justification trimmed, or ResponseError: required (10 to 5000 characters) except for "Em análise"."""
    text = (text or "").strip()
    if not text:
        if status is ResponseStatus.UNDER_REVIEW:
            return None
        raise ResponseError(_("Escreva a justificativa: ela é obrigatória para esta situação."), "justificativa")
    if len(text) < JUSTIFICATION_MIN:
        raise ResponseError(_("A justificativa precisa ter ao menos %(n)s caracteres.", n=JUSTIFICATION_MIN), "justificativa")
    if len(text) > JUSTIFICATION_MAX:
        raise ResponseError(
            _("A justificativa tem %(n)s caracteres; o limite é %(limit)s.", n=format_number(len(text)), limit=format_number(JUSTIFICATION_MAX)),
            "justificativa",
        )
    return text


def _apply(actor: User, contribution: Contribution, status: ResponseStatus, text: str | None, **details: Any) -> None:
    previous = contribution.response_status
    contribution.response_status = status
    contribution.response_text = text
    contribution.responded_at = utcnow()
    contribution.responded_by_id = actor.id
    record(actor, "contribution.respond", contribution, reason=text,
           previous=previous.value if previous else None, new=status.value, **details)
    notify_response(contribution)


def respond(actor: User, contribution: Contribution, status: ResponseStatus, text: str | None) -> None:
    """Record the team's response to one top-level, non-withdrawn contribution, with an audit entry."""
    if refusal := _answerable_refusal(contribution):
        raise ResponseError(refusal)
    _apply(actor, contribution, status, clean_justification(status, text))
    db.session.flush()


def respond_many(actor: User, contributions: Iterable[Contribution], status: ResponseStatus,
                 text: str | None) -> int:
    """Give the same response to many contributions; replies and withdrawn ones are skipped. Returns how many.

    The justification is checked once, before anything changes; each answered contribution gets its own
    audit entry (with ``bulk=True``).
    """
    justification = clean_justification(status, text)
    answered = 0
    for contribution in contributions:
        if _answerable_refusal(contribution) is None:
            _apply(actor, contribution, status, justification, bulk=True)
            answered += 1
    db.session.flush()
    return answered


def _as_ids(values: Iterable[Any]) -> list[int]:
    return [value for value in map(_id_or_none, values) if value is not None]


def _id_or_none(value: Any) -> int | None:
    """An id from a form (text) or from stored JSON (int), or None for anything no table could hold."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= MAX_ID else None
    return parse_id(value) if isinstance(value, str) else None


def members_of(run: AnalysisRun, cluster_id: int | None = None, campaign_id: int | None = None) -> list[int]:
    """Contribution ids of one cluster or one campaign of a run, with the analysts' edits applied, sorted."""
    result = edited_view(run)
    if cluster_id is not None:
        return sorted(set(_as_ids(
            a.get("record_id") for a in result.get("assignments") or [] if a.get("cluster_id") == cluster_id
        )))
    if campaign_id is not None:
        for campaign in result.get("campaigns") or []:
            if campaign.get("id") == campaign_id:
                return sorted(set(_as_ids(campaign.get("member_ids") or [])))
        return []
    return []


def answerable_query(consultation: Consultation) -> Select:
    """Top-level contributions of a consultation that may be answered: visible or hidden, not withdrawn."""
    return select(Contribution).where(
        Contribution.consultation_id == consultation.id,
        Contribution.parent_id.is_(None),
        Contribution.visibility != Visibility.WITHDRAWN,
    )


def answerable_by_ids(consultation: Consultation, ids: Sequence[int]) -> list[Contribution]:
    """The answerable contributions of this consultation among `ids` (others are ignored)."""
    if not ids:
        return []
    found: list[Contribution] = []
    for start in range(0, len(ids), 900):  # stays under SQLite's bound-parameter limit
        chunk = ids[start:start + 900]
        found.extend(db.session.scalars(answerable_query(consultation).where(Contribution.id.in_(chunk))))
    return found


@dataclass
class DeskFilter:
    """What the desk shows: one article (or the new-article proposals), one response status, a text search."""

    article: str | None = None  # an article id as text, or NEW_ARTICLES
    status: str | None = None  # a ResponseStatus value or NO_RESPONSE
    search: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> DeskFilter:
        """Read artigo, situacao, busca and pagina, ignoring anything invalid."""
        f = cls()
        article = args.get("artigo", "")
        if article == NEW_ARTICLES or parse_id(article) is not None:
            f.article = article
        status = args.get("situacao", "")
        if status == NO_RESPONSE or status in ResponseStatus._value2member_map_:
            f.status = status
        f.search = (args.get("busca") or "").strip()[:SEARCH_MAX]
        f.page = page_number(args)
        return f

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments for links, leaving defaults out."""
        values = {"artigo": self.article, "situacao": self.status, "busca": self.search or None,
                  "pagina": self.page if self.page > 1 else None}
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}


def desk_query(consultation: Consultation, f: DeskFilter) -> Select:
    """Answerable contributions matching the filter, in document order, oldest first within an article."""
    stmt = answerable_query(consultation).outerjoin(Article, Contribution.article_id == Article.id)
    if f.article == NEW_ARTICLES:
        stmt = stmt.where(Contribution.article_id.is_(None))
    elif f.article:
        stmt = stmt.where(Contribution.article_id == int(f.article))
    if f.status == NO_RESPONSE:
        stmt = stmt.where(Contribution.response_status.is_(None))
    elif f.status:
        stmt = stmt.where(Contribution.response_status == ResponseStatus(f.status))
    if f.search:
        needle = f.search.lower()
        stmt = stmt.where(or_(func.lower(Contribution.body).contains(needle, autoescape=True),
                              func.lower(Contribution.proposed_text).contains(needle, autoescape=True)))
    return stmt.options(
        joinedload(Contribution.author), joinedload(Contribution.workshop), joinedload(Contribution.article),
        joinedload(Contribution.section),
    ).order_by(Article.position.is_(None), Article.position, Contribution.created_at, Contribution.id)


def status_counts(consultation: Consultation) -> dict[str, int]:
    """How many answerable contributions hold each response status, NO_RESPONSE included (one query)."""
    counts = dict.fromkeys([NO_RESPONSE, *(s.value for s in ResponseStatus)], 0)
    rows = db.session.execute(
        answerable_query(consultation).with_only_columns(Contribution.response_status, func.count())
        .group_by(Contribution.response_status)
    )
    for status, total in rows:
        counts[status.value if status else NO_RESPONSE] = total
    return counts


def article_progress(consultation: Consultation) -> list[dict[str, Any]]:
    """Answered and unanswered contributions per article, in document order (one query).

    Answered means a final answer (acolhida, parcialmente acolhida or não acolhida); "em análise" still counts
    as waiting. Proposals of new articles come last, as one row, when there are any.
    """
    answered = func.sum(case((Contribution.response_status.in_(FINAL_STATUSES), 1), else_=0))
    rows = db.session.execute(
        answerable_query(consultation).with_only_columns(Contribution.article_id, func.count(), answered)
        .group_by(Contribution.article_id)
    ).all()
    totals = {article_id: (total, int(done or 0)) for article_id, total, done in rows}
    out = []
    for article_id, label in _articles(consultation):
        if article_id in totals:
            total, done = totals[article_id]
            out.append({"article_id": str(article_id), "label": label, "total": total, "answered": done,
                        "waiting": total - done, "percent": round(100 * done / total) if total else 0})
    if None in totals:
        total, done = totals[None]
        out.append({"article_id": NEW_ARTICLES, "label": _("Propostas de novo artigo"), "total": total,
                    "answered": done, "waiting": total - done, "percent": round(100 * done / total) if total else 0})
    return out


def public_author(contribution: Contribution) -> str:
    """Who signs a contribution in the report: the workshop, the organization, or a person's pseudonym."""
    if contribution.workshop_id is not None and contribution.workshop is not None:
        return contribution.workshop.place_label
    author = contribution.author
    if author is None or author.deleted_at is not None:
        return _("Participante removido")
    if author.is_organization:
        return author.display_name
    return _("Participante %(code)s", code=pseudonym(author.id).removeprefix("p-").upper())


def report_rows(consultation: Consultation) -> Iterator[Contribution]:
    """Every answerable contribution in document order (articles, then each section's new-article proposals).

    Rows are read in batches, so a large consultation is never held in memory at once.
    """
    stmt = (
        answerable_query(consultation)
        .outerjoin(Article, Contribution.article_id == Article.id)
        .outerjoin(Section, Contribution.section_id == Section.id)
        .options(joinedload(Contribution.author), joinedload(Contribution.workshop),
                 joinedload(Contribution.article), joinedload(Contribution.section))
        .order_by(Article.position.is_(None), Article.position, Section.position, Contribution.created_at,
                  Contribution.id)
        .execution_options(yield_per=REPORT_BATCH)
    )
    yield from db.session.scalars(stmt)


# -- routes ---------------------------------------------------------------------------------------------

def _consultation(slug: str) -> Consultation:
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        abort(404)
    return consultation


def _articles(consultation: Consultation) -> list[tuple[int, str]]:
    return list(db.session.execute(
        select(Article.id, Article.label).where(Article.consultation_id == consultation.id).order_by(Article.position)
    ))


def _done_runs(consultation: Consultation) -> list[AnalysisRun]:
    return list(db.session.scalars(
        select(AnalysisRun).where(AnalysisRun.consultation_id == consultation.id, AnalysisRun.status == RunStatus.DONE)
        .order_by(AnalysisRun.created_at.desc(), AnalysisRun.id.desc()).limit(50)
    ))


def _status_choices() -> list[ResponseStatus]:
    return list(ResponseStatus)


def chosen_target(consultation: Consultation, values: Mapping[str, Any]) -> str | None:
    """A sentence naming the cluster or campaign preselected by an "answer all" link, None when nothing valid is."""
    run_id, cluster_id, campaign_id = (parse_id(str(values.get(k) or "")) for k in ("run_id", "cluster", "campaign"))
    run = db.session.get(AnalysisRun, run_id) if run_id else None
    if run is None or run.consultation_id != consultation.id or run.status is not RunStatus.DONE:
        return None
    if (cluster_id is None) == (campaign_id is None):
        return None
    if cluster_id is not None:
        cluster = next((c for g in edited_view(run).get("groups") or [] for c in g["clusters"]
                        if c["id"] == cluster_id), None)
        if cluster is None:
            return None
        what = _("do grupo “%(cluster)s”", cluster=cluster['label'])
        members = members_of(run, cluster_id=cluster_id)
    else:
        what = _("da campanha nº %(campaign_id)s", campaign_id=campaign_id)
        members = members_of(run, campaign_id=campaign_id)
    n = len(answerable_by_ids(consultation, members))
    if not n:
        return None
    noun = _("a contribuição") if n == 1 else _("as %(n)s contribuições", n=n)
    return _("Você vai responder %(noun)s %(what)s (análise nº %(id)s).", noun=noun, what=what, id=run.id)


def _desk_page(consultation: Consultation, *, bulk: dict[str, Any] | None = None,
               bulk_errors: dict[str, str] | None = None, status: int = 200):
    f = DeskFilter.from_args(request.args)
    pagination = db.paginate(desk_query(consultation, f), page=f.page, per_page=DESK_PER_PAGE, error_out=False)
    prefill = {"run_id": request.args.get("run_id", ""), "cluster": request.args.get("cluster", ""),
               "campaign": request.args.get("campaign", ""), "status": "", "justificativa": "", "ids": []}
    return render_template(
        "insights/responses.html", consultation=consultation, filter=f, pagination=pagination,
        articles=_articles(consultation), statuses=_status_choices(), counts=status_counts(consultation),
        progress=article_progress(consultation),
        chosen=chosen_target(consultation, {**prefill, **(bulk or {})}),
        runs=_done_runs(consultation), bulk={**prefill, **(bulk or {})}, bulk_errors=bulk_errors or {},
        back=request.full_path.rstrip("?"), no_response=NO_RESPONSE, new_articles=NEW_ARTICLES,
    ), status


@bp.route("/consultas/<slug>/devolutiva")
@require(Permission.ANALYZE)
def response_desk(slug: str):
    """The response desk: a consultation's contributions, filtered, each with its response form."""
    return _desk_page(_consultation(slug))


def _parse_status(value: str | None) -> ResponseStatus | None:
    return ResponseStatus(value) if value in ResponseStatus._value2member_map_ else None


@bp.route("/contribuicoes/<int:contribution_id>/resposta", methods=["POST"])
@require(Permission.ANALYZE)
def respond_contribution(contribution_id: int):
    """Answer one contribution: the row fragment for htmx, else a redirect back to the desk."""
    contribution = db.get_or_404(Contribution, contribution_id)
    back = safe_next(request.form.get("next"),
                     url_for("insights.response_desk", slug=contribution.consultation.slug))
    status = _parse_status(request.form.get("status"))
    typed = request.form.get("justificativa", "")
    errors: dict[str, str] = {}
    if status is None:
        errors["status"] = _("Escolha a situação da resposta.")
    else:
        try:
            respond(current_user, contribution, status, typed)
        except ResponseError as error:
            db.session.rollback()
            errors[error.field or "form"] = str(error)
    context = {"c": contribution, "statuses": _status_choices(), "back": back}
    if errors:
        context.update(errors=errors, typed={"status": request.form.get("status", ""), "justificativa": typed})
        if is_htmx_partial():
            return render_template("insights/_response_row.html", selectable=True, selected=[], **context), 200
        return render_template("insights/responses_form.html", **context), invalid_form_status()
    db.session.commit()
    message = f"Resposta registrada: {status.label}."
    if is_htmx_partial():
        return render_template("insights/_response_row.html", message=message, selectable=True, selected=[],
                               **context)
    flash(message, "success")
    return redirect(back, 303)


def _bulk_targets(consultation: Consultation, form: Mapping[str, Any], ids: list[int],
                  errors: dict[str, str]) -> list[Contribution]:
    run_id, cluster, campaign = (form.get(k, "").strip() for k in ("run_id", "cluster", "campaign"))
    if ids:
        return answerable_by_ids(consultation, ids)
    if not run_id:
        errors["alvo"] = _("Selecione contribuições na lista ou indique uma análise com um grupo ou uma campanha.")
        return []
    run = db.session.get(AnalysisRun, parse_id(run_id)) if parse_id(run_id) else None
    if run is None or run.consultation_id != consultation.id or run.status is not RunStatus.DONE:
        errors["run_id"] = _("Escolha uma análise concluída desta consulta.")
        return []
    cluster_id, campaign_id = parse_id(cluster), parse_id(campaign)
    if (cluster_id is None) == (campaign_id is None):
        errors["cluster"] = _("Indique o número de um grupo ou de uma campanha (um dos dois).")
        return []
    members = (members_of(run, cluster_id=cluster_id) if cluster_id is not None
               else members_of(run, campaign_id=campaign_id))
    if not members:
        errors["cluster"] = _("Esse grupo ou campanha não existe nesta análise ou não tem contribuições.")
    return answerable_by_ids(consultation, members)


@bp.route("/consultas/<slug>/devolutiva/lote", methods=["POST"])
@require(Permission.ANALYZE)
def respond_bulk(slug: str):
    """Answer the selected contributions, or a whole cluster or campaign of an analysis run, at once."""
    consultation = _consultation(slug)
    ids = _as_ids(request.form.getlist("ids"))
    status = _parse_status(request.form.get("status"))
    typed = request.form.get("justificativa", "")
    errors: dict[str, str] = {}
    if status is None:
        errors["status"] = _("Escolha a situação da resposta.")
    targets = _bulk_targets(consultation, request.form, ids, errors)
    if not errors and not targets:
        errors["alvo"] = _("Nenhuma das contribuições indicadas pode receber devolutiva.")
    if not errors:
        try:
            answered = respond_many(current_user, targets, status, typed)
        except ResponseError as error:
            db.session.rollback()
            errors[error.field or "alvo"] = str(error)
    if errors:
        bulk = {"run_id": request.form.get("run_id", ""), "cluster": request.form.get("cluster", ""),
                "campaign": request.form.get("campaign", ""), "status": request.form.get("status", ""),
                "justificativa": typed, "ids": ids}
        return _desk_page(consultation, bulk=bulk, bulk_errors=errors, status=422)
    db.session.commit()
    flash(ngettext("%(num)d contribuição respondida.", "%(num)d contribuições respondidas.", answered), "success")
    return redirect(url_for("insights.response_desk", slug=slug, **DeskFilter.from_args(request.args).args()), 303)


@bp.route("/consultas/<slug>/devolutiva/relatorio")
@require(Permission.ANALYZE)
def response_report(slug: str):
    """The printable devolutiva report: every contribution per article, with its status and justification."""
    consultation = _consultation(slug)
    return stream_template(
        "insights/responses_report.html", consultation=consultation, counts=status_counts(consultation),
        statuses=_status_choices(), rows=report_rows(consultation), public_author=public_author,
        no_response=NO_RESPONSE, generated_at=utcnow(),
    )
