"""Analysis runs: the records the engine sees, running it, storing its result, and analysts' edits.

Runs are executed by a worker of the job queue (the `analysis_run` task in consulta/jobs/tasks.py): the web
request and `flask consulta analyze` only create the run and enqueue it. The run's state (status, progress,
stage, result) lives in the database, so any app server shows the progress page of a run that a worker on
another machine executes. The result is stored in one commit with the status "done", so a worker that dies
mid-run leaves no partial result: the job layer runs it again or marks it failed (`mark_failed`).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import logging
import time
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

import analysis
from consulta.extensions import db
from consulta.insights import embeddings
from consulta.insights.votes import opinion_groups
from consulta.models import (
    AnalysisRun,
    Article,
    Channel,
    Consultation,
    Contribution,
    ContributionKind,
    Job,
    RunScope,
    RunStatus,
    Section,
    User,
    Visibility,
    record,
    utcnow,
)

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5  # seconds between progress writes
MAX_K = 40
STAGES = {
    "mask": "mascarando dados pessoais",
    "duplicates": "procurando textos repetidos",
    "vectorize": _l("representando os textos"),
    "select_k": _l("escolhendo o número de grupos"),
    "cluster": "agrupando",
    "labels": _l("nomeando os grupos"),
    "describe": _l("descrevendo os grupos"),
    "summarize": "resumindo",
}


class EditError(ValueError):
    """An edit that cannot be applied to a run; the message is shown to the analyst."""


def stage_label(stage: str) -> str:
    """A run's stage in Portuguese."""
    return str(STAGES.get(stage, stage or "aguardando"))


def pseudonym(user_id: int | None, prefix: str = "p") -> str | None:
    """A stable pseudonymous author key: an HMAC of the id with the app's secret key, never a name or e-mail."""
    if user_id is None:
        return None
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"{prefix}:{user_id}".encode(), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:8]}"


# -- records ---------------------------------------------------------------------------------------------


def records_for(consultation: Consultation, scope: RunScope | str, section: Section | None = None,
                article: Article | None = None) -> list[analysis.Record]:
    """The visible top-level contributions in scope, as engine records (one query, no personal data)."""
    scope = RunScope(scope)
    query = (
        select(Contribution, Article.label)
        .outerjoin(Article, Article.id == Contribution.article_id)
        .options(joinedload(Contribution.author), joinedload(Contribution.workshop))
        .where(Contribution.consultation_id == consultation.id, Contribution.parent_id.is_(None),
               Contribution.visibility == Visibility.VISIBLE)
        .order_by(Contribution.id)
    )
    if scope is RunScope.ARTICLE:
        if article is None:
            raise ValueError("article scope needs an article")
        query = query.where(Contribution.article_id == article.id)
    elif scope is RunScope.SECTION:
        if section is None:
            raise ValueError("section scope needs a section")
        query = query.where((Contribution.section_id == section.id) | (Article.section_id == section.id))
    records = []
    for contribution, article_label in db.session.execute(query).unique():
        records.append(_record(contribution, article_label))
    return records


def _record(contribution: Contribution, article_label: str | None) -> analysis.Record:
    text = contribution.body or ""
    if contribution.kind is ContributionKind.NEW_WORDING and contribution.proposed_text:
        text = f"{text}\n\n{contribution.proposed_text}".strip()
    workshop = contribution.workshop
    author = contribution.author
    if contribution.workshop_id is not None:
        author_kind = "workshop"
        author_id = pseudonym(contribution.workshop_id, "w")
        uf = workshop.uf if workshop is not None else None
    else:
        author_kind = "organization" if author is not None and author.is_organization else "person"
        author_id = pseudonym(contribution.author_id)
        uf = author.uf if author is not None else None
    if uf is None and workshop is not None:
        uf = workshop.uf
    if article_label is None:
        article_label = _("Seção %(section_id)s", section_id=contribution.section_id) if contribution.section_id else None
    weight = contribution.head_count if (
        contribution.channel is Channel.WORKSHOP and contribution.head_count and contribution.head_count > 1
    ) else 1
    return analysis.Record(
        id=contribution.id, text=text, article=article_label, stance=contribution.stance.value,
        channel=contribution.channel.value, uf=uf, author_kind=author_kind, author_id=author_id, weight=weight,
    )


