"""Account operations. They flush but never commit: the view commits once."""

import logging

from flask import current_app
from flask_babel import gettext as _

from consulta import security
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
            raise AccountError("cnpj", _("Já existe uma conta para este CNPJ."))
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


def register_without_password(*, email: str | None, display_name: str, uf: str | None = None,
                              sector: str | None = None) -> User:
    """A person's account that signs in through gov.br only, with LGPD consent recorded now."""
    user = User(
        email=normalize_email(email) if email else None,
        password_hash=None,
        display_name=display_name.strip(),
        kind=AccountKind.PERSON,
        uf=uf or None,
        sector=Sector(sector) if sector else None,
        role=Role.PARTICIPANT,
        consent_at=utcnow(),
        consent_version=current_app.config["PRIVACY_POLICY_VERSION"],
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account matching e-mail and password, or None (same cost whether or not it exists)."""
    user = find_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or user is None or not user.is_active:
        security.log_event(security.LOGIN_FAILED, level=logging.WARNING, email=email,
                           user_id=user.id if user else None)
        return None
    security.log_event(security.LOGIN_SUCCEEDED, user_id=user.id)
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def change_role(actor: User, user: User, role: Role) -> None:
    """Give `user` a new role, logged with the previous one."""
    if user.role is role:
        return
    record(actor, "user.change_role", user, previous=user.role.value, new=role.value)
    security.log_event(security.ROLE_CHANGED, level=logging.WARNING, user_id=user.id,
                       actor_id=actor.id if actor else None, previous=user.role.value, new=role.value)
    user.role = role


def export_personal_data(user: User) -> dict:
    """Everything the platform holds about `user`, as JSON-ready data (LGPD, art. 18)."""
    from sqlalchemy import select

    from consulta.models import Article, Contribution, Report, Support, Vote

    def when(value):
        return value.isoformat() if value else None

    contributions = db.session.scalars(
        select(Contribution).where(Contribution.author_id == user.id).order_by(Contribution.id)
    ).all()
    votes = db.session.execute(
        select(Vote, Article.label, Article.consultation_id).join(Article).where(Vote.user_id == user.id)
        .order_by(Vote.id)
    ).all()
    supports = db.session.scalars(select(Support).where(Support.user_id == user.id)).all()
    reports = db.session.scalars(select(Report).where(Report.user_id == user.id)).all()
    return {
        "conta": {
            "email": user.email, "nome": user.display_name, "tipo": user.kind.value, "cnpj": user.cnpj,
            "papel": user.role.value, "uf": user.uf, "setor": user.sector.value if user.sector else None,
            "criada_em": when(user.created_at), "ultimo_acesso": when(user.last_login_at),
            "consentimento": {"em": when(user.consent_at), "versao_da_politica": user.consent_version},
        },
        "contribuicoes": [
            {
                "id": c.id, "consulta": c.consultation.slug, "dispositivo": c.article.label if c.article else None,
                "resposta_a": c.parent_id, "tipo": c.kind.value, "posicao": c.stance.value, "texto": c.body,
                "texto_proposto": c.proposed_text, "situacao": c.visibility.value, "criada_em": when(c.created_at),
                "editada_em": when(c.edited_at),
                "versoes_anteriores": [
                    {"texto": v.body, "texto_proposto": v.proposed_text, "posicao": v.stance.value,
                     "substituida_em": when(v.created_at)} for v in c.versions
                ],
            }
            for c in contributions
        ],
        "votos": [
            {"dispositivo": label, "consulta_id": consultation_id, "voto": vote.value.value,
             "em": when(vote.updated_at)}
            for vote, label, consultation_id in votes
        ],
        "apoios": [{"contribuicao": s.contribution_id, "em": when(s.created_at)} for s in supports],
        "denuncias": [
            {"contribuicao": r.contribution_id, "motivo": r.reason.value, "detalhes": r.note, "em": when(r.created_at)}
            for r in reports
        ],
    }


def delete_account(user: User) -> None:
    """Erase the account's personal data; contributions stay as "Participante removido", votes stay counted."""
    from sqlalchemy import delete, select, update

    from consulta.auth.erasure import scrub_personal_data
    from consulta.models import Contribution, Report, Support, Upload, Vote

    scrub_personal_data(user)
    db.session.execute(delete(Upload).where(Upload.user_id == user.id))  # files and rows not yet confirmed
    db.session.execute(update(Vote).where(Vote.user_id == user.id).values(user_id=None),
                       execution_options={"synchronize_session": False})
    db.session.execute(update(Report).where(Report.user_id == user.id).values(user_id=None),
                       execution_options={"synchronize_session": False})
    supported = select(Support.contribution_id).where(Support.user_id == user.id).scalar_subquery()
    db.session.execute(
        update(Contribution).where(Contribution.id.in_(supported))
        .values(support_count=Contribution.support_count - 1),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(delete(Support).where(Support.user_id == user.id))
    record(user, "user.delete_account", user)
    user.email = None
    user.password_hash = None
    user.display_name = "Participante removido"
    user.cnpj = None
    user.uf = None
    user.sector = None
    user.last_login_at = None
    user.blocked_reason = None
    user.govbr_subject_hash = None
    user.govbr_level = None
    user.email_verified_at = None
    user.deleted_at = utcnow()
    db.session.flush()
