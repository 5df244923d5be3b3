"""What the article page shows: the text, tallies, the reader's vote and a page of contributions."""

import re
from collections.abc import Mapping
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from consulta.consultations import services as consultation_services
from consulta.drafts import article_parts, render_article_body
from consulta.inputs import page_number
from consulta.models import Article, Consultation, ContributionKind, Section, Stance
from consulta.participation import fragments, services, votes
from consulta.participation.forms import (
    ContributionForm,
    NewArticleForm,
    ReplyForm,
    ReportForm,
)
from consulta.participation.gate import Action, decide

SORT_LABELS = {"recentes": _l("Mais recentes"), "apoiadas": _l("Mais apoiadas")}
PART_KEY_RE = re.compile(r"^[A-Za-z0-9.-]{1,80}$")


def filter_from_args(args: Mapping[str, str]) -> services.ContributionFilter:
    """Read sort, stance, kind and page from the query string, ignoring anything invalid."""
    f = services.ContributionFilter()
    if args.get("ordem") in SORT_LABELS:
        f.sort = args["ordem"]
    if args.get("posicao") in Stance._value2member_map_:
        f.stance = Stance(args["posicao"])
    if args.get("tipo") in ContributionKind._value2member_map_:
        f.kind = ContributionKind(args["tipo"])
    if PART_KEY_RE.match(args.get("parte", "")):
        f.part = args["parte"]
    f.page = page_number(args)
    return f


def filter_args(f: services.ContributionFilter, **changes: Any) -> dict[str, Any]:
    """Query-string arguments for `f` with some changed (for links), leaving defaults out."""
    args = {
        "ordem": f.sort if f.sort != "recentes" else None,
        "posicao": f.stance.value if f.stance else None,
        "tipo": f.kind.value if f.kind else None,
        "parte": f.part or None,
        "pagina": f.page if f.page > 1 else None,
    }
    args.update(changes)
    return {k: v for k, v in args.items() if v is not None}


def article_context(
    article: Article,
    f: services.ContributionFilter,
    *,
    with_list: bool = True,
    contribution_form: ContributionForm | None = None,
    reply_forms: dict[int, ReplyForm] | None = None,
    reply_form: ReplyForm | None = None,
) -> dict[str, Any]:
    """Everything the article page and its fragments need, in a constant number of queries."""
    user = current_user if current_user.is_authenticated else None
    context = thread_context(article.consultation, reply_forms=reply_forms, reply_form=reply_form)
    context.update(
        article=article,
        filter=f,
        filter_args=filter_args,
        sort_labels=SORT_LABELS,
        stances=list(Stance),
        kinds=[ContributionKind.COMMENT, ContributionKind.NEW_WORDING, ContributionKind.REMOVAL],
        my_vote=votes.vote_of(user.id if user else None, article.id) if article.accepts_votes else None,
    )
    context.update(part_context(article, f))
    if user is not None:
        # Forms (and so a CSRF token in the session) only for people who can use them: an anonymous
        # visitor gets no cookie, and the page stays cacheable.
        form = contribution_form
        if form is None:
            form = ContributionForm(formdata=None).fresh_key()
            selected = context["selected_part"]
            if selected is not None:
                # "Comentar" on a part: the form starts on that part, its current text ready to be rewritten.
                form.part.data, form.proposed_text.data = selected.key, selected.source
        form.part.choices = [SelectChoice("", _("%(label)s inteiro", label=article.label))] + [
            SelectChoice(p.key, p.label[:1].upper() + p.label[1:]) for p in context["parts"]
        ]
        context.update(contribution_form=form)
    if with_list:
        if reply_forms is None and reply_form is None and fragments.cacheable():
            context["contribution_list_html"] = fragments.contribution_list(
                article, f, context, lambda: contribution_page(article, f, supports=False))
        else:
            context.update(contribution_page(article, f))
        context.update(fragments.shared(("around", article.id, article.page_version, article.consultation.slug),
                                        lambda: _around(article)))
    return context


