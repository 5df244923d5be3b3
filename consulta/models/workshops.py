"""Workshops (oficinas): in-person or remote events whose input is logged per article by a facilitator."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consulta.extensions import db
from consulta.geo import Region, region_of
from consulta.models.consultations import Consultation
from consulta.models.types import UTCDateTime, enum_column, utcnow
from consulta.models.users import Sector, User


class WorkshopFormat(StrEnum):
    """Whether people met in a room or online."""

    IN_PERSON = "in_person"
    REMOTE = "remote"

    @property
    def label(self) -> str:
        """The format in Portuguese."""
        return {"in_person": _("Presencial"), "remote": _("Remota")}[self.value]


class Audience(StrEnum):
    """Who a workshop was for."""

    STATES_MUNICIPALITIES = "estados_municipios"
    CIVIL_SOCIETY = "sociedade_civil"
    PRIVATE = "setor_privado"
    PUBLIC_IT = "empresas_publicas_ti"
    ACADEMIA = "academia"
    CITIZENS = "cidadaos"
    GENERAL = "aberta"

    @property
    def label(self) -> str:
        """The audience in Portuguese."""
        return str(AUDIENCE_LABELS[self])


AUDIENCE_LABELS = {
    Audience.STATES_MUNICIPALITIES: _l("Estados e municípios"),
    Audience.CIVIL_SOCIETY: _l("Sociedade civil"),
    Audience.PRIVATE: _l("Setor privado"),
    Audience.PUBLIC_IT: _l("Empresas públicas de TI"),
    Audience.ACADEMIA: _l("Academia"),
    Audience.CITIZENS: _l("Cidadãos"),
    Audience.GENERAL: _l("Aberta a todos os públicos"),
}


class WorkshopStatus(StrEnum):
    """Life cycle: planned -> held -> report submitted."""

    PLANNED = "planned"
    HELD = "held"
    REPORTED = "reported"

    @property
    def label(self) -> str:
        """The status in Portuguese."""
        return {"planned": _("Planejada"), "held": _("Realizada"), "reported": _("Relato enviado")}[self.value]


class Workshop(db.Model):
    """A workshop of a consultation, registered by its facilitator."""

    __tablename__ = "workshops"
    __table_args__ = (
        Index("ix_workshops_consultation_uf", "consultation_id", "uf"),
        CheckConstraint("attendance_total IS NULL OR attendance_total >= 0", name="attendance_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    format: Mapped[WorkshopFormat] = mapped_column(enum_column(WorkshopFormat, "workshop_format"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    uf: Mapped[str | None] = mapped_column(String(2))  # remote workshops may have none
    municipality_code: Mapped[str | None] = mapped_column(String(7))  # IBGE, 7 digits; none for remote
    municipality_name: Mapped[str | None] = mapped_column(String(120))
    venue: Mapped[str | None] = mapped_column(String(300))
    audience: Mapped[Audience] = mapped_column(enum_column(Audience, "workshop_audience"), default=Audience.GENERAL)
    status: Mapped[WorkshopStatus] = mapped_column(enum_column(WorkshopStatus, "workshop_status"),
                                                   default=WorkshopStatus.PLANNED)
    attendance_total: Mapped[int | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    consultation: Mapped[Consultation] = relationship()
    facilitator: Mapped[User | None] = relationship()
    attendance: Mapped[list[WorkshopAttendance]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", order_by="WorkshopAttendance.sector"
    )
    attendees: Mapped[list[Attendee]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", order_by="Attendee.id"
    )

    @property
    def region(self) -> Region | None:
        """The region derived from the UF."""
        return region_of(self.uf) if self.uf else None

    @property
    def place_label(self) -> str:
        """How contributions name it: "Oficina de Manaus/AM", or the remote workshop's title."""
        if self.format is WorkshopFormat.IN_PERSON and self.municipality_name:
            return _("Oficina de %(city)s/%(uf)s", city=self.municipality_name, uf=self.uf)
        return self.title


class WorkshopAttendance(db.Model):
    """How many people of a sector attended; the sectors are optional, the workshop's total is not."""

    __tablename__ = "workshop_attendance"
    __table_args__ = (
        UniqueConstraint("workshop_id", "sector"),
        CheckConstraint("count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    sector: Mapped[Sector] = mapped_column(enum_column(Sector, "attendance_sector"))
    count: Mapped[int]

    workshop: Mapped[Workshop] = relationship(back_populates="attendance")


class Attendee(db.Model):
    """One person on a workshop's attendance list: name, organization, sector and UF only (no CPF)."""

    __tablename__ = "attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    organization: Mapped[str | None] = mapped_column(String(200))
    sector: Mapped[Sector | None] = mapped_column(enum_column(Sector, "attendee_sector"))
    uf: Mapped[str | None] = mapped_column(String(2))

    workshop: Mapped[Workshop] = relationship(back_populates="attendees")
