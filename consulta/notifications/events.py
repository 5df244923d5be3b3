"""Who is told what: notification rows for replies, official responses and a followed consultation's clock.

Recording is idempotent (each row has a unique key), so the request that creates a reply or a response adds
its row in the same transaction, and `flask consulta send-notifications` can scan the clock as often as it
likes: opening, 3 days before the close, and the close are recorded once per follower.
"""

from datetime import datetime, timedelta

from sqlalchemy import or_, select

from consulta.db_utils import insert_ignore
from consulta.extensions import db
from consulta.models import (
    Article,
    Channel,
    Consultation,
    Contribution,
    Follow,
    Notification,
    NotificationKind,
    Phase,
    Status,
    utcnow,
)

CLOSING_SOON = timedelta(days=3)
# Clock events older than this are not announced (a follower added long after the opening hears nothing of it).
CLOCK_EVENT_FRESHNESS = timedelta(days=3)


def _add(key: str, kind: NotificationKind, user_id: int, consultation_id: int, *, article_id: int | None = None,
         contribution_id: int | None = None) -> bool:
    return insert_ignore(Notification, {
        "key": key, "kind": kind, "user_id": user_id, "consultation_id": consultation_id,
        "article_id": article_id, "contribution_id": contribution_id, "created_at": utcnow(),
    }, ["key"])


def notify_reply(reply: Contribution, parent: Contribution) -> None:
    """Tell the author of `parent` that someone replied (not when they answer themselves)."""
    if parent.author_id is None or parent.author_id == reply.author_id or parent.channel is not Channel.ONLINE:
        return
    _add(f"reply:{reply.id}", NotificationKind.REPLY, parent.author_id, parent.consultation_id,
         article_id=parent.article_id, contribution_id=reply.id)


def notify_response(contribution: Contribution) -> None:
    """Tell the author that the drafting team answered their contribution (each new answer once)."""
    if contribution.author_id is None or contribution.channel is not Channel.ONLINE:
        return
    stamp = int((contribution.responded_at or utcnow()).timestamp())
    _add(f"response:{contribution.id}:{stamp}", NotificationKind.RESPONSE, contribution.author_id,
         contribution.consultation_id, article_id=contribution.article_id, contribution_id=contribution.id)


def notify_final_text(version) -> int:
    """Tell followers, and every author the version's changes cite, that a new text was published; returns how
    many notifications were recorded."""
    consultation = version.consultation
    cited = {c.author_id for entry in version.articles for c in entry.cited
             if c.author_id is not None and c.channel is Channel.ONLINE}
    recipients = sorted(set(_followers(consultation)) | cited)
    return sum(_add(f"final_text:{version.id}:{user_id}", NotificationKind.FINAL_TEXT, user_id, consultation.id)
               for user_id in recipients)


def _followers(consultation: Consultation, before: datetime | None = None) -> list[int]:
    """Accounts that follow the consultation or one of its articles (followed before `before`, if given)."""
    article_ids = select(Article.id).where(Article.consultation_id == consultation.id)
    stmt = select(Follow.user_id).where(Follow.consultation_id == consultation.id, or_(
        Follow.target_type == "consultation", Follow.target_id.in_(article_ids)))
    if before is not None:
        stmt = stmt.where(Follow.created_at <= before)
    return sorted(set(db.session.scalars(stmt)))


def record_clock_events(now: datetime | None = None) -> int:
    """Record opening, closing-soon and closed notifications due at `now` for every follower; returns how many."""
    now = now or utcnow()
    added = 0
    consultations = db.session.scalars(select(Consultation).where(Consultation.status != Status.DRAFT))
    for consultation in consultations:
        phase = consultation.phase_at(now)
        due: list[tuple[NotificationKind, datetime | None]] = []
        if phase is Phase.OPEN:
            opened = max(filter(None, [consultation.opens_at, consultation.opened_at]), default=None)
            if opened is not None and now - opened <= CLOCK_EVENT_FRESHNESS:
                due.append((NotificationKind.OPENING, opened))
            if consultation.closes_at is not None and consultation.closes_at - now <= CLOSING_SOON:
                due.append((NotificationKind.CLOSING_SOON, None))
        elif phase is Phase.CLOSED:
            ended = consultation.ended_at_as_of(now)
            if ended is not None and now - ended <= CLOCK_EVENT_FRESHNESS:
                due.append((NotificationKind.CLOSED, ended))
        for kind, moment in due:
            # The deadline may move: a "closing soon" is due again for each announced closing time.
            stamp = int((moment or consultation.closes_at).timestamp())
            for user_id in _followers(consultation, before=moment):
                added += _add(f"{kind.value}:{consultation.id}:{stamp}:{user_id}", kind, user_id, consultation.id)
    return added
