"""Typed SQLAlchemy 2.0 models, one module per domain area."""

from consulta.models.analysis import AnalysisRun, RunScope, RunStatus
from consulta.models.audit import AuditLog, record
from consulta.models.consultations import (
    Article,
    ArticleKind,
    Consultation,
    Section,
    Status,
    TransitionError,
)
from consulta.models.jobs import Job, JobState, ResultsSnapshot
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
from consulta.models.types import utcnow
from consulta.models.users import AccountKind, Role, Sector, User
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
    "Job",
    "JobState",
    "ResultsSnapshot",
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
    "Role",
    "Section",
    "Sector",
    "Status",
    "TransitionError",
    "User",
    "record",
    "utcnow",
]
