"""The demo's finished analysis run: the whole consultation analysed once, by the demo analyst.

Executed in-process (`runs.execute`), so the analyst's page shows clusters and opinion groups on the first
`make run` without waiting for a worker. Idempotent: once the consultation has a run, nothing is added.
"""

from __future__ import annotations

from sqlalchemy import func, select

from consulta.extensions import db
from consulta.insights import runs
from consulta.models import AnalysisRun, Consultation, RunScope, User

DEMO_SEED = 0


def load_demo_run(consultation: Consultation, analyst: User) -> AnalysisRun | None:
    """Create and execute one whole-consultation run (commits); None when the consultation already has one."""
    existing = db.session.scalar(select(func.count()).select_from(AnalysisRun)
                                 .where(AnalysisRun.consultation_id == consultation.id))
    if existing:
        return None
    run = runs.create_run(analyst, consultation, scope=RunScope.CONSULTATION, seed=DEMO_SEED)
    db.session.commit()
    runs.execute(run.id)  # in-process: the demo never waits for a worker
    return db.session.get(AnalysisRun, run.id)
