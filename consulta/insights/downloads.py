"""Downloads of a finished analysis run: XLSX workbook, CSV tables, JSON and a printable HTML report.

Everything is built from ``runs.edited_view(run)``, so clusters renamed, merged or moved by the analysts show
the same way in every file. No file carries an e-mail, a CPF, a phone number or a person's name: people appear
by pseudonym (as in the devolutiva report), texts go through ``analysis.mask_personal_data``, and cells that
a spreadsheet would read as a formula are neutralised by consulta.tabular. Every route requires Permission.ANALYZE
and answers 409 for a run that is not done.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from flask import Response, render_template, stream_with_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import joinedload

import analysis
from consulta import security
from consulta.authz import Permission, require
from consulta.drafts import article_parts
from consulta.extensions import db
from consulta.geo import STATES
from consulta.insights import bp
from consulta.insights.opinions import VOTE_LABELS, opinion_groups, opinion_sheet_rows
from consulta.insights.responses import public_author
from consulta.insights.runs import clusters_by_id, edited_view
from consulta.insights.views import CHANNEL_LABELS, STANCE_LABELS
from consulta.models import AnalysisRun, Contribution, RunScope, RunStatus, utcnow
from consulta.tabular import csv_writer, safe_row
from consulta.web import attachment

BATCH = 500
UF_LABELS = {"unknown": "não informada"}
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
RESERVED_SHEETS = {"resumo", "contribuições", "campanhas", "regiões", "grupos de opinião", "history"}

CLUSTER_COLUMNS = [
    ("dispositivo", _l("Dispositivo")), ("grupo_id", _l("Grupo nº")), ("grupo", _l("Grupo")), ("tema", _l("Tema")),
    ("termos", _l("Termos principais")), ("contribuicoes", _l("Contribuições")), ("com_peso", _l("Com peso das oficinas")),
    ("participacao", _l("Participação no dispositivo (%)")), ("autores_unicos", _l("Autores únicos")),
    ("posicoes", _l("Posições")), ("canais", _l("Canais")), ("ufs", _l("UFs")), ("citacoes", _l("Citações")),
    ("frase", _l("Frase representativa")), ("coesao", _l("Coesão (0 a 1)")), ("baixa_coesao", _l("Baixa coesão")),
]
CONTRIBUTION_COLUMNS = [
    ("id", _l("Contribuição nº")), ("dispositivo", _l("Dispositivo")), ("parte", _l("Parte do dispositivo")),
    ("grupo_id", _l("Grupo nº")), ("grupo", _l("Grupo")),
    ("campanha_id", _l("Campanha nº")), ("posicao", _l("Posição")), ("canal", _l("Canal")), ("autor", _l("Autor")), ("uf", _l("UF")),
    ("texto", _l("Texto (dados pessoais mascarados)")), ("resposta", _l("Resposta oficial")),
    ("justificativa", _l("Justificativa")),
]
CAMPAIGN_COLUMNS = [
    ("id", _l("Campanha nº")), ("contribuicoes", _l("Contribuições")), ("com_peso", _l("Com peso das oficinas")),
    ("variacoes", _l("Variações")), ("texto", _l("Texto representativo")), ("dispositivos", _l("Dispositivos")),
    ("canais", _l("Canais")), ("ufs", _l("UFs")), ("grupos", _l("Grupos")), ("membros", _l("Contribuições (nº)")),
]


# -- helpers ----------------------------------------------------------------------------------------------

def _mask(text: str | None) -> str:
    return analysis.mask_personal_data(text or "") if text else ""


def _counts(mapping: dict[str, int] | None, labels: dict[str, str] | None = None) -> str:
    items = sorted((mapping or {}).items(), key=lambda kv: (-kv[1], kv[0]))
    return "; ".join(f"{(labels or {}).get(k, k)}: {n}" for k, n in items)


def local_time(run: AnalysisRun, moment: datetime | None) -> str:
    """`moment` in the consultation's time zone, with the zone named ("07/12/2026 14:30 (horário de Brasília)")."""
    if moment is None:
        return ""
    consultation = run.consultation
    return f"{consultation.local(moment, '%d/%m/%Y %H:%M')} ({consultation.zone_label})"


