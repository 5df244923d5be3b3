"""The shared part of an article page, rendered once per version and personalised per request.

What a page of contributions shows is the same for every reader except a few bits: the CSRF token in its
forms, the submission key of each reply form, and each contribution's action buttons (support or supported,
edit and withdraw on one's own, report on others'). So the list is rendered once per key

    (article, its page_version, the filter and page, locale, htmx or not, who reads: anonymous / signed in
     and allowed to take part / signed in and not)

with the personal bits as markers, and each request fills them in: its own CSRF token, fresh submission
keys, and for each contribution the action buttons of the variant that fits the reader (rendered at the
same time: "not mine", "supported", "mine, editable", "mine"). Moderators (who see personal data unmasked)
and re-rendered forms with errors bypass the cache. No personal value is ever stored: the cached text holds
only markers where a reader's token, keys or choices go, so one reader's page cannot reach another.

`page_version` moves in the same transaction as every change to what the list shows: writes through the
ORM (a new contribution, an edit, a response) are seen by a flush hook; the Core writes of the
participation services (supports, replies, moderation) call `touch()`. An entry also expires after
FRAGMENT_CACHE_SECONDS, the bound for changes made elsewhere (an erased account's name).
"""

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import event, inspect, or_, select, update
from sqlalchemy.orm import Session

from consulta.extensions import cache, db
from consulta.models import Article, Contribution, Support, User, Visibility

CSRF_MARK = "\x1fcsrf\x1f"
KEY_MARK = "\x1fkey\x1f"
# The markers of what is personal: each contribution's action buttons, which the template marks with
# <!--a:ID--> ... <!--/a-->; the reader's CSRF token; a fresh submission key; a named part of a page (`hole`).
_MARKS = re.compile(r"<!--a:(\d+)-->(.*?)<!--/a-->|\x1f(csrf|key|hole:(\w+))\x1f", re.S)


class _AnyAccount:
    """A reader who is the author of everything (renders the "mine" variant of every contribution)."""

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = object.__hash__


# -- invalidation ------------------------------------------------------------------------------------------

def touch(article_id: int | None) -> None:
    """Move the article's page_version when this transaction commits (a Core write changed its list)."""
    if article_id is not None:
        db.session.info.setdefault("touched_articles", set()).add(article_id)


@event.listens_for(Session, "after_flush")
def _collect(session: Session, flush_context: Any) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Contribution):
            touched, key = obj.article_id, "touched_articles"
        elif isinstance(obj, Article):
            touched, key = obj.id, "touched_articles"
        elif isinstance(obj, User) and inspect(obj).attrs.display_name.history.has_changes():
            touched, key = obj.id, "renamed_authors"  # a new name, or an erased account's placeholder
        else:
            continue
        if touched is not None:
            session.info.setdefault(key, set()).add(touched)


@event.listens_for(Session, "before_commit")
def _bump_versions(session: Session) -> None:
    touched = session.info.pop("touched_articles", None)
    renamed = session.info.pop("renamed_authors", None)
    if not touched and not renamed:
        return
    table, contributions = Article.__table__, Contribution.__table__
    where = []
    if touched:
        where.append(table.c.id.in_(sorted(touched)))
    if renamed:
        where.append(table.c.id.in_(select(contributions.c.article_id).where(
            contributions.c.author_id.in_(sorted(renamed)))))
    session.execute(update(table).where(or_(*where)).values(page_version=table.c.page_version + 1))


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("touched_articles", None)
    session.info.pop("renamed_authors", None)


# -- the cached list ---------------------------------------------------------------------------------------

@dataclass
class Entry:
    """One rendered list: text pieces and holes, the variants of each hole, who wrote what and when."""

    pieces: list  # as `_split` gives them: ("hole", id) for a contribution's actions
    variants: dict[int, tuple[str, str, str, str]]  # id -> (not mine, supported, mine editable, mine)
    authors: dict[int, tuple[int | None, datetime]]  # id -> (author id, created_at)
    ids: list[int]  # every contribution on the page, replies included


