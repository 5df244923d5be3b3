"""Workshop forms: registration, attendance, status buttons, uploads and the quick input form."""

import secrets

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import (
    DateTimeLocalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from consulta.extensions import db
from consulta.geo import uf_choices
from consulta.models import (
    Article,
    Audience,
    Consultation,
    Section,
    Sector,
    Stance,
    WorkshopFormat,
    WorkshopStatus,
)
from consulta.models.users import SECTOR_LABELS
from consulta.participation.forms import ARTICLE_KINDS, MAX_BODY

MAX_ROWS = 50  # rows of the quick form in one sitting; a spreadsheet is the way for more
MAX_PEOPLE = 100_000


def _choices(values) -> list[SelectChoice]:
    return [SelectChoice(v.value, v.label) for v in values]


UF_CHOICES = [SelectChoice("", _l("Selecione o estado"))] + [SelectChoice(v, label) for v, label in uf_choices()]


class WorkshopForm(FlaskForm):
    """A workshop's details. In-person workshops need a state and a municipality; remote ones may have none."""

    title = StringField(_l("Título"), validators=[InputRequired(_l("Informe o título da oficina.")),
                                              Length(max=200, message=_l("Use até 200 caracteres."))])
    format = RadioField(_l("Formato"), choices=_choices(WorkshopFormat), default=WorkshopFormat.IN_PERSON.value,
                        validators=[InputRequired(_l("Escolha o formato da oficina."))])
    starts_at = DateTimeLocalField(
        _l("Data e hora de início"), format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(_l("Informe a data e a hora da oficina."))],
        description=_l("Horário de Brasília."),
    )
    # No Optional(): it would stop the chain before validate_uf / validate_municipality see a blank.
    uf = SelectField(_l("Estado (UF)"), choices=UF_CHOICES, default="",
                     description=_l("Opcional em oficinas remotas voltadas a um estado."))
    municipality = StringField(
        _l("Município"), validators=[Length(max=120, message=_l("Use até 120 caracteres."))],
        description=_l("Nome ou código IBGE do município. Em oficinas remotas, deixe em branco."),
    )
    venue = StringField(_l("Local"), validators=[Optional(), Length(max=300, message=_l("Use até 300 caracteres."))],
                        description=_l("Endereço, auditório ou plataforma de videoconferência."))
    audience = SelectField(_l("Público"), choices=_choices(Audience), default=Audience.GENERAL.value,
                           validators=[InputRequired(_l("Escolha o público da oficina."))])
    summary = TextAreaField(_l("Resumo (opcional)"), validators=[Optional(), Length(max=MAX_BODY)],
                            description=_l("Como foi a oficina, em poucas linhas. Aparece na página pública."))

    @property
    def is_remote(self) -> bool:
        """Whether the remote format is chosen."""
        return self.format.data == WorkshopFormat.REMOTE.value

    def validate_uf(self, field: SelectField) -> None:
        if not field.data and not self.is_remote:
            raise ValidationError(_("Escolha o estado onde a oficina acontece."))

    def validate_municipality(self, field: StringField) -> None:
        # Presence only: whether the name or code belongs to the state is the service's check, which
        # also says where a misplaced municipality is.
        typed = (field.data or "").strip()
        if not typed and not self.is_remote:
            raise ValidationError(_("Informe o município onde a oficina acontece."))
        if typed and self.is_remote:
            raise ValidationError(_("Oficinas remotas não têm município: deixe o campo vazio."))


class AttendanceForm(FlaskForm):
    """How many people attended, in total and (optionally) by sector."""

    total = IntegerField(
        _l("Total de participantes"), validators=[Optional(), NumberRange(
            min=0, max=MAX_PEOPLE, message=_l("Informe um número inteiro de 0 a 100.000."))],
        description=_l("Todas as pessoas presentes, inclusive as que não informaram o setor."),
    )

    def sector_fields(self) -> list[tuple[Sector, IntegerField]]:
        """(sector, field) pairs in the order of Sector."""
        return [(sector, self[f"sector_{sector.value}"]) for sector in Sector]

    def by_sector(self) -> dict[Sector, int]:
        """The sector counts that were filled in."""
        return {sector: f.data for sector, f in self.sector_fields() if f.data is not None}


for _sector in Sector:
    setattr(AttendanceForm, f"sector_{_sector.value}", IntegerField(
        SECTOR_LABELS[_sector], validators=[Optional(), NumberRange(
            min=0, max=MAX_PEOPLE, message=_l("Informe um número inteiro de 0 a 100.000."))],
    ))


