"""Account pages."""

import json

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from consulta import security
from consulta.auth import bp, second_factor
from consulta.auth.forms import ActionForm, DeleteAccountForm, LoginForm, ProfileForm, RegistrationForm
from consulta.auth.passwords import verify_password
from consulta.auth.services import AccountError, authenticate, delete_account, export_personal_data, register
from consulta.extensions import db, limiter
from consulta.models import AccountKind, Sector, utcnow
from consulta.security import email_digest
from consulta.web import form_status, invalid_form_status, safe_next


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
            db.session.commit()
            if second_factor.is_enrolled(user):  # the password was right; a code must follow
                return second_factor.challenge(user, remember=form.remember.data, next_url=next_url)
            login_user(user, remember=form.remember.data)
            flash(f"Olá, {user.display_name}!", "success")
            return redirect(next_url, 303)
        form.password.errors.append("E-mail ou senha incorretos.")
    return render_template("auth/login.html", form=form, next_url=next_url), form_status()


@bp.route("/sair", methods=["POST"])
def logout():
    """Log out (a POST with CSRF, never a GET)."""
    if ActionForm().validate_on_submit():
        logout_user()
        flash("Você saiu da sua conta.", "info")
    return redirect(url_for("consultations.home"), 303)


@bp.route("/cadastro", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REGISTER"], methods=["POST"])
def register_account():
    """Create an account as a person or an organization, with LGPD consent."""
    if current_user.is_authenticated:
        return redirect(url_for("consultations.home"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            register(
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
            db.session.commit()
            # The same answer whether or not the e-mail already had an account: no enumeration.
            flash("Cadastro recebido. Entre com seu e-mail e senha para participar.", "success")
            return redirect(url_for("auth.login", next=request.args.get("next")), 303)
    return render_template("auth/register.html", form=form), form_status()


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
        flash("Seus dados foram atualizados.", "success")
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
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="meus-dados-consulta.json"',
        "Cache-Control": "no-store",
    })


@bp.route("/conta/excluir", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"])
def delete_my_account():
    """Delete the account: personal data erased, contributions kept anonymous, votes kept in the tallies."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.password.data):
            delete_account(current_user)
            db.session.commit()
            logout_user()
            flash("Sua conta foi excluída e seus dados pessoais, apagados.", "success")
            return redirect(url_for("consultations.home"), 303)
        form.password.errors.append("Senha incorreta.")
    profile_form = ProfileForm(obj=current_user)
    profile_form.uf.data = current_user.uf or ""
    profile_form.sector.data = current_user.sector.value if current_user.sector else ""
    return render_template("auth/profile.html", form=profile_form, delete_form=form), invalid_form_status()


@bp.route("/privacidade")
def privacy():
    """The privacy policy (LGPD): what we collect, why, and the participant's rights."""
    return render_template("auth/privacy.html", version=current_app.config["PRIVACY_POLICY_VERSION"])
