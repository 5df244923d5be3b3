"""Administration forms."""

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

# The zones of Brazil a consultation may run in (the first is the default, shown as "horário de Brasília").
TIME_ZONES = [
    SelectChoice("America/Sao_Paulo", "Horário de Brasília (America/Sao_Paulo)"),
    SelectChoice("America/Manaus", "Amazonas (America/Manaus)"),
    SelectChoice("America/Cuiaba", "Mato Grosso (America/Cuiaba)"),
    SelectChoice("America/Rio_Branco", "Acre (America/Rio_Branco)"),
    SelectChoice("America/Noronha", "Fernando de Noronha (America/Noronha)"),
]


class ConsultationForm(FlaskForm):
    """A consultation's public details."""

    title = StringField("Título", validators=[InputRequired("Informe o título."), Length(max=300)])
    slug = StringField(
        "Endereço (slug)",
        validators=[
            InputRequired("Informe o endereço."),
            Length(max=80),
            Regexp(SLUG_RE, message="Use só letras minúsculas sem acento, números e hífens (ex.: governo-digital)."),
        ],
        description="Aparece no endereço da página: /consultas/<slug>.",
    )
    summary = TextAreaField("Resumo", validators=[Optional(), Length(max=5000)])
    opens_at = DateTimeLocalField("Abertura prevista", validators=[Optional()], format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField("Encerramento previsto", validators=[Optional()], format="%Y-%m-%dT%H:%M")
    time_zone = SelectField("Fuso horário das datas", choices=TIME_ZONES, default="America/Sao_Paulo")
    organ = StringField("Órgão responsável", validators=[Optional(), Length(max=300)],
                        description="Ex.: Secretaria de Governo Digital — Ministério da Gestão.")
    contact = StringField("Contato", validators=[Optional(), Length(max=300)],
                          description="E-mail ou telefone para dúvidas sobre a consulta.")
    requirement = SelectField("Quem pode contribuir e votar",
                              choices=[SelectChoice(r.value, r.label) for r in Requirement],
                              default=Requirement.ANY.value)
    reports_to_hide = IntegerField(
        "Denúncias para ocultar uma contribuição",
        validators=[Optional(), NumberRange(1, 100, "Use um número inteiro de 1 a 100.")],
        description="Em branco: o padrão da plataforma. Contas com menos de 7 dias contam meia denúncia e "
                    "contas do último dia não contam; a equipe conta uma inteira.",
    )

    def __init__(self, *args, current_slug: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._current_slug = current_slug

    def validate_slug(self, field: StringField) -> None:
        if field.data != self._current_slug and get_by_slug(field.data) is not None:
            raise ValidationError("Já existe uma consulta com este endereço.")

    def validate_closes_at(self, field: DateTimeLocalField) -> None:
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError("O encerramento precisa ser depois da abertura.")


class ExtendForm(FlaskForm):
    """Move the closing time later; the public sees "Prazo prorrogado até ..." and the reason is logged."""

    closes_at = DateTimeLocalField("Novo encerramento", validators=[InputRequired("Informe a nova data.")],
                                   format="%Y-%m-%dT%H:%M")
    reason = TextAreaField("Motivo da prorrogação", validators=[
        InputRequired("Informe o motivo da prorrogação."),
        Length(min=5, max=2000, message="Descreva o motivo em 5 a 2.000 caracteres.")])


class AttachmentForm(FlaskForm):
    """A document of the consultation: a PDF uploaded here, or a link to one."""

    title = StringField("Título", validators=[InputRequired("Informe o título do documento."), Length(max=200)],
                        description="Ex.: Minuta em PDF, Nota técnica.")
    file = FileField("Arquivo PDF")
    url = StringField("…ou endereço (https://) do documento", validators=[Optional(), Length(max=500)])


class ImportForm(FlaskForm):
    """Upload a Word, LibreOffice, Markdown or text file, or paste the text."""

    file = FileField("Arquivo do Word (.docx), do LibreOffice (.odt), Markdown (.md) ou texto (.txt)")
    text = TextAreaField("…ou cole o texto aqui", validators=[Optional()])


class ConfirmImportForm(FlaskForm):
    """Carries the previewed text back so that confirming saves exactly what was shown."""

    source = HiddenField(validators=[InputRequired()])


class ReopenForm(FlaskForm):
    """Reopening a closed consultation requires a reason, which is logged."""

    reason = TextAreaField(
        "Motivo da reabertura",
        validators=[InputRequired("Informe o motivo da reabertura."), Length(min=5, max=2000,
                    message="Descreva o motivo em 5 a 2.000 caracteres.")],
    )


class RoleForm(FlaskForm):
    """An account's role."""

    role = SelectField("Papel", choices=[SelectChoice(r.value, r.label) for r in Role])
