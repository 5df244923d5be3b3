"""gov.br sign-in: OpenID Connect (authorization code + PKCE) through Authlib, beside password sign-in.

Authlib reads the discovery document, keeps `state`, `nonce` and the PKCE verifier in the session, and
checks the id_token (signature against the provider's JWKS, issuer, audience, expiry, nonce). This module
pins the accepted algorithms to RS256 (so `alg: none` is refused whatever the provider advertises), reads
the reliability level, and turns the subject (the CPF) into a keyed hash: the CPF itself is never stored.
"""

import hashlib
import hmac
from dataclasses import asdict, dataclass

from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, session
from flask_babel import gettext as _
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    DecodeError,
    ExpiredTokenError,
    JoseError,
    UnsupportedAlgorithmError,
)
from requests import RequestException
from sqlalchemy import select

from consulta.auth.services import AccountError, find_by_email, register_without_password
from consulta.extensions import db
from consulta.models import GovbrLevel, User, record, utcnow

ALGORITHMS = ["RS256"]
PENDING_KEY = "govbr_pending"
LOGOUT_URL_KEY = "govbr_logout_url"
ID_TOKEN_KEY = "govbr_id_token"  # noqa: S105  (a session key, not a secret)


class GovbrError(Exception):
    """A gov.br answer we refuse; the message, in Portuguese, says what went wrong."""


@dataclass
class GovbrIdentity:
    """What a gov.br sign-in tells us, without the CPF: its keyed hash stands in for it."""

    subject_hash: str
    level: str
    name: str
    email: str
    email_verified: bool


def init_app(app: Flask) -> None:
    """Register the gov.br client when GOVBR_CLIENT_ID is set; without it gov.br sign-in is off."""
    if not app.config.get("GOVBR_CLIENT_ID"):
        return
    oauth = OAuth(app)
    app.extensions["govbr"] = oauth.register(
        "govbr",
        client_id=app.config["GOVBR_CLIENT_ID"],
        client_secret=app.config.get("GOVBR_CLIENT_SECRET"),
        server_metadata_url=app.config["GOVBR_DISCOVERY_URL"],
        client_kwargs={
            "scope": app.config["GOVBR_SCOPES"],
            "code_challenge_method": "S256",
            "timeout": app.config["GOVBR_TIMEOUT"],
        },
    )


def enabled() -> bool:
    """Whether gov.br sign-in is configured in this app."""
    return "govbr" in current_app.extensions


def _client():
    return current_app.extensions["govbr"]


def _metadata() -> dict:
    try:
        metadata = _client().load_server_metadata()
    except RequestException as error:
        raise GovbrError(_("O gov.br não respondeu. Tente de novo em alguns minutos.")) from error
    metadata["id_token_signing_alg_values_supported"] = ALGORITHMS  # never "none", whatever is advertised
    return metadata


def authorize_redirect(redirect_uri: str):
    """The redirect to gov.br's login page, with state, nonce and a PKCE challenge kept in the session."""
    _metadata()
    return _client().authorize_redirect(redirect_uri)


def subject_hash(subject: str) -> str:
    """HMAC-SHA256 of gov.br's subject (the CPF, digits only) with the server's key, in hex."""
    key = current_app.config.get("GOVBR_SUBJECT_KEY") or current_app.config["SECRET_KEY"]
    digits = "".join(ch for ch in subject if ch.isascii() and ch.isdigit()) or subject
    return hmac.new(key.encode(), digits.encode(), hashlib.sha256).hexdigest()


# gov.br names the levels in English in the id_token claim (reliability_info.level) and by number in the
# "confiabilidades" API (níveis 1, 2, 3); our accounts use the names gov.br shows to people.
_LEVELS = {
    "bronze": GovbrLevel.BRONZE, "1": GovbrLevel.BRONZE,
    "silver": GovbrLevel.PRATA, "prata": GovbrLevel.PRATA, "2": GovbrLevel.PRATA,
    "gold": GovbrLevel.OURO, "ouro": GovbrLevel.OURO, "3": GovbrLevel.OURO,
}


def reliability_level(claims: dict) -> GovbrLevel:
    """The account's reliability level from gov.br's claims; bronze when gov.br says nothing more."""
    info = claims.get("reliability_info")
    raw = info.get("level") if isinstance(info, dict) else info
    return _LEVELS.get(str(raw or "").strip().lower(), GovbrLevel.BRONZE)