# -- creating and executing ------------------------------------------------------------------------------


def create_run(actor: User | None, consultation: Consultation, *, scope: RunScope | str,
               section: Section | None = None, article: Article | None = None, k: int | None = None,
               seed: int = 0) -> AnalysisRun:
    """A queued run with its parameters (flushed, not committed)."""
    scope = RunScope(scope)
    if scope is RunScope.ARTICLE and (article is None or article.consultation_id != consultation.id):
        raise ValueError("article scope needs an article of this consultation")
    if scope is RunScope.SECTION and (section is None or section.consultation_id != consultation.id):
        raise ValueError("section scope needs a section of this consultation")
    if k is not None and not 1 <= k <= MAX_K:
        raise ValueError(f"k must be between 1 and {MAX_K}")
    run = AnalysisRun(
        consultation=consultation, scope=scope,
        section=section if scope is RunScope.SECTION else None,
        article=article if scope is RunScope.ARTICLE else None,
        status=RunStatus.QUEUED, progress=0.0, stage="", seed=seed,
        params={"k": k, "seed": seed, "group_by": None if scope is RunScope.ARTICLE else "article"},
        edits=[], created_by=actor,
    )
    db.session.add(run)
    db.session.flush()
    record(actor, "analysis.create", run, consultation=consultation.slug, scope=scope.value, k=k, seed=seed)
    return run


FAILED_MESSAGE = (_l("A análise não pôde ser concluída por um erro interno. "
                  "Tente novamente; se o erro persistir, avise a equipe técnica."))


def enqueue_run(run: AnalysisRun) -> None:
    """Queue a flushed run for a worker; it is pushed when the caller commits."""
    from consulta.jobs.tasks import analysis_run

    analysis_run.enqueue(run_id=run.id, key=f"analysis_run:{run.id}")


def job_of(run: AnalysisRun) -> Job | None:
    """The latest job that executes `run` (attempts, retry state), if any."""
    return db.session.scalars(select(Job).where(Job.key == f"analysis_run:{run.id}")
                              .order_by(Job.id.desc()).limit(1)).first()


def retry_run(actor: User | None, run: AnalysisRun) -> AnalysisRun:
    """Queue a failed run again with the same parameters (flush only)."""
    if run.status is not RunStatus.FAILED:
        raise ValueError("only a failed run can be retried")
    run.status, run.progress, run.stage, run.error = RunStatus.QUEUED, 0.0, "", None
    run.started_at = run.finished_at = None
    db.session.flush()
    record(actor, "analysis.retry", run)
    enqueue_run(run)
    return run


def mark_failed(run_id: int, reason: str | None = None) -> None:
    """Record that a run could not be executed (after the job's last attempt); commits."""
    run = db.session.get(AnalysisRun, run_id)
    if run is None or run.status is RunStatus.DONE:
        return
    run.status = RunStatus.FAILED
    run.error = str(FAILED_MESSAGE)
    if reason and reason.startswith("o processo"):
        run.error = (_("A análise não pôde ser concluída: %(reason)s. Tente novamente; se o erro persistir, avise a equipe técnica.", reason=reason))
    run.finished_at = utcnow()
    db.session.commit()


def execute_run(run_id: int, app: Flask) -> None:
    """Run the engine for a queued run here and now, in its own app context and session; never raises.

    Failures are stored on the run (FAILED, with a message in Portuguese) and their traceback logged.
    """
    with app.app_context():
        try:
            execute(run_id)
        except Exception:  # noqa: BLE001 - a failed run must be recorded, never propagated
            log.exception("analysis run %s failed", run_id)
            db.session.rollback()
            try:
                mark_failed(run_id)
            except Exception:  # noqa: BLE001
                log.exception("could not record the failure of analysis run %s", run_id)
                db.session.rollback()
        finally:
            db.session.remove()


