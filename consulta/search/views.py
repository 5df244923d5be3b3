"""The public search page of a consultation: GET form, linkable results, the results fragment for htmx.

Every search has one URL: its canonical query string (no empty arguments, no default sort). A full-page GET
with any other query string (the plain form sends every field, empty ones included) is redirected to it; an
htmx request is answered at once, with HX-Push-Url set to it, so the address bar shows the same clean URL.
"""

from flask import redirect, render_template, request, url_for

from consulta.consultations.services import get_visible_or_404
from consulta.geo import STATES, Region
from consulta.models import ContributionKind, Stance
from consulta.search import bp, services
from consulta.search.filters import (
    ANSWERS,
    AUTHORS,
    CHANNELS,
    SORTS,
    canonical_args,
    is_canonical,
    query_from_args,
)
from consulta.web import anonymous_page_cache, is_htmx_partial


@bp.route("/consultas/<slug>/busca")
def search(slug: str):
    """Search the consultation's contributions by words and filters; htmx gets the results fragment."""
    canonical = canonical_args(query_from_args(request.args), request.args)
    if is_htmx_partial():
        response = _results_page(slug)
        response.headers["HX-Push-Url"] = url_for("search.search", slug=slug, **canonical)
        return response
    if not is_canonical(request.args, canonical):
        return redirect(url_for("search.search", slug=slug, **canonical), 302)
    return _results_page(slug)


@anonymous_page_cache
def _results_page(slug: str):
    """The search page, or for htmx the results fragment (with the count for the live region, out of band)."""
    consultation = get_visible_or_404(slug)
    query = query_from_args(request.args)
    context = {
        "consultation": consultation,
        "query": query,
        "page": services.search(consultation, query),
        "article": services.article_of(consultation, query.article_id),
        "states": STATES,
        "workshop_states": services.workshop_states(consultation),
    }
    if is_htmx_partial():
        return render_template("search/_results.html", summary_out_of_band=True, **context)
    context.update(
        articles=services.articles_of(consultation), sorts=SORTS, channels=CHANNELS, authors=AUTHORS,
        answers=ANSWERS, stances=list(Stance), regions=list(Region),
        kinds=list(ContributionKind), state_choices=sorted(STATES.items(), key=lambda item: item[1][0]),
    )
    return render_template("search/search.html", **context)
