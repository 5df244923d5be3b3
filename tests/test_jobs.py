"""The job layer in-process (QUEUE_URL memory://): enqueue at commit, dedupe, retries, failure, lease expiry,
the retry button, the admin page and `flask consulta jobs`. Real worker processes: tests/test_job_workers.py."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from consulta import jobs
from consulta.extensions import db
from consulta.insights import runs
from consulta.jobs import queue
from consulta.models import AnalysisRun, Consultation, Job, JobState, RunScope, RunStatus, utcnow
from tests.conftest import csrf_token_from

CALLS: list[dict] = []
FAILURES: list[tuple] = []


def _flaky_failed(reason: str, **kwargs) -> None:
    FAILURES.append((reason, kwargs))


@jobs.task("test_flaky", retries=1, on_failure=_flaky_failed)
def flaky(n: int, fail: bool = False) -> None:
    """Records its call; raises when asked (with an e-mail in the message, which must not be stored)."""
    CALLS.append({"n": n, "fail": fail})
    if fail:
        raise RuntimeError("falhou para maria@exemplo.com.br")


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()
    FAILURES.clear()


def _job(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def _execute(app, job_id: int) -> None:
    """Deliver a job's message as a worker would (after ending this session's transaction: SQLite's lock)."""
    db.session.rollback()
    queue.execute(app, job_id)


def test_job_runs_only_after_the_commit_that_queues_it(app_ctx):
    job = flaky.enqueue(n=1)
    assert job.state is JobState.QUEUED and CALLS == []
    db.session.commit()
    assert CALLS == [{"n": 1, "fail": False}]
    job = _job(job.id)
    assert (job.state, job.attempts, job.error) == (JobState.DONE, 1, None)
    assert job.started_at and job.finished_at and job.worker


def test_rolled_back_job_never_runs(app_ctx):
    job = jobs.enqueue("test_flaky", n=2)
    job_id = job.id
    db.session.rollback()
    db.session.commit()
    assert CALLS == [] and db.session.get(Job, job_id) is None


def test_unknown_task_is_refused(app_ctx):
    with pytest.raises(KeyError):
        jobs.enqueue("no_such_task")


def test_task_names_are_unique():
    with pytest.raises(ValueError):
        jobs.task("test_flaky")(lambda: None)


def test_a_live_job_of_the_same_key_is_reused(app_ctx):
    first = flaky.enqueue(n=3, key="k:1")
    second = flaky.enqueue(n=3, key="k:1")
    assert first is second
    db.session.commit()
    assert len(CALLS) == 1
    third = flaky.enqueue(n=3, key="k:1")  # the first is done: a new job
    db.session.commit()
    assert third.id != first.id and len(CALLS) == 2


def test_a_job_is_claimed_once(app_ctx):
    job = Job(name="test_flaky", args={"n": 4}, state=JobState.QUEUED, max_attempts=2)
    db.session.add(job)
    db.session.flush()
    job_id = job.id
    db.session.commit()
    _execute(app_ctx, job_id)
    _execute(app_ctx, job_id)  # the same message delivered again
    assert len(CALLS) == 1 and _job(job_id).attempts == 1


def test_failure_is_retried_with_backoff_then_failed_without_personal_data(app_ctx):
    job = flaky.enqueue(n=5, fail=True)
    db.session.commit()
    job = _job(job.id)
    assert job.state is JobState.QUEUED and job.attempts == 1  # waits for its backoff
    assert job.run_after >= utcnow() + timedelta(seconds=25)
    assert "maria@" not in job.error and "RuntimeError" in job.error
    job_id = job.id
    _execute(app_ctx, job_id)  # not due yet: not taken
    assert len(CALLS) == 1
    _job(job_id).run_after = utcnow() - timedelta(seconds=1)
    db.session.commit()
    _execute(app_ctx, job_id)
    job = _job(job_id)
    assert (job.state, job.attempts, len(CALLS)) == (JobState.FAILED, 2, 2)
    assert job.finished_at is not None and "maria@" not in job.error
    assert FAILURES and FAILURES[0][1] == {"n": 5, "fail": True}


@pytest.fixture
def queued_run(app, create_consultation):
    consultation = create_consultation("open")
    with app.app_context():
        run = runs.create_run(None, db.session.get(Consultation, consultation.id), scope=RunScope.CONSULTATION)
        db.session.commit()
        return run.id


