"""Account operations. They flush but never commit: the view commits once."""

from flask import current_app

from consulta.auth.forms import normalize_cnpj
from consulta.auth.passwords import hash_password, needs_rehash, verify_password
from consulta.extensions import db
from consulta.models import AccountKind, Role, Sector, User, record, utcnow


class AccountError(Exception):
    """A registration the database would refuse; `field` names the form field to blame."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def normalize_email(email: str) -> str:
    """E-mails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    """The account with this e-mail, if any."""
    return db.session.scalar(db.select(User).where(User.email == normalize_email(email)))


def register(
    *,
    email: str,
    password: str,
    display_name: str,
    kind: AccountKind = AccountKind.PERSON,
    cnpj: str | None = None,
    uf: str | None = None,
    sector: str | None = None,
    role: Role = Role.PARTICIPANT,
) -> User | None:
    """Create an account with LGPD consent recorded; None when the e-mail is taken (told apart by nobody)."""
    password_hash = hash_password(password)  # hash first, so both outcomes cost the same time
    if find_by_email(email) is not None:
        return None
    if kind is AccountKind.ORGANIZATION:
        cnpj = normalize_cnpj(cnpj or "")
        if db.session.scalar(db.select(User.id).where(User.cnpj == cnpj)) is not None:
            raise AccountError("cnpj", "Já existe uma conta para este CNPJ.")
    else:
        cnpj = None
    user = User(
        email=normalize_email(email),
        password_hash=password_hash,
        display_name=display_name.strip(),
        kind=kind,
        cnpj=cnpj,
        uf=uf or None,
        sector=Sector(sector) if sector else None,
        role=role,
        consent_at=utcnow(),
        consent_version=current_app.config["PRIVACY_POLICY_VERSION"],
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account matching e-mail and password, or None (same cost whether or not it exists)."""
    user = find_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.is_active:
        return None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def change_role(actor: User, user: User, role: Role) -> None:
    """Give `user` a new role, logged with the previous one."""
    if user.role is role:
        return
    record(actor, "user.change_role", user, previous=user.role.value, new=role.value)
    user.role = role
