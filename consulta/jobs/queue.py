"""The queue under the jobs: Huey for transport and workers, the `jobs` table for the truth.

Huey carries only job ids. A worker claims a job with a conditional UPDATE (queued -> running), so a message
delivered twice, or to two workers, runs once. While the task runs a heartbeat thread renews the job's lease
every JOBS_HEARTBEAT_SECONDS; `maintenance` (every minute in each worker, and when a worker starts) puts a
running job whose lease (JOBS_LEASE_SECONDS) ran out back in the queue, or fails it after its last attempt,
re-pushes queued jobs whose message was lost, and deletes finished jobs older than JOBS_KEEP_DAYS.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import delete, event, insert, or_, select, update
from sqlalchemy.orm import Session

from analysis.normalize import mask_personal_data
from consulta.extensions import db
from consulta.models import Job, JobState, utcnow

if TYPE_CHECKING:
    from consulta.jobs import TaskDef

log = logging.getLogger(__name__)
EXTENSION = "consulta_jobs"
PENDING = "consulta_jobs_pending"  # session.info key: (app, job id) pairs to push after the commit
LOST_AFTER = timedelta(minutes=2)  # a queued job still waiting this long past its time is pushed again
WORKER_LOST = "o processo que executava a tarefa parou de responder"


class JobQueue:
    """One app's Huey instance with the two Huey tasks everything goes through."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.huey = build_huey(app)
        self.run_job = self.huey.task(name="consulta.run_job")(self._run_job)
        self.huey.periodic_task(crontab(minute="*"), name="consulta.maintenance")(self._maintenance)

    def _run_job(self, job_id: int) -> None:
        execute(self.app, job_id)

    def _maintenance(self) -> None:
        with self.app.app_context():
            maintenance()
            schedule_periodic()

    def push(self, job_id: int, delay: float | None = None) -> None:
        """Put a job's id on the queue; a failure is logged and left to `maintenance`, which pushes again."""
        try:
            if delay:
                self.run_job.schedule(args=(job_id,), delay=delay)
            else:
                self.run_job(job_id)
        except Exception:  # noqa: BLE001 - the job row is committed; maintenance re-pushes it
            log.exception("could not push job %s to the queue", job_id)


def build_huey(app: Flask) -> Huey:
    """Huey for QUEUE_URL: None -> SQLite file in instance/, redis://… -> Redis, memory:// -> in-process."""
    url = app.config.get("QUEUE_URL") or ""
    name = app.config.get("QUEUE_NAME") or "consulta"
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url)
    if url == "memory://":
        return MemoryHuey(name, immediate=True, results=False)
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
    elif url:
        raise ValueError(f"QUEUE_URL: use redis://…, sqlite:///path or memory:// (got {url!r})")
    else:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        path = os.path.join(app.instance_path, "jobs.sqlite3")
    return SqliteHuey(name, filename=path, results=False)


def init_app(app: Flask) -> None:
    """Give `app` its queue and load every task definition."""
    from consulta.jobs import tasks  # noqa: F401  (registers the tasks)

    app.extensions[EXTENSION] = JobQueue(app)


def queue_for(app: Flask | None = None) -> JobQueue:
    return (app or current_app).extensions[EXTENSION]  # type: ignore[union-attr]


# -- enqueueing ------------------------------------------------------------------------------------------


