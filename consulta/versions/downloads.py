"""Downloads of the published version: the quadro comparativo as XLSX and open-data JSON, the devolutiva as XLSX.

Public (the version is published), so authors appear as in the pages: organizations and workshops by name,
persons by a pseudonym. Spreadsheet cells go through the formula-neutralising writer (consulta.tabular).
"""

import io
from collections.abc import Iterable
from typing import Any

from flask import Response, jsonify
from flask_babel import gettext as _
from openpyxl import Workbook

from consulta.insights.responses import public_author
from consulta.locale_neutral import in_default_locale
from consulta.models import Contribution
from consulta.privacy import masked
from consulta.results.opendata import local_date
from consulta.tabular import safe_row
from consulta.versions import bp, services
from consulta.versions.views import _published
from consulta.web import attachment, public_cache


def _workbook(sheets: Iterable[tuple[str, Iterable[Iterable[Any]]]]) -> bytes:
    wb = Workbook(write_only=True)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(safe_row(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _download(data: bytes, filename: str) -> Response:
    """A published version's file: the same for everyone, so publicly cacheable."""
    return public_cache(attachment(data, "xlsx", filename))


def _cited(contributions: list[Contribution]) -> str:
    return "; ".join(f"nº {c.id} ({public_author(c)})" for c in contributions)


def comparison_rows(version) -> list[list[Any]]:
    """Header and one row per article, in document order."""
    rows: list[list[Any]] = [[_("Dispositivo"), _("Situação"), _("Texto consultado"), _("Texto da versão %(number)s", number=version.number),
                              _("Justificativa"), _("Contribuições consideradas")]]
    for row in services.comparison(version):
        entry = row.entry
        rows.append([entry.label, entry.change.label, entry.original, entry.body, entry.justification,
                     _cited(row.cited)])
    return rows


@bp.route("/consultas/<slug>/comparativo.xlsx")
@in_default_locale  # a public, cached file: one language for everyone
def comparison_xlsx(slug: str):
    """The quadro comparativo as a spreadsheet."""
    consultation, version = _published(slug)
    return _download(_workbook([(_("Quadro comparativo"), comparison_rows(version))]),
                     f"{consultation.slug}-quadro-comparativo-v{version.number}.xlsx")


@bp.route("/consultas/<slug>/dados/comparativo.json")
def comparison_json(slug: str):
    """The quadro comparativo as open data."""
    consultation, version = _published(slug)
    return public_cache(jsonify({
        "consulta": consultation.slug,
        "versao": version.number,
        "titulo": version.title,
        "publicada_em": local_date(version.published_at),
        "dispositivos": [
            {"rotulo": r.entry.label, "artigo_id": r.entry.article_id, "situacao": r.entry.change.value,
             "texto_consultado": r.entry.original, "texto_novo": r.entry.body,
             "justificativa": r.entry.justification, "contribuicoes": [c.id for c in r.cited]}
            for r in services.comparison(version)
        ],
    }))


@bp.route("/consultas/<slug>/devolutiva.xlsx")
@in_default_locale  # a public, cached file: one language for everyone
def devolutiva_xlsx(slug: str):
    """The relatório de devolutiva as a spreadsheet: summaries and every answer with its reason."""
    consultation, version = _published(slug)
    by_article, by_channel, total = services.devolutiva_summary(consultation)
    statuses = services.STATUS_ORDER
    header = ["", *[s.label if s else _("Sem resposta") for s in statuses], _("Total")]

    def table(first: str, rows) -> list[list[Any]]:
        return [[first, *header[1:]], *([r.label, *[r.counts[s] for s in statuses], r.total] for r in rows)]

    answers = services.answered(consultation)
    changes = services.citing_changes(answers)
    answer_rows = [[_("Nº"), _("Dispositivo"), _("Canal"), _("Autoria"), _("Posicionamento"), _("Texto"), _("Resposta"), _("Justificativa"),
                    _("Data da resposta"), _("Alteração no texto")]]
    for c in answers:
        answer_rows.append([c.id, c.article.label if c.article else "", services.CHANNEL_LABELS[c.channel],
                            public_author(c),
                            c.stance.label, masked(c.body), c.response_status.label, masked(c.response_text or ""),
                            local_date(c.responded_at), ", ".join(e.label for e in changes.get(c.id, []))])
    data = _workbook([(_("Por dispositivo"), table(_("Dispositivo"), [*by_article, total])),
                      (_("Por canal"), table(_("Canal"), by_channel)), (_("Respostas"), answer_rows),
                      (_("Quadro comparativo"), comparison_rows(version))])
    return _download(data, f"{consultation.slug}-devolutiva.xlsx")
