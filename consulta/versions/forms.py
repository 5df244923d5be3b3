"""Forms of the drafting team's version editing."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from consulta.versions.services import BODY_MAX, JUSTIFICATION_MAX


class NewVersionForm(FlaskForm):
    """Start a version of the text."""

    title = StringField(_l("Título da versão"), validators=[InputRequired(_l("Dê um título à versão.")), Length(max=300)],
                        default=_l("Texto final após a consulta pública"))
    note = TextAreaField(_l("Nota explicativa"), validators=[Optional(), Length(max=5000)],
                         description=_l("Aparece no topo do quadro comparativo."))


class ArticleForm(FlaskForm):
    """One article's text in a version, the justification and the contributions considered."""

    label = StringField(_l("Rótulo do novo dispositivo"), validators=[Optional(), Length(max=60)],
                        description=_l("Por exemplo, “Art. 9º-A” ou “Recomendação 4.7”."))
    body = TextAreaField(_l("Texto nesta versão"), validators=[Optional(), Length(max=BODY_MAX)])
    justification = TextAreaField(
        _l("Justificativa"), validators=[Optional(), Length(max=JUSTIFICATION_MAX)],
        description=_l("Obrigatória quando o texto muda: aparece no quadro comparativo."))
    other_ids = StringField(
        _l("Outras contribuições consideradas (números)"), validators=[Optional(), Length(max=2000)],
        description=_l("Números de contribuições de outros dispositivos, separados por vírgula (ex.: 12, 345)."))

    def validate_other_ids(self, field: StringField) -> None:
        if field.data and not re.fullmatch(r"[\s,#0-9]*", field.data):
            raise ValidationError(_("Use só números separados por vírgula."))

    def other_contribution_ids(self) -> list[int]:
        return [int(n) for n in re.findall(r"\d{1,9}", self.other_ids.data or "")]


class ConfirmForm(FlaskForm):
    """A confirmation button: only the CSRF token."""


class ImportTextForm(FlaskForm):
    """The whole new text, in the same Markdown as the draft import."""

    text = TextAreaField(_l("Novo texto (Markdown)"), validators=[InputRequired(_l("Cole o novo texto.")),
                                                             Length(max=2_000_000)],
                         description=_l("O mesmo formato da importação do rascunho: títulos com #, “Art. 1º”, “§ 1º”, "
                                     "“I –”, recomendações “1.1”."))
