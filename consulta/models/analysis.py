"""Analysis runs: the clustering of a consultation's contributions (or one section's or article's) and its edits."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consulta.extensions import db
from consulta.models.consultations import Article, Consultation, Section
from consulta.models.types import UTCDateTime, enum_column, utcnow
from consulta.models.users import User


class RunScope(StrEnum):
    """What a run analyses."""

    CONSULTATION = "consultation"
    SECTION = "section"
    ARTICLE = "article"


class RunStatus(StrEnum):
    """Life cycle of a run: queued -> running -> done | failed."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """The status in Portuguese."""
        return {"queued": _("Na fila"), "running": _("Em execução"), "done": _("Concluída"), "failed": _("Falhou")}[self.value]


class AnalysisRun(db.Model):
    """One execution of the analysis engine, with its parameters, library versions, timings and result.

    `result` is the engine's JSON-ready result (analysis.AnalysisResult.to_dict()); analysts' edits (renamed or
    merged clusters, moved contributions) are kept apart in `edits` and applied on top, so the engine's
    output stays as it was computed and every download shows the edited view.
    """

    __tablename__ = "analysis_runs"
    __table_args__ = (Index("ix_analysis_runs_consultation", "consultation_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    scope: Mapped[RunScope] = mapped_column(enum_column(RunScope, "run_scope"), default=RunScope.CONSULTATION)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus, "run_status"), default=RunStatus.QUEUED)
    progress: Mapped[float] = mapped_column(default=0.0)
    stage: Mapped[str] = mapped_column(String(60), default="")
    seed: Mapped[int] = mapped_column(default=0)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    versions: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    timings: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    edits: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    consultation: Mapped[Consultation] = relationship()
    section: Mapped[Section | None] = relationship()
    article: Mapped[Article | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def is_finished(self) -> bool:
        """Whether the run ended, well or not."""
        return self.status in (RunStatus.DONE, RunStatus.FAILED)


class ContributionEmbedding(db.Model):
    """The sentence embedding of one contribution's text under one model, cached for later analysis runs.

    Kept only while the text it was computed from is unchanged: ``text_hash`` (SHA-256 of the text given to
    the engine) is compared on every run, and a mismatch recomputes the row. ``vector`` holds ``dims``
    little-endian float16 values (768 bytes for a 384-dimension model).
    """

    __tablename__ = "contribution_embeddings"

    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(80), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64))
    dims: Mapped[int] = mapped_column()
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