class StatusForm(FlaskForm):
    """The status a button moves the workshop to."""

    status = RadioField(_l("Situação"), choices=_choices(WorkshopStatus),
                        validators=[InputRequired(_l("Escolha a situação."))])
    next = HiddenField(validators=[Optional()])


class UploadForm(FlaskForm):
    """A spreadsheet upload (CSV or XLSX)."""

    file = FileField(_l("Planilha (CSV ou XLSX)"), validators=[FileRequired(_l("Escolha o arquivo da planilha."))])


class AttendeeUploadForm(FlaskForm):
    """The attendance list as CSV."""

    file = FileField(_l("Lista de presença (CSV)"), validators=[FileRequired(_l("Escolha o arquivo da lista de presença."))])


class InputRowForm(FlaskForm):
    """One row of the quick form: what a room said about one article. Empty rows are ignored."""

    class Meta:
        csrf = False  # the enclosing form carries the token

    article = SelectField(_l("Dispositivo"), choices=[SelectChoice("", _l("Escolha o dispositivo"))],
                          validators=[InputRequired(_l("Escolha o dispositivo."))])
    kind = SelectField(_l("Tipo"), choices=_choices(ARTICLE_KINDS), default=ARTICLE_KINDS[0].value,
                       validators=[InputRequired(_l("Escolha o tipo."))])
    stance = SelectField(_l("Posição da sala"), choices=_choices(Stance), default=Stance.NONE.value,
                         validators=[InputRequired(_l("Escolha a posição."))])
    body = TextAreaField(_l("O que foi dito"), validators=[
        InputRequired(_l("Escreva o que foi dito sobre o dispositivo.")),
        Length(max=MAX_BODY, message=_l("O texto pode ter até 5.000 caracteres.")),
    ])
    head_count = IntegerField(_l("Pessoas que apoiaram"), validators=[Optional(), NumberRange(
        min=0, max=MAX_PEOPLE, message=_l("Informe um número inteiro de 0 a 100.000."))])
    group_label = StringField(_l("Grupo ou mesa"), validators=[Optional(), Length(
        max=120, message=_l("Use até 120 caracteres."))])

    @property
    def is_empty(self) -> bool:
        """Whether nothing was typed in the row (kind and stance always have a value)."""
        return not any([
            self.article.data, (self.body.data or "").strip(), (self.group_label.data or "").strip(),
            self.head_count.data is not None, self.head_count.raw_data and self.head_count.raw_data[0].strip(),
        ])

    def validate(self, extra_validators=None) -> bool:
        if self.is_empty:
            return True
        return super().validate(extra_validators)


class QuickInputForm(FlaskForm):
    """Several input rows at once; starts with three."""

    rows = FieldList(FormField(InputRowForm), min_entries=3, max_entries=MAX_ROWS)
    submission_key = HiddenField(validators=[Optional(), Length(max=64)])

    def with_articles(self, choices: list[SelectChoice]) -> "QuickInputForm":
        """Offer `choices` in every row's article select."""
        for entry in self.rows:
            set_article_choices(entry.form, choices)
        return self

    def filled_rows(self) -> list[tuple[int, InputRowForm]]:
        """(1-based row number, row) for the rows with something typed."""
        return [(n, entry.form) for n, entry in enumerate(self.rows, start=1) if not entry.form.is_empty]

    def row_errors(self) -> list[tuple[int, InputRowForm]]:
        """(1-based row number, row) for the rows with errors."""
        return [(n, entry.form) for n, entry in enumerate(self.rows, start=1) if entry.form.errors]

    def fresh_key(self) -> "QuickInputForm":
        """A new random key, so a double submit of the same rows creates them once."""
        self.submission_key.data = secrets.token_urlsafe(24)
        return self


def set_article_choices(row: InputRowForm, choices: list[SelectChoice]) -> None:
    """Offer `choices` (plus the empty prompt) in the row's article select."""
    row.article.choices = [SelectChoice("", _("Escolha o dispositivo")), *choices]


def article_choices(consultation: Consultation) -> list[SelectChoice]:
    """The consultation's articles that take contributions, by label, grouped under their section."""
    rows = db.session.execute(
        select(Article.id, Article.label, Section.title)
        .outerjoin(Section, Section.id == Article.section_id)
        .where(Article.consultation_id == consultation.id, Article.accepts_contributions.is_(True))
        .order_by(Article.position)
    ).all()
    return [SelectChoice(str(r.id), r.label, optgroup=r.title) for r in rows]