def add_job(taskdef: TaskDef, *, key: str | None, own_transaction: bool, args: dict[str, Any]) -> Job | int:
    """Insert the job row (see consulta.jobs.enqueue) and arrange for its id to be pushed."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    values = {"name": taskdef.name, "key": key, "args": args, "state": JobState.QUEUED, "attempts": 0,
              "max_attempts": taskdef.max_attempts, "created_at": utcnow()}
    live = (Job.key == key, Job.state.in_((JobState.QUEUED, JobState.RUNNING)))
    if own_transaction:
        previous = g.get("sqlite_lock")
        g.sqlite_lock = "immediate"  # SQLite: this short transaction reads then writes
        try:
            with db.engine.begin() as connection:
                if key and (found := connection.execute(select(Job.id).where(*live).limit(1)).scalar()):
                    return found
                job_id = connection.execute(insert(Job.__table__).values(**values)).inserted_primary_key[0]
        finally:
            g.sqlite_lock = previous
        queue_for(app).push(job_id)
        return job_id
    if key and (existing := db.session.scalars(select(Job).where(*live).limit(1)).first()):
        return existing
    job = Job(**values)
    db.session.add(job)
    db.session.flush()
    db.session().info.setdefault(PENDING, []).append((app, job.id))
    return job


@event.listens_for(Session, "after_commit")
def _push_after_commit(session: Session) -> None:
    for app, job_id in session.info.pop(PENDING, []):
        queue_for(app).push(job_id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


# -- executing -------------------------------------------------------------------------------------------


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def safe_reason(error: BaseException) -> str:
    """An exception as stored on a job: its type and masked message, short (no personal data)."""
    message = mask_personal_data(str(error))[:300]
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


class Heartbeat(threading.Thread):
    """Renews a running job's lease on a connection of its own until stopped."""

    def __init__(self, app: Flask, job_id: int, attempt: int) -> None:
        super().__init__(name=f"job-heartbeat-{job_id}", daemon=True)
        self.app, self.job_id, self.attempt = app, job_id, attempt
        self.interval = float(app.config["JOBS_HEARTBEAT_SECONDS"])
        self.stopped = threading.Event()

    def run(self) -> None:
        table = Job.__table__
        with self.app.app_context():
            while not self.stopped.wait(self.interval):
                try:
                    with db.engine.begin() as connection:
                        connection.execute(update(table).where(
                            table.c.id == self.job_id, table.c.attempts == self.attempt,
                            table.c.state == JobState.RUNNING,
                        ).values(heartbeat_at=utcnow()))
                except Exception:  # noqa: BLE001 - a missed beat is retried; the lease allows several
                    log.warning("heartbeat of job %s failed", self.job_id, exc_info=True)

    def stop(self) -> None:
        self.stopped.set()
        self.join(self.interval + 5)


