"""The vote panel (participation/_vote_panel.html), kept per kind of panel with the tallies filled in per answer.

A vote moves the tallies and nothing else the panel shows. So the panel is rendered once, per locale, for
each combination of what else it shows (the article, the reader's vote, whether they may vote or why not,
the message just given), with markers where the counts, the bars, the percentages and the totals go and
where the reader's CSRF token goes (participation.fragments.page). Each answer puts in the tallies of the
moment and its own token: a string join instead of a template render, on the hottest write of a
consultation. Every vote panel, on the article page and in answer to a vote, is made here; no reader's value
is ever in the kept text, only in the key's choices (which vote is pressed), which are not personal data.
"""

from typing import Any

from flask import render_template, request
from flask_login import current_user
from markupsafe import Markup, escape

from consulta.i18n import ngettext
from consulta.models import VoteValue
from consulta.participation import fragments
from consulta.web import number

TONES = ("agree", "disagree", "abstain")
# What the template prints of the tallies, each as a marker that `render` fills.
MARKS = {name: fragments.hole(name) for name in (
    "caption", "total", *(f"{tone}_{part}" for tone in TONES for part in ("count", "width", "pct")))}


def tally_values(agree: int, disagree: int, abstain: int) -> dict[str, str]:
    """The panel's numbers for these tallies, as text (what MARKS stand for)."""
    total = agree + disagree + abstain
    values = {
        "caption": escape(ngettext("Resultado da votação (%(num)s voto)", "Resultado da votação (%(num)s votos)",
                                   total)),
        "total": escape(ngettext("%(num)s voto.", "%(num)s votos.", total)),
    }
    for tone, count in zip(TONES, (agree, disagree, abstain), strict=True):
        share = 100.0 * count / total if total else 0.0
        values[f"{tone}_count"] = str(count)
        values[f"{tone}_width"] = f"{share:.2f}"
        values[f"{tone}_pct"] = number(share, 0)
    return values


def render(article: Any, consultation: Any, *, my_vote: VoteValue | None, can_take_part: bool, gate: Any = None,
           message: str | None = None, message_ok: bool = True, focus: bool = False) -> Markup:
    """The panel of `article` (anything with id and votes_agree/disagree/abstain) for the current reader.

    `gate` (the participation gate's answer), when given and refusing, explains why the reader cannot vote.
    """
    signed_in = current_user.is_authenticated
    refusal = gate.reason if gate is not None and not gate and signed_in and consultation.is_open else None
    key = ("vote-panel", article.id, consultation.slug, consultation.is_open, signed_in,
           my_vote.value if my_vote else "", bool(can_take_part), refusal or "", message or "", message_ok, focus,
           "" if signed_in else request.path)  # the sign-in link comes back here
    pieces = fragments.page(key, lambda: render_template(
        "participation/_vote_panel.html", article=article, consultation=consultation, tally=MARKS,
        my_vote=my_vote, can_take_part=can_take_part, refusal=refusal, message=message, message_ok=message_ok,
        focus=focus, csrf_token=lambda: fragments.CSRF_MARK))
    values = tally_values(article.votes_agree, article.votes_disagree, article.votes_abstain)
    return Markup(fragments.fill(pieces, values.__getitem__))  # noqa: S704 - escaped text and numbers go in