def _split(html: str) -> tuple[list, dict[int, str]]:
    """`html` cut at its markers, as pieces for `fill`: text, ("csrf",), ("key",) or ("hole", name or id); and
    the action buttons each contribution's marker held."""
    pieces: list = []
    segments: dict[int, str] = {}
    at = 0
    for match in _MARKS.finditer(html):
        pieces.append(html[at:match.start()])
        if match.group(1) is not None:
            segments[int(match.group(1))] = match.group(2)
            pieces.append(("hole", int(match.group(1))))
        elif match.group(4) is not None:
            pieces.append(("hole", match.group(4)))
        else:
            pieces.append((match.group(3),))
        at = match.end()
    pieces.append(html[at:])
    return pieces, segments


def _segments(html: str) -> dict[int, str]:
    return {int(m.group(1)): m.group(2) for m in _MARKS.finditer(html) if m.group(1) is not None}


def _render(context: dict[str, Any], **persona: Any) -> str:
    return render_template("participation/_contribution_page.html", **{**context, **persona})


def _fill(context: dict[str, Any], signed_in: bool) -> Entry:
    """Render the list for the personas and cut it into pieces (the context holds no reader's data)."""
    from consulta.participation.forms import ReplyForm

    def reply_form_for(c):
        form = ReplyForm(prefix=f"r{c.id}", formdata=None)
        form.submission_key.data = KEY_MARK
        return form

    context = {**context, "csrf_token": lambda: CSRF_MARK, "reply_form_for": reply_form_for, "supported": set()}
    every = [*context["contributions"], *(r for rs in context["replies"].values() for r in rs)]
    authors = {c.id: (c.author_id, c.created_at) for c in every}
    if not signed_in:
        pieces, plain = _split(_render(context, user_id=None))
        return Entry(pieces, {cid: (s, s, s, s) for cid, s in plain.items()}, authors, list(authors))
    nobody = -1
    pieces, plain = _split(_render(context, user_id=nobody))
    visible = [c.id for c in every if c.visibility is Visibility.VISIBLE]
    supported = _segments(_render(context, user_id=nobody, supported=set(visible)))
    mine_open = _segments(_render(context, user_id=_AnyAccount(), edit_window_open=lambda c: True))
    mine = _segments(_render(context, user_id=_AnyAccount(), edit_window_open=lambda c: False))
    variants = {cid: (plain[cid], supported.get(cid, plain[cid]), mine_open.get(cid, plain[cid]),
                      mine.get(cid, plain[cid])) for cid in plain}
    return Entry(pieces, variants, authors, list(authors))


@dataclass(frozen=True)
class Link:
    """An article or section as a page links to it (kept in the cache instead of an ORM object)."""

    id: int
    label: str = ""
    title: str = ""


def shared(key: tuple, compute) -> Any:
    """`compute()`, kept per `key` (which names an article version) and locale, for every reader.

    For values that are the same for everyone (an article's parts and their counts); never for a reader's own.
    """
    return _kept(":".join(map(str, ("shared", *key, get_locale()))), compute)


LOCAL_SECONDS = 10  # how long a worker keeps its own copy of an entry (bounded by FRAGMENT_CACHE_SECONDS)
LOCAL_ENTRIES = 512  # copies a worker keeps at most (all dropped when full)


def _kept(key: str, compute) -> Any:
    """The entry `key` (a page, a list, a shared part): this worker's copy, the shared cache's, or `compute()`.

    Entries never change under their key (it names the versions of what they show; readers never mutate
    them), so each worker also keeps the ones it used, unpickled, for LOCAL_SECONDS: a kept page costs no
    round trip to the shared cache (Redis in production) and no unpickling. `forget_kept` drops the copies.
    """
    seconds = current_app.config["FRAGMENT_CACHE_SECONDS"]
    if seconds <= 0:
        return compute()
    local = current_app.extensions.setdefault("consulta_fragments", {})
    now = time.monotonic()
    copy = local.get(key)
    if copy is not None and copy[0] > now:
        return copy[1]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=seconds)
    if len(local) >= LOCAL_ENTRIES:
        local.clear()
    local[key] = (now + min(LOCAL_SECONDS, seconds), value)
    return value


