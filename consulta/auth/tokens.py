"""Signed, expiring, single-use links for e-mail confirmation, password reset and e-mail change.

Each token is signed with the secret key (itsdangerous) under its own salt and carries what the account
looked like when it was issued (the e-mail, or a fingerprint of the password hash). Once the link has been
used that state has changed, so the same link is refused: single use without a table of used tokens.
"""

import hashlib
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from consulta.extensions import db
from consulta.models import User

VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"  # noqa: S105  (a token purpose, not a secret)
CHANGE_EMAIL = "change-email"

MAX_AGE = {
    VERIFY_EMAIL: "EMAIL_VERIFY_MAX_AGE",
    RESET_PASSWORD: "PASSWORD_RESET_MAX_AGE",
    CHANGE_EMAIL: "EMAIL_CHANGE_MAX_AGE",
}


class TokenError(Exception):
    """A link that cannot be used; the message says why, in Portuguese."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"consulta.{purpose}")


def password_fingerprint(user: User) -> str:
    """A short digest of the current password hash: changes whenever the password does."""
    return hashlib.sha256((user.password_hash or "no-password").encode()).hexdigest()[:16]


def make_token(purpose: str, user: User, **extra: str) -> str:
    """A signed token for `purpose` bound to the account's current state."""
    payload = {"u": user.id, "e": user.email or "", **extra}
    if purpose == RESET_PASSWORD:
        payload["p"] = password_fingerprint(user)
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str) -> tuple[User, dict]:
    """The account and payload of a valid, unexpired, unused token; TokenError otherwise."""
    max_age: timedelta = current_app.config[MAX_AGE[purpose]]
    try:
        payload = _serializer(purpose).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise TokenError(_("Este link expirou. Peça um novo.")) from None
    except BadSignature:
        raise TokenError(_("Este link é inválido. Confira se ele foi copiado inteiro ou peça um novo.")) from None
    user = db.session.get(User, payload.get("u")) if isinstance(payload, dict) else None
    if user is None or not user.is_active or (user.email or "") != payload.get("e"):
        raise TokenError(_("Este link já foi usado ou não vale mais. Peça um novo."))
    if purpose == RESET_PASSWORD and payload.get("p") != password_fingerprint(user):
        raise TokenError(_("Este link já foi usado ou não vale mais. Peça um novo."))
    return user, payload
