"""The public search page of a consultation: GET form, linkable results, the results fragment for htmx."""

from flask import render_template, request

from consulta.consultations.services import get_visible_or_404
from consulta.geo import STATES, Region
from consulta.models import ContributionKind, Stance
from consulta.search import bp, services
from consulta.search.filters import ANSWERS, AUTHORS, CHANNELS, SORTS, query_from_args
from consulta.web import anonymous_page_cache, is_htmx_partial


@bp.route("/consultas/<slug>/busca")
@anonymous_page_cache
def search(slug: str):
    """Search the consultation's contributions by words and filters; htmx gets the results fragment."""
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
        return render_template("search/_results.html", **context)
    context.update(
        articles=services.articles_of(consultation), sorts=SORTS, channels=CHANNELS, authors=AUTHORS,
        answers=ANSWERS, stances=list(Stance), regions=list(Region),
        kinds=list(ContributionKind), state_choices=sorted(STATES.items(), key=lambda item: item[1][0]),
    )
    return render_template("search/search.html", **context)
