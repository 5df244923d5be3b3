"""The public results page of a consultation."""

from flask import abort, make_response, render_template
from flask_login import current_user

from consulta.authz import can_view_consultation
from consulta.consultations.services import get_by_slug
from consulta.results import bp, services
from consulta.web import anonymous_page_cache

CHART_HEIGHT = 120  # the timeline's drawing height, in SVG units
BAR_STEP = 12  # horizontal room of one day


@bp.route("/consultas/<slug>/resultados")
@anonymous_page_cache
def consultation_results(slug: str):
    """Participation in numbers: totals, map, channel, sector, timeline and recommendation votes."""
    consultation = get_by_slug(slug)
    if consultation is None or not can_view_consultation(current_user, consultation):
        abort(404)
    results = services.snapshot_results(consultation)
    response = make_response(render_template("results/results.html", consultation=consultation, results=results,
                                             chart=_timeline_chart(results.timeline), share=services.share))
    response.last_modified = results.computed_at
    return response


def _timeline_chart(timeline: services.Timeline) -> dict:
    """The bars of the daily chart as SVG coordinates (contributions stacked on votes)."""
    top = max((d.total for d in timeline.days), default=0)
    bars = []
    for n, day in enumerate(timeline.days):
        votes_h = CHART_HEIGHT * day.votes / top if top else 0
        contrib_h = CHART_HEIGHT * day.contributions / top if top else 0
        bars.append({
            "day": day, "x": n * BAR_STEP + 1, "width": BAR_STEP - 2,
            "votes_y": round(CHART_HEIGHT - votes_h, 2), "votes_h": round(votes_h, 2),
            "contrib_y": round(CHART_HEIGHT - votes_h - contrib_h, 2), "contrib_h": round(contrib_h, 2),
        })
    return {"bars": bars, "width": max(len(bars) * BAR_STEP, BAR_STEP), "height": CHART_HEIGHT, "top": top}
