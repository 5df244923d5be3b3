"""What the article page shows: the text, tallies, the reader's vote and a page of contributions."""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import current_app, g, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import escape
from sqlalchemy import String, bindparam, cast, exists, func, select, type_coerce
from wtforms import SelectChoice

from consulta.accessibility import preferences as accessibility
from consulta.auth.sessions import SignInRead, read_with_sign_in
from consulta.consultations import services as consultation_services
from consulta.consultations.services import ArticleHead
from consulta.drafts import article_parts, render_article_body
from consulta.extensions import db
from consulta.inputs import page_number
from consulta.models import (
    Article,
    Consultation,
    Contribution,
    ContributionKind,
    Follow,
    FollowTarget,
    Section,
    Stance,
    Support,
    Vote,
    VoteValue,
)
from consulta.notifications.follows import follow_context
from consulta.participation import fragments, services, votes
from consulta.participation.forms import (
    ContributionForm,
    NewArticleForm,
    ReplyForm,
    ReportForm,
)
from consulta.participation.gate import Action, decide
from consulta.participation.vote_panel import render as vote_panel_html
from consulta.web import is_htmx_partial

SORT_LABELS = {"recentes": _l("Mais recentes"), "apoiadas": _l("Mais apoiadas")}
# The query parameters the article page reads (and the language switch's): pages with others are not cached.
PAGE_ARGS = frozenset({"ordem", "posicao", "tipo", "parte", "pagina", "lang"})
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
    skeleton: bool = False,
) -> dict[str, Any]:
    """Everything the article page and its fragments need, in a constant number of queries.

    With `skeleton`, the page as `article_page` caches it: markers instead of the reader's vote panel,
    follow button, list of contributions, CSRF token and submission key.
    """
    user = current_user if current_user.is_authenticated else None
    context = list_context(article, f, reply_forms=reply_forms, reply_form=reply_form)
    if skeleton:
        context.update(vote_panel_html=fragments.hole("vote"), follow_html=fragments.hole("follow"),
                       contribution_list_html=fragments.hole("list"), csrf_token=lambda: fragments.CSRF_MARK,
                       share_image_url=lambda *args, **kwargs: fragments.hole("share"))
    elif article.accepts_votes:
        gate = decide(user, article.consultation, Action.CONTRIBUTE)
        context.update(vote_panel_html=vote_panel_html(
            article, article.consultation, my_vote=votes.vote_of(user.id if user else None, article.id),
            can_take_part=bool(gate), gate=gate))
    if user is not None:
        # Forms (and so a CSRF token in the session) only for people who can use them: an anonymous
        # visitor gets no cookie, and the page stays cacheable.
        form = contribution_form
        if form is None:
            form = ContributionForm(formdata=None)
            if skeleton:
                form.submission_key.data = fragments.KEY_MARK
            else:
                form.fresh_key()
            selected = context["selected_part"]
            if selected is not None:
                # "Comentar" on a part: the form starts on that part, its current text ready to be rewritten.
                form.part.data, form.proposed_text.data = selected.key, selected.source
        form.part.choices = [SelectChoice("", _("%(label)s inteiro", label=article.label))] + [
            SelectChoice(p.key, p.label[:1].upper() + p.label[1:]) for p in context["parts"]
        ]
        context.update(contribution_form=form)
    if with_list and not skeleton:
        if reply_forms is None and reply_form is None and fragments.cacheable():
            context["contribution_list_html"] = fragments.contribution_list(
                article, f, context, lambda: contribution_page(article, f, supports=False))
        else:
            context.update(contribution_page(article, f))
    if with_list or skeleton:
        context.update(fragments.shared(("around2", article.id, article.page_version, article.consultation.slug),
                                        lambda: _around(article)))
    return context


def list_context(article: Article, f: services.ContributionFilter, *,
                 reply_forms: dict[int, ReplyForm] | None = None,
                 reply_form: ReplyForm | None = None) -> dict[str, Any]:
    """What the page of contributions needs besides the contributions: the reader, the filter, the parts."""
    context = thread_context(article.consultation, reply_forms=reply_forms, reply_form=reply_form)
    context.update(
        article=article,
        filter=f,
        filter_args=filter_args,
        sort_labels=SORT_LABELS,
        stances=list(Stance),
        kinds=[ContributionKind.COMMENT, ContributionKind.NEW_WORDING, ContributionKind.REMOVAL],
    )
    context.update(part_context(article, f))
    return context


