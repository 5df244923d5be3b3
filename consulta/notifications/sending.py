"""Turn recorded notifications into mails: one per event, or one daily digest, each with one-click unsubscribe.

`send_pending()` is what `flask consulta send-notifications` runs (and what the job queue will schedule): it
records the clock's events, then delivers every pending row once — a row is marked sent (or skipped, when its
kind is turned off) in the same commit as its mail leaves, so running it twice never sends twice.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from consulta.extensions import db
from consulta.models import (
    Article,
    Consultation,
    Contribution,
    Notification,
    NotificationKind,
    NotificationPreference,
    User,
    utcnow,
)
from consulta.notifications.events import record_clock_events
from consulta.notifications.mail import send_mail

ALL = "all"
DIGEST_EVERY = timedelta(days=1)

SUBJECTS = {
    NotificationKind.OPENING: _l("A consulta “{title}” está aberta"),
    NotificationKind.CLOSING_SOON: _l("Faltam poucos dias: “{title}” encerra em breve"),
    NotificationKind.CLOSED: _l("A consulta “{title}” foi encerrada"),
    NotificationKind.REPLY: _l("Nova resposta à sua contribuição em “{title}”"),
    NotificationKind.RESPONSE: _l("A equipe respondeu à sua contribuição em “{title}”"),
    NotificationKind.FINAL_TEXT: _l("Novo texto publicado: “{title}”"),
}


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="notifications-unsubscribe")


def unsubscribe_token(user_id: int, kind: str) -> str:
    """A signed token that turns off `kind` (or ALL) for this account, usable without logging in."""
    return _serializer().dumps({"u": user_id, "k": kind})


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, kind) from a token, or None when it was not signed by us."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    kind = data.get("k")
    if kind != ALL and kind not in NotificationKind._value2member_map_:
        return None
    return data["u"], kind


def preferences_of(user_id: int) -> NotificationPreference:
    """The account's preferences (defaults, added to the session, when it never chose)."""
    prefs = db.session.get(NotificationPreference, user_id)
    if prefs is None:
        prefs = NotificationPreference(user_id=user_id, digest=False, **{kind.value: True for kind in NotificationKind})
        db.session.add(prefs)
    return prefs


def unsubscribe(user_id: int, kind: str) -> None:
    """Turn off one kind of notification, or all of them."""
    prefs = preferences_of(user_id)
    for k in NotificationKind:
        if kind in (ALL, k.value):
            setattr(prefs, k.value, False)
    db.session.flush()


def _public_url(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)


def _headers(user_id: int, kind: str) -> dict[str, str]:
    link = _public_url("notifications.unsubscribe", token=unsubscribe_token(user_id, kind))
    return {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _item(n: Notification) -> dict[str, Any]:
    """What a mail says about one notification: a sentence, a link and, for replies and answers, the text."""
    consultation: Consultation = db.session.get(Consultation, n.consultation_id)
    contribution = db.session.get(Contribution, n.contribution_id) if n.contribution_id else None
    article = db.session.get(Article, n.article_id) if n.article_id else None
    where = f"{article.label}, " if article is not None else ""
    if n.kind in (NotificationKind.REPLY, NotificationKind.RESPONSE) and contribution is not None:
        link = _public_url("participation.permalink", contribution_id=contribution.id)
    elif n.kind is NotificationKind.FINAL_TEXT:
        link = _public_url("versions.comparison", slug=consultation.slug)
    else:
        link = _public_url("consultations.consultation", slug=consultation.slug)
    sentences = {
        NotificationKind.OPENING: _("A consulta “%(title)s” está aberta. %(schedule)s.", title=consultation.title, schedule=consultation.schedule_sentence()),
        NotificationKind.CLOSING_SOON: _("%(schedule)s: ainda dá tempo de contribuir em “%(title)s”.", schedule=consultation.schedule_sentence(), title=consultation.title),
        NotificationKind.CLOSED: _("A consulta “%(title)s” foi encerrada. Obrigado a quem participou.", title=consultation.title),
        NotificationKind.REPLY: _("Alguém respondeu à sua contribuição (%(where)s“%(title)s”).", where=where, title=consultation.title),
        NotificationKind.RESPONSE: _("A equipe responsável deu uma resposta oficial à sua contribuição (%(where)s“%(title)s”).", where=where, title=consultation.title),
        NotificationKind.FINAL_TEXT: _("A equipe de redação publicou um novo texto de “%(title)s”, com o quadro comparativo: o texto consultado, o novo texto, as contribuições consideradas e as justificativas.", title=consultation.title),
    }
    quote = None
    if n.kind is NotificationKind.REPLY and contribution is not None:
        quote = contribution.body
    elif n.kind is NotificationKind.RESPONSE and contribution is not None:
        status = contribution.response_status.label if contribution.response_status else ""
        quote = f"{status}. {contribution.response_text or ''}".strip()
    return {"kind": n.kind, "sentence": sentences[n.kind], "link": link, "quote": quote,
            "subject": str(SUBJECTS[n.kind]).format(title=consultation.title)}


def recipient_locale(user: User) -> str:
    """The language of mail to `user`: their own when accounts get one, else the platform's default."""
    return getattr(user, "locale", None) or current_app.config["BABEL_DEFAULT_LOCALE"]


def send_pending(now: datetime | None = None) -> dict[str, int]:
    """Record the clock's events, then send each pending notification once; returns counts by outcome."""
    now = now or utcnow()
    counts = {"recorded": record_clock_events(now), "sent": 0, "digests": 0, "skipped": 0}
    db.session.commit()
    pending = db.session.scalars(
        select(Notification).where(Notification.sent_at.is_(None), Notification.skipped_at.is_(None))
        .order_by(Notification.user_id, Notification.id).options(joinedload(Notification.user))
    ).all()
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for n in pending:
        by_user[n.user_id].append(n)
    for user_id, rows in by_user.items():
        user: User = rows[0].user
        with force_locale(recipient_locale(user)):  # sent from a worker: no request chose the language
            prefs = preferences_of(user_id)
            wanted = []
            for n in rows:
                if not prefs.wants(n.kind) or not user.is_active:
                    n.skipped_at = now
                    counts["skipped"] += 1
                else:
                    wanted.append(n)
            if wanted and prefs.digest:
                if prefs.digest_sent_at is None or now - prefs.digest_sent_at >= DIGEST_EVERY:
                    items = [_item(n) for n in wanted]
                    send_mail(user.email, ngettext("Resumo do dia: %(num)d novidade na Consulta",
                                                   "Resumo do dia: %(num)d novidades na Consulta", len(items)),
                              "notifications/digest", headers=_headers(user_id, ALL), user=user, items=items,
                              preferences_url=_public_url("notifications.preferences"))
                    for n in wanted:
                        n.sent_at = now
                    prefs.digest_sent_at = now
                    counts["digests"] += 1
            else:
                for n in wanted:
                    item = _item(n)
                    send_mail(user.email, item["subject"], "notifications/event", headers=_headers(user_id, n.kind.value),
                              user=user, item=item, preferences_url=_public_url("notifications.preferences"))
                    n.sent_at = now
                    counts["sent"] += 1
                    db.session.commit()  # this one is out: never again
            db.session.commit()
    return counts
