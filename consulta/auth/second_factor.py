"""Second factor for sign-in: TOTP (RFC 6238, pyotp) and single-use recovery codes (OWASP ASVS V6.4–V6.6).

- Anyone may turn it on in "Minha conta"; with TOTP_REQUIRED on, admins, moderators and analysts
  (TOTP_REQUIRED_ROLES) must: until they do, every page sends them to the setup page.
- Login hook: after the password is right, `challenge()` keeps the account id in the session as pending
  and asks for a code at /entrar/segundo-fator; only a right code (or an unused recovery code) signs in.
- A code works once (the last time step used is stored) and is accepted one step early or late (clock drift);
  failures are security events and rate limited like logins.
- Ten recovery codes are shown once at setup and stored as SHA-256 digests; each works once.
- The TOTP key is stored encrypted (consulta.crypto: Fernet, key derived from SECRET_KEY).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time

import pyotp
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from consulta import crypto, security
from consulta.auth import bp
from consulta.auth.sessions import sign_in
from consulta.extensions import db, limiter
from consulta.models import User, utcnow
from consulta.web import form_status, invalid_form_status, safe_next

PENDING = "second_factor_pending"
PENDING_SECONDS = 300
SETUP_SESSION_KEY = "second_factor_setup"
RECOVERY_CODES = 10
ISSUER = "Consulta"
OPEN_DURING_SETUP = frozenset({"auth.totp_setup", "auth.logout", "auth.privacy", "auth.consent", "static"})


class CodeForm(FlaskForm):
    """A six-digit code from the authenticator app, or a recovery code."""

    code = StringField(_l("Código"), validators=[InputRequired(_l("Informe o código.")), Length(max=40)],
                       description=_l("Os 6 dígitos do aplicativo autenticador, ou um código de recuperação."))


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace(" ", "").encode()).hexdigest()


def is_enrolled(user: User) -> bool:
    """Whether `user` signs in with a second factor."""
    return bool(user.totp_secret and user.totp_enabled_at)


def must_enroll(user: User) -> bool:
    """Whether the settings require a second factor of `user` and it has none yet."""
    roles = {str(role) for role in current_app.config["TOTP_REQUIRED_ROLES"]}
    return bool(current_app.config["TOTP_REQUIRED"]) and str(user.role) in roles and not is_enrolled(user)


def verify(user: User, code: str) -> bool:
    """Check a TOTP or recovery code for `user`, spending it (flushes); False when wrong or already used."""
    code = (code or "").strip().replace(" ", "")
    key = crypto.decrypt(user.totp_secret)
    if code.isdigit() and len(code) == 6 and key:
        totp = pyotp.TOTP(key)
        now = time.time()
        for drift in (0, -1, 1):
            step = totp.timecode(now) + drift
            if step > (user.totp_last_step or -1) and secrets.compare_digest(totp.generate_otp(step), code):
                user.totp_last_step = step
                user.totp_secret = crypto.rotated(user.totp_secret) or user.totp_secret  # off an old key
                db.session.flush()
                return True
        return False
    digests = list(user.totp_recovery_codes or [])
    if _digest(code) in digests:
        digests.remove(_digest(code))
        user.totp_recovery_codes = digests
        db.session.flush()
        return True
    return False


def challenge(user: User, *, remember: bool, next_url: str):
    """The login hook: remember the account as pending and ask for its second factor."""
    session[PENDING] = {"user_id": user.id, "remember": bool(remember), "next": next_url, "at": int(time.time())}
    return redirect(url_for("auth.second_factor"), 303)


def _pending_user() -> tuple[User | None, dict]:
    pending = session.get(PENDING) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, {}
    user = db.session.get(User, pending.get("user_id"))
    return (user, pending) if user is not None and user.is_active and is_enrolled(user) else (None, {})


@bp.route("/entrar/segundo-fator", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def second_factor():
    """Second step of sign-in: the code of the authenticator app (or a recovery code)."""
    user, pending = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Entre de novo com seu e-mail e senha."), "info")
        return redirect(url_for("auth.login"), 303)
    form = CodeForm()
    if form.validate_on_submit():
        if verify(user, form.code.data):
            session.pop(PENDING, None)
            sign_in(user, remember=pending["remember"], method="password+totp")
            db.session.commit()
            security.log_event(security.LOGIN_SUCCEEDED, user_id=user.id, second_factor=True)
            return redirect(safe_next(pending.get("next"), url_for("consultations.home")), 303)
        security.log_event(security.SECOND_FACTOR_FAILED, level=logging.WARNING, user_id=user.id)
        form.code.errors.append(_("Código incorreto ou já usado."))
    return render_template("auth/second_factor.html", form=form), form_status()


@bp.route("/conta/dois-fatores", methods=["GET", "POST"])
@login_required
def totp_setup():
    """Turn on the second factor: scan the key, confirm with a code, receive the recovery codes once."""
    if is_enrolled(current_user):
        return render_template("auth/totp_setup.html", enrolled=True, form=None, secret=None, uri=None, codes=None)
    secret = session.get(SETUP_SESSION_KEY) or pyotp.random_base32()
    session[SETUP_SESSION_KEY] = secret
    form = CodeForm()
    if form.validate_on_submit():
        code = (form.code.data or "").strip().replace(" ", "")
        if pyotp.TOTP(secret).verify(code, valid_window=1):
            codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _n in range(RECOVERY_CODES)]
            current_user.totp_secret, current_user.totp_enabled_at = crypto.encrypt(secret), utcnow()
            current_user.totp_last_step = pyotp.TOTP(secret).timecode(time.time())
            current_user.totp_recovery_codes = [_digest(c) for c in codes]
            db.session.commit()
            session.pop(SETUP_SESSION_KEY, None)
            security.log_event(security.SECOND_FACTOR_ENABLED, user_id=current_user.id)
            return render_template("auth/totp_setup.html", enrolled=True, form=None, secret=None, uri=None,
                                   codes=codes)
        form.code.errors.append(_("Código incorreto: confira a hora do celular e digite o código atual."))
    uri = pyotp.TOTP(secret).provisioning_uri(name=current_user.email or str(current_user.id), issuer_name=ISSUER)
    status = invalid_form_status() if request.method == "POST" else 200
    return render_template("auth/totp_setup.html", enrolled=False, form=form, secret=secret, uri=uri,
                           codes=None, required=must_enroll(current_user)), status


@bp.before_app_request
def require_enrollment():
    if request.endpoint in OPEN_DURING_SETUP or request.blueprint == "api":
        return None
    if current_user.is_authenticated and must_enroll(current_user):
        return redirect(url_for("auth.totp_setup"), 303)
    return None
