"""Real worker processes (`flask consulta worker`) on the real queues: Redis (CONSULTA_TEST_REDIS_URL) and the
embedded SQLite default. A worker killed with SIGKILL mid-run, two workers sharing one queue."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from consulta.extensions import db
from consulta.insights import runs
from consulta.jobs import queue
from consulta.models import (
    AnalysisRun,
    Article,
    Consultation,
    Contribution,
    Job,
    JobState,
    RunScope,
    RunStatus,
)

REDIS_URL = os.environ.get("CONSULTA_TEST_REDIS_URL")
ROOT = Path(__file__).resolve().parent.parent
TEXTS = [
    "Acessibilidade digital para pessoas com deficiência nos serviços públicos.",
    "Serviços digitais acessíveis para pessoas com deficiência visual.",
    "Leitores de tela e acessibilidade nos aplicativos do governo.",
    "Proteção de dados pessoais e privacidade conforme a LGPD.",
    "Privacidade dos dados pessoais com proteção forte pela LGPD.",
    "Consentimento e proteção de dados pessoais segundo a LGPD.",
    "Internet rural e conectividade nas escolas do interior.",
    "Banda larga para áreas rurais e comunidades do interior.",
    "Conectividade nas escolas rurais do interior do país.",
]
FAST = {"JOBS_LEASE_SECONDS": 2, "JOBS_HEARTBEAT_SECONDS": 0.3, "JOBS_RETRY_BACKOFF": 0.2}


def _redis_or_skip() -> str:
    if not REDIS_URL:
        if os.environ.get("CONSULTA_STRICT_SKIPS") == "1":
            pytest.fail("CONSULTA_TEST_REDIS_URL is not set under CI")
        pytest.skip("CONSULTA_TEST_REDIS_URL não definido: teste do Redis pulado")
    return REDIS_URL


@pytest.fixture(params=["redis", "sqlite"])
def queue_url(request, tmp_path) -> str:
    """Each real queue: Redis and the embedded SQLite file."""
    if request.param == "redis":
        return _redis_or_skip()
    return "sqlite:///" + str(tmp_path / "queue.sqlite3")


@pytest.fixture
def shared_queue_url(tmp_path) -> str:
    """Redis when the suite has one (as in production), else the SQLite queue."""
    return REDIS_URL or "sqlite:///" + str(tmp_path / "queue.sqlite3")


class Workers:
    """Start and stop `flask consulta worker` processes on the test database and a given queue."""

    def __init__(self, database: str, queue_url: str, folder: Path) -> None:
        self.database, self.queue_url, self.folder = database, queue_url, folder
        self.procs: list[subprocess.Popen] = []
        self.logs: list = []

    def start(self, slow: float = 0.0, ready: bool = True) -> subprocess.Popen:
        n = len(self.procs)
        env = {**os.environ, "CONSULTA_DATABASE_URL": self.database, "CONSULTA_QUEUE_URL": self.queue_url,
               "CONSULTA_SECRET_KEY": "test-secret-key", "CONSULTA_TEST_INSTANCE": str(self.folder / f"i{n}"),
               "CONSULTA_TEST_SLOW_ANALYSIS": str(slow)}
        env.update({f"CONSULTA_{k}": str(v) for k, v in FAST.items()})
        log = open(self.folder / f"worker{n}.log", "w")  # noqa: SIM115 - closed in stop()
        self.logs.append(log)
        proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "tests.job_worker_app:create_app",
                                 "consulta", "worker"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        proc.log_path = self.folder / f"worker{n}.log"  # type: ignore[attr-defined]
        self.procs.append(proc)
        if ready:
            wait_for(lambda: "worker " in proc.log_path.read_text() or proc.poll() is not None, 60)  # type: ignore[attr-defined]
            assert proc.poll() is None, proc.log_path.read_text()  # type: ignore[attr-defined]
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in self.logs:
            log.close()


def wait_for(condition: Callable[[], object], seconds: float) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"condition not met in {seconds} s")


@pytest.fixture
def workers(_database, tmp_path) -> Iterator[Callable[[str], Workers]]:
    started: list[Workers] = []

    def make(url: str) -> Workers:
        started.append(Workers(_database, url, tmp_path))
        return started[-1]

    yield make
    for group in started:
        group.stop()


@pytest.fixture
def article_with_contributions(app, create_consultation, create_user) -> dict:
    consultation = create_consultation("open")
    author = create_user()
    with app.app_context():
        article = db.session.scalars(select(Article).where(Article.consultation_id == consultation.id)
                                     .order_by(Article.position)).first()
        for text in TEXTS:
            db.session.add(Contribution(consultation_id=consultation.id, article_id=article.id,
                                        author_id=author.id, body=text))
        db.session.commit()
        return {"consultation": consultation.id, "article": article.id}


def _queue_app(make_app, url: str):
    app = make_app(QUEUE_URL=url, **FAST)
    app.extensions[queue.EXTENSION].huey.flush()
    return app


@pytest.fixture(autouse=True)
def _own_queue_name(monkeypatch):
    """A queue name per test, for the test's app and its workers: parallel runs on one Redis never mix."""
    monkeypatch.setitem(FAST, "QUEUE_NAME", f"test-{uuid.uuid4().hex[:8]}")


