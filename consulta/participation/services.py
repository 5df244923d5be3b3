"""Participation operations. They flush but never commit: the view commits once.

Counters (vote tallies, contributions by stance, supports, replies, reports) change in the same transaction
as the row they count, through single UPDATE statements, so concurrent requests never lose an increment.
Rows whose state decides a counter change (a vote's value, a contribution's visibility) are changed with a
compare-and-set, so two requests can never both count the same change.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy import Select, delete, func, select, true, update
from sqlalchemy.orm import joinedload

from consulta import security
from consulta.db_utils import bump, compare_and_set, insert_ignore
from consulta.drafts import article_parts
from consulta.extensions import db
from consulta.models import (
    Article,
    Channel,
    Consultation,
    Contribution,
    ContributionKind,
    ContributionVersion,
    Report,
    ReportReason,
    Section,
    Stance,
    Support,
    User,
    Visibility,
    Vote,
    VoteValue,
    record,
    utcnow,
)
from consulta.notifications.events import notify_reply
from consulta.participation.fragments import touch
from consulta.participation.gate import Action, ParticipationError, WriteRefused, ensure_may_write
from consulta.participation.trust import hide_threshold, open_reports
from consulta.participation.votes import VoteTarget, record_vote

__all__ = ["ParticipationError", "WriteRefused"]


STANCE_COLUMNS = {
    Stance.AGREE: Article.contributions_agree,
    Stance.PARTLY: Article.contributions_partly,
    Stance.DISAGREE: Article.contributions_disagree,
    Stance.NONE: Article.contributions_none,
}
VOTE_COLUMNS = {
    VoteValue.AGREE: Article.votes_agree,
    VoteValue.DISAGREE: Article.votes_disagree,
    VoteValue.ABSTAIN: Article.votes_abstain,
}


def _count_in_tallies(contribution: Contribution, delta: int) -> None:
    """Add or remove a top-level contribution from its article's stance counts."""
    if contribution.article_id is not None and contribution.parent_id is None:
        bump(STANCE_COLUMNS[contribution.stance], contribution.article_id, delta)


def _existing_submission(author: User, submission_key: str | None) -> Contribution | None:
    if not submission_key:
        return None
    return db.session.scalar(
        select(Contribution).where(Contribution.author_id == author.id, Contribution.submission_key == submission_key)
    )


def contribute(
    author: User,
    *,
    article: Article | None = None,
    section: Section | None = None,
    kind: ContributionKind,
    stance: Stance,
    body: str,
    proposed_text: str | None = None,
    submission_key: str | None = None,
    part: str = "",
) -> tuple[Contribution, bool]:
    """Add a contribution to an article (or a new-article proposal to a section); (contribution, created).

    A second submission with the same key returns the first contribution instead of a copy.
    """
    target = article if article is not None else section
    if target is None:
        raise ValueError("a contribution needs an article or a section")
    consultation = target.consultation
    ensure_may_write(author, consultation, Action.CONTRIBUTE)
    if article is not None and not article.accepts_contributions:
        raise ParticipationError(_("Este dispositivo não recebe contribuições."))
    if section is not None and article is None and kind is not ContributionKind.NEW_ARTICLE:
        raise ParticipationError(_("Numa seção só é possível propor um novo artigo."), "kind")
    if article is not None and kind is ContributionKind.NEW_ARTICLE:
        raise ParticipationError(_("Para propor um novo artigo, use a seção onde ele entraria."), "kind")
    part = (part or "").strip()
    if part and (article is None or part not in {p.key for p in article_parts(article.body)}):
        raise ParticipationError(_("Esta parte não existe no dispositivo; escolha outra."), "part")
    body = body.strip()
    _check_length(body)
    proposed_text = (proposed_text or "").strip() or None
    if kind in (ContributionKind.NEW_WORDING, ContributionKind.NEW_ARTICLE) and not proposed_text:
        raise ParticipationError(_("Escreva o texto proposto."), "proposed_text")
    if kind not in (ContributionKind.NEW_WORDING, ContributionKind.NEW_ARTICLE):
        proposed_text = None
    if existing := _existing_submission(author, submission_key):
        return existing, False
    contribution = Contribution(
        consultation_id=consultation.id, article_id=article.id if article else None,
        section_id=section.id if section else (article.section_id if article else None),
        author_id=author.id, kind=kind, stance=stance, body=body, proposed_text=proposed_text, part=part,
        channel=Channel.ONLINE, submission_key=submission_key or None,
    )
    db.session.add(contribution)
    db.session.flush()
    _count_in_tallies(contribution, +1)
    return contribution, True


