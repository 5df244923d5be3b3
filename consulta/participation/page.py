"""What the article page shows: the text, tallies, the reader's vote and a page of contributions."""

from collections.abc import Mapping
from typing import Any

from flask import current_app
from flask_login import current_user

from consulta.auth.forms import ActionForm
from consulta.consultations import services as consultation_services
from consulta.inputs import page_number
from consulta.models import Article, Consultation, ContributionKind, Section, Stance
from consulta.participation import services
from consulta.participation.forms import (
    ContributionForm,
    NewArticleForm,
    ReplyForm,
    ReportForm,
    SupportForm,
)

SORT_LABELS = {"recentes": "Mais recentes", "apoiadas": "Mais apoiadas"}


def filter_from_args(args: Mapping[str, str]) -> services.ContributionFilter:
    """Read sort, stance, kind and page from the query string, ignoring anything invalid."""
    f = services.ContributionFilter()
    if args.get("ordem") in SORT_LABELS:
        f.sort = args["ordem"]
    if args.get("posicao") in Stance._value2member_map_:
        f.stance = Stance(args["posicao"])
    if args.get("tipo") in ContributionKind._value2member_map_:
        f.kind = ContributionKind(args["tipo"])
    f.page = page_number(args)
    return f


def filter_args(f: services.ContributionFilter, **changes: Any) -> dict[str, Any]:
    """Query-string arguments for `f` with some changed (for links), leaving defaults out."""
    args = {
        "ordem": f.sort if f.sort != "recentes" else None,
        "posicao": f.stance.value if f.stance else None,
        "tipo": f.kind.value if f.kind else None,
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
        my_vote=services.vote_of(user, article) if article.accepts_votes else None,
    )
    if user is not None:
        # Forms (and so a CSRF token in the session) only for people who can use them: an anonymous
        # visitor gets no cookie, and the page stays cacheable.
        context.update(contribution_form=contribution_form or ContributionForm(formdata=None).fresh_key())
    if with_list:
        context.update(contribution_page(article, f))
        previous, following = consultation_services.neighbours(article)
        context.update(trail=consultation_services.section_trail(article.section), previous=previous,
                       following=following)
    return context


def thread_context(consultation: Consultation, *, reply_forms: dict[int, ReplyForm] | None = None,
                   reply_form: ReplyForm | None = None) -> dict[str, Any]:
    """What every list of contributions needs: the reader, the button forms and the per-item forms."""
    user = current_user if current_user.is_authenticated else None
    return {
        "consultation": consultation,
        "can_take_part": bool(user and user.is_active and consultation.is_open),
        "action_form": ActionForm() if user else None,
        "support_form": SupportForm() if user else None,
        "report_form_for": lambda c: ReportForm(prefix=f"d{c.id}"),
        "reply_form_for": lambda c: (reply_forms or {}).get(c.id)
        or (reply_form if reply_form is not None and reply_form._prefix == f"r{c.id}-" else None)
        or ReplyForm(prefix=f"r{c.id}", formdata=None).fresh_key(),
        "edit_window_open": services.edit_window_open,
        "user_id": user.id if user else None,
    }


def contribution_page(target: Article | Section, f: services.ContributionFilter) -> dict[str, Any]:
    """A page of contributions with their replies and the reader's supports (four queries)."""
    user = current_user if current_user.is_authenticated else None
    contributions, has_more = services.page_of_contributions(target, f, current_app.config["CONTRIBUTIONS_PER_PAGE"])
    replies = services.replies_for(contributions)
    every = [*contributions, *(r for rs in replies.values() for r in rs)]
    return {
        "contributions": contributions,
        "has_more": has_more,
        "replies": replies,
        "supported": services.supported_ids(user, every),
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
