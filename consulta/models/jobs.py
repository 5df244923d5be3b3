"""Background jobs as the database sees them (state, attempts, lease), and stored results snapshots."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consulta.extensions import db
from consulta.models.types import UTCDateTime, enum_column, utcnow


class JobState(StrEnum):
    """Life cycle of a job: queued -> running -> done | failed (running -> queued again on a retry)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """The state in Portuguese."""
        return {"queued": _("Na fila"), "running": _("Em execução"), "done": _("Concluída"), "failed": _("Falhou")}[self.value]


class Job(db.Model):
    """One piece of background work: the queue carries only its id; its truth lives here.

    A worker claims a queued job with a conditional UPDATE (so one job runs once however often its message is
    delivered), renews `heartbeat_at` while it runs, and records done or failed. A running job whose heartbeat
    is older than the lease (its worker died) is put back in the queue, or failed after its last attempt.
    `args` hold ids only and `error` a masked, truncated reason: no personal data.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_state_created", "state", "created_at"),
        Index("ix_jobs_key", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    key: Mapped[str | None] = mapped_column(String(160))  # e.g. "analysis_run:42": one live job per key
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[JobState] = mapped_column(enum_column(JobState, "job_state"), default=JobState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    run_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    worker: Mapped[str | None] = mapped_column(String(120))
    error: Mapped[str | None] = mapped_column(Text)

    @property
    def duration(self) -> float | None:
        """Seconds of the last attempt, when it has started."""
        if self.started_at is None:
            return None
        end = self.finished_at or self.heartbeat_at or self.started_at
        return max(0.0, (end - self.started_at).total_seconds())


class ResultsSnapshot(db.Model):
    """The results page's figures of one consultation, computed by a job and read by every web process."""

    __tablename__ = "results_snapshots"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    data: Mapped[bytes] = mapped_column(LargeBinary)
