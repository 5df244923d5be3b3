"""Notification routes: follow, preferences, and the one-click unsubscribe that works without logging in."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice

from consulta.auth.forms import ActionForm
from consulta.authz import can_view_consultation
from consulta.extensions import csrf, db, limiter
from consulta.models import FollowTarget, NotificationKind, User
from consulta.models.notifications import NOTIFICATION_LABELS
from consulta.notifications import follows, sending
from consulta.web import is_htmx_partial, safe_next

bp = Blueprint("notifications", __name__)


class PreferencesForm(FlaskForm):
    """Which events to hear about, and how often."""

    opening = BooleanField(NOTIFICATION_LABELS[NotificationKind.OPENING])
    closing_soon = BooleanField(NOTIFICATION_LABELS[NotificationKind.CLOSING_SOON])
    closed = BooleanField(NOTIFICATION_LABELS[NotificationKind.CLOSED])
    reply = BooleanField(NOTIFICATION_LABELS[NotificationKind.REPLY])
    response = BooleanField(NOTIFICATION_LABELS[NotificationKind.RESPONSE])
    final_text = BooleanField(NOTIFICATION_LABELS[NotificationKind.FINAL_TEXT])
    delivery = RadioField(_l("Como receber"), choices=[SelectChoice("each", _l("Um e-mail por aviso")),
                                                   SelectChoice("digest", _l("Um resumo por dia"))], default="each")


@bp.route("/seguir/<any(consultation, article):target_type>/<int:target_id>", methods=["POST"])
@login_required
@limiter.limit("60/minute")
def follow(target_type: str, target_id: int):
    """Follow or stop following a consultation or an article."""
    kind = FollowTarget(target_type)
    consultation = follows.target_consultation(kind, target_id)
    if consultation is None or not can_view_consultation(current_user, consultation):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    now = follows.set_follow(current_user, kind, target_id, consultation, request.form.get("seguir") == "1")
    db.session.commit()
    message = (_("Você vai receber avisos por e-mail.") if now else _("Você deixou de seguir."))
    if is_htmx_partial():
        return render_template("notifications/_follow.html", follow_type=kind.value, follow_id=target_id,
                               following=now, follow_message=message)
    flash(message, "success")
    if kind is FollowTarget.CONSULTATION:
        default = url_for("consultations.consultation", slug=consultation.slug)
    else:
        default = url_for("consultations.article", slug=consultation.slug, article_id=target_id)
    return redirect(safe_next(request.form.get("next"), default), 303)


@bp.route("/notificacoes/preferencias", methods=["GET", "POST"])
@login_required
def preferences():
    """Turn each kind of notice on or off and choose a daily digest."""
    prefs = sending.preferences_of(current_user.id)
    form = PreferencesForm(obj=prefs)
    if request.method == "GET":
        form.delivery.data = "digest" if prefs.digest else "each"
    if form.validate_on_submit():
        for kind in NotificationKind:
            setattr(prefs, kind.value, bool(form[kind.value].data))
        prefs.digest = form.delivery.data == "digest"
        db.session.commit()
        flash(_("Preferências de aviso salvas."), "success")
        return redirect(url_for("notifications.preferences"), 303)
    db.session.rollback()  # nothing saved on a plain visit
    return render_template("notifications/preferences.html", form=form,
                           kinds=list(NotificationKind)), 200 if request.method == "GET" else 422


@bp.route("/notificacoes/cancelar/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no session; the token is the proof
@limiter.limit("30/minute")
def unsubscribe(token: str):
    """GET shows a confirmation; POST (the button, or a mail client's one-click) turns the notices off."""
    data = sending.read_unsubscribe_token(token)
    if data is None:
        return render_template("notifications/unsubscribe.html", invalid=True, token=token), 404
    user_id, kind = data
    label = _("todos os avisos") if kind == sending.ALL else _("os avisos de “%(label)s”", label=NotificationKind(kind).label)
    if request.method == "POST":
        if db.session.get(User, user_id) is not None:  # a deleted account has nothing left to turn off
            sending.unsubscribe(user_id, kind)
            db.session.commit()
        return render_template("notifications/unsubscribe.html", done=True, label=label, token=token)
    return render_template("notifications/unsubscribe.html", label=label, token=token)