def execute(run_id: int) -> None:
    """Run the engine for a queued run (or one whose earlier attempt died) and store its result; may raise.

    Progress is committed at most every PROGRESS_INTERVAL seconds; the result only with the status "done".
    """
    run = db.session.get(AnalysisRun, run_id)
    if run is None or run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        return
    run.status = RunStatus.RUNNING
    run.started_at = utcnow()
    run.stage = ""
    run.progress = 0.0
    run.error = None
    db.session.commit()

    try:
        embeddings.check_setting(current_app)
    except embeddings.EmbeddingsUnavailable as error:
        run.status = RunStatus.FAILED
        run.error = str(error)
        run.finished_at = utcnow()
        db.session.commit()
        return

    records = records_for(run.consultation, run.scope, section=run.section, article=run.article)
    if not records:
        run.status = RunStatus.FAILED
        run.error = _("Não há contribuições visíveis neste escopo para analisar.")
        run.finished_at = utcnow()
        db.session.commit()
        return

    last = 0.0

    def progress(fraction: float, stage: str) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < PROGRESS_INTERVAL and fraction < 1.0:
            return
        last = now
        run.progress = round(float(fraction), 3)
        run.stage = stage[:60]
        db.session.commit()

    params = run.params or {}
    matrix, begin = None, 0.0
    if embeddings.enabled(current_app):
        # Before the engine, on this worker: new or edited texts are embedded and cached (committed with the run).
        matrix = embeddings.for_records(records, embeddings.load_model(), progress=lambda f, s: progress(f * 0.3, s))
        begin = 0.3
    middle = begin + (1.0 - begin) / 2
    result = analysis.analyze_contributions(
        records, k=params.get("k"), seed=run.seed, embeddings=matrix,
        group_by=None if run.scope is RunScope.ARTICLE else "article",
        progress=lambda f, s: progress(begin + f * (middle - begin), s),
    )
    data = result.to_dict()
    data["opinion_groups"] = opinion_groups(run.consultation_id, seed=run.seed,
                                            progress=lambda f, s: progress(middle + f * (1.0 - middle), s))
    run.result = data
    run.versions = data["run"]["versions"]
    run.timings = data["run"]["timings"]
    run.status = RunStatus.DONE
    run.progress = 1.0
    run.stage = "done"
    run.error = None
    run.finished_at = utcnow()
    db.session.commit()


# -- edits -----------------------------------------------------------------------------------------------