def reply(author: User, parent: Contribution, body: str, submission_key: str | None = None) -> tuple[Contribution, bool]:
    """Answer a contribution (one level: replying to a reply answers its parent)."""
    ensure_may_write(author, parent.consultation, Action.REPLY)
    if parent.parent_id is not None:
        parent = db.session.get(Contribution, parent.parent_id)
    if not parent.is_public:
        raise ParticipationError(_("Esta contribuição não está visível e não recebe respostas."))
    body = body.strip()
    _check_length(body)
    if existing := _existing_submission(author, submission_key):
        return existing, False
    answer = Contribution(
        consultation_id=parent.consultation_id, article_id=parent.article_id, section_id=parent.section_id,
        parent_id=parent.id, author_id=author.id, kind=ContributionKind.COMMENT, stance=Stance.NONE,
        body=body, channel=Channel.ONLINE, submission_key=submission_key or None,
    )
    db.session.add(answer)
    db.session.flush()
    bump(Contribution.reply_count, parent.id, +1)
    notify_reply(answer, parent)
    return answer, True


def _check_length(body: str) -> None:
    limit = current_app.config["CONTRIBUTION_MAX_LENGTH"]
    if not body:
        raise ParticipationError(_("Escreva a sua contribuição."), "body")
    if len(body) > limit:
        raise ParticipationError(
            _("O texto tem %(n)s caracteres; o limite é %(limit)s.", n=format_number(len(body)),
              limit=format_number(limit)), "body"
        )


def edit_window_open(contribution: Contribution) -> bool:
    """Whether its author may still edit it (a few minutes after posting)."""
    minutes = current_app.config["CONTRIBUTION_EDIT_MINUTES"]
    return utcnow() - contribution.created_at <= timedelta(minutes=minutes)


def edit(author: User, contribution: Contribution, *, body: str, stance: Stance | None = None,
         proposed_text: str | None = None) -> None:
    """Change one's own contribution within the edit window, keeping the previous text as a version."""
    if contribution.author_id != author.id:
        raise ParticipationError(_("Só o autor pode editar esta contribuição."))
    ensure_may_write(author, contribution.consultation, Action.EDIT)
    if not contribution.is_public:
        raise ParticipationError(_("Esta contribuição não pode mais ser editada."))
    if not edit_window_open(contribution):
        minutes = current_app.config["CONTRIBUTION_EDIT_MINUTES"]
        raise ParticipationError(_("O prazo de %(n)s minutos para editar esta contribuição terminou.", n=minutes))
    body = body.strip()
    _check_length(body)
    db.session.add(ContributionVersion(
        contribution=contribution, body=contribution.body, proposed_text=contribution.proposed_text,
        stance=contribution.stance,
    ))
    new_stance = contribution.stance if stance is None or contribution.is_reply else stance
    if new_stance is not contribution.stance:
        _count_in_tallies(contribution, -1)
        contribution.stance = new_stance
        _count_in_tallies(contribution, +1)
    contribution.body = body
    if contribution.kind in (ContributionKind.NEW_WORDING, ContributionKind.NEW_ARTICLE):
        if not (proposed_text or "").strip():
            raise ParticipationError(_("Escreva o texto proposto."), "proposed_text")
        contribution.proposed_text = proposed_text.strip()
    contribution.edited_at = utcnow()
    db.session.flush()


def withdraw(author: User, contribution: Contribution) -> None:
    """The author withdraws a contribution: its text leaves public view but is kept for the record."""
    if contribution.author_id != author.id:
        raise ParticipationError(_("Só o autor pode retirar esta contribuição."))
    previous = contribution.visibility
    if previous is Visibility.WITHDRAWN:
        return
    if not compare_and_set(Contribution, contribution.id, Contribution.visibility, previous, Visibility.WITHDRAWN,
                           withdrawn_at=utcnow()):
        raise ParticipationError(_("A contribuição mudou enquanto você a retirava. Tente de novo."))
    touch(contribution.article_id)
    if previous is Visibility.VISIBLE:
        _count_in_tallies(contribution, -1)
        if contribution.parent_id:
            bump(Contribution.reply_count, contribution.parent_id, -1)
    db.session.refresh(contribution)


