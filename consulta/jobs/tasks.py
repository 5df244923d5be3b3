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


@task("send_notifications", retries=3)
def send_notifications() -> None:
    """Record the clock's notices and send every pending notification mail once (the workers queue this every
    minute; `flask consulta send-notifications` does the same by hand)."""
    from flask import current_app

    from consulta.notifications.sending import send_pending

    with current_app.test_request_context("/", base_url=current_app.config["PUBLIC_URL"]):
        send_pending()
    db.session.commit()


@task("deliver_mail", retries=4)
def deliver_mail(mail_id: int) -> None:
    """Hand one stored e-mail to the mail server (retried with backoff if the server is down)."""
    from consulta.notifications.mail import deliver_stored

    deliver_stored(mail_id)


def _upload_failed(reason: str, upload_id: int, sheet: str | None = None) -> None:
    from consulta.uploads import services

    services.mark_failed(upload_id)


@task("read_upload", retries=1, on_failure=_upload_failed)
def read_upload(upload_id: int, sheet: str | None = None) -> None:
    """Read an untrusted upload in a child process with hard time and memory limits and store the result."""
    from consulta.uploads import services

    services.read(upload_id, sheet)


@task("clean_up", retries=1)
def clean_up() -> None:
    """Delete what expires: sign-ins past their end, uploads kept past UPLOAD_KEEP_HOURS (the workers queue this
    every hour)."""
    from consulta.auth.sessions import expire_sessions
    from consulta.uploads import services

    expire_sessions()
    services.expire()
    db.session.commit()
