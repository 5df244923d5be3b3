"""Password hashing (argon2id at the OWASP minimum or above) and the common-password check."""

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

# OWASP Password Storage Cheat Sheet: argon2id with m=19 MiB, t=2, p=1 is the minimum configuration.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

MIN_LENGTH = 8
MAX_LENGTH = 256  # a cap keeps hashing cost bounded

# Common in Brazil and missing from the (English-centric) zxcvbn list.
_BRAZILIAN_COMMON = {
    "senha123", "senha1234", "senha12345", "minhasenha", "mudar123", "brasil123", "brasil2024",
    "brasil2026", "flamengo", "corinthians", "palmeiras", "saopaulo", "gremio123", "vasco123",
    "123mudar", "trocar123", "senhasenha", "governo123", "govbr123", "consulta", "consulta123",
    "abc12345", "12345678a", "a1234567", "amor1234", "jesus123", "deusefiel", "q1w2e3r4",
}


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords that zxcvbn ships, plus Brazilian favourites."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"]) | _BRAZILIAN_COMMON


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """A Portuguese message explaining why `password` is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _("A senha precisa ter pelo menos %(n)s caracteres.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("A senha pode ter no máximo %(n)s caracteres.", n=MAX_LENGTH)
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) <= 2:
        return _("Esta senha é comum demais e fácil de adivinhar. Escolha outra, por exemplo uma frase curta.")
    if email and lowered in {email.lower(), email.lower().split("@")[0]}:
        return _("A senha não pode ser igual ao seu e-mail.")
    if name and lowered == name.lower():
        return _("A senha não pode ser igual ao seu nome.")
    return None


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; a missing hash still costs one verification (no timing oracle)."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than the current ones."""
    return _hasher.check_needs_rehash(stored_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("not-a-real-password-used-for-timing")
