"""Administration forms."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from consulta.consultations.services import SLUG_RE, get_by_slug
from consulta.models import Requirement, Role
from consulta.models.consultations import REQUIREMENT_LABELS
from consulta.models.users import ROLE_LABELS

# The zones of Brazil a consultation may run in (the first is the default, shown as "horário de Brasília").
TIME_ZONES = [
    SelectChoice("America/Sao_Paulo", _l("Horário de Brasília (America/Sao_Paulo)")),
    SelectChoice("America/Manaus", _l("Amazonas (America/Manaus)")),
    SelectChoice("America/Cuiaba", _l("Mato Grosso (America/Cuiaba)")),
    SelectChoice("America/Rio_Branco", _l("Acre (America/Rio_Branco)")),
    SelectChoice("America/Noronha", _l("Fernando de Noronha (America/Noronha)")),
]


class ConsultationForm(FlaskForm):
    """A consultation's public details."""

    title = StringField(_l("Título"), validators=[InputRequired(_l("Informe o título.")), Length(max=300)])
    slug = StringField(
        _l("Endereço (slug)"),
        validators=[
            InputRequired(_l("Informe o endereço.")),
            Length(max=80),
            Regexp(SLUG_RE, message=_l("Use só letras minúsculas sem acento, números e hífens (ex.: governo-digital).")),
        ],
        description=_l("Aparece no endereço da página: /consultas/<slug>."),
    )
    summary = TextAreaField(_l("Resumo"), validators=[Optional(), Length(max=5000)])
    opens_at = DateTimeLocalField(_l("Abertura prevista"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("Encerramento previsto"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    time_zone = SelectField(_l("Fuso horário das datas"), choices=TIME_ZONES, default="America/Sao_Paulo")
    organ = StringField(_l("Órgão responsável"), validators=[Optional(), Length(max=300)],
                        description=_l("Ex.: Secretaria de Governo Digital — Ministério da Gestão."))
    contact = StringField(_l("Contato"), validators=[Optional(), Length(max=300)],
                          description=_l("E-mail ou telefone para dúvidas sobre a consulta."))
    requirement = SelectField(_l("Quem pode contribuir e votar"),
                              choices=[SelectChoice(r.value, REQUIREMENT_LABELS[r]) for r in Requirement],
                              default=Requirement.ANY.value)
    reports_to_hide = IntegerField(
        _l("Denúncias para ocultar uma contribuição"),
        validators=[Optional(), NumberRange(1, 100, _l("Use um número inteiro de 1 a 100."))],
        description=_l("Em branco: o padrão da plataforma. Contas com menos de 7 dias contam meia denúncia e "
                    "contas do último dia não contam; a equipe conta uma inteira."),
    )

    def __init__(self, *args, current_slug: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._current_slug = current_slug

    def validate_slug(self, field: StringField) -> None:
        if field.data != self._current_slug and get_by_slug(field.data) is not None:
            raise ValidationError(_("Já existe uma consulta com este endereço."))

    def validate_closes_at(self, field: DateTimeLocalField) -> None:
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_("O encerramento precisa ser depois da abertura."))


class ExtendForm(FlaskForm):
    """Move the closing time later; the public sees "Prazo prorrogado até ..." and the reason is logged."""

    closes_at = DateTimeLocalField(_l("Novo encerramento"), validators=[InputRequired(_l("Informe a nova data."))],
                                   format="%Y-%m-%dT%H:%M")
    reason = TextAreaField(_l("Motivo da prorrogação"), validators=[
        InputRequired(_l("Informe o motivo da prorrogação.")),
        Length(min=5, max=2000, message=_l("Descreva o motivo em 5 a 2.000 caracteres."))])


class AttachmentForm(FlaskForm):
    """A document of the consultation: a PDF uploaded here, or a link to one."""

    title = StringField(_l("Título"), validators=[InputRequired(_l("Informe o título do documento.")), Length(max=200)],
                        description=_l("Ex.: Minuta em PDF, Nota técnica."))
    file = FileField(_l("Arquivo PDF"))
    url = StringField(_l("…ou endereço (https://) do documento"), validators=[Optional(), Length(max=500)])


class ImportForm(FlaskForm):
    """Upload a Word, LibreOffice, Markdown or text file, or paste the text."""

    file = FileField(_l("Arquivo do Word (.docx), do LibreOffice (.odt), Markdown (.md) ou texto (.txt)"))
    text = TextAreaField(_l("…ou cole o texto aqui"), validators=[Optional()])


class ConfirmImportForm(FlaskForm):
    """Carries the previewed text back so that confirming saves exactly what was shown."""

    source = HiddenField(validators=[InputRequired()])


class ReopenForm(FlaskForm):
    """Reopening a closed consultation requires a reason, which is logged."""

    reason = TextAreaField(
        _l("Motivo da reabertura"),
        validators=[InputRequired(_l("Informe o motivo da reabertura.")), Length(min=5, max=2000,
                    message=_l("Descreva o motivo em 5 a 2.000 caracteres."))],
    )


class RoleForm(FlaskForm):
    """An account's role."""

    role = SelectField(_l("Papel"), choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in Role])