def _dead_worker_job(run_id: int, attempts: int) -> int:
    """A job left running by a worker that died long ago, its run half-way."""
    run = db.session.get(AnalysisRun, run_id)
    run.status, run.progress, run.stage = RunStatus.RUNNING, 0.4, "cluster"
    old = utcnow() - timedelta(minutes=10)
    job = Job(name="analysis_run", key=f"analysis_run:{run_id}", args={"run_id": run_id}, state=JobState.RUNNING,
              attempts=attempts, max_attempts=3, started_at=old, heartbeat_at=old, worker="morto:1")
    db.session.add(job)
    db.session.flush()
    job_id = job.id
    db.session.commit()
    return job_id


def test_expired_lease_puts_the_job_back_in_the_queue(app_ctx, queued_run):
    job_id = _dead_worker_job(queued_run, attempts=1)
    counts = queue.maintenance(app_ctx)
    assert counts["recovered"] == 1
    job = _job(job_id)
    assert (job.state, job.attempts) == (JobState.QUEUED, 1)
    assert "parou de responder" in job.error and job.run_after > utcnow()
    assert db.session.get(AnalysisRun, queued_run).result is None


def test_expired_lease_on_the_last_attempt_fails_the_job_and_the_run(app_ctx, queued_run):
    job_id = _dead_worker_job(queued_run, attempts=3)
    queue.maintenance(app_ctx)
    job = _job(job_id)
    assert job.state is JobState.FAILED and "parou de responder" in job.error
    run = db.session.get(AnalysisRun, queued_run)
    assert run.status is RunStatus.FAILED and run.result is None
    assert "parou de responder" in run.error and "Tente novamente" in run.error


def test_maintenance_deletes_old_finished_jobs(app_ctx):
    old = utcnow() - timedelta(days=31)
    db.session.add_all([Job(name="test_flaky", state=JobState.DONE, finished_at=old, args={}),
                        Job(name="test_flaky", state=JobState.DONE, finished_at=utcnow(), args={})])
    db.session.commit()
    assert queue.maintenance(app_ctx)["deleted"] == 1
    assert len(db.session.scalars(select(Job)).all()) == 1


def test_analysis_run_started_on_the_web_is_a_job(app, client, auth, create_user, create_consultation):
    analyst = create_user("analyst")
    consultation = create_consultation("open")
    auth.login(analyst)
    response = client.post("/analise/execucoes", data={"consultation": consultation.id, "scope": "consultation"})
    assert response.status_code == 303
    with app.app_context():
        job = db.session.scalars(select(Job)).one()
        run = db.session.scalars(select(AnalysisRun)).one()
        assert job.name == "analysis_run" and job.args == {"run_id": run.id} and job.state is JobState.DONE
        assert run.status is RunStatus.FAILED  # the small draft has no contributions: a clear failure


def test_failed_run_offers_tentar_novamente_and_queues_it_again(make_app, create_user, queued_run):
    app = make_app(WTF_CSRF_ENABLED=True)
    analyst = create_user("analyst")
    with app.app_context():
        runs.mark_failed(queued_run, "o processo que executava a tarefa parou de responder")
    client = app.test_client()
    page = client.get("/entrar").get_data(as_text=True)
    client.post("/entrar", data={"email": analyst.email, "password": "uma senha longa de teste",
                                 "csrf_token": csrf_token_from(page)})
    page = client.get(f"/analise/execucoes/{queued_run}").get_data(as_text=True)
    assert "Tentar novamente" in page and "parou de responder" in page
    url = f"/analise/execucoes/{queued_run}/tentar-novamente"
    assert client.post(url).status_code == 400  # no CSRF token
    response = client.post(url, data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    with app.app_context():
        job = db.session.scalars(select(Job).where(Job.name == "analysis_run")).one()
        assert job.state is JobState.DONE and job.attempts == 1
        run = db.session.get(AnalysisRun, queued_run)
        assert run.status is RunStatus.FAILED and "Não há contribuições" in run.error  # ran again, for real


def test_only_a_failed_run_can_be_retried(app, client, auth, create_user, queued_run):
    auth.login(create_user("analyst"))
    response = client.post(f"/analise/execucoes/{queued_run}/tentar-novamente")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(AnalysisRun, queued_run).status is RunStatus.QUEUED
        assert db.session.scalars(select(Job)).all() == []


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("analyst", 403), ("participant", 403)])
def test_jobs_page_is_for_admins(app, client, auth, create_user, role, status):
    with app.app_context():
        flaky.enqueue(n=9, fail=True)
        db.session.commit()
    auth.login(create_user(role))
    response = client.get("/admin/tarefas")
    assert response.status_code == status
    if status == 200:
        page = response.get_data(as_text=True)
        assert "test_flaky" in page and "Na fila" in page and "RuntimeError" in page and "maria@" not in page
        assert client.get("/admin/tarefas?situacao=done").get_data(as_text=True).count("test_flaky") == 0


