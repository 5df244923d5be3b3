"""``python -m bench jobs``: analysis runs through the job queue (Redis) with 1, 2 and 4 worker processes.

Loads one consultation with one article of N contributions (default 1,000) into a fresh database
(PostgreSQL `consulta_bench_jobs` by default, dropped afterwards), then:

* enqueue latency: the real web request that starts a run (`POST /analise/execucoes`, logged in as an analyst,
  in-process WSGI: the view, the run and job rows, the commit and the push to Redis) timed R times while no
  worker runs; p50 and p99;
* throughput: for each worker count W, W `flask consulta worker` processes (one job at a time each, BLAS
  limited to one thread) are started, J runs of that article are queued in one commit, and the clock stops
  when the database shows every job done. jobs/s = J / elapsed; the scaling ratios are jobs/s(W) / jobs/s(1).
  Afterwards it checks that every job ran exactly once (one attempt) and every run stored the same result.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.report import Outcome, Row, log, percentile, verdict

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "consulta_bench_jobs"
TARGET_SCALING = 1.7  # jobs/s with 2 workers over 1 worker
TARGET_ENQUEUE_P99_MS = 20.0
ANALYST_PASSWORD = "bench-analista-senha-longa-2026"  # noqa: S105 (throw-away database)
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass
class Options:
    databases: list[str] = field(default_factory=lambda: ["postgres"])
    runs: int = 200
    contributions: int = 1000
    workers: list[int] = field(default_factory=lambda: [1, 2, 4])
    requests: int = 200
    queue_url: str = os.environ.get("CONSULTA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    keep: bool = False
    timeout: float = 3600.0


def _database(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    return f"postgresql://postgres@127.0.0.1:5432/{PG_DATABASE}"


def _drop(kind: str) -> None:
    if kind == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def _load(app, contributions: int) -> tuple[int, int]:
    """Demo consultation, 200 participants, `contributions` on its first article, an analyst; (consultation, article)."""
    import random

    from sqlalchemy import select

    from bench import data
    from consulta.auth.passwords import hash_password
    from consulta.auth.services import register
    from consulta.cli import DEMO_SLUG
    from consulta.extensions import db
    from consulta.models import Article, Consultation, Role

    data.prepare(app)
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == DEMO_SLUG))
    article = db.session.scalars(select(Article).where(Article.consultation_id == consultation.id)
                                 .order_by(Article.position)).first()
    rng = random.Random(2026)
    end = datetime.now(UTC) - timedelta(hours=1)
    authors = data.insert_participants(db, rng, 200, "autor", hash_password("x" * 12), start=end - timedelta(days=30),
                                       end=end)
    data.insert_contributions(db, rng, consultation.id, [article], contributions, authors,
                              start=end - timedelta(days=30), end=end, mix=data.Mix(render_html=False))
    register(email="analista@bench.example", password=ANALYST_PASSWORD, display_name="Analista", role=Role.ANALYST)
    data.finish(db)
    return consultation.id, article.id


def _clear(app) -> None:
    from sqlalchemy import delete

    from consulta.extensions import db
    from consulta.jobs.queue import queue_for
    from consulta.models import AnalysisRun, Job

    with app.app_context():
        db.session.execute(delete(Job))
        db.session.execute(delete(AnalysisRun))
        db.session.commit()
        queue_for(app).huey.flush()


def _enqueue_latency(app, consultation_id: int, article_id: int, n: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each `POST /analise/execucoes` (no worker running, so nothing competes)."""
    client = app.test_client()
    response = client.post("/entrar", data={"email": "analista@bench.example", "password": ANALYST_PASSWORD})
    if response.status_code not in (302, 303) or "/entrar" in response.headers.get("Location", ""):
        raise RuntimeError(f"analyst login failed ({response.status_code})")
    form = {"consultation": consultation_id, "scope": "article", "article": article_id, "k": "", "seed": "0"}
    times, cpu = [], []
    for _ in range(5):  # warm-up: first connections, template compilation
        client.post("/analise/execucoes", data=form)
    for _ in range(n):
        started, started_cpu = time.perf_counter(), time.thread_time()
        response = client.post("/analise/execucoes", data=form)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        if response.status_code != 303:
            raise RuntimeError(f"starting a run answered {response.status_code}")
    return times, cpu


