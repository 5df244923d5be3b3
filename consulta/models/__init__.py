"""Typed SQLAlchemy 2.0 models, one module per domain area."""

from consulta.models.analysis import AnalysisRun, RunScope, RunStatus
from consulta.models.audit import AuditLog, record
from consulta.models.consultations import (
    Article,
    ArticleKind,
    Consultation,
    Requirement,
    Section,
    Status,
    TransitionError,
)
from consulta.models.participation import (
    Channel,
    Contribution,
    ContributionKind,
    ContributionVersion,
    Report,
    ReportReason,
    ResponseStatus,
    Stance,
    Support,
    Visibility,
    Vote,
    VoteValue,
)
from consulta.models.sessions import UserSession
from consulta.models.types import utcnow
from consulta.models.users import AccountKind, GovbrLevel, Role, Sector, User, VerificationLevel
from consulta.models.workshops import (
    Attendee,
    Audience,
    Workshop,
    WorkshopAttendance,
    WorkshopFormat,
    WorkshopStatus,
)

__all__ = [
    "AccountKind",
    "AnalysisRun",
    "ResponseStatus",
    "RunScope",
    "RunStatus",
    "Attendee",
    "Audience",
    "Workshop",
    "WorkshopAttendance",
    "WorkshopFormat",
    "WorkshopStatus",
    "Channel",
    "Contribution",
    "ContributionKind",
    "ContributionVersion",
    "Report",
    "ReportReason",
    "Stance",
    "Support",
    "Visibility",
    "Vote",
    "VoteValue",
    "Article",
    "ArticleKind",
    "AuditLog",
    "Consultation",
    "GovbrLevel",
    "Requirement",
    "Role",
    "Section",
    "Sector",
    "Status",
    "TransitionError",
    "User",
    "UserSession",
    "VerificationLevel",
    "record",
    "utcnow",
]
