"""How much a report counts toward hiding a contribution pending review: the one rule, in `report_weight`.

Three accounts made a minute ago must not be able to hide anyone's contribution. A report's weight grows
with its author's trust: accounts younger than REPORT_FRESH_HOURS weigh 0 (their reports still reach the
moderators' queue), accounts younger than REPORT_TRUST_DAYS weigh 0.5, older accounts and staff (facilitators,
moderators, analysts, admins) weigh 1, and so do accounts signed in with gov.br at any level, however new: a
gov.br identity is one person, so it cannot be multiplied like throwaway e-mail accounts. A contribution is
hidden once the weights of its open reports reach the consultation's threshold (`Consultation.reports_to_hide`,
else REPORTS_TO_HIDE).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from consulta.extensions import db
from consulta.models import Consultation, Report, Role, User, VerificationLevel

STAFF = frozenset({Role.FACILITATOR, Role.MODERATOR, Role.ANALYST, Role.ADMIN})


def report_weight(user: User | None, now: datetime | None = None) -> float:
    """The weight of a report by `user` (None: a deleted account, whose reports no longer count)."""
    if user is None or user.created_at is None:
        return 0.0
    if user.role in STAFF or user.verification_level >= VerificationLevel.GOVBR_BRONZE:
        return 1.0
    now = now or datetime.now(UTC)
    age = now - user.created_at
    if age < timedelta(hours=current_app.config["REPORT_FRESH_HOURS"]):
        return 0.0
    if age < timedelta(days=current_app.config["REPORT_TRUST_DAYS"]):
        return 0.5
    return 1.0


def hide_threshold(consultation: Consultation) -> int:
    """The weight of open reports that hides a contribution of this consultation."""
    return consultation.reports_to_hide or current_app.config["REPORTS_TO_HIDE"]


def open_reports(contribution_id: int) -> tuple[int, float]:
    """How many reports on a contribution no moderator has ruled on yet, and their summed weight."""
    reporters = db.session.scalars(
        select(User).select_from(Report).outerjoin(User, Report.user_id == User.id)
        .where(Report.contribution_id == contribution_id, Report.resolved_at.is_(None))
    ).all()
    now = datetime.now(UTC)
    return len(reporters), sum(report_weight(user, now) for user in reporters)
