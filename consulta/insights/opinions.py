"""Opinion groups from the consultation's votes, for the run page, the downloads and the printed report.

The groups come from ``analysis.analyze_votes`` (participants by pseudonym, recommendations by their label).
``opinion_chart`` turns them into the geometry of an SVG bar chart of group sizes that the templates draw,
always next to a table holding the same figures, so the chart is never the only way to read them.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from consulta.insights import votes
from consulta.models import AnalysisRun

VOTE_LABELS = {"agree": "concordam", "disagree": "discordam"}
CHART_WIDTH = 600
CHART_LABEL_WIDTH = 110
CHART_BAR_HEIGHT = 28
CHART_GAP = 12
GROUP_COLORS = ("#1351b4", "#c2850c", "#168821", "#8e24aa", "#e52207")


def opinion_groups(run: AnalysisRun) -> dict[str, Any] | None:
    """The run's opinion groups (participants counted, never listed); None when nobody voted.

    Runs store them when they finish; for a run from before that, they are computed from today's votes.
    """
    if run.result and "opinion_groups" in run.result:
        return run.result["opinion_groups"]
    return votes.opinion_groups(run.consultation_id, seed=run.seed)


def opinion_chart(opinions: dict[str, Any] | None) -> dict[str, Any] | None:
    """The bars of an SVG chart of group sizes (coordinates in user units), or None with nothing to draw."""
    if not opinions or opinions.get("error") or not opinions.get("groups"):
        return None
    groups = opinions["groups"]
    total = sum(g["size"] for g in groups) or 1
    largest = max(g["size"] for g in groups) or 1
    room = CHART_WIDTH - CHART_LABEL_WIDTH - 120
    bars = []
    for i, g in enumerate(groups):
        y = CHART_GAP + i * (CHART_BAR_HEIGHT + CHART_GAP)
        width = max(2.0, room * g["size"] / largest)
        bars.append({
            "id": g["id"], "size": g["size"], "share": g["size"] / total, "y": y,
            "text_y": y + CHART_BAR_HEIGHT * 0.68, "x": CHART_LABEL_WIDTH, "width": round(width, 1),
            "value_x": round(CHART_LABEL_WIDTH + width + 6, 1), "color": GROUP_COLORS[i % len(GROUP_COLORS)],
        })
    height = CHART_GAP + len(groups) * (CHART_BAR_HEIGHT + CHART_GAP)
    return {"width": CHART_WIDTH, "height": height, "bar_height": CHART_BAR_HEIGHT, "bars": bars,
            "label_x": CHART_LABEL_WIDTH - 8}


def opinion_sheet_rows(opinions: dict[str, Any] | None) -> list[list[Any]]:
    """Rows describing the opinion groups, or one row saying there are none."""
    if opinions is None:
        return [[_("Não há votos nesta consulta: não há grupos de opinião a mostrar.")]]
    if opinions.get("error"):
        return [[opinions["error"]]]
    rows: list[list[Any]] = [
        [_("Participantes"), opinions["participants"]], [_("Votos"), opinions["votes"]], [_("Grupos"), opinions["k"]], [],
        [_("Grupo"), _("Participantes"), _("Recomendação"), _("O grupo"), _("Taxa no grupo (%)"), _("Taxa no resto (%)")],
    ]
    for g in opinions["groups"]:
        if not g["representative"]:
            rows.append([g["id"], g["size"], "", "", "", ""])
        for rep in g["representative"]:
            rows.append([g["id"], g["size"], rep["label"], VOTE_LABELS.get(rep["direction"], rep["direction"]),
                         round(rep["group_rate"] * 100, 1), round(rep["rest_rate"] * 100, 1)])
    rows += [[], [_("Consenso"), _("Direção"), _("Votos")]]
    rows += [[s["label"], VOTE_LABELS.get(s["direction"] or "", ""), s["votes"]] for s in opinions["consensus"]]
    rows += [[], [_("Divide os grupos"), _("Diferença"), _("Votos")]]
    rows += [[s["label"], s["score"], s["votes"]] for s in opinions["divisive"]]
    return rows
