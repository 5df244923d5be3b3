"""Forms for accounts: registration, login, profile, and the CSRF-only logout form."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from validate_docbr import CNPJ
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from consulta.auth.passwords import password_problem
from consulta.geo import uf_choices
from consulta.models import AccountKind, Sector
from consulta.models.users import SECTOR_LABELS

KIND_CHOICES = [
    SelectChoice(AccountKind.PERSON.value, _l("Pessoa")),
    SelectChoice(AccountKind.ORGANIZATION.value, _l("Organização (com CNPJ)")),
]
# The lazy labels, not Sector.label: that is a str made at import time, before any request has a language.
SECTOR_CHOICES = [SelectChoice("", _l("Prefiro não informar"))] + [SelectChoice(s.value, SECTOR_LABELS[s]) for s in Sector]
UF_CHOICES = [SelectChoice("", _l("Prefiro não informar"))] + [SelectChoice(v, label) for v, label in uf_choices()]

_cnpj = CNPJ()


def normalize_cnpj(value: str) -> str:
    """The CNPJ's 14 characters without punctuation, letters upper-cased (alphanumeric CNPJ from 2026)."""
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def format_cnpj(value: str) -> str:
    """A normalized CNPJ as 00.000.000/0000-00."""
    v = normalize_cnpj(value)
    return f"{v[:2]}.{v[2:5]}.{v[5:8]}/{v[8:12]}-{v[12:]}" if len(v) == 14 else value


class ProfileFields(FlaskForm):
    """State and sector, optional, used only for participation statistics."""

    uf = SelectField(_l("Estado (UF)"), choices=UF_CHOICES, validators=[Optional()], default="")
    sector = SelectField(_l("Setor"), choices=SECTOR_CHOICES, validators=[Optional()], default="")


class RegistrationForm(ProfileFields):
    """A new account, as a person or as an organization."""

    kind = RadioField(_l("Você participa como"), choices=KIND_CHOICES, default=AccountKind.PERSON.value,
                      validators=[InputRequired(_l("Escolha se você participa como pessoa ou organização."))])
    display_name = StringField(
        _l("Nome (como aparecerá nas contribuições)"),
        validators=[InputRequired(_l("Informe seu nome.")), Length(min=2, max=120, message=_l("Use de 2 a 120 caracteres."))],
    )
    cnpj = StringField(_l("CNPJ da organização"),
                       description=_l("Obrigatório para organizações. Ex.: 12.345.678/0001-95"))
    email = EmailField(_l("E-mail"), validators=[
        InputRequired(_l("Informe seu e-mail.")),
        Email(_l("Informe um e-mail válido, como nome@exemplo.com.br."), check_deliverability=False),
        Length(max=254),
    ])
    password = PasswordField(
        _l("Senha"),
        validators=[InputRequired(_l("Crie uma senha."))],
        description=_l("Pelo menos 8 caracteres. Uma frase curta é fácil de lembrar e difícil de adivinhar."),
    )
    consent = BooleanField(
        _l("Li a Política de Privacidade e concordo com o tratamento dos meus dados para participar da consulta."),
        validators=[InputRequired(_l("Para participar, é preciso concordar com a Política de Privacidade."))],
    )

    def validate_cnpj(self, field: StringField) -> None:
        if self.kind.data != AccountKind.ORGANIZATION.value:
            field.data = ""
            return
        if not (field.data or "").strip():
            raise ValidationError(_("Organizações precisam informar o CNPJ."))
        if not _cnpj.validate(normalize_cnpj(field.data)) or len(normalize_cnpj(field.data)) != 14:
            raise ValidationError(_("CNPJ inválido: confira os números e os dígitos verificadores."))

    def validate_password(self, field: PasswordField) -> None:
        problem = password_problem(field.data or "", email=self.email.data or "", name=self.display_name.data or "")
        if problem:
            raise ValidationError(problem)


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), validators=[InputRequired(_l("Informe seu e-mail.")), Length(max=254)])
    password = PasswordField(_l("Senha"), validators=[InputRequired(_l("Informe sua senha.")), Length(max=256)])
    remember = BooleanField(_l("Manter conectado neste dispositivo"))


class ProfileForm(ProfileFields):
    """What a participant may change about themselves."""

    display_name = StringField(
        _l("Nome exibido"),
        validators=[InputRequired(_l("Informe seu nome.")), Length(min=2, max=120, message=_l("Use de 2 a 120 caracteres."))],
    )


class ActionForm(FlaskForm):
    """An empty form that only carries the CSRF token, for buttons that POST (logout, publish...)."""


class DeleteAccountForm(FlaskForm):
    """Deleting one's account asks for the password and an explicit confirmation."""

    password = PasswordField(_l("Sua senha"), validators=[InputRequired(_l("Informe sua senha para confirmar."))])
    confirm = BooleanField(
        _l("Entendo que meus dados pessoais serão apagados e que isso não pode ser desfeito."),
        validators=[InputRequired(_l("Marque a confirmação para excluir a conta."))],
    )


class NewPasswordForm(FlaskForm):
    """A new password, checked like at registration (needs the account's e-mail and name)."""

    password = PasswordField(_l("Nova senha"), validators=[InputRequired(_l("Crie uma senha."))],
                             description=_l("Pelo menos 8 caracteres. Uma frase curta é fácil de lembrar."))

    def __init__(self, *args, email: str = "", name: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._email, self._name = email, name

    def validate_password(self, field: PasswordField) -> None:
        problem = password_problem(field.data or "", email=self._email, name=self._name)
        if problem:
            raise ValidationError(problem)


class ResetPasswordForm(NewPasswordForm):
    """Choose a new password from a reset link."""


class ChangePasswordForm(NewPasswordForm):
    """Change the password, knowing the current one."""

    current_password = PasswordField(_l("Senha atual"), validators=[InputRequired(_l("Informe sua senha atual."))])


class EmailForm(FlaskForm):
    """Just an e-mail address (forgotten password)."""

    email = EmailField(_l("E-mail"), validators=[
        InputRequired(_l("Informe seu e-mail.")),
        Email(_l("Informe um e-mail válido, como nome@exemplo.com.br."), check_deliverability=False),
        Length(max=254),
    ])


class ChangeEmailForm(EmailForm):
    """A new e-mail address, confirmed with the password."""

    email = EmailField(_l("Novo e-mail"), validators=[
        InputRequired(_l("Informe o novo e-mail.")),
        Email(_l("Informe um e-mail válido, como nome@exemplo.com.br."), check_deliverability=False),
        Length(max=254),
    ])
    password = PasswordField(_l("Sua senha"), validators=[Length(max=256)])


class PasswordConfirmForm(FlaskForm):
    """The account's password, asked before a sensitive step (linking gov.br)."""

    password = PasswordField(_l("Sua senha"), validators=[InputRequired(_l("Informe sua senha.")), Length(max=256)])


class GovbrLinkForm(PasswordConfirmForm):
    """Link a gov.br identity to an existing e-mail account: that account's e-mail and password."""

    email = EmailField(_l("E-mail da conta existente"), validators=[InputRequired(_l("Informe seu e-mail.")), Length(max=254)])


class GovbrAccountForm(ProfileFields):
    """A new account for a gov.br identity: name and LGPD consent."""

    display_name = StringField(
        _l("Nome (como aparecerá nas contribuições)"),
        validators=[InputRequired(_l("Informe seu nome.")), Length(min=2, max=120, message=_l("Use de 2 a 120 caracteres."))],
    )
    consent = RegistrationForm.consent
