"""Secrets kept encrypted at rest (the TOTP keys of the second factor): a database dump or a backup alone does
not give them away (OWASP ASVS V11.1/V13.3).

Fernet (AES-128-CBC with HMAC-SHA256, from the maintained `cryptography` package) with a key derived from
SECRET_KEY by HKDF-SHA256 under a purpose label, so the signing key itself never encrypts anything. Rotation:
put the old key in SECRET_KEY_FALLBACKS (Flask's setting) when SECRET_KEY changes; tokens under an old key are
still read, and `rotated()` says when to store a value again under the current one.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

TOTP_PURPOSE = b"consulta:totp-secret:v1"


def derived_fernet(secret_key: str | bytes, purpose: bytes = TOTP_PURPOSE) -> Fernet:
    """The Fernet of `purpose` under `secret_key` (HKDF-SHA256, 32 bytes)."""
    material = secret_key.encode("utf-8") if isinstance(secret_key, str) else secret_key
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> list[str | bytes]:
    return [current_app.config["SECRET_KEY"], *(current_app.config.get("SECRET_KEY_FALLBACKS") or [])]


def encrypt(plaintext: str) -> str:
    """`plaintext` encrypted under the current secret key (a Fernet token, about 140 characters for a TOTP key)."""
    return derived_fernet(_keys()[0]).encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str | None) -> str | None:
    """The plaintext of a token made by `encrypt` under the current or a fallback key; None when it is not one."""
    if not token:
        return None
    try:
        return MultiFernet([derived_fernet(key) for key in _keys()]).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        return None


def rotated(token: str) -> str | None:
    """The token again under the current key when it was made under a fallback key, else None."""
    try:
        derived_fernet(_keys()[0]).decrypt(token.encode("ascii"))
        return None
    except InvalidToken:
        plaintext = decrypt(token)
        return encrypt(plaintext) if plaintext is not None else None
