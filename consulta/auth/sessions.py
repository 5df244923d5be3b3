"""Revocable sign-ins: every login stores the hash of a fresh random token; cookies carry the token.

Flask-Login keeps `User.get_id()` in the session cookie and in the remember cookie. Here that id is
"<user id>:<token>", and the loader accepts it only while a matching, unexpired UserSession row exists.
Logging out deletes the row, so a copied session or remember cookie stops working at once; a password
change or "sair de todos os dispositivos" deletes every row of the account.
"""

import hashlib
import secrets

from flask import current_app, g, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, select

from consulta.extensions import db
from consulta.models import User, UserSession, utcnow


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def expire_sessions() -> int:
    """Delete every expired sign-in (the hourly `clean_up` job); returns how many."""
    return db.session.execute(delete(UserSession).where(UserSession.expires_at <= utcnow())
                              .execution_options(synchronize_session=False)).rowcount


def sign_in(user: User, *, remember: bool = False, method: str = "password") -> None:
    """Sign `user` in on this browser: a new server-side session, a fresh cookie session and CSRF token.

    Every way in (password, gov.br, a password reset) ends here; checks such as a second factor belong
    before the call.
    """
    now = utcnow()
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now))
    lifetime = current_app.config["REMEMBER_COOKIE_DURATION" if remember else "PERMANENT_SESSION_LIFETIME"]
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=_token_hash(token), method=method,
                               remember=remember, created_at=now, expires_at=now + lifetime))
    user.last_login_at = now
    db.session.flush()
    user.session_token = token
    # A new cookie session at each sign-in: nothing carried over from before (no fixation), new CSRF token.
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    login_user(user, remember=remember, duration=lifetime, fresh=True)


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the active account whose sign-in token is still on record and unexpired."""
    account, _, token = user_id.partition(":")
    if not token or not account.isascii() or not account.isdigit() or len(account) > 12:
        return None
    row = db.session.execute(
        select(User, UserSession.expires_at).join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _token_hash(token), User.id == int(account))
    ).first()
    if row is None or row.expires_at <= utcnow() or not row.User.is_active:
        return None
    row.User.session_token = token
    return row.User


def sign_out() -> None:
    """End this browser's sign-in on the server and in the cookies."""
    token = getattr(current_user, "session_token", None)
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))
    logout_user()
    remember = session.get("_remember")  # "clear": Flask-Login deletes the remember cookie on the way out
    session.clear()
    if remember:
        session["_remember"] = remember


def end_all_sessions(user: User) -> int:
    """Revoke every sign-in of `user` on every device; returns how many ended."""
    result = db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    return result.rowcount or 0


def active_sessions(user: User) -> list[UserSession]:
    """The account's unexpired sign-ins, newest first."""
    return list(db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at > utcnow())
        .order_by(UserSession.created_at.desc())
    ))