def test_jobs_page_needs_login(client):
    assert client.get("/admin/tarefas").status_code == 302


def test_jobs_command_lists_recent_jobs(app, runner):
    with app.app_context():
        flaky.enqueue(n=10)
        db.session.commit()
    result = runner.invoke(args=["consulta", "jobs", "--maintenance"])
    assert result.exit_code == 0, result.output
    assert "test_flaky" in result.output and "done" in result.output and "1/2" in result.output
    assert "test_flaky" not in runner.invoke(args=["consulta", "jobs", "--state", "failed"]).output


def test_worker_refuses_the_in_process_queue(runner):
    result = runner.invoke(args=["consulta", "worker"])
    assert result.exit_code != 0 and "memory://" in result.output


def test_progress_of_a_run_whose_worker_died_tells_the_analyst(app, client, auth, create_user, queued_run):
    with app.app_context():
        _dead_worker_job(queued_run, attempts=1)
        queue.maintenance(app)
    auth.login(create_user("analyst"))
    fragment = client.get(f"/analise/execucoes/{queued_run}/progresso", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert "tentativa 2 de 3" in text and "parou de responder" in text
    assert "hx-get" in text  # still polling: the run is not finished


def test_the_workers_minute_pass_sends_pending_notification_mails(app, create_user, create_consultation):
    """Workers queue `send_notifications` every minute (once: keyed); it sends what is pending."""
    from pathlib import Path

    from consulta.models import Notification, NotificationKind

    consultation = create_consultation("open")
    user = create_user()
    with app.app_context():
        consultation_id = db.session.scalar(select(Consultation.id).where(Consultation.slug == consultation.slug))
        db.session.add(Notification(key="closed:teste", kind=NotificationKind.CLOSED, user_id=user.id,
                                    consultation_id=consultation_id))
        db.session.commit()
        queue.schedule_periodic()  # the test queue runs each job right after its commit
        job = db.session.scalar(select(Job).where(Job.name == "send_notifications"))
        assert job is not None and job.state is JobState.DONE, job and job.error
        assert db.session.scalar(select(Notification.sent_at)) is not None
    mails = "".join(p.read_text(encoding="utf-8") for p in Path(app.config["MAIL_FILE_PATH"]).glob("*"))
    assert "foi encerrada" in mails and user.email in mails


def test_mail_leaves_through_a_job_and_no_copy_stays(app):
    from consulta.models import OutgoingMail
    from consulta.notifications.mail import send_mail

    with app.test_request_context("/"):
        send_mail("destino@exemplo.com.br", "Assunto de teste", "verify_email", user=None, link="https://x/y")
        assert db.session.scalar(select(db.func.count()).select_from(OutgoingMail)) == 1  # not sent before commit
        db.session.commit()
        job = db.session.scalar(select(Job).where(Job.name == "deliver_mail"))
        assert job.state is JobState.DONE and job.args == {"mail_id": job.args["mail_id"]}
        assert db.session.scalar(select(db.func.count()).select_from(OutgoingMail)) == 0


def test_mail_is_retried_while_the_mail_server_is_down(make_app):
    import socket

    from consulta.models import OutgoingMail
    from consulta.notifications.mail import send_mail

    with socket.socket() as probe:  # a local port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)
    with down.test_request_context("/"):
        send_mail("destino@exemplo.com.br", "Assunto de teste", "verify_email", user=None, link="https://x/y")
        db.session.commit()
        job = db.session.scalar(select(Job).where(Job.name == "deliver_mail"))
        assert job.state is JobState.QUEUED and job.attempts == 1 and "Connection" in (job.error or "")
        assert db.session.scalar(select(db.func.count()).select_from(OutgoingMail)) == 1  # kept for the retry
