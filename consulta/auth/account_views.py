"""Account security pages: e-mail confirmation, password reset and change, e-mail change, my contributions."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consulta.auth import accounts, bp, govbr, sessions
from consulta.auth.forms import (
    ActionForm,
    ChangeEmailForm,
    ChangePasswordForm,
    EmailForm,
    PasswordConfirmForm,
    ResetPasswordForm,
)
from consulta.auth.services import AccountError
from consulta.auth.tokens import TokenError
from consulta.extensions import db, limiter
from consulta.web import attach_error, form_status


def _mail_key() -> str:
    # Limits mails per address as well as per client, so one inbox cannot be flooded from many addresses.
    email = (request.form.get("email") or getattr(current_user, "email", None) or "").strip().lower()
    return "account-mail:" + email


def _mail_limit() -> str:
    return current_app.config["RATELIMIT_ACCOUNT_MAIL"]


@bp.route("/conta/seguranca")
@login_required
def security():
    """Password, e-mail, gov.br link and open sessions of the account."""
    return security_page()


def security_page(*, password_form=None, email_form=None, govbr_form=None, status: int = 200):
    return render_template(
        "auth/security.html",
        password_form=password_form or ChangePasswordForm(formdata=None),
        email_form=email_form or ChangeEmailForm(formdata=None),
        govbr_form=govbr_form or PasswordConfirmForm(formdata=None),
        action_form=ActionForm(),
        sessions=sessions.active_sessions(current_user),
        govbr_enabled=govbr.enabled(),
    ), status


@bp.route("/conta/email/reenviar", methods=["POST"])
@login_required
@limiter.limit(_mail_limit, key_func=_mail_key)
def resend_verification():
    """Send the confirmation link again (rate-limited per address)."""
    if ActionForm().validate_on_submit():
        if accounts.send_verification(current_user):
            db.session.commit()  # the mail leaves (from a worker) once its message is committed
            flash(_("Enviamos um novo link de confirmação para %(email)s.", email=current_user.email), "success")
        else:
            flash(_("Seu e-mail já está confirmado."), "info")
    return redirect(url_for("auth.profile"), 303)


@bp.route("/conta/email/confirmar/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    """Confirm an address from the mailed link: the page asks for one click (a GET changes nothing)."""
    form = ActionForm()
    if form.validate_on_submit():
        try:
            accounts.verify_email(token)
        except TokenError as error:
            return render_template("auth/link_error.html", message=str(error)), 400
        db.session.commit()
        flash(_("E-mail confirmado. Obrigado!"), "success")
        return redirect(url_for("auth.profile" if current_user.is_authenticated else "auth.login"), 303)
    return render_template("auth/confirm_link.html", form=form, title=_("Confirmar e-mail"),
                           text=_("Confirme que este e-mail é seu."), button=_("Confirmar meu e-mail"))


@bp.route("/senha/esqueci", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
@limiter.limit(_mail_limit, key_func=_mail_key, methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = EmailForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        db.session.commit()
        flash(_("Se houver uma conta com este e-mail, enviamos um link para criar uma nova senha. "
              "Confira também a caixa de spam."), "info")
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/forgot_password.html", form=form), form_status()


@bp.route("/senha/redefinir/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def reset_password(token: str):
    """Choose a new password from a mailed link (valid once, for an hour); every sign-in then ends."""
    try:
        user = accounts.check_reset_token(token)
    except TokenError as error:
        return render_template("auth/link_error.html", message=str(error)), 400
    form = ResetPasswordForm(email=user.email or "", name=user.display_name)
    if form.validate_on_submit():
        accounts.set_password(user, form.password.data, reason="reset_password")
        sessions.sign_out()
        db.session.commit()
        flash(_("Senha alterada. Entre com a nova senha."), "success")
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/reset_password.html", form=form, token=token), form_status()


@bp.route("/conta/senha", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"])
def change_password():
    """Change the password: every other sign-in ends, this browser gets a new one."""
    form = ChangePasswordForm(email=current_user.email or "", name=current_user.display_name)
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data, form.password.data)
        except AccountError as error:
            attach_error(form, error)
        else:
            sessions.sign_in(current_user._get_current_object())
            db.session.commit()
            flash(_("Senha alterada. Saímos da sua conta nos outros dispositivos."), "success")
            return redirect(url_for("auth.security"), 303)
    return security_page(password_form=form, status=form_status())


@bp.route("/conta/email", methods=["POST"])
@login_required
@limiter.limit(_mail_limit, key_func=_mail_key)
def change_email():
    """Ask to change the e-mail: a link goes to the new address, which changes when it is followed."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            accounts.request_email_change(current_user, form.password.data or "", form.email.data)
        except AccountError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Enviamos um link para %(email)s. "
                    "Seu e-mail muda quando você abrir esse link.", email=form.email.data.strip().lower()), "info")
            return redirect(url_for("auth.security"), 303)
    return security_page(email_form=form, status=form_status())


@bp.route("/conta/email/alterar/<token>", methods=["GET", "POST"])
def confirm_email_change(token: str):
    """Confirm the new address from the link mailed to it."""
    form = ActionForm()
    if form.validate_on_submit():
        try:
            accounts.confirm_email_change(token)
        except TokenError as error:
            return render_template("auth/link_error.html", message=str(error)), 400
        db.session.commit()
        flash(_("E-mail alterado. Avisamos o endereço anterior."), "success")
        return redirect(url_for("auth.profile" if current_user.is_authenticated else "auth.login"), 303)
    return render_template("auth/confirm_link.html", form=form, title=_("Confirmar novo e-mail"),
                           text=_("Confirme que você quer usar este endereço na sua conta."),
                           button=_("Usar este e-mail"))


@bp.route("/conta/contribuicoes")
@login_required
def my_contributions():
    """My contributions with their state and the drafting team's answers."""
    return render_template("auth/my_contributions.html", contributions=accounts.my_contributions(current_user))