def set_support(user: User, contribution: Contribution, supported: bool) -> bool:
    """Support or stop supporting a contribution; returns whether the user now supports it."""
    ensure_may_write(user, contribution.consultation, Action.SUPPORT)
    touch(contribution.article_id)
    if supported:
        if not contribution.is_public:
            raise ParticipationError(_("Esta contribuição não está visível."))
        if insert_ignore(Support, {"contribution_id": contribution.id, "user_id": user.id, "created_at": utcnow()},
                         ["contribution_id", "user_id"]):
            bump(Contribution.support_count, contribution.id, +1)
    else:
        removed = db.session.execute(
            delete(Support).where(Support.contribution_id == contribution.id, Support.user_id == user.id)
        ).rowcount
        bump(Contribution.support_count, contribution.id, -removed)
    db.session.refresh(contribution, ["support_count"])
    return supported


def cast_vote(user: User, article: Article, value: VoteValue | None) -> VoteValue | None:
    """Record, change (or with None remove) the user's vote; tallies move in the same transaction.

    The Core path of consulta.participation.votes (the vote route calls it directly): inserting relies on
    the (user, article) unique constraint; changing and removing compare-and-set the previous value,
    retrying if a concurrent request of the same user changed it first.
    """
    target = VoteTarget(article.id, article.consultation, article.accepts_votes, 0, 0, 0)
    return record_vote(user, target, value)[0]


def report(user: User, contribution: Contribution, reason: ReportReason, note: str | None = None) -> bool:
    """Report a contribution once; enough reports hide it pending review. True when this report is new."""
    ensure_may_write(user, contribution.consultation, Action.REPORT)
    if contribution.author_id == user.id:
        raise ParticipationError(_("Você não pode denunciar a sua própria contribuição."))
    created = insert_ignore(
        Report,
        {"contribution_id": contribution.id, "user_id": user.id, "reason": reason,
         "note": (note or "").strip()[:500] or None, "created_at": utcnow()},
        ["contribution_id", "user_id"],
    )
    if not created:
        return False
    bump(Contribution.report_count, contribution.id, +1)
    # Only reports a moderator has not yet ruled on count, each by its author's trust (participation.trust):
    # a restored contribution starts again from zero.
    count, weight = open_reports(contribution.id)
    if weight >= hide_threshold(contribution.consultation) and compare_and_set(
        Contribution, contribution.id, Contribution.visibility, Visibility.VISIBLE, Visibility.PENDING
    ):
        _count_in_tallies(contribution, -1)
        if contribution.parent_id:
            bump(Contribution.reply_count, contribution.parent_id, -1)
        record(None, "contribution.auto_hide", contribution, reports=count, report_weight=weight)
        touch(contribution.article_id)
    db.session.refresh(contribution)
    return True


# -- moderation -----------------------------------------------------------------------------------------

def hide(moderator: User, contribution: Contribution, reason: str) -> None:
    """A moderator hides a contribution with a reason the public sees."""
    reason = reason.strip()
    if not reason:
        raise ParticipationError(_("Informe o motivo da ocultação."), "reason")
    previous = contribution.visibility
    if previous in (Visibility.HIDDEN, Visibility.WITHDRAWN):
        raise ParticipationError(_("Esta contribuição já não está visível."))
    if not compare_and_set(Contribution, contribution.id, Contribution.visibility, previous, Visibility.HIDDEN,
                           moderation_reason=reason[:500]):
        raise ParticipationError(_("A contribuição mudou enquanto você a moderava. Recarregue a página."))
    touch(contribution.article_id)
    if previous is Visibility.VISIBLE:
        _count_in_tallies(contribution, -1)
        if contribution.parent_id:
            bump(Contribution.reply_count, contribution.parent_id, -1)
    _resolve_reports(contribution)
    record(moderator, "contribution.hide", contribution, reason=reason)
    db.session.refresh(contribution)


