"""Build e-mails from templates (plain text and HTML, pt-BR) and deliver them through Flask-Mailman.

A message is built in the request (templates, links) into a plain dict, so delivery can run elsewhere — in a
background job with retries — and deliver() only talks to the mail server.
"""

from typing import Any, TypedDict

from flask import current_app, render_template
from flask_mailman import EmailMultiAlternatives


class MailPayload(TypedDict):
    """Everything needed to send one message, as JSON-friendly data."""

    to: list[str]
    subject: str
    text: str
    html: str
    headers: dict[str, str]


def build_mail(to: str | list[str], subject: str, template: str, *, headers: dict[str, str] | None = None,
               **context: Any) -> MailPayload:
    """Render templates/mail/<template>.txt and .html into a payload for deliver_mail()."""
    context.setdefault("subject", subject)
    return MailPayload(
        to=[to] if isinstance(to, str) else list(to),
        subject=subject,
        text=render_template(f"mail/{template}.txt", **context),
        html=render_template(f"mail/{template}.html", **context),
        headers=dict(headers or {}),
    )


def deliver_mail(payload: MailPayload) -> None:
    """Send one built message with the configured backend (SMTP in production, files in development)."""
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["text"],
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=payload["to"],
        headers=payload["headers"],
    )
    message.attach_alternative(payload["html"], "text/html")
    message.send()


def send_mail(to: str | list[str], subject: str, template: str, *, headers: dict[str, str] | None = None,
              **context: Any) -> None:
    """Build a message and queue its delivery (the one place that decides how mail leaves the app).

    The message is stored and a `deliver_mail` job is queued in the caller's transaction: it leaves after the
    commit, from a worker, with retries — and a request never waits for the mail server (so a password-reset
    request takes the same time whether or not the address has an account)."""
    from consulta import jobs
    from consulta.extensions import db
    from consulta.models import OutgoingMail

    payload = build_mail(to, subject, template, headers=headers, **context)
    mail = OutgoingMail(recipients=payload["to"], subject=payload["subject"][:300], text=payload["text"],
                        html=payload["html"], headers=payload["headers"])
    db.session.add(mail)
    db.session.flush()
    jobs.enqueue("deliver_mail", mail_id=mail.id)


def deliver_stored(mail_id: int) -> None:
    """Send a stored message and delete it (nothing to do if it was already sent and deleted)."""
    from consulta.extensions import db
    from consulta.models import OutgoingMail

    mail = db.session.get(OutgoingMail, mail_id)
    if mail is None:
        return
    deliver_mail(MailPayload(to=list(mail.recipients), subject=mail.subject, text=mail.text, html=mail.html,
                             headers=dict(mail.headers or {})))
    db.session.delete(mail)
    db.session.commit()