def _group_name(run: AnalysisRun, group: dict[str, Any]) -> str:
    if group.get("key"):
        return str(group["key"])
    if run.scope is RunScope.ARTICLE and run.article is not None:
        return run.article.label
    return _("Todas as contribuições")


def sheet_title(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, no []:*?/\\, not blank), unique in `taken` (case-insensitive)."""
    base = SHEET_FORBIDDEN.sub("-", name).strip("' ") or "Dispositivo"
    base = base[:31]
    candidate, n = base, 1
    while candidate.lower() in taken or candidate.lower() in RESERVED_SHEETS:
        n += 1
        suffix = f" ({n})"
        candidate = base[:31 - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def _scope_label(run: AnalysisRun) -> str:
    if run.scope is RunScope.ARTICLE and run.article is not None:
        return run.article.label
    if run.scope is RunScope.SECTION and run.section is not None:
        return run.section.title
    return _("Toda a consulta, por dispositivo")


def _filename(run: AnalysisRun, name: str) -> str:
    """The download's file name; asking for it is an export, logged as a security event."""
    security.log_event(security.EXPORT, user_id=getattr(current_user, "id", None), run_id=run.id, dataset=name)
    return f"analise-{run.id}-{run.consultation.slug}-{name}"


# -- services ---------------------------------------------------------------------------------------------

