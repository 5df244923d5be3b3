"""Accounts: people and organizations, their role and their LGPD consent."""

from datetime import datetime
from enum import IntEnum, StrEnum

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import JSON, BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from consulta.extensions import db
from consulta.models.types import UTCDateTime, enum_column, utcnow


class Role(StrEnum):
    """What an account may do; permissions are granted per role in consulta.authz."""

    PARTICIPANT = "participant"
    FACILITATOR = "facilitator"
    MODERATOR = "moderator"
    ANALYST = "analyst"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """The role's name in Portuguese."""
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.PARTICIPANT: _l("Participante"),
    Role.FACILITATOR: _l("Facilitador(a) de oficinas"),
    Role.MODERATOR: _l("Moderador(a)"),
    Role.ANALYST: _l("Analista (equipe de redação)"),
    Role.ADMIN: _l("Administrador(a)"),
}


class AccountKind(StrEnum):
    """Whether an account speaks for a person or for an organization (CNPJ)."""

    PERSON = "person"
    ORGANIZATION = "organization"


class Sector(StrEnum):
    """Sector used only for participation statistics."""

    CITIZEN = "cidadao"
    CIVIL_SOCIETY = "sociedade_civil"
    PRIVATE = "setor_privado"
    ACADEMIA = "academia"
    FEDERAL = "governo_federal"
    STATE_MUNICIPAL = "estados_municipios"
    PUBLIC_IT = "empresa_publica_ti"

    @property
    def label(self) -> str:
        """The sector's name in Portuguese."""
        return str(SECTOR_LABELS[self])


SECTOR_LABELS = {
    Sector.CITIZEN: _l("Cidadão ou cidadã"),
    Sector.CIVIL_SOCIETY: _l("Sociedade civil organizada"),
    Sector.PRIVATE: _l("Setor privado"),
    Sector.ACADEMIA: _l("Academia e pesquisa"),
    Sector.FEDERAL: _l("Governo federal"),
    Sector.STATE_MUNICIPAL: _l("Estados e municípios"),
    Sector.PUBLIC_IT: _l("Empresa pública de TI"),
}


class GovbrLevel(StrEnum):
    """Reliability level of a gov.br account, as gov.br reports it (bronze < prata < ouro)."""

    BRONZE = "bronze"
    PRATA = "prata"
    OURO = "ouro"

    @property
    def label(self) -> str:
        """The level's name as gov.br shows it."""
        return {"bronze": "Bronze", "prata": "Prata", "ouro": "Ouro"}[self.value]


class VerificationLevel(IntEnum):
    """How well an account's identity is established, in increasing order of trust."""

    NONE = 0  # e-mail not confirmed
    EMAIL = 1  # e-mail confirmed by a link
    GOVBR_BRONZE = 2
    GOVBR_PRATA = 3
    GOVBR_OURO = 4

    @property
    def code(self) -> str:
        """A stable lowercase code for URLs, open data and settings."""
        return self.name.lower()

    @property
    def label(self) -> str:
        """The level's name in Portuguese."""
        return str(VERIFICATION_LABELS[self])


VERIFICATION_LABELS = {
    VerificationLevel.NONE: _l("E-mail não confirmado"),
    VerificationLevel.EMAIL: _l("E-mail confirmado"),
    VerificationLevel.GOVBR_BRONZE: _l("gov.br bronze"),
    VerificationLevel.GOVBR_PRATA: _l("gov.br prata"),
    VerificationLevel.GOVBR_OURO: _l("gov.br ouro"),
}

GOVBR_VERIFICATION = {
    GovbrLevel.BRONZE: VerificationLevel.GOVBR_BRONZE,
    GovbrLevel.PRATA: VerificationLevel.GOVBR_PRATA,
    GovbrLevel.OURO: VerificationLevel.GOVBR_OURO,
}


class User(UserMixin, db.Model):
    """An account. E-mail and CNPJ are unique; blocked or deleted accounts cannot log in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[AccountKind] = mapped_column(enum_column(AccountKind, "account_kind"), default=AccountKind.PERSON)
    cnpj: Mapped[str | None] = mapped_column(String(14), unique=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"), default=Role.PARTICIPANT)
    uf: Mapped[str | None] = mapped_column(String(2))
    sector: Mapped[Sector | None] = mapped_column(enum_column(Sector, "user_sector"))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_version: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    blocked_reason: Mapped[str | None] = mapped_column(String(500))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Identity: a confirmed e-mail, and/or a linked gov.br account. gov.br's subject is the CPF, so only a
    # keyed hash of it is kept (HMAC with a server secret), enough to find the same person again.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    govbr_subject_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    govbr_level: Mapped[GovbrLevel | None] = mapped_column(enum_column(GovbrLevel, "govbr_level"))
    # Second factor (consulta.auth.second_factor): the TOTP secret once confirmed, the last time step used
    # (a code works once), and the unused recovery codes as SHA-256 digests.
    totp_secret: Mapped[str | None] = mapped_column(String(255))  # encrypted: consulta.crypto
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    totp_recovery_codes: Mapped[list[str] | None] = mapped_column(JSON)

    # The token of the current sign-in (set by consulta.auth.sessions; only its hash is stored).
    session_token = None

    def get_id(self) -> str:
        """Flask-Login's id: the account and this sign-in's token, so ending the sign-in voids its cookies."""
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.blocked_at is None and self.deleted_at is None

    @property
    def is_organization(self) -> bool:
        """Whether this account speaks for an organization."""
        return self.kind is AccountKind.ORGANIZATION

    @property
    def verification_level(self) -> VerificationLevel:
        """The strongest proof of identity this account holds (a gov.br level outranks an e-mail)."""
        if self.govbr_level is not None:
            return GOVBR_VERIFICATION[self.govbr_level]
        if self.email_verified_at is not None:
            return VerificationLevel.EMAIL
        return VerificationLevel.NONE

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