def _enqueue_runs(app, world: dict, n: int) -> list[int]:
    with app.app_context():
        consultation = db.session.get(Consultation, world["consultation"])
        article = db.session.get(Article, world["article"])
        created = [runs.create_run(None, consultation, scope=RunScope.ARTICLE, article=article, k=2, seed=7)
                   for _ in range(n)]
        for run in created:
            runs.enqueue_run(run)
        ids = [run.id for run in created]
        db.session.commit()
        return ids


def _state(app, run_id: int) -> tuple[AnalysisRun, Job]:
    with app.app_context():
        run = db.session.get(AnalysisRun, run_id)
        job = db.session.scalars(select(Job).where(Job.key == f"analysis_run:{run_id}")).one()
        db.session.expunge_all()
        return run, job


def _finished(app, run_id: int) -> bool:
    run, job = _state(app, run_id)
    return run.is_finished and job.state in (JobState.DONE, JobState.FAILED)


def test_worker_runs_a_run_started_on_the_web(make_app, workers, queue_url, create_user, article_with_contributions):
    app = _queue_app(make_app, queue_url)
    workers(queue_url).start()
    client = app.test_client()
    analyst = create_user("analyst")
    client.post("/entrar", data={"email": analyst.email, "password": "uma senha longa de teste"})
    response = client.post("/analise/execucoes", data={
        "consultation": article_with_contributions["consultation"], "scope": "article",
        "article": article_with_contributions["article"], "k": 2})
    assert response.status_code == 303
    run_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    wait_for(lambda: _finished(app, run_id), 60)
    run, job = _state(app, run_id)
    assert run.status is RunStatus.DONE and run.result["size"] == len(TEXTS)
    assert (job.state, job.attempts) == (JobState.DONE, 1) and job.worker != queue.worker_name()
    progress = client.get(f"/analise/execucoes/{run_id}/progresso", headers={"HX-Request": "true"})
    assert progress.headers.get("HX-Refresh") == "true"


def test_worker_killed_mid_run_is_retried_without_half_written_result(make_app, workers, shared_queue_url,
                                                                       article_with_contributions):
    app = _queue_app(make_app, shared_queue_url)
    group = workers(shared_queue_url)
    doomed = group.start(slow=0.6)
    [run_id] = _enqueue_runs(app, article_with_contributions, 1)
    wait_for(lambda: _state(app, run_id)[0].progress > 0, 60)  # mid-run, progress committed by the worker
    time.sleep(FAST["JOBS_LEASE_SECONDS"] + 0.5)
    with app.app_context():
        assert queue.maintenance(app)["recovered"] == 0  # alive: its heartbeat keeps the lease
    run, job = _state(app, run_id)
    assert run.status is RunStatus.RUNNING and job.state is JobState.RUNNING

    doomed.send_signal(signal.SIGKILL)
    doomed.wait(10)
    run, job = _state(app, run_id)
    assert run.status is RunStatus.RUNNING and run.result is None and job.state is JobState.RUNNING
    time.sleep(FAST["JOBS_LEASE_SECONDS"] + 0.5)

    group.start()  # a new worker recovers the job whose lease ran out, and runs it again
    wait_for(lambda: _finished(app, run_id), 60)
    run, job = _state(app, run_id)
    assert run.status is RunStatus.DONE and run.result["size"] == len(TEXTS)
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert job.error is None


def test_two_workers_run_each_job_once_with_identical_results(make_app, workers, shared_queue_url,
                                                              article_with_contributions):
    app = _queue_app(make_app, shared_queue_url)
    group = workers(shared_queue_url)
    group.start(slow=0.05)
    group.start(slow=0.05)
    run_ids = _enqueue_runs(app, article_with_contributions, 6)
    wait_for(lambda: all(_finished(app, r) for r in run_ids), 120)
    states = [_state(app, r) for r in run_ids]
    assert all(run.status is RunStatus.DONE for run, _ in states)
    assert all((job.state, job.attempts) == (JobState.DONE, 1) for _, job in states)
    assert len({job.worker for _, job in states}) == 2  # both took part
    outputs = [{k: v for k, v in run.result.items() if k != "run"} for run, _ in states]
    assert all(output == outputs[0] for output in outputs)
    with app.app_context():
        audit = db.session.scalars(select(Job).where(Job.name == "analysis_run")).all()
        assert len(audit) == 6  # one job per run, none duplicated (the workers' periodic jobs aside)


def test_worker_survives_losing_its_database_connections(make_app, workers, shared_queue_url, _database,
                                                         article_with_contributions):
    """On PostgreSQL every connection of the worker is terminated between two jobs; the next job still runs
    (pooled connections are pinged before use). SQLite has no server connection to lose: there the test only
    shows the worker running a job after an idle pause."""
    app = _queue_app(make_app, shared_queue_url)
    workers(shared_queue_url).start()
    [first] = _enqueue_runs(app, article_with_contributions, 1)
    wait_for(lambda: _finished(app, first), 60)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            killed = db.session.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
            db.session.commit()
            assert killed >= 1
        else:
            time.sleep(1)
    [second] = _enqueue_runs(app, article_with_contributions, 1)
    wait_for(lambda: _finished(app, second), 60)
    run, job = _state(app, second)
    assert run.status is RunStatus.DONE and (job.state, job.attempts) == (JobState.DONE, 1)