def article_page(head: ArticleHead, f: services.ContributionFilter, load: Callable[[], Article]) -> str:
    """The article page for the current reader, from a page cached once for every reader like them.

    What is the same for everyone (the text, its statistics, the forms, the menus of the reader's kind) is
    rendered once per article version (participation.fragments.page); each request adds what is its own:
    the vote panel with the tallies of the moment (and the preview image's URL, versioned by them), the follow
    button, the page of contributions, the CSRF token and a submission key. `head` is what serving a kept
    page reads of the article (consultations.services.ArticleHead); `load()` gives the ORM article, loaded
    only to render what is not kept. Readers who get a flashed message, unknown query parameters or unmasked
    personal data (moderators) get the page rendered in full.
    """
    full = cache(load)
    if not fragments.cacheable() or "_flashes" in session or not set(request.args) <= PAGE_ARGS:
        context = article_context(full(), f)
        context.update(follow_context(FollowTarget.ARTICLE, head.id))
        return render_template("consultations/article.html", **context)
    consultation = head.consultation
    user = current_user if current_user.is_authenticated else None
    gate = decide(user, consultation, Action.CONTRIBUTE)
    reader = ("in", user.role.value, bool(gate), "" if gate else gate.reason) if user is not None else ("anon",)
    key = (head.id, head.page_version, consultation.id, consultation.updated_at.timestamp(),
           consultation.phase.value, request.host, request.full_path, is_htmx_partial(),
           accessibility.cache_key(), *reader)

    def render() -> str:
        return render_template("consultations/article.html", **article_context(full(), f, skeleton=True))

    def vote_panel() -> str:
        if not head.accepts_votes:
            return ""
        return vote_panel_html(head, consultation, my_vote=state.vote, can_take_part=bool(gate), gate=gate)

    def follow_button() -> str:
        if user is None:
            return ""
        following = state.following
        return fragments.fill(fragments.page(("follow", head.id, following), lambda: render_template(
            "notifications/_follow.html", follow_type=FollowTarget.ARTICLE.value, follow_id=head.id,
            following=following, csrf_token=lambda: fragments.CSRF_MARK)))

    def contributions() -> str:
        # Who reads, for the kept list; what it shows (the ORM article's) only when it is rendered.
        reader_context = {"user_id": user.id if user is not None else None, "can_take_part": bool(gate)}
        return fragments.contribution_list(
            head, f, reader_context,
            lambda: {**list_context(full(), f), **contribution_page(full(), f, supports=False)},
            supported=state.supported)

    state = reader_state(user.id, head.id) if user is not None else ReaderState()

    def share_image() -> str:
        # Its version is a digest of the tallies, which votes move without moving the page's version.
        from consulta.share.views import share_image_url

        return fragments.shared(
            ("share", head.id, head.page_version, consultation.updated_at.timestamp(),
             head.contribution_total, head.vote_total),  # what its card counts
            lambda: escape(share_image_url(full().consultation, full())))

    holes = {"vote": vote_panel, "follow": follow_button, "list": contributions, "share": share_image}
    return fragments.fill(fragments.page(key, render), lambda name: holes[name]())


@dataclass(frozen=True)
class ReaderState:
    """What is the reader's own on an article page: their vote, whether they follow it, what they support."""

    vote: VoteValue | None = None
    following: bool = False
    supported: frozenset[int] = frozenset()


def reader_state(user_id: int, article_id: int) -> ReaderState:
    """The reader's vote, follow and supports on the article, in one query (none when the sign-in check read
    them: `_keep_page` below)."""
    kept = g.pop("reader_state", None)
    if kept is not None and kept[0] == (user_id, article_id):
        return kept[1]
    row = db.session.execute(_reader_statement(), {"user_id": user_id, "article_id": article_id}).one()
    return _state_from(row)


def _reader_columns(account: Any) -> tuple:
    """The reader's vote, follow and supports on the article :article_id as three columns of one row."""
    article = bindparam("article_id")
    vote_table, follows, supports, contributions = (
        Vote.__table__, Follow.__table__, Support.__table__, Contribution.__table__)
    return (
        select(type_coerce(vote_table.c.value, String))
        .where(vote_table.c.user_id == account, vote_table.c.article_id == article).scalar_subquery(),
        exists().where(follows.c.user_id == account, follows.c.target_type == FollowTarget.ARTICLE,
                       follows.c.target_id == article),
        select(func.aggregate_strings(cast(supports.c.contribution_id, String), ","))
        .select_from(supports.join(contributions, contributions.c.id == supports.c.contribution_id))
        .where(supports.c.user_id == account, contributions.c.article_id == article).scalar_subquery(),
    )


@cache
def _reader_statement():
    return select(*_reader_columns(bindparam("user_id")))


def _state_from(values: Sequence) -> ReaderState:
    """The ReaderState of `_reader_columns`' values."""
    vote, following, supported = values
    return ReaderState(VoteValue(vote) if vote else None, bool(following),
                       frozenset(int(n) for n in supported.split(",")) if supported else frozenset())


def _join_page(source: Any, account: Any) -> tuple[Any, tuple]:
    return consultation_services.join_head(source), (*consultation_services.head_columns(),
                                                     *_reader_columns(account))


def _keep_page(params: dict[str, Any], account: int, values: Sequence) -> None:
    width = len(consultation_services.head_columns())
    head = consultation_services.head_from_row(values[:width])
    g.article_head = ((params["slug"], params["article_id"]), head)
    if head is not None:
        g.reader_state = ((account, head.id), _state_from(values[width:]))


# A signed-in reader's article page: the sign-in check also reads the article's head and the reader's own
# state, so a kept page costs that one query.
read_with_sign_in("consultations.article", SignInRead(
    params=lambda view_args: {"slug": view_args["slug"], "article_id": view_args["article_id"]}
    if "slug" in view_args and "article_id" in view_args else None,
    extend=_join_page, consume=_keep_page))


def _around(article: Article) -> dict[str, Any]:
    """The breadcrumbs and the neighbouring articles, as plain values (the same for every reader)."""
    previous, following = consultation_services.neighbours(article)
    return {
        "trail": [fragments.Link(s.id, title=s.title) for s in consultation_services.section_trail(article.section)],
        # Not "following": the follow button's context uses that name for whether the reader follows.
        "previous_article": previous and fragments.Link(previous.id, label=previous.label),
        "next_article": following and fragments.Link(following.id, label=following.label),
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