def restore(moderator: User, contribution: Contribution, reason: str | None = None) -> None:
    """A moderator makes a hidden or pending contribution public again."""
    previous = contribution.visibility
    if previous not in (Visibility.HIDDEN, Visibility.PENDING):
        raise ParticipationError(_("Só contribuições ocultadas podem ser restauradas."))
    if not compare_and_set(Contribution, contribution.id, Contribution.visibility, previous, Visibility.VISIBLE,
                           moderation_reason=None):
        raise ParticipationError(_("A contribuição mudou enquanto você a moderava. Recarregue a página."))
    touch(contribution.article_id)
    _count_in_tallies(contribution, +1)
    if contribution.parent_id:
        bump(Contribution.reply_count, contribution.parent_id, +1)
    _resolve_reports(contribution)
    record(moderator, "contribution.restore", contribution, reason=(reason or "").strip() or None)
    db.session.refresh(contribution)


def dismiss_reports(moderator: User, contribution: Contribution, reason: str | None = None) -> int:
    """A moderator rules the open reports unfounded: the content stays (or becomes again) public, nobody is blocked.

    An auto-hidden (pending) contribution is made visible again with its counters restored; a contribution a
    moderator hid stays hidden (restore it instead). Returns how many reports were dismissed.
    """
    count, _latest = open_reports(contribution.id)
    if not count:
        raise ParticipationError(_("Esta contribuição não tem denúncias em aberto."))
    if contribution.visibility is Visibility.PENDING:
        if not compare_and_set(Contribution, contribution.id, Contribution.visibility, Visibility.PENDING,
                               Visibility.VISIBLE, moderation_reason=None):
            raise ParticipationError(_("A contribuição mudou enquanto você a moderava. Recarregue a página."))
        touch(contribution.article_id)
        _count_in_tallies(contribution, +1)
        if contribution.parent_id:
            bump(Contribution.reply_count, contribution.parent_id, +1)
    _resolve_reports(contribution)
    record(moderator, "contribution.dismiss_reports", contribution, reason=(reason or "").strip() or None,
           reports=count)
    db.session.refresh(contribution)
    return count


def _resolve_reports(contribution: Contribution) -> None:
    db.session.execute(
        update(Report).where(Report.contribution_id == contribution.id, Report.resolved_at.is_(None))
        .values(resolved_at=utcnow()),
        execution_options={"synchronize_session": False},
    )


def block_account(moderator: User, user: User, reason: str) -> None:
    """Block an account: it can no longer log in, post or vote."""
    reason = reason.strip()
    if not reason:
        raise ParticipationError(_("Informe o motivo do bloqueio."), "reason")
    if user.id == moderator.id:
        raise ParticipationError(_("Você não pode bloquear a sua própria conta."))
    if user.blocked_at is not None:
        return
    user.blocked_at = utcnow()
    user.blocked_reason = reason[:500]
    record(moderator, "user.block", user, reason=reason)
    security.log_event(security.ACCOUNT_BLOCKED, level=logging.WARNING, user_id=user.id, actor_id=moderator.id)


def unblock_account(moderator: User, user: User, reason: str | None = None) -> None:
    """Lift an account's block."""
    if user.blocked_at is None:
        return
    user.blocked_at = None
    user.blocked_reason = None
    record(moderator, "user.unblock", user, reason=(reason or "").strip() or None)


# -- reading ----------------------------------------------------------------------------------------------

SORTS = {"recentes": "newest", "apoiadas": "most_supported"}


@dataclass
class ContributionFilter:
    """What the article page lists: sort order, stance and kind filters, page."""

    sort: str = "recentes"
    stance: Stance | None = None
    kind: ContributionKind | None = None
    part: str = ""  # a part key ("inc-II"): only contributions on that part of the article
    page: int = 1


def listing_query(target: Article | Section, f: ContributionFilter) -> Select:
    """Top-level contributions of an article (or new-article proposals of a section) as asked.

    Hidden and withdrawn contributions stay in the list as placeholders, so threads keep their place;
    the template shows their state instead of their text.
    """
    if isinstance(target, Section):
        where = [Contribution.article_id.is_(None), Contribution.section_id == target.id]
    else:
        where = [Contribution.article_id == target.id]
    stmt = select(Contribution).where(*where, Contribution.parent_id.is_(None))
    if f.stance is not None:
        stmt = stmt.where(Contribution.stance == f.stance, Contribution.visibility == Visibility.VISIBLE)
    if f.kind is not None:
        stmt = stmt.where(Contribution.kind == f.kind, Contribution.visibility == Visibility.VISIBLE)
    if f.part:
        stmt = stmt.where(Contribution.part == f.part)
    if f.sort == "apoiadas":
        stmt = stmt.order_by(Contribution.support_count.desc(), Contribution.id.desc())
    else:
        stmt = stmt.order_by(Contribution.created_at.desc(), Contribution.id.desc())
    return stmt.options(joinedload(Contribution.author), joinedload(Contribution.workshop))


