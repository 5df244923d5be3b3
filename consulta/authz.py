"""Permission checks, in one place: which role may do what, and the view decorator that enforces it."""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from consulta.extensions import login_manager
from consulta.models import Consultation, Role, Workshop


class Permission(StrEnum):
    """Things only some roles may do."""

    MANAGE_CONSULTATIONS = "manage_consultations"  # create, import, publish, close, reopen
    VIEW_DRAFTS = "view_drafts"  # read consultations still in preparation
    MANAGE_USERS = "manage_users"  # change roles
    MODERATE = "moderate"  # hide and restore contributions, block accounts, see the audit log
    FACILITATE = "facilitate"  # register workshops and log their attendance and input
    ANALYZE = "analyze"  # run analyses, edit clusters, answer contributions (devolutiva), download reports
    VIEW_JOBS = "view_jobs"  # see the background jobs (state, duration, errors)


GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.MANAGE_CONSULTATIONS: frozenset({Role.ADMIN}),
    Permission.VIEW_DRAFTS: frozenset({Role.ADMIN, Role.ANALYST}),
    Permission.MANAGE_USERS: frozenset({Role.ADMIN}),
    Permission.MODERATE: frozenset({Role.MODERATOR, Role.ADMIN}),
    Permission.FACILITATE: frozenset({Role.FACILITATOR, Role.ADMIN}),
    Permission.ANALYZE: frozenset({Role.ANALYST, Role.ADMIN}),
    Permission.VIEW_JOBS: frozenset({Role.ADMIN}),
}


def can(user: Any, permission: Permission) -> bool:
    """Whether `user` (possibly anonymous) holds `permission`."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in GRANTS[permission]


def can_view_consultation(user: Any, consultation: Consultation) -> bool:
    """Public consultations are visible to all; drafts only to those who may see drafts."""
    return consultation.is_public or can(user, Permission.VIEW_DRAFTS)


def require(permission: Permission) -> Callable:
    """Decorate a view: anonymous users go to the login page, others without `permission` get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def can_edit_workshop(user: Any, workshop: Workshop) -> bool:
    """Only the workshop's facilitator, or an administrator, edits a workshop and its report."""
    if not can(user, Permission.FACILITATE):
        return False
    return user.role is Role.ADMIN or workshop.facilitator_id == user.id
