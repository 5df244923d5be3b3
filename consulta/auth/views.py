"""Account pages."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from consulta.auth import bp
from consulta.auth.forms import ActionForm, LoginForm, ProfileForm, RegistrationForm
from consulta.auth.services import AccountError, authenticate, register
from consulta.extensions import db, limiter
from consulta.models import AccountKind, Sector
from consulta.web import invalid_form_status, safe_next


def _login_email_key() -> str:
    # A second limit per e-mail slows guessing against one account from many addresses.
    return "login-email:" + (request.form.get("email") or "").strip().lower()


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
            login_user(user, remember=form.remember.data)
            flash(f"Olá, {user.display_name}!", "success")
            return redirect(next_url, 303)
        form.password.errors.append("E-mail ou senha incorretos.")
    status = invalid_form_status() if request.method == "POST" else 200
    return render_template("auth/login.html", form=form, next_url=next_url), status


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
    status = invalid_form_status() if request.method == "POST" else 200
    return render_template("auth/register.html", form=form), status


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
    status = invalid_form_status() if request.method == "POST" else 200
    return render_template("auth/profile.html", form=form), status


@bp.route("/privacidade")
def privacy():
    """The privacy policy (LGPD): what we collect, why, and the participant's rights."""
    return render_template("auth/privacy.html", version=current_app.config["PRIVACY_POLICY_VERSION"])
