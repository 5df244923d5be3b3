"""Following a consultation or an article: the service and what the follow button needs."""

from typing import Any

from flask_login import current_user
from sqlalchemy import delete, select

from consulta.db_utils import insert_ignore
from consulta.extensions import db
from consulta.models import Article, Consultation, Follow, FollowTarget, User, utcnow


def target_consultation(target_type: FollowTarget, target_id: int) -> Consultation | None:
    """The consultation a follow target belongs to (None when the target does not exist)."""
    if target_type is FollowTarget.CONSULTATION:
        return db.session.get(Consultation, target_id)
    article = db.session.get(Article, target_id)
    return article.consultation if article is not None else None


def is_following(user: User | None, target_type: FollowTarget, target_id: int) -> bool:
    """Whether `user` follows the target."""
    if user is None:
        return False
    return db.session.scalar(select(Follow.id).where(
        Follow.user_id == user.id, Follow.target_type == target_type, Follow.target_id == target_id)) is not None


def set_follow(user: User, target_type: FollowTarget, target_id: int, consultation: Consultation,
               on: bool) -> bool:
    """Follow or stop following; returns whether the user now follows it."""
    if on:
        insert_ignore(Follow, {"user_id": user.id, "target_type": target_type, "target_id": target_id,
                               "consultation_id": consultation.id, "created_at": utcnow()},
                      ["user_id", "target_type", "target_id"])
    else:
        db.session.execute(delete(Follow).where(
            Follow.user_id == user.id, Follow.target_type == target_type, Follow.target_id == target_id))
    return on


def follow_context(target_type: FollowTarget, target_id: int) -> dict[str, Any]:
    """The follow button's state for the current reader (nothing for anonymous visitors: no form, no cookie)."""
    if not current_user.is_authenticated:
        return {"follow_form": None}
    from consulta.auth.forms import ActionForm

    return {"follow_form": ActionForm(), "follow_type": target_type.value, "follow_id": target_id,
            "following": is_following(current_user, target_type, target_id)}