def _refusal(error: Exception) -> str:
    """A Portuguese explanation of why a gov.br answer was refused."""
    if isinstance(error, MismatchingStateError):
        return (_("A resposta do gov.br não corresponde a este pedido de entrada (state diferente). "
                "Por segurança, nada foi feito. Tente entrar de novo."))
    if isinstance(error, ExpiredTokenError):
        return _("O gov.br enviou uma identificação já expirada. Tente entrar de novo.")
    if isinstance(error, ClaimError):
        what = {
            "aud": _("foi emitida para outro sistema (audience)"),
            "azp": _("foi emitida para outro sistema (audience)"),
            "iss": _("não foi emitida pelo gov.br configurado (issuer)"),
            "nonce": _("não corresponde a este pedido de entrada (nonce repetido ou trocado)"),
        }.get(error.claim) or _("tem um dado inválido (%(claim)s)", claim=error.claim)
        return _("A identificação recebida %(what)s. Por segurança, nada foi feito.", what=what)
    if isinstance(error, (UnsupportedAlgorithmError, BadSignatureError, DecodeError)):
        return _("A identificação recebida não tem uma assinatura válida do gov.br. Por segurança, nada foi feito.")
    if isinstance(error, OAuthError) and error.error == "access_denied":
        return _("Você cancelou a entrada com gov.br.")
    return _("Não foi possível concluir a entrada com gov.br. Tente de novo em alguns minutos.")


def complete_sign_in() -> tuple[GovbrIdentity, str]:
    """Check gov.br's answer on the callback; the identity and the raw id_token (for logout at gov.br)."""
    _metadata()
    client = _client()
    try:
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise GovbrError(_("O gov.br não enviou a identificação (id_token). Tente entrar de novo."))
        info = client.userinfo(token=token)
    except GovbrError:
        raise
    except (OAuthError, JoseError) as error:
        raise GovbrError(_refusal(error)) from error
    except (RequestException, ValueError) as error:
        raise GovbrError(_("O gov.br não respondeu como esperado. Tente de novo em alguns minutos.")) from error
    if info.get("sub") != claims.get("sub"):
        raise GovbrError(_("Os dados do gov.br não são da mesma pessoa do id_token. Por segurança, nada foi feito."))
    claims.update({k: v for k, v in info.items() if k != "sub"})
    identity = GovbrIdentity(
        subject_hash=subject_hash(str(claims["sub"])),
        level=reliability_level(claims).value,
        name=str(claims.get("social_name") or claims.get("name") or "")[:120],
        email=str(claims.get("email") or "")[:254],
        email_verified=bool(claims.get("email_verified")),
    )
    return identity, token.get("id_token", "")


def logout_url(id_token: str, post_logout_redirect_uri: str) -> str | None:
    """gov.br's end-session address for this sign-in, or None when the provider has none."""
    try:
        return _client().create_logout_url(post_logout_redirect_uri=post_logout_redirect_uri,
                                           id_token_hint=id_token)["url"]
    except (RuntimeError, RequestException):
        return None


def remember_pending(identity: GovbrIdentity) -> None:
    """Keep a checked gov.br identity in the session until the person links or creates an account."""
    session[PENDING_KEY] = asdict(identity)


def pending() -> GovbrIdentity | None:
    """The gov.br identity waiting for an account, if any."""
    data = session.get(PENDING_KEY)
    return GovbrIdentity(**data) if isinstance(data, dict) else None


def find_user(identity: GovbrIdentity) -> User | None:
    """The account already linked to this gov.br identity."""
    return db.session.scalar(select(User).where(User.govbr_subject_hash == identity.subject_hash))


def link(user: User, identity: GovbrIdentity) -> None:
    """Attach a gov.br identity to `user` (whose password was checked by the caller)."""
    other = find_user(identity)
    if other is not None and other.id != user.id:
        raise AccountError("email", _("Esta conta gov.br já está vinculada a outra conta da Consulta."))
    user.govbr_subject_hash = identity.subject_hash
    user.govbr_level = GovbrLevel(identity.level)
    record(user, "user.link_govbr", user, level=identity.level)
    db.session.flush()


def refresh_level(user: User, identity: GovbrIdentity) -> None:
    """Keep the account's reliability level as gov.br reports it at each sign-in."""
    user.govbr_level = GovbrLevel(identity.level)


def email_taken(identity: GovbrIdentity) -> bool:
    """Whether the e-mail gov.br gave already belongs to an account (linking then asks its password)."""
    return bool(identity.email) and find_by_email(identity.email) is not None


def create_account(identity: GovbrIdentity, *, display_name: str, uf: str | None, sector: str | None) -> User:
    """A new account for a gov.br identity, with LGPD consent recorded now."""
    user = register_without_password(
        email=identity.email if identity.email and not email_taken(identity) else None,
        display_name=display_name, uf=uf, sector=sector,
    )
    user.govbr_subject_hash = identity.subject_hash
    user.govbr_level = GovbrLevel(identity.level)
    if user.email and identity.email_verified:
        user.email_verified_at = utcnow()
    record(user, "user.register_govbr", user, level=identity.level)
    db.session.flush()
    return user