def clusters_by_id(result: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Every cluster of a (possibly edited) result by id."""
    return {c["id"]: c for g in result.get("groups", []) for c in g["clusters"]}


def add_edit(actor: User | None, run: AnalysisRun, edit: dict[str, Any]) -> dict[str, Any]:
    """Validate an edit against the current edited view, append it, and audit it (flush only)."""
    if run.status is not RunStatus.DONE or not run.result:
        raise EditError(_("Só é possível editar uma análise concluída."))
    current = edited_view(run)
    clusters = clusters_by_id(current)
    op = edit.get("op")
    if op == "rename":
        cluster_id = _int(edit.get("cluster"))
        label = " ".join(str(edit.get("label") or "").split())
        if cluster_id not in clusters:
            raise EditError(_("Grupo não encontrado."))
        if not label:
            raise EditError(_("Informe o novo nome do grupo."))
        if len(label) > 200:
            raise EditError(_("Use no máximo 200 caracteres no nome."))
        clean = {"op": "rename", "cluster": cluster_id, "label": label}
    elif op == "merge":
        ids = sorted({_int(c) for c in edit.get("clusters") or []} - {None})
        into = _int(edit.get("into"))
        if into is not None and into not in ids:
            ids = sorted({*ids, into})
        if len(ids) < 2:
            raise EditError(_("Escolha pelo menos dois grupos para juntar."))
        if any(c not in clusters for c in ids):
            raise EditError(_("Grupo não encontrado."))
        if len({clusters[c]["group"] for c in ids}) > 1:
            raise EditError(_("Só é possível juntar grupos do mesmo dispositivo."))
        clean = {"op": "merge", "clusters": ids, "into": into if into is not None else ids[0]}
    elif op == "move":
        contribution_id = _int(edit.get("contribution"))
        target = _int(edit.get("to"))
        members = _assignments(current)
        if contribution_id not in members:
            raise EditError(_("Esta contribuição não faz parte da análise."))
        if target not in clusters:
            raise EditError(_("Grupo de destino não encontrado."))
        source = members[contribution_id]["cluster_id"]
        if source == target:
            raise EditError(_("A contribuição já está neste grupo."))
        if clusters[source]["group"] != clusters[target]["group"]:
            raise EditError(_("Só é possível mover para um grupo do mesmo dispositivo."))
        clean = {"op": "move", "contribution": contribution_id, "to": target, **_record_facts(contribution_id)}
    else:
        raise EditError(_("Edição desconhecida."))
    run.edits = [*(run.edits or []), clean]  # a new list, so the JSON column is seen as changed
    db.session.flush()
    record(actor, "analysis.edit", run, **clean)
    return clean


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _record_facts(contribution_id: int) -> dict[str, Any]:
    """What a moved contribution carries into its new cluster's counts, read once when the edit is made."""
    contribution = db.session.get(Contribution, contribution_id)
    if contribution is None:
        return {"weight": 1}
    rec = _record(contribution, contribution.article.label if contribution.article else None)
    return {"weight": rec.weight, "stance": rec.stance, "channel": rec.channel, "uf": rec.uf}


def _assignments(result: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    return {a["record_id"]: a for a in result.get("assignments", [])}


def edited_view(run: AnalysisRun) -> dict[str, Any]:
    """The run's result with its edits applied, in order; the stored result is left untouched."""
    if not run.result:
        return {}
    view = copy.deepcopy(run.result)
    for group in view.get("groups", []):
        for cluster in group["clusters"]:
            cluster.setdefault("original_label", cluster["label"])
            cluster["renamed"] = False
            cluster["merged_from"] = []
    for edit in run.edits or []:
        op = edit.get("op")
        if op == "rename":
            _apply_rename(view, edit)
        elif op == "merge":
            _apply_merge(view, edit)
        elif op == "move":
            _apply_move(view, edit)
    for group in view.get("groups", []):
        _reshare(group)
    if len(view.get("groups") or []) > 1:
        order = document_order(run.consultation_id)
        view["groups"].sort(key=lambda g: order.get(str(g.get("key")), (float("inf"), 0)))
    return view


def document_order(consultation_id: int) -> dict[str, tuple[float, int]]:
    """Sort keys of a run's group names (article labels, "Seção N" for new-article proposals) in document order.

    Articles follow their position in the text; proposals of a new article in a section come after that
    section's last article. Names not found (an article renamed since the run) sort last.
    """
    rows = db.session.execute(
        select(Article.label, Article.position, Article.section_id)
        .where(Article.consultation_id == consultation_id).order_by(Article.position)
    ).all()
    order: dict[str, tuple[float, int]] = {}
    section_end: dict[int, int] = {}
    for label, position, section_id in rows:
        order.setdefault(label, (position, 0))
        if section_id is not None:
            section_end[section_id] = position
    sections = db.session.execute(
        select(Section.id, Section.position).where(Section.consultation_id == consultation_id)
    ).all()
    for section_id, section_position in sections:
        order[_("Seção %(section_id)s", section_id=section_id)] = (section_end.get(section_id, -1) + 0.5, section_position)
    return order


def _apply_rename(view: dict[str, Any], edit: dict[str, Any]) -> None:
    cluster = clusters_by_id(view).get(edit["cluster"])
    if cluster is not None:
        cluster["label"] = edit["label"]
        cluster["renamed"] = True


def _add_counts(target: dict[str, int], source: dict[str, int], sign: int = 1) -> None:
    for key, value in source.items():
        target[key] = target.get(key, 0) + sign * value
        if target[key] <= 0:
            del target[key]


def _apply_merge(view: dict[str, Any], edit: dict[str, Any]) -> None:
    clusters = clusters_by_id(view)
    into = clusters.get(edit["into"])
    if into is None:
        return
    quota = max(len(into["quotes"]), 5)
    for cluster_id in edit["clusters"]:
        other = clusters.get(cluster_id)
        if other is None or other is into or other["group"] != into["group"]:
            continue
        for key in ("size", "distinct_texts", "unique_authors"):
            into[key] += other[key]  # unique_authors becomes an upper bound: authors may appear in both
        into["weighted_size"] += other["weighted_size"]
        for key in ("stances", "channels", "ufs"):
            _add_counts(into[key], other[key])
        into["terms"] += [t for t in other["terms"] if t not in into["terms"]]
        into["quotes"] = sorted(into["quotes"] + other["quotes"], key=lambda q: -q["score"])[:quota]
        into["campaign_ids"] = sorted({*into["campaign_ids"], *other["campaign_ids"]})
        into["merged_from"].append({"id": other["id"], "label": other["label"]})
        into["is_other"] = into["is_other"] and other["is_other"]
        for group in view["groups"]:
            group["clusters"] = [c for c in group["clusters"] if c["id"] != other["id"]]
            for theme in group["themes"]:
                if other["id"] in theme["cluster_ids"]:
                    theme["cluster_ids"] = [c for c in theme["cluster_ids"] if c != other["id"]]
        for assignment in view.get("assignments", []):
            if assignment["cluster_id"] == other["id"]:
                assignment["cluster_id"] = into["id"]
                assignment["theme_id"] = into["theme_id"]
        for campaign in view.get("campaigns", []):
            if other["id"] in campaign["cluster_ids"]:
                campaign["cluster_ids"] = sorted({*[c for c in campaign["cluster_ids"] if c != other["id"]],
                                                  into["id"]})
    for group in view["groups"]:
        group["themes"] = [t for t in group["themes"] if t["cluster_ids"]]


def _apply_move(view: dict[str, Any], edit: dict[str, Any]) -> None:
    clusters = clusters_by_id(view)
    assignment = _assignments(view).get(edit["contribution"])
    target = clusters.get(edit["to"])
    if assignment is None or target is None:
        return
    source = clusters.get(assignment["cluster_id"])
    if source is None or source is target:
        return
    weight = float(edit.get("weight") or 1)
    for cluster, sign in ((source, -1), (target, 1)):
        cluster["size"] += sign
        cluster["distinct_texts"] = max(0, cluster["distinct_texts"] + sign)
        cluster["weighted_size"] = max(0.0, cluster["weighted_size"] + sign * weight)
        for key, field in (("stances", "stance"), ("channels", "channel"), ("ufs", "uf")):
            value = edit.get(field) or analysis.result.UNKNOWN
            _add_counts(cluster[key], {value: 1}, sign)
    moved = [q for q in source["quotes"] if q["record_id"] == edit["contribution"]]
    source["quotes"] = [q for q in source["quotes"] if q["record_id"] != edit["contribution"]]
    target["quotes"] = target["quotes"] + moved
    target.setdefault("moved_in", []).append(edit["contribution"])
    assignment["cluster_id"] = target["id"]
    assignment["theme_id"] = target["theme_id"]


def _reshare(group: dict[str, Any]) -> None:
    size = sum(c["size"] for c in group["clusters"]) or 1
    weighted = sum(c["weighted_size"] for c in group["clusters"]) or 1
    for cluster in group["clusters"]:
        cluster["share"] = round(cluster["size"] / size, 4)
        cluster["weighted_share"] = round(cluster["weighted_size"] / weighted, 4)
    by_id = {c["id"]: c for c in group["clusters"]}
    for theme in group["themes"]:
        members = [by_id[c] for c in theme["cluster_ids"] if c in by_id]
        theme["size"] = sum(c["size"] for c in members)
        theme["weighted_size"] = sum(c["weighted_size"] for c in members)
        theme["share"] = round(theme["size"] / size, 4)
        theme["weighted_share"] = round(theme["weighted_size"] / weighted, 4)