def _around(article: Article) -> dict[str, Any]:
    """The breadcrumbs and the neighbouring articles, as plain values (the same for every reader)."""
    previous, following = consultation_services.neighbours(article)
    return {
        "trail": [fragments.Link(s.id, title=s.title) for s in consultation_services.section_trail(article.section)],
        "previous": previous and fragments.Link(previous.id, label=previous.label),
        "following": following and fragments.Link(following.id, label=following.label),
    }


def part_context(article: Article, f: services.ContributionFilter) -> dict[str, Any]:
    """The article's parts, their labels and counts, the chosen part, and the text marked up with them.

    The same for every reader: kept per article version (participation.fragments.shared).
    """
    return fragments.shared(("parts", article.id, article.page_version, article.consultation.slug, f.part),
                            lambda: _part_context(article, f))


def _part_context(article: Article, f: services.ContributionFilter) -> dict[str, Any]:
    parts = article_parts(article.body)
    if len(parts) < 2:
        parts = []  # a one-sentence article has nothing to choose between
    selected = next((p for p in parts if p.key == f.part), None)
    counts = services.part_counts(article) if parts else {}
    context: dict[str, Any] = {
        "parts": parts,
        "part_labels": {p.key: p.label for p in parts},
        "part_counts": counts,
        "selected_part": selected,
        "article_html": None,
    }
    if parts:
        context["article_html"] = render_article_body(
            article.body, counts=counts, selected=selected.key if selected else None,
            part_link=lambda key: url_for("consultations.article", slug=article.consultation.slug,
                                          article_id=article.id, parte=key, _anchor="contribuir"),
        )
    return context


def thread_context(consultation: Consultation, *, reply_forms: dict[int, ReplyForm] | None = None,
                   reply_form: ReplyForm | None = None) -> dict[str, Any]:
    """What every list of contributions needs: the reader, the button forms and the per-item forms."""
    user = current_user if current_user.is_authenticated else None
    return {
        "consultation": consultation,
        "can_take_part": bool(decide(user, consultation, Action.CONTRIBUTE)),
        "gate": decide(user, consultation, Action.CONTRIBUTE),
        "report_form_for": lambda c: ReportForm(prefix=f"d{c.id}"),
        "reply_form_for": lambda c: (reply_forms or {}).get(c.id)
        or (reply_form if reply_form is not None and reply_form._prefix == f"r{c.id}-" else None)
        or ReplyForm(prefix=f"r{c.id}", formdata=None).fresh_key(),
        "edit_window_open": services.edit_window_open,
        "user_id": user.id if user else None,
    }


def contribution_page(target: Article | Section, f: services.ContributionFilter,
                      supports: bool = True) -> dict[str, Any]:
    """A page of contributions with their replies and (unless not `supports`) the reader's supports."""
    user = current_user if current_user.is_authenticated else None
    contributions, has_more = services.page_of_contributions(target, f, current_app.config["CONTRIBUTIONS_PER_PAGE"])
    replies = services.replies_for(contributions)
    every = [*contributions, *(r for rs in replies.values() for r in rs)]
    return {
        "contributions": contributions,
        "has_more": has_more,
        "replies": replies,
        "supported": services.supported_ids(user, every) if supports else set(),
    }


def section_context(section: Section, f: services.ContributionFilter,
                    proposal_form: NewArticleForm | None = None) -> dict[str, Any]:
    """The section page: its articles, the proposals of new articles and the proposal form."""
    context = thread_context(section.consultation)
    context.update(contribution_page(section, f))
    context.update(
        section=section,
        filter=f,
        filter_args=filter_args,
        trail=consultation_services.section_trail(section),
        section_articles=consultation_services.articles_of_section(section),
        proposal_form=proposal_form
        or (NewArticleForm(formdata=None).fresh_key() if current_user.is_authenticated else None),
    )
    return context