def claim(job_id: int) -> Job | None:
    """Take a queued, due job for this worker (queued -> running); None when another took it or it is done."""
    now = utcnow()
    taken = db.session.execute(
        update(Job).where(Job.id == job_id, Job.state == JobState.QUEUED,
                          or_(Job.run_after.is_(None), Job.run_after <= now))
        .values(state=JobState.RUNNING, attempts=Job.attempts + 1, started_at=now, heartbeat_at=now,
                finished_at=None, worker=worker_name())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return db.session.get(Job, job_id) if taken == 1 else None


def execute(app: Flask, job_id: int) -> None:
    """Run one job in a worker: claim it, run its task under a heartbeat, record the outcome; never raises."""
    from consulta.jobs import REGISTRY

    with app.app_context():
        try:
            job = claim(job_id)
            if job is None:
                return
            attempt, name, args = job.attempts, job.name, dict(job.args or {})
            taskdef = REGISTRY.get(name)
            heartbeat = Heartbeat(app, job_id, attempt)
            heartbeat.start()
            try:
                if taskdef is None:
                    raise LookupError(f"unknown task {name!r}")
                taskdef.func(**args)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - recorded on the job, retried or failed
                log.exception("job %s (%s) attempt %s failed", job_id, name, attempt)
                db.session.rollback()
                settle(app, job_id, attempt, safe_reason(error), retry=taskdef is not None)
            else:
                finish(job_id, attempt)
            finally:
                heartbeat.stop()
        except Exception:  # noqa: BLE001 - e.g. the database is down: maintenance will see the job again
            log.exception("job %s could not be run", job_id)
            db.session.rollback()
        finally:
            db.session.remove()


def finish(job_id: int, attempt: int) -> None:
    db.session.execute(
        update(Job).where(Job.id == job_id, Job.attempts == attempt, Job.state == JobState.RUNNING)
        .values(state=JobState.DONE, finished_at=utcnow(), heartbeat_at=utcnow(), error=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def backoff(app: Flask, attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: JOBS_RETRY_BACKOFF doubled per attempt, at most an hour."""
    return min(3600.0, float(app.config["JOBS_RETRY_BACKOFF"]) * 2 ** max(0, attempt - 1))


def settle(app: Flask, job_id: int, attempt: int, reason: str, *, retry: bool = True) -> None:
    """After a failed attempt: queue the job again after a backoff, or fail it and tell its task.

    The change is a conditional UPDATE on (state running, this attempt), so when two maintenance passes
    see the same dead worker's job only one of them settles it.
    """
    from consulta.jobs import REGISTRY

    job = db.session.get(Job, job_id)
    if job is None:
        return
    name, args, max_attempts = job.name, dict(job.args or {}), job.max_attempts
    now, error = utcnow(), f"tentativa {attempt}: {reason}"[:1000]
    again = retry and attempt < max_attempts
    delay = backoff(app, attempt) if again else 0.0
    values = ({"state": JobState.QUEUED, "run_after": now + timedelta(seconds=delay), "error": error} if again
              else {"state": JobState.FAILED, "finished_at": now, "error": error})
    changed = db.session.execute(
        update(Job).where(Job.id == job_id, Job.attempts == attempt, Job.state == JobState.RUNNING)
        .values(**values).execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if changed != 1:
        return
    if again:
        queue_for(app).push(job_id, delay=delay)
        return
    taskdef = REGISTRY.get(name)
    if taskdef is not None and taskdef.on_failure is not None:
        try:
            taskdef.on_failure(reason, **args)
            db.session.commit()
        except Exception:  # noqa: BLE001
            log.exception("failure hook of job %s (%s) failed", job_id, name)
            db.session.rollback()


# Tasks the workers' minute pass queues (once: keyed by their name), each every so many minutes of the day.
PERIODIC = {"send_notifications": 1, "clean_up": 60}


def schedule_periodic(now: datetime | None = None) -> None:
    """Queue each periodic task that is due this minute unless it is already queued or running (needs an app
    context)."""
    from consulta.jobs import enqueue

    now = now or utcnow()
    minute = now.hour * 60 + now.minute
    for name, every in PERIODIC.items():
        if minute % every == 0:
            enqueue(name, key=name)
    db.session.commit()


def maintenance(app: Flask | None = None) -> dict[str, int]:
    """Recover jobs of dead workers, re-push lost messages, delete old finished jobs (needs an app context)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    now = utcnow()
    counts = {"recovered": 0, "pushed": 0, "deleted": 0}
    lease = timedelta(seconds=float(app.config["JOBS_LEASE_SECONDS"]))
    expired = db.session.execute(
        select(Job.id, Job.attempts).where(Job.state == JobState.RUNNING, Job.heartbeat_at < now - lease)
    ).all()
    db.session.commit()
    for job_id, attempt in expired:
        settle(app, job_id, attempt, WORKER_LOST)
        counts["recovered"] += 1
    # Only when the queue holds no message: otherwise the jobs are merely waiting for a free worker.
    lost = [] if queue_for(app).huey.pending_count() else db.session.scalars(select(Job.id).where(
        Job.state == JobState.QUEUED,
        or_(Job.run_after <= now - LOST_AFTER, Job.run_after.is_(None) & (Job.created_at <= now - LOST_AFTER)),
    ).limit(1000)).all()
    db.session.commit()
    for job_id in lost:
        queue_for(app).push(job_id)
        counts["pushed"] += 1
    keep = timedelta(days=float(app.config["JOBS_KEEP_DAYS"]))
    counts["deleted"] = db.session.execute(
        delete(Job).where(Job.state.in_((JobState.DONE, JobState.FAILED)), Job.finished_at < now - keep)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return counts