def forget_kept(app: Any) -> None:
    """Drop this process's copies of the entries (after the shared cache was emptied)."""
    app.extensions.get("consulta_fragments", {}).clear()


def cacheable() -> bool:
    """Whether this request's list may come from the cache (a GET by someone who sees masked text)."""
    from consulta.privacy import sees_personal_data

    return (request.method in ("GET", "HEAD") and current_app.config["FRAGMENT_CACHE_SECONDS"] > 0
            and not sees_personal_data())


def contribution_list(article: Any, f: Any, context: dict[str, Any], build,
                      supported: frozenset[int] | None = None) -> Markup:
    """The page of contributions as HTML for this reader: from the cache, or `build()`'s context rendered.

    `article` is an Article or an ArticleHead (its id, page_version and consultation's slug name the entry).
    `context` is the page's context without the list, or at least who reads (user_id, can_take_part);
    `build()` returns the list's part of it (contributions, replies, has_more), or the rest of it. The reader
    is the current user (or anonymous); `supported`, when given, is what they support on this article (read
    here otherwise).
    """
    user_id = context.get("user_id")
    signed_in = user_id is not None
    key = ":".join(map(str, (
        "list2", article.id, article.page_version, article.consultation.slug, f.sort, f.stance or "",
        f.kind or "", f.part, f.page, get_locale(), int(request.headers.get("HX-Request") == "true"),
        "in" if signed_in else "anon", int(bool(context.get("can_take_part"))),
    )))
    entry = _kept(key, lambda: _fill({**context, **build()}, signed_in))
    return _personalise(entry, user_id, supported)


def _personalise(entry: Entry, user_id: int | None, supported: frozenset[int] | None = None) -> Markup:
    from consulta.participation.services import edit_window_open

    if supported is None and user_id is not None and entry.ids:
        supported = set(db.session.scalars(select(Support.contribution_id).where(
            Support.user_id == user_id, Support.contribution_id.in_(entry.ids))))
    supported = supported or frozenset()
    token: list[str] = []  # the reader's CSRF token, asked for once

    def actions(cid: int) -> str:  # the buttons hold forms: their CSRF markers are filled here
        variants = entry.variants[cid]
        author, created_at = entry.authors[cid]
        if author is not None and author == user_id:
            chosen = variants[2] if edit_window_open(_Created(created_at)) else variants[3]
        else:
            chosen = variants[1] if cid in supported else variants[0]
        if CSRF_MARK not in chosen:
            return chosen
        if not token:
            token.append(generate_csrf())
        return chosen.replace(CSRF_MARK, token[0])

    return Markup(fill(entry.pieces, actions))  # noqa: S704 - rendered by Jinja with autoescape; only tokens are put in


# -- the page around the list -------------------------------------------------------------------------------

def hole(name: str) -> Markup:
    """A marker where `fill` puts the named personal part of a page (see `page`)."""
    return Markup(f"\x1fhole:{name}\x1f")  # noqa: S704 - a fixed marker, no input


def page(key: tuple, render) -> list:
    """A whole page rendered once per `key` with markers for what is personal, as pieces for `fill`.

    `render()` renders the page with `CSRF_MARK` for the reader's CSRF token, `KEY_MARK` for each fresh
    submission key and `hole(name)` for each personal part. `key` must name everything else the page
    shows that differs between readers (signed in or not, the role's menu, what the gate says) and the
    versions of what it shows; the locale is added here. No reader's value is ever in the cached text.
    """
    return _kept(":".join(map(str, ("page", *key, get_locale()))), lambda: _split(render())[0])


def fill(pieces: list, part: Callable[[Any], str] | None = None) -> str:
    """The text for this reader: its own CSRF token, fresh submission keys, and `part(name)` in each hole."""
    out = []
    token = None
    for piece in pieces:
        if type(piece) is str:
            out.append(piece)
        elif piece[0] == "csrf":
            token = token or generate_csrf()
            out.append(token)
        elif piece[0] == "key":
            out.append(secrets.token_urlsafe(24))
        else:
            out.append(str(part(piece[1])))
    return "".join(out)


@dataclass
class _Created:
    created_at: datetime
