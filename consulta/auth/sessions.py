"""Revocable sign-ins: every login stores the hash of a fresh random token; cookies carry the token.

Flask-Login keeps `User.get_id()` in the session cookie and in the remember cookie. Here that id is
"<user id>:<token>", and the loader accepts it only while a matching, unexpired UserSession row exists.
Logging out deletes the row, so a copied session or remember cookie stops working at once; a password
change or "sair de todos os dispositivos" deletes every row of the account.
"""

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import current_app, g, has_request_context, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import bindparam, delete, select

from consulta.db_utils import route_connection
from consulta.extensions import db
from consulta.models import User, UserSession, VerificationLevel, utcnow
from consulta.models.users import GOVBR_VERIFICATION

# Hot routes whose requests need only a few columns of the account (a vote, the article page: is it active,
# its role, level and consent). There the loader answers a SessionAccount read with one Core query instead of the ORM User.
LIGHT_ENDPOINTS = frozenset({"participation.vote", "consultations.article"})


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


class SessionAccount:
    """The signed-in account as a hot route needs it: a few columns, read without the ORM.

    It answers what the request plumbing and the participation gate ask (is_authenticated, is_active,
    get_id, id, role, consent_version, verification_level, the second factor's columns). Anything else
    (a template's display_name, an audit record) loads the full User once and reads it from there, so an
    unforeseen use is slower, never wrong. Only ever built for an active account with a live sign-in.
    """

    __slots__ = ("id", "role", "consent_version", "govbr_level", "email_verified_at", "totp_secret",
                 "totp_enabled_at", "session_token", "_user")
    is_authenticated = True
    is_active = True
    is_anonymous = False
    COLUMNS = (User.id, User.role, User.consent_version, User.govbr_level, User.email_verified_at,
               User.totp_secret, User.totp_enabled_at)

    def __init__(self, row: Any, token: str) -> None:
        (self.id, self.role, self.consent_version, self.govbr_level, self.email_verified_at,
         self.totp_secret, self.totp_enabled_at) = row[:7]
        self.session_token = token
        self._user = None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def verification_level(self) -> VerificationLevel:
        if self.govbr_level is not None:
            return GOVBR_VERIFICATION[self.govbr_level]
        return VerificationLevel.EMAIL if self.email_verified_at is not None else VerificationLevel.NONE

    @property
    def user(self) -> User:
        """The full account (one query, the first time)."""
        if self._user is None:
            self._user = db.session.get(User, self.id)
            self._user.session_token = self.session_token
        return self._user

    def __getattr__(self, name: str) -> Any:
        return getattr(self.user, name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, (SessionAccount, User)) and other.id == self.id

    def __hash__(self) -> int:
        return hash(("account", self.id))


@dataclass(frozen=True)
class SignInRead:
    """A hot route's first read, made by the sign-in check's own query: one round trip for both.

    `params(view_args)` gives the read's bind parameters (None: read nothing); `extend(source, account)`
    joins what it reads to the sign-in's FROM (`account` is users.id) and returns (source, columns);
    `consume(params, account, values)` gets the values of those columns and keeps them for the route (on
    flask.g). Registered per endpoint with `read_with_sign_in`.
    """

    params: Callable[[dict[str, Any]], dict[str, Any] | None]
    extend: Callable[[Any, Any], tuple[Any, tuple]]
    consume: Callable[[dict[str, Any], int, Sequence], None]


_SIGN_IN_READS: dict[str, SignInRead] = {}


def read_with_sign_in(endpoint: str, read: SignInRead) -> None:
    """Have the sign-in check of `endpoint` (one of LIGHT_ENDPOINTS) make the route's first read too."""
    _SIGN_IN_READS[endpoint] = read
    _light_statement.cache_clear()


@cache
def _light_statement(endpoint: str | None = None):
    """The sign-in check; for an endpoint with a SignInRead, it also makes that read."""
    users, sessions = User.__table__, UserSession.__table__
    columns = [users.c[column.key] for column in SessionAccount.COLUMNS]
    source, extra = users.join(sessions, sessions.c.user_id == users.c.id), ()
    if endpoint is not None:
        source, extra = _SIGN_IN_READS[endpoint].extend(source, users.c.id)
    return (select(*columns, users.c.blocked_at, users.c.deleted_at, sessions.c.expires_at, *extra)
            .select_from(source)
            .where(sessions.c.token_hash == bindparam("token_hash"), users.c.id == bindparam("account")))


_LIGHT_LENGTH = len(_light_statement().selected_columns)


def _load_light(account: int, token: str) -> SessionAccount | None:
    params = {"token_hash": _token_hash(token), "account": account}
    read = _SIGN_IN_READS.get(request.endpoint)
    extra = read.params(request.view_args or {}) if read is not None else None
    if extra is None:
        row = route_connection().execute(_light_statement(), params).first()
    else:
        row = route_connection().execute(_light_statement(request.endpoint), {**params, **extra}).first()
    if row is None or row.expires_at <= utcnow() or row.blocked_at is not None or row.deleted_at is not None:
        return None
    if extra is not None:
        read.consume(extra, account, row[_LIGHT_LENGTH:])
    return SessionAccount(row, token)


def load_user(user_id: str) -> User | SessionAccount | None:
    """Flask-Login's loader: the active account whose sign-in token is still on record and unexpired."""
    account, _, token = user_id.partition(":")
    if not token or not account.isascii() or not account.isdigit() or len(account) > 12:
        return None
    if has_request_context() and request.endpoint in LIGHT_ENDPOINTS:
        return _load_light(int(account), token)
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
