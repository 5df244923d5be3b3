"""`flask consulta worker` (run jobs) and `flask consulta jobs` (list them)."""

from __future__ import annotations

import logging

import click
from flask import current_app
from sqlalchemy import select

from consulta.cli import consulta_cli
from consulta.extensions import db
from consulta.jobs import queue
from consulta.models import Job, JobState


@consulta_cli.command("worker")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Tarefas executadas ao mesmo tempo por este processo.")
@click.option("--processes", is_flag=True,
              help="Executar cada tarefa em um subprocesso (vários núcleos) em vez de threads.")
def worker(workers: int, processes: bool) -> None:
    """Run background jobs from the queue until stopped (SIGINT/SIGTERM: finish the current job first)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    job_queue = queue.queue_for()
    if job_queue.huey.immediate:
        raise click.ClickException("QUEUE_URL=memory:// executa as tarefas no próprio processo; não há fila.")
    counts = queue.maintenance()  # jobs left running by a worker that died are recovered at once
    click.echo(f"worker {queue.worker_name()}: {workers} {'processo(s)' if processes else 'thread(s)'}; "
               f"recuperadas {counts['recovered']}, reenviadas {counts['pushed']}.")
    engines = list(db.engines.values())
    # A worker waits between jobs for any length of time: every connection is pinged before use.
    current_app.config["DB_PING_IDLE_SECONDS"] = 0

    @job_queue.huey.on_startup(name="consulta.fresh_connections")
    def fresh_connections() -> None:  # a forked worker must not share its parent's database connections
        for engine in engines:
            engine.dispose(close=False)

    db.session.remove()
    consumer = job_queue.huey.create_consumer(
        workers=workers, worker_type="process" if processes else "thread", periodic=True,
        check_worker_health=True, max_delay=2.0,
    )
    consumer.run()


@consulta_cli.command("jobs")
@click.option("--limit", type=click.IntRange(1, 1000), default=30, show_default=True)
@click.option("--state", type=click.Choice([s.value for s in JobState]), default=None)
@click.option("--maintenance", "run_maintenance", is_flag=True,
              help="Antes de listar, recuperar tarefas de workers parados e reenviar as perdidas.")
def jobs(limit: int, state: str | None, run_maintenance: bool) -> None:
    """List recent background jobs: state, attempts, duration and error (no personal data)."""
    if run_maintenance:
        counts = queue.maintenance(current_app._get_current_object())  # type: ignore[attr-defined]
        click.echo(f"recuperadas {counts['recovered']}, reenviadas {counts['pushed']}, apagadas {counts['deleted']}")
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if state:
        query = query.where(Job.state == JobState(state))
    rows = db.session.scalars(query).all()
    click.echo(f"{'id':>6}  {'tarefa':<18} {'situação':<9} {'tent.':>5} {'criada (UTC)':<19} {'duração':>8}  erro")
    for job in rows:
        duration = f"{job.duration:.1f}s" if job.duration is not None else "—"
        click.echo(f"{job.id:>6}  {job.name:<18} {job.state.value:<9} {job.attempts:>2}/{job.max_attempts:<2} "
                   f"{job.created_at:%Y-%m-%d %H:%M:%S} {duration:>8}  {job.error or ''}")
