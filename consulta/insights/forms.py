"""Forms of the analysis pages: starting a run and editing its clusters."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from consulta.insights.runs import MAX_K


def _optional_int(value: object) -> int | None:
    if value in (None, "", "None"):
        return None
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class StartRunForm(FlaskForm):
    """What to analyse: a whole consultation or one of its articles, with optional k and seed."""

    consultation = SelectField(_l("Consulta"), coerce=int, validators=[InputRequired(_l("Escolha a consulta."))])
    scope = RadioField(
        _l("Escopo"), choices=[SelectChoice("consultation", _l("Toda a consulta (agrupada por dispositivo)")),
                           SelectChoice("article", _l("Um dispositivo"))],
        default="consultation", validators=[InputRequired(_l("Escolha o escopo."))],
    )
    article = SelectField(_l("Dispositivo"), coerce=_optional_int,
                          description=_l("Só para o escopo “Um dispositivo”."))
    k = IntegerField(_l("Número de grupos (opcional)"), validators=[Optional(), NumberRange(
        min=1, max=MAX_K, message=_l("Use um número de 1 a %(n)s.", n=MAX_K))],
        description=_l("Deixe em branco para a escolha automática."))
    seed = IntegerField(_l("Semente"), default=0, validators=[Optional(), NumberRange(
        min=0, max=2**31 - 1, message=_l("Use um número inteiro não negativo."))],
        description=_l("A mesma semente com os mesmos dados repete o resultado."))

    def validate_article(self, field: SelectField) -> None:
        if self.scope.data == "article" and not field.data:
            raise ValidationError(_("Escolha o dispositivo."))


class EditForm(FlaskForm):
    """One edit of a finished run; which fields count depends on `op` (checked by the service)."""

    op = HiddenField(validators=[InputRequired()])
    cluster = HiddenField()
    label = StringField(_l("Novo nome"), validators=[Optional(), Length(max=200)])
    into = SelectField(_l("Juntar em"), validate_choice=False)
    contribution = IntegerField(_l("Contribuição nº"), validators=[Optional()])
    to = SelectField(_l("Mover para"), validate_choice=False)


class RetryForm(FlaskForm):
    """Only the CSRF token: the "Tentar novamente" button of a failed run."""
