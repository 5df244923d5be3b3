"""Typed SQLAlchemy 2.0 models, one module per domain area."""

from consulta.models.analysis import AnalysisRun, ContributionEmbedding, RunScope, RunStatus
from consulta.models.attachments import Attachment
from consulta.models.audit import AuditLog, record
from consulta.models.consultations import (
    Article,
    ArticleKind,
    Consultation,
    Phase,
    Requirement,
    Section,
    Status,
    TransitionError,
)
from consulta.models.jobs import Job, JobState, ResultsSnapshot
from consulta.models.notifications import (
    Follow,
    FollowTarget,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutgoingMail,
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
from consulta.models.security import CspViolation
from consulta.models.sessions import UserSession
from consulta.models.types import utcnow
from consulta.models.uploads import Upload, UploadPurpose, UploadState
from consulta.models.users import AccountKind, GovbrLevel, Role, Sector, User, VerificationLevel
from consulta.models.versions import Change, TextVersion, VersionArticle, VersionError
from consulta.models.workshops import (
    Attendee,
    Audience,
    Workshop,
    WorkshopAttendance,
    WorkshopFormat,
    WorkshopStatus,
)

__all__ = [
    "Upload",
    "UploadPurpose",
    "UploadState",
    "AccountKind",
    "AnalysisRun",
    "ContributionEmbedding",
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
    "Attachment",
    "Follow",
    "FollowTarget",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "OutgoingMail",
    "AuditLog",
    "Consultation",
    "GovbrLevel",
    "Phase",
    "Requirement",
    "CspViolation",
    "Role",
    "Section",
    "Sector",
    "Status",
    "TransitionError",
    "Change",
    "TextVersion",
    "User",
    "VersionArticle",
    "VersionError",
    "UserSession",
    "VerificationLevel",
    "record",
    "utcnow",
]
