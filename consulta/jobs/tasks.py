"""Every background task, by name. Add one with `@task("name")` on a function of JSON arguments (see
consulta/jobs/__init__.py); code elsewhere only enqueues it."""

from __future__ import annotations

from consulta.extensions import db
from consulta.jobs import task


def _analysis_failed(reason: str, run_id: int) -> None:
    from consulta.insights import runs

    runs.mark_failed(run_id, reason)


@task("analysis_run", retries=2, on_failure=_analysis_failed)
def analysis_run(run_id: int) -> None:
    """Run the analysis engine for a queued run and store its result (a run already done is left alone)."""
    from consulta.insights import runs

    runs.execute(run_id)


@task("refresh_results", retries=1)
def refresh_results(consultation_id: int) -> None:
    """Recompute the results page's snapshot of one consultation."""
    from consulta.models import Consultation
    from consulta.results.services import store_snapshot

    consultation = db.session.get(Consultation, consultation_id)
    if consultation is not None:
        store_snapshot(consultation)
        db.session.commit()