def page_of_contributions(target: Article | Section, f: ContributionFilter,
                          per_page: int) -> tuple[list[Contribution], bool]:
    """One page of contributions and whether there is another (fetches one extra row, never counts all)."""
    rows = db.session.scalars(
        listing_query(target, f).limit(per_page + 1).offset((max(f.page, 1) - 1) * per_page)
    ).unique().all()
    return list(rows[:per_page]), len(rows) > per_page


def part_counts(article: Article) -> dict[str, int]:
    """Visible top-level contributions on each part of the article ("" for the whole article)."""
    rows = db.session.execute(
        select(Contribution.part, func.count())
        .where(Contribution.article_id == article.id, Contribution.parent_id.is_(None),
               Contribution.visibility == Visibility.VISIBLE)
        .group_by(Contribution.part)
    ).all()
    return {part: count for part, count in rows}


def replies_for(parents: Sequence[Contribution]) -> dict[int, list[Contribution]]:
    """Replies of the given contributions, in one query, oldest first."""
    ids = [c.id for c in parents if c.reply_count or c.visibility is not Visibility.VISIBLE]
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Contribution).where(Contribution.parent_id.in_(ids))
        .order_by(Contribution.created_at, Contribution.id).options(joinedload(Contribution.author), joinedload(Contribution.workshop))
    ).unique().all()
    grouped: dict[int, list[Contribution]] = {}
    for row in rows:
        grouped.setdefault(row.parent_id, []).append(row)
    return grouped


def supported_ids(user: User | None, contributions: Sequence[Contribution]) -> set[int]:
    """Which of these contributions the user supports (one query)."""
    if user is None or not contributions:
        return set()
    ids = [c.id for c in contributions]
    return set(db.session.scalars(
        select(Support.contribution_id).where(Support.user_id == user.id, Support.contribution_id.in_(ids))
    ))


def vote_of(user: User | None, article: Article) -> VoteValue | None:
    """The user's current vote on the article, if any."""
    if user is None:
        return None
    return db.session.scalar(select(Vote.value).where(Vote.user_id == user.id, Vote.article_id == article.id))


def recount(consultation: Consultation | None = None) -> int:
    """Rebuild every counter from the rows it counts; returns how many articles were recounted."""
    articles = select(Article.id)
    if consultation is not None:
        articles = articles.where(Article.consultation_id == consultation.id)
    article_ids = list(db.session.scalars(articles))
    for column_map, counted, key in (
        (VOTE_COLUMNS, Vote, Vote.value),
        (STANCE_COLUMNS, Contribution, Contribution.stance),
    ):
        for value, column in column_map.items():
            conditions = [counted.article_id == Article.id, key == value]
            if counted is Contribution:
                conditions += [Contribution.parent_id.is_(None), Contribution.visibility == Visibility.VISIBLE]
            subquery = select(func.count()).select_from(counted).where(*conditions).scalar_subquery()
            db.session.execute(
                update(Article).where(Article.id.in_(article_ids)).values({column.key: subquery}),
                execution_options={"synchronize_session": False},
            )
    parent = Contribution.__table__.alias("parent")
    child = Contribution.__table__.alias("child")
    support = Support.__table__
    report_table = Report.__table__
    # Every contribution of the consultation(s): on an article, or on a section (a proposed new article).
    scope = parent.c.consultation_id == consultation.id if consultation is not None else true()
    db.session.execute(
        update(parent).where(scope).values(
            reply_count=select(func.count()).select_from(child).where(
                child.c.parent_id == parent.c.id, child.c.visibility == Visibility.VISIBLE.value
            ).scalar_subquery(),
            support_count=select(func.count()).select_from(support).where(
                support.c.contribution_id == parent.c.id).scalar_subquery(),
            report_count=select(func.count()).select_from(report_table).where(
                report_table.c.contribution_id == parent.c.id).scalar_subquery(),
        )
    )
    db.session.expire_all()
    return len(article_ids)
