"""Account pages."""

import json

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consulta import security
from consulta.auth import accounts, bp, govbr, second_factor
from consulta.auth.forms import ActionForm, DeleteAccountForm, LoginForm, ProfileForm, RegistrationForm
from consulta.auth.passwords import verify_password
from consulta.auth.services import AccountError, authenticate, delete_account, export_personal_data, register
from consulta.auth.sessions import end_all_sessions, sign_in, sign_out
from consulta.extensions import db, limiter
from consulta.models import AccountKind, Sector, utcnow
from consulta.security import email_digest
from consulta.web import attachment, form_status, invalid_form_status, safe_next


def _login_email_key() -> str:
    # A second limit per e-mail slows guessing against one account from many addresses.
    # Keyed by a digest: the storage (Redis) and the limiter's log never hold the e-mail itself.
    return "login-email:" + email_digest(request.form.get("email"))


@bp.route("/entrar", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
@limiter.limit("30 per hour", key_func=_login_email_key, methods=["POST"])
def login():
    """Log in with e-mail and password."""
    next_url = safe_next(request.values.get("next"), url_for("consultations.home"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            if second_factor.is_enrolled(user):  # the password was right; a code must follow
                return second_factor.challenge(user, remember=form.remember.data, next_url=next_url)
            sign_in(user, remember=form.remember.data)
            db.session.commit()
            flash(_("Olá, %(name)s!", name=user.display_name), "success")
            return redirect(next_url, 303)
        form.password.errors.append(_("E-mail ou senha incorretos."))
    return render_template("auth/login.html", form=form, next_url=next_url,
                           govbr_enabled=govbr.enabled()), form_status()


@bp.route("/sair", methods=["POST"])
def logout():
    """Log out (a POST with CSRF, never a GET): the sign-in ends on the server, and at gov.br if used."""
    if ActionForm().validate_on_submit():
        id_token = session.get(govbr.ID_TOKEN_KEY)
        sign_out()
        db.session.commit()
        flash(_("Você saiu da sua conta."), "info")
        if id_token and govbr.enabled():
            url = govbr.logout_url(id_token, url_for("consultations.home", _external=True))
            if url:
                # The page's CSP (form-action 'self') forbids a form POST from ending on another site,
                # so the way to gov.br's logout goes through a page of ours.
                session[govbr.LOGOUT_URL_KEY] = url
                return redirect(url_for("auth.govbr_logout"), 303)
    return redirect(url_for("consultations.home"), 303)


@bp.route("/sair/govbr")
def govbr_logout():
    """Send the browser on to gov.br's logout after ours (a refresh and a link, no script)."""
    url = session.pop(govbr.LOGOUT_URL_KEY, None)
    if not url:
        return redirect(url_for("consultations.home"))
    return render_template("auth/govbr_logout.html", url=url)


@bp.route("/sair/todos", methods=["POST"])
@login_required
def logout_everywhere():
    """End every sign-in of the account, on every device, this one included."""
    if ActionForm().validate_on_submit():
        end_all_sessions(current_user)
        sign_out()
        db.session.commit()
        flash(_("Você saiu da sua conta em todos os dispositivos."), "info")
    return redirect(url_for("consultations.home"), 303)


@bp.route("/cadastro", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REGISTER"], methods=["POST"])
def register_account():
    """Create an account as a person or an organization, with LGPD consent."""
    next_url = safe_next(request.values.get("next"), url_for("consultations.home"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = register(
                email=form.email.data,
                password=form.password.data,
                display_name=form.display_name.data,
                kind=AccountKind(form.kind.data),
                cnpj=form.cnpj.data,
                uf=form.uf.data,
                sector=form.sector.data,
            )
        except AccountError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            if user is None:
                # The address has an account: its owner is told by mail; the page says no more than that.
                accounts.warn_existing_account(form.email.data)
                db.session.commit()
                flash(_("Enviamos uma mensagem para este e-mail. Se você já tem conta, entre com sua senha."), "info")
                return redirect(url_for("auth.login", next=next_url), 303)
            accounts.send_verification(user)
            sign_in(user)
            db.session.commit()
            flash(_("Conta criada! Enviamos um link para confirmar seu e-mail."), "success")
            return redirect(next_url, 303)
    return render_template("auth/register.html", form=form, next_url=next_url,
                           govbr_enabled=govbr.enabled()), form_status()


@bp.route("/conta", methods=["GET", "POST"])
@login_required
def profile():
    """See and change one's own name, state and sector."""
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.uf.data = current_user.uf or ""
        form.sector.data = current_user.sector.value if current_user.sector else ""
    if form.validate_on_submit():
        current_user.display_name = form.display_name.data.strip()
        current_user.uf = form.uf.data or None
        current_user.sector = Sector(form.sector.data) if form.sector.data else None
        db.session.commit()
        flash(_("Seus dados foram atualizados."), "success")
        return redirect(url_for("auth.profile"), 303)
    return render_template("auth/profile.html", form=form, delete_form=DeleteAccountForm()), form_status()


@bp.route("/conta/meus-dados.json")
@login_required
def my_data():
    """Download everything the platform holds about the logged-in person (JSON)."""
    data = export_personal_data(current_user)
    security.log_event(security.EXPORT, user_id=current_user.id, dataset="meus-dados")
    data["gerado_em"] = utcnow().isoformat()
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return attachment(body, "json", "meus-dados-consulta.json")


@bp.route("/conta/excluir", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"])
def delete_my_account():
    """Delete the account: personal data erased, contributions kept anonymous, votes kept in the tallies."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.password.data):
            delete_account(current_user)
            end_all_sessions(current_user)
            sign_out()
            db.session.commit()
            flash(_("Sua conta foi excluída e seus dados pessoais, apagados."), "success")
            return redirect(url_for("consultations.home"), 303)
        form.password.errors.append(_("Senha incorreta."))
    profile_form = ProfileForm(obj=current_user)
    profile_form.uf.data = current_user.uf or ""
    profile_form.sector.data = current_user.sector.value if current_user.sector else ""
    return render_template("auth/profile.html", form=profile_form, delete_form=form), invalid_form_status()


@bp.route("/privacidade")
def privacy():
    """The privacy policy (LGPD): what we collect, why, and the participant's rights."""
    return render_template("auth/privacy.html", version=current_app.config["PRIVACY_POLICY_VERSION"])
