"""Typed SQLAlchemy 2.0 models, one module per domain area."""

from consulta.models.audit import AuditLog, record
from consulta.models.consultations import (
    Article,
    ArticleKind,
    Consultation,
    Section,
    Status,
    TransitionError,
)
from consulta.models.types import utcnow
from consulta.models.users import AccountKind, Role, Sector, User

__all__ = [
    "AccountKind",
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
