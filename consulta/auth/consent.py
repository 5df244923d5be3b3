"""Consent again when the privacy policy changes (LGPD art. 8, § 6, and art. 9, § 2).

Each account records the policy version it consented to. When PRIVACY_POLICY_VERSION moves on, a signed-in
person is sent to the consent page before anything else; the privacy notice, logout, the download of one's
data and account deletion stay open, so nobody has to consent to exercise their rights.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import InputRequired

from consulta.auth import bp
from consulta.extensions import db
from consulta.models import record, utcnow
from consulta.web import form_status, safe_next

OPEN_WITHOUT_CONSENT = frozenset({"auth.consent", "auth.privacy", "auth.logout", "auth.my_data",
                                  "auth.delete_my_account", "auth.profile", "static",
                                  "accessibility.preferences_page"})  # to read the new policy in high contrast


class ConsentForm(FlaskForm):
    """Consent to the current privacy policy."""

    consent = BooleanField(
        _l("Li a nova versão da Política de Privacidade e concordo com o tratamento dos meus dados."),
        validators=[InputRequired(_l("Para continuar participando, é preciso concordar com a nova versão."))],
    )


def needs_consent(user) -> bool:
    """Whether `user` is signed in and has not consented to the current policy version."""
    return bool(user.is_authenticated) and user.consent_version != current_app.config["PRIVACY_POLICY_VERSION"]


@bp.before_app_request
def ask_for_consent_again():
    if request.endpoint in OPEN_WITHOUT_CONSENT or request.blueprint == "api" or not needs_consent(current_user):
        return None
    target = request.full_path if request.method == "GET" else request.referrer
    return redirect(url_for("auth.consent", next=safe_next(target, url_for("consultations.home"))), 303)


@bp.route("/privacidade/consentimento", methods=["GET", "POST"])
@login_required
def consent():
    """Show what changed in the privacy policy and record the consent to its current version."""
    next_url = safe_next(request.values.get("next"), url_for("consultations.home"))
    if not needs_consent(current_user):
        return redirect(next_url, 303)
    form = ConsentForm()
    if form.validate_on_submit():
        version = current_app.config["PRIVACY_POLICY_VERSION"]
        record(current_user, "user.consent", current_user, previous=current_user.consent_version, new=version)
        current_user.consent_at, current_user.consent_version = utcnow(), version
        db.session.commit()
        flash(_("Obrigado. Seu consentimento à nova Política de Privacidade foi registrado."), "success")
        return redirect(next_url, 303)
    return render_template("auth/consent.html", form=form, next_url=next_url,
                           version=current_app.config["PRIVACY_POLICY_VERSION"],
                           previous=current_user.consent_version), form_status()