def cluster_rows(run: AnalysisRun, view: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One row per cluster of the edited view, in the order of the groups."""
    for group in view.get("groups") or []:
        themes = {t["id"]: t["label"] for t in group.get("themes") or []}
        for c in group["clusters"]:
            yield {
                "dispositivo": _group_name(run, group), "grupo_id": c["id"], "grupo": c["label"],
                "tema": themes.get(c.get("theme_id"), ""), "frase": c.get("phrase", ""),
                "coesao": "" if c.get("merged_from") else c.get("coherence", ""),
                "baixa_coesao": "sim" if c.get("low_coherence") and not c.get("merged_from") else "não",
                "termos": ", ".join(c.get("terms") or []),
                "contribuicoes": c["size"], "com_peso": round(c["weighted_size"], 2),
                "participacao": round(c["share"] * 100, 1), "autores_unicos": c["unique_authors"],
                "posicoes": _counts(c.get("stances"), STANCE_LABELS),
                "canais": _counts(c.get("channels"), CHANNEL_LABELS), "ufs": _counts(c.get("ufs"), UF_LABELS),
                "citacoes": " | ".join(_mask(q["text"]) for q in c.get("quotes") or []),
            }


def campaign_rows(view: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One row per campaign (near-identical texts sent many times)."""
    clusters = clusters_by_id(view)
    for campaign in view.get("campaigns") or []:
        yield {
            "id": campaign["id"], "contribuicoes": campaign["size"], "com_peso": round(campaign["weighted_size"], 2),
            "variacoes": campaign["variants"], "texto": _mask(campaign["representative_text"]),
            "dispositivos": _counts(campaign.get("articles"), {"unknown": "não informado"}),
            "canais": _counts(campaign.get("channels"), CHANNEL_LABELS), "ufs": _counts(campaign.get("ufs"), UF_LABELS),
            "grupos": "; ".join(clusters[c]["label"] for c in campaign.get("cluster_ids") or [] if c in clusters),
            "membros": " ".join(str(m) for m in campaign.get("member_ids") or []),
        }


def _uf_of(contribution: Contribution) -> str | None:
    if contribution.workshop_id is not None and contribution.workshop is not None:
        return contribution.workshop.uf
    uf = contribution.author.uf if contribution.author is not None else None
    return uf or (contribution.workshop.uf if contribution.workshop is not None else None)


def _text_of(contribution: Contribution) -> str:
    text = contribution.body or ""
    if contribution.proposed_text:
        text = f"{text}\n\nTexto proposto: {contribution.proposed_text}".strip()
    return _mask(text)


def contribution_rows(view: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One row per analysed contribution with its (edited) cluster, read from the database in batches."""
    clusters = clusters_by_id(view)
    assignments = {a["record_id"]: a for a in view.get("assignments") or []}
    group_of = {c_id: n for n, g in enumerate(view.get("groups") or []) for c_id in (c["id"] for c in g["clusters"])}
    # Document order: the groups are in the text's order, so rows follow their cluster's group, then the id.
    ids = sorted((i for i in assignments if isinstance(i, int)),
                 key=lambda i: (group_of.get(assignments[i]["cluster_id"], len(group_of)), i))
    part_labels: dict[int, dict[str, str]] = {}  # article id -> part key -> "inciso II"
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        found = {c.id: c for c in db.session.scalars(
            select(Contribution).where(Contribution.id.in_(chunk))
            .options(joinedload(Contribution.author), joinedload(Contribution.workshop),
                     joinedload(Contribution.article), joinedload(Contribution.section))
        ).unique()}
        for c in (found[i] for i in chunk if i in found):
            a = assignments[c.id]
            cluster = clusters.get(a["cluster_id"]) or {}
            part = ""
            if c.article is not None:
                article = c.article.label
                if c.part:
                    if c.article.id not in part_labels:
                        part_labels[c.article.id] = {p.key: p.label for p in article_parts(c.article.body)}
                    part = part_labels[c.article.id].get(c.part, c.part)
            else:
                article = _("Propostas de novo artigo") + (f" — {c.section.title}" if c.section else "")
            yield {
                "id": c.id, "dispositivo": article, "parte": part, "grupo_id": a["cluster_id"], "grupo": cluster.get("label", ""),
                "campanha_id": a.get("campaign_id") or "", "posicao": c.stance.label,
                "canal": str(CHANNEL_LABELS.get(c.channel.value, c.channel.value)), "autor": public_author(c),
                "uf": _uf_of(c) or "", "texto": _text_of(c),
                "resposta": c.response_status.label if c.response_status else _("Sem resposta"),
                "justificativa": _mask(c.response_text),
            }


def region_rows(rows: Iterable[dict[str, Any]]) -> list[tuple[str, str, int]]:
    """(region, UF, contributions) for the given contribution rows, sorted; unknown UFs at the end."""
    counts = Counter(r["uf"] or "" for r in rows)
    out = []
    for uf, n in counts.items():
        region = STATES[uf][1].label if uf in STATES else _("Não informada")
        out.append((region, uf or "não informada", n))
    return sorted(out, key=lambda r: (r[0] == _("Não informada"), r[0], r[1]))


def summary_rows(run: AnalysisRun, view: dict[str, Any]) -> list[tuple[str, Any]]:
    """The "Resumo" sheet: what was analysed, how, and the totals."""
    info = view.get("run") or {}
    rows: list[tuple[str, Any]] = [
        (_("Consulta"), run.consultation.title), (_("Análise nº"), run.id), (_("Escopo"), _scope_label(run)),
        (_("Concluída em"), local_time(run, run.finished_at)),
        (_("Gerado em"), local_time(run, utcnow())), (_("Semente"), run.seed),
        (_("Contribuições analisadas"), view.get("size")), (_("Com peso das oficinas"), view.get("weighted_size")),
        (_("Textos distintos"), view.get("distinct_texts")), (_("Repetidas"), view.get("duplicated_records")),
        (_("Grupos"), len(clusters_by_id(view))), (_("Campanhas"), len(view.get("campaigns") or [])),
        (_("Edições da equipe"), len(run.edits or [])),
    ]
    rows += [(_("Parâmetro: %(name)s", name=k), json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v)
             for k, v in sorted((info.get("parameters") or {}).items())]
    rows += [(_("Versão: %(name)s", name=k), v) for k, v in sorted((run.versions or info.get("versions") or {}).items())]
    return rows


def build_xlsx(run: AnalysisRun) -> bytes:
    """The workbook: summary, one sheet per article, contributions, campaigns, regions and opinion groups."""
    view = edited_view(run)
    wb = Workbook(write_only=True)

    def sheet(title: str, rows: Iterable[Iterable[Any]]) -> None:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(safe_row(row))

    sheet("Resumo", [(_("Item"), _("Valor")), *summary_rows(run, view)])
    taken: set[str] = set()
    headers = [h for _, h in CLUSTER_COLUMNS]
    for group in view.get("groups") or []:
        group_rows = list(cluster_rows(run, {"groups": [group]}))
        sheet(sheet_title(_group_name(run, group), taken),
              [headers, *([r[k] for k, _ in CLUSTER_COLUMNS] for r in group_rows)])
    contributions = list(contribution_rows(view))
    sheet("Contribuições", [[h for _, h in CONTRIBUTION_COLUMNS],
                            *([r[k] for k, _ in CONTRIBUTION_COLUMNS] for r in contributions)])
    campaigns = [[r[k] for k, _ in CAMPAIGN_COLUMNS] for r in campaign_rows(view)]
    sheet("Campanhas", [[h for _, h in CAMPAIGN_COLUMNS], *campaigns] if campaigns
          else [[_("Nenhuma campanha encontrada nesta análise.")]])
    sheet("Regiões", [(_("Região"), _("UF"), _("Contribuições")), *region_rows(contributions)])
    sheet("Grupos de opinião", opinion_sheet_rows(opinion_groups(run)))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_lines(columns: list[tuple[str, str]], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """CSV text, header first, one line per yield, starting with a UTF-8 byte order mark (utf-8-sig)."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([h for _, h in columns])
    yield "\ufeff" + take()
    for row in rows:
        writer.writerow([row[k] for k, _ in columns])
        yield take()


def build_json(run: AnalysisRun) -> dict[str, Any]:
    """Everything about the run: facts, parameters, versions, the edited view, contributions, opinion groups."""
    view = edited_view(run)
    return {
        "run": {
            "id": run.id, "consultation": run.consultation.title, "consultation_slug": run.consultation.slug,
            "scope": run.scope.value, "scope_label": _scope_label(run), "status": run.status.value,
            "seed": run.seed, "params": run.params, "versions": run.versions, "timings": run.timings,
            "created_at": run.created_at.isoformat() if run.created_at else None,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "edits": run.edits or [],
        },
        "result": {key: value for key, value in view.items() if key != "opinion_groups"},
        "contributions": list(contribution_rows(view)),
        "opinion_groups": opinion_groups(run),
    }


STANCE_ORDER = ["agree", "partly", "disagree", "none", "unknown"]
STANCE_COLORS = {"agree": "#2e7d32", "partly": "#f9a825", "disagree": "#c62828", "none": "#78909c",
                 "unknown": "#b0bec5"}


def stance_bar(stances: dict[str, int]) -> list[dict[str, Any]]:
    """SVG rectangles (x, width in a 0-100 box) for a stance mix, in a fixed order."""
    total = sum(stances.values()) or 1
    x = 0.0
    rects = []
    for key in STANCE_ORDER + sorted(set(stances) - set(STANCE_ORDER)):
        n = stances.get(key, 0)
        if not n:
            continue
        width = 100 * n / total
        rects.append({"x": round(x, 2), "width": round(width, 2), "fill": STANCE_COLORS.get(key, "#90a4ae"),
                      "label": str(STANCE_LABELS.get(key, key)), "n": n})
        x += width
    return rects


def report_context(run: AnalysisRun) -> dict[str, Any]:
    """What the printable report shows, per article, then the opinion groups."""
    view = edited_view(run)
    groups = []
    for group in view.get("groups") or []:
        name = _group_name(run, group)
        stances: Counter[str] = Counter()
        for c in group["clusters"]:
            stances.update(c.get("stances") or {})
        campaigns = [c for c in view.get("campaigns") or [] if name in (c.get("articles") or {})
                     or (len(view.get("groups") or []) == 1)]
        groups.append({"name": name, "group": group, "stances": dict(stances), "bar": stance_bar(dict(stances)),
                       "themes": {t["id"]: t["label"] for t in group.get("themes") or []},
                       "campaigns": campaigns})
    return {"run": run, "view": view, "groups": groups, "opinions": opinion_groups(run),
            "scope_label": _scope_label(run), "generated_at": utcnow(),
            "generated_local": local_time(run, utcnow()), "stance_labels": STANCE_LABELS,
            "channel_labels": CHANNEL_LABELS, "mask": _mask, "counts": _counts, "stance_bar": stance_bar,
            "vote_labels": VOTE_LABELS}


# -- routes -----------------------------------------------------------------------------------------------

def _done_run(run_id: int) -> tuple[AnalysisRun | None, Any]:
    run = db.get_or_404(AnalysisRun, run_id)
    if run.status is not RunStatus.DONE or not run.result:
        page = render_template(
            "errors/error.html", code=409, title=_("Análise não concluída"),
            message=_("Os arquivos só ficam disponíveis depois que a análise termina com sucesso. "
                      "Acompanhe a situação na página da análise."),
        )
        return None, (page, 409)
    return run, None


@bp.route("/execucoes/<int:run_id>/download.xlsx")
@require(Permission.ANALYZE)
def download_xlsx(run_id: int):
    """The run as an Excel workbook."""
    run, refusal = _done_run(run_id)
    if run is None:
        return refusal
    return attachment(build_xlsx(run), "xlsx", _filename(run, "resultado.xlsx"))


def _csv_response(run: AnalysisRun, name: str, lines: Iterator[str]) -> Response:
    return attachment(stream_with_context(lines), "csv", _filename(run, name))


@bp.route("/execucoes/<int:run_id>/clusters.csv")
@require(Permission.ANALYZE)
def download_clusters_csv(run_id: int):
    """The clusters of the edited view as CSV."""
    run, refusal = _done_run(run_id)
    if run is None:
        return refusal
    view = edited_view(run)
    return _csv_response(run, "grupos.csv", csv_lines(CLUSTER_COLUMNS, cluster_rows(run, view)))


@bp.route("/execucoes/<int:run_id>/contribuicoes.csv")
@require(Permission.ANALYZE)
def download_contributions_csv(run_id: int):
    """The analysed contributions, with their clusters, as CSV."""
    run, refusal = _done_run(run_id)
    if run is None:
        return refusal
    view = edited_view(run)
    return _csv_response(run, "contribuicoes.csv", csv_lines(CONTRIBUTION_COLUMNS, contribution_rows(view)))


@bp.route("/execucoes/<int:run_id>/campanhas.csv")
@require(Permission.ANALYZE)
def download_campaigns_csv(run_id: int):
    """The campaigns of the run as CSV."""
    run, refusal = _done_run(run_id)
    if run is None:
        return refusal
    view = edited_view(run)
    return _csv_response(run, "campanhas.csv", csv_lines(CAMPAIGN_COLUMNS, campaign_rows(view)))


@bp.route("/execucoes/<int:run_id>/resultado.json")
@require(Permission.ANALYZE)
def download_json(run_id: int):
    """Everything about the run as JSON."""
    run, refusal = _done_run(run_id)
    if run is None:
        return refusal
    body = json.dumps(build_json(run), ensure_ascii=False, indent=2, default=str)
    return attachment(body, "json", _filename(run, "resultado.json"))


@bp.route("/execucoes/<int:run_id>/relatorio")
@require(Permission.ANALYZE)
def report(run_id: int):
    """The printable report of the run (use the browser's print to save a PDF)."""
    run, refusal = _done_run(run_id)
    if run is None:
        return refusal
    return render_template("insights/report.html", **report_context(run))