def _start_workers(count: int, url: str, queue_url: str, instance: Path) -> list[subprocess.Popen]:
    env = {**os.environ, **ONE_THREAD, "CONSULTA_DATABASE_URL": url, "CONSULTA_QUEUE_URL": queue_url,
           "CONSULTA_SECRET_KEY": "bench-jobs"}
    procs = []
    for i in range(count):
        out = open(instance / f"worker-{count}-{i}.log", "w")  # noqa: SIM115 - the process keeps it
        procs.append(subprocess.Popen([sys.executable, "-m", "flask", "--app", "consulta:create_app", "consulta",
                                       "worker"], env=env, stdout=out, stderr=subprocess.STDOUT))
        out.close()
    for i, proc in enumerate(procs):  # ready when it printed its banner
        path = instance / f"worker-{count}-{i}.log"
        deadline = time.monotonic() + 120
        while "worker " not in path.read_text() and time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited: {path.read_text()[-2000:]}")
            time.sleep(0.1)
    return procs


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _throughput(app, url: str, opts: Options, instance: Path, consultation_id: int, article_id: int,
                workers: int) -> tuple[float, float, str]:
    """jobs/s through `workers` processes, worker CPU seconds per job, and a note on the database afterwards."""
    from sqlalchemy import func, select

    from consulta.extensions import db
    from consulta.insights import runs
    from consulta.models import AnalysisRun, Article, Consultation, Job, JobState

    _clear(app)
    cpu_before = _children_cpu()
    procs = _start_workers(workers, url, opts.queue_url, instance)
    try:
        with app.app_context():
            consultation = db.session.get(Consultation, consultation_id)
            article = db.session.get(Article, article_id)
            for _ in range(opts.runs):
                runs.enqueue_run(runs.create_run(None, consultation, scope="article", article=article, seed=0))
            started = time.perf_counter()
            db.session.commit()
            finished = (Job.state.in_((JobState.DONE, JobState.FAILED)))
            deadline = time.monotonic() + opts.timeout
            while True:
                done = db.session.scalar(select(func.count()).select_from(Job).where(finished))
                db.session.rollback()
                if done >= opts.runs or time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    break
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            jobs = db.session.scalars(select(Job)).all()
            results = [r.result for r in db.session.scalars(select(AnalysisRun))]
            outputs = {repr({k: v for k, v in (r or {}).items() if k != "run"}) for r in results}
            note = (f"{workers} worker(s): {sum(j.state is JobState.DONE for j in jobs)}/{opts.runs} done, "
                    f"attempts {sorted({j.attempts for j in jobs})}, {len({j.worker for j in jobs})} worker(s) "
                    f"took jobs, {len(outputs)} distinct result(s), {elapsed:.1f} s")
            if done < opts.runs:
                raise RuntimeError(f"only {done} of {opts.runs} jobs finished ({note})")
    finally:
        _stop(procs)
    cpu_per_job = (_children_cpu() - cpu_before) / opts.runs  # includes each worker's start-up, once
    return opts.runs / elapsed, cpu_per_job, note


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_database(kind: str, opts: Options) -> Outcome:
    import shutil
    import tempfile

    from consulta import create_app
    from consulta.extensions import db

    workdir = Path(tempfile.mkdtemp(prefix=f"consulta-bench-jobs-{kind}-"))
    instance = workdir / "instance"
    instance.mkdir()
    outcome = Outcome({"sqlite": "SQLite (WAL)", "postgres": "PostgreSQL"}[kind])
    try:
        url = _database(kind, workdir)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-jobs", "RATELIMIT_ENABLED": False,
                          "WTF_CSRF_ENABLED": False, "QUEUE_URL": opts.queue_url}, instance_path=str(instance))
        started = time.perf_counter()
        with app.app_context():
            consultation_id, article_id = _load(app, opts.contributions)
            db.session.remove()
        log(f"jobs/{kind}: loaded {opts.contributions} contributions in {time.perf_counter() - started:.1f} s")
        _clear(app)
        with app.app_context():
            latency, cpu = _enqueue_latency(app, consultation_id, article_id, opts.requests)
            db.session.remove()
        p50, p99 = percentile(latency, 0.5), percentile(latency, 0.99)
        rates: dict[int, float] = {}
        for workers in opts.workers:
            log(f"jobs/{kind}: {opts.runs} runs through {workers} worker(s)…")
            rates[workers], cpu_per_job, note = _throughput(app, url, opts, instance, consultation_id, article_id,
                                                            workers)
            outcome.footer.append(note)
            outcome.rows.append(Row(f"jobs/s, {workers} worker process(es)", f"{rates[workers]:.2f}"))
            outcome.rows.append(Row(f"worker CPU s per job, {workers} worker(s)", f"{cpu_per_job:.2f}"))
        if 1 in rates and 2 in rates:
            ratio = rates[2] / rates[1]
            outcome.rows.append(Row("scaling 2 workers ÷ 1", f"{ratio:.2f}", f"≥ {TARGET_SCALING:.2f}",
                                    verdict(ratio >= TARGET_SCALING)))
        for workers in opts.workers:
            if workers > 2 and 1 in rates:
                outcome.rows.append(Row(f"scaling {workers} workers ÷ 1", f"{rates[workers] / rates[1]:.2f}"))
        outcome.rows.append(Row("enqueue request p50 (ms)", f"{p50:.1f}"))
        outcome.rows.append(Row("enqueue request CPU p50 / p99 (ms)",
                                f"{percentile(cpu, 0.5):.1f} / {percentile(cpu, 0.99):.1f}"))
        outcome.rows.append(Row("enqueue request p99 (ms)", f"{p99:.1f}", f"< {TARGET_ENQUEUE_P99_MS:.0f}",
                                verdict(p99 < TARGET_ENQUEUE_P99_MS)))
        outcome.footer.insert(0, f"{opts.runs} runs of one article with {opts.contributions} contributions per "
                                 f"worker count; {opts.requests} enqueue requests; queue {opts.queue_url}")
        _clear(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return outcome
    finally:
        if not opts.keep:
            shutil.rmtree(workdir, ignore_errors=True)
            _drop(kind)
