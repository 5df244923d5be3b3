"""E-mail account flows: confirmation, password reset and change, e-mail change, with their notices.

Services flush, never commit; mails are built here (links need the request) and sent through
consulta.notifications.mail, the one way mail leaves the app.
"""

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consulta.auth import sessions, tokens
from consulta.auth.passwords import hash_password, verify_password
from consulta.auth.services import AccountError, find_by_email, normalize_email
from consulta.extensions import db
from consulta.models import Contribution, User, record, utcnow
from consulta.notifications.mail import send_mail


def send_verification(user: User) -> bool:
    """Mail a confirmation link to the account's address; False when there is nothing to confirm."""
    if not user.email or user.email_verified_at is not None:
        return False
    link = url_for("auth.verify_email", token=tokens.make_token(tokens.VERIFY_EMAIL, user), _external=True)
    send_mail(user.email, _("Confirme seu e-mail"), "verify_email", user=user, link=link)
    return True


def verify_email(token: str) -> User:
    """Mark the address in `token` as confirmed (once); TokenError when the link cannot be used."""
    user, _payload = tokens.read_token(tokens.VERIFY_EMAIL, token)
    if user.email_verified_at is not None:
        raise tokens.TokenError(_("Este link já foi usado: seu e-mail já está confirmado."))
    user.email_verified_at = utcnow()
    record(user, "user.verify_email", user)
    db.session.flush()
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link when an active account has this address; silent otherwise (no enumeration)."""
    user = find_by_email(email)
    if user is None or not user.is_active:
        return
    link = url_for("auth.reset_password", token=tokens.make_token(tokens.RESET_PASSWORD, user), _external=True)
    send_mail(user.email, _("Redefinição de senha"), "reset_password", user=user, link=link)


def check_reset_token(token: str) -> User:
    """The account a reset link is for; TokenError when expired, used or forged."""
    user, _ = tokens.read_token(tokens.RESET_PASSWORD, token)
    return user


def set_password(user: User, password: str, *, reason: str) -> None:
    """Store a new password, end every sign-in of the account and tell its owner by mail."""
    user.password_hash = hash_password(password)
    sessions.end_all_sessions(user)
    record(user, f"user.{reason}", user)
    db.session.flush()
    if user.email:
        send_mail(user.email, _("Sua senha foi alterada"), "password_changed", user=user,
                  reset_link=url_for("auth.forgot_password", _external=True))


def change_password(user: User, current: str, new: str) -> None:
    """Change the password after checking the current one; AccountError names the field to blame."""
    if not verify_password(user.password_hash, current):
        raise AccountError("current_password", _("Senha atual incorreta."))
    set_password(user, new, reason="change_password")


def request_email_change(user: User, password: str, new_email: str) -> None:
    """Mail a confirmation link to the new address; the e-mail changes only when it is followed."""
    if user.password_hash and not verify_password(user.password_hash, password):
        raise AccountError("password", _("Senha incorreta."))
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise AccountError("email", _("Este já é o seu e-mail."))
    if find_by_email(new_email) is not None:
        # Told only to the account owner, who proved the password: not an enumeration oracle for strangers.
        raise AccountError("email", _("Já existe uma conta com este e-mail."))
    token = tokens.make_token(tokens.CHANGE_EMAIL, user, n=new_email)
    link = url_for("auth.confirm_email_change", token=token, _external=True)
    send_mail(new_email, _("Confirme seu novo e-mail"), "confirm_email_change", user=user, link=link,
              new_email=new_email)


def confirm_email_change(token: str) -> User:
    """Switch the account to the new address in `token` (confirmed by this very link) and tell the old one."""
    user, payload = tokens.read_token(tokens.CHANGE_EMAIL, token)
    new_email = payload.get("n", "")
    if find_by_email(new_email) is not None:
        raise tokens.TokenError(_("Já existe uma conta com este e-mail."))
    old_email = user.email
    user.email = new_email
    user.email_verified_at = utcnow()
    record(user, "user.change_email", user)
    db.session.flush()
    if old_email:
        send_mail(old_email, _("Seu e-mail foi alterado"), "email_changed", user=user, new_email=new_email,
                  reset_link=url_for("auth.forgot_password", _external=True))
    return user


def warn_existing_account(email: str) -> None:
    """Someone tried to sign up with an address that has an account: tell its owner, nobody else."""
    user = find_by_email(email)
    if user is None or not user.email:
        return
    send_mail(user.email, _("Tentativa de cadastro com seu e-mail"), "signup_existing", user=user,
              login_link=url_for("auth.login", _external=True),
              reset_link=url_for("auth.forgot_password", _external=True))


def my_contributions(user: User) -> list[Contribution]:
    """The account's contributions and replies, newest first, with their consultation and article loaded."""
    return list(db.session.scalars(
        select(Contribution).where(Contribution.author_id == user.id)
        .options(selectinload(Contribution.consultation), selectinload(Contribution.article),
                 selectinload(Contribution.section))
        .order_by(Contribution.created_at.desc(), Contribution.id.desc())
    ))
