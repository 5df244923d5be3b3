"""The administrators' list of background jobs: state, attempts, duration and error (no personal data)."""

from flask import render_template, request
from sqlalchemy import func, select

from consulta.admin import bp
from consulta.authz import Permission, require
from consulta.extensions import db
from consulta.models import Job, JobState

JOBS_SHOWN = 100


@bp.route("/tarefas")
@require(Permission.VIEW_JOBS)
def jobs():
    """The most recent jobs, optionally of one state, with the count of jobs in each state."""
    state = request.args.get("situacao")
    chosen = JobState(state) if state in {s.value for s in JobState} else None
    query = select(Job).order_by(Job.id.desc()).limit(JOBS_SHOWN)
    if chosen is not None:
        query = query.where(Job.state == chosen)
    counts = dict(db.session.execute(select(Job.state, func.count()).group_by(Job.state)).all())
    return render_template("admin/jobs.html", jobs=db.session.scalars(query).all(), chosen=chosen,
                           counts={s: counts.get(s, 0) for s in JobState}, states=list(JobState))
