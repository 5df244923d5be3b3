"""gov.br sign-in pages: start, callback, and linking or creating an account for a new gov.br identity."""

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consulta.auth import bp, govbr
from consulta.auth.account_views import security_page
from consulta.auth.forms import GovbrAccountForm, GovbrLinkForm, PasswordConfirmForm
from consulta.auth.passwords import verify_password
from consulta.auth.services import AccountError, authenticate
from consulta.auth.sessions import sign_in
from consulta.extensions import db, limiter
from consulta.web import form_status, invalid_form_status, safe_next

NEXT_KEY = "govbr_next"
LINK_KEY = "govbr_link_for"


def _require_govbr() -> None:
    if not govbr.enabled():
        abort(404)


def _finish(user, identity, id_token: str, next_url: str):
    """Sign a gov.br person in and keep the id_token for logging out at gov.br too."""
    govbr.refresh_level(user, identity)
    sign_in(user, method="govbr")
    session[govbr.ID_TOKEN_KEY] = id_token
    db.session.commit()
    flash(_("Olá, %(name)s! Você entrou com gov.br (nível %(level)s).", name=user.display_name,
            level=user.govbr_level.label), "success")
    return redirect(next_url, 303)


@bp.route("/entrar/govbr")
def govbr_login():
    """Go to gov.br's login page (authorization code with PKCE; state and nonce kept in the session)."""
    _require_govbr()
    session[NEXT_KEY] = safe_next(request.args.get("next"), url_for("consultations.home"))
    try:
        return govbr.authorize_redirect(url_for("auth.govbr_callback", _external=True))
    except govbr.GovbrError as error:
        return render_template("auth/govbr_error.html", message=str(error)), 502


@bp.route("/entrar/govbr/retorno")
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"])
def govbr_callback():
    """gov.br sends the person back here: check its answer, then sign in, link or ask how to continue."""
    _require_govbr()
    try:
        identity, id_token = govbr.complete_sign_in()
    except govbr.GovbrError as error:
        db.session.rollback()
        return render_template("auth/govbr_error.html", message=str(error)), 400
    next_url = session.pop(NEXT_KEY, None) or url_for("consultations.home")
    if current_user.is_authenticated:
        if session.pop(LINK_KEY, None) != current_user.id:
            flash(_("Para vincular sua conta gov.br, confirme sua senha na página Segurança."), "info")
            return redirect(url_for("auth.security"), 303)
        try:
            govbr.link(current_user, identity)
        except AccountError as error:
            db.session.rollback()
            return render_template("auth/govbr_error.html", message=str(error)), 409
        return _finish(current_user._get_current_object(), identity, id_token, url_for("auth.security"))
    user = govbr.find_user(identity)
    if user is not None:
        if not user.is_active:
            return render_template("auth/govbr_error.html", message=_("Esta conta está bloqueada.")), 403
        return _finish(user, identity, id_token, next_url)
    govbr.remember_pending(identity)
    session["govbr_pending_token"] = id_token
    session[NEXT_KEY] = next_url
    return redirect(url_for("auth.govbr_finish"), 303)


@bp.route("/entrar/govbr/concluir")
def govbr_finish():
    """First gov.br sign-in: create an account, or link an existing e-mail account (password first)."""
    identity = _pending_or_404()
    return _finish_page(identity)


def _pending_or_404():
    _require_govbr()
    identity = govbr.pending()
    if identity is None:
        abort(404)
    return identity


def _finish_page(identity, *, account_form=None, link_form=None, status: int = 200):
    taken = govbr.email_taken(identity)
    if account_form is None:
        account_form = GovbrAccountForm(formdata=None, display_name=identity.name)
    if link_form is None:
        link_form = GovbrLinkForm(formdata=None, email=identity.email if taken else "")
    return render_template("auth/govbr_finish.html", identity=identity, email_taken=taken,
                           account_form=account_form, link_form=link_form), status


def _complete(user, identity):
    id_token = session.pop("govbr_pending_token", "")
    next_url = session.pop(NEXT_KEY, None) or url_for("consultations.home")
    session.pop(govbr.PENDING_KEY, None)
    return _finish(user, identity, id_token, next_url)


@bp.route("/entrar/govbr/nova-conta", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REGISTER"])
def govbr_create_account():
    """Create an account for the pending gov.br identity, with consent."""
    identity = _pending_or_404()
    form = GovbrAccountForm()
    if form.validate_on_submit():
        user = govbr.create_account(identity, display_name=form.display_name.data,
                                    uf=form.uf.data, sector=form.sector.data)
        return _complete(user, identity)
    return _finish_page(identity, account_form=form, status=invalid_form_status())


@bp.route("/entrar/govbr/vincular", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"])
def govbr_link_existing():
    """Link the pending gov.br identity to an existing e-mail account: its password is asked first."""
    identity = _pending_or_404()
    form = GovbrLinkForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("E-mail ou senha incorretos."))
        else:
            try:
                govbr.link(user, identity)
            except AccountError as error:
                form.email.errors.append(str(error))
            else:
                return _complete(user, identity)
    return _finish_page(identity, link_form=form, status=invalid_form_status())


@bp.route("/conta/govbr", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"])
def govbr_link_start():
    """Link gov.br to the signed-in account: the password is checked, then gov.br is asked."""
    _require_govbr()
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.password.data):
            session[LINK_KEY] = current_user.id
            return redirect(url_for("auth.govbr_login", next=url_for("auth.security")), 303)
        form.password.errors.append(_("Senha incorreta."))
    return security_page(govbr_form=form, status=form_status())
