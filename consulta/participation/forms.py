"""Participation forms; button-only actions use consulta.auth.forms.ActionForm for CSRF."""

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from consulta.models import ContributionKind, ReportReason, Stance

ARTICLE_KINDS = [ContributionKind.COMMENT, ContributionKind.NEW_WORDING, ContributionKind.REMOVAL]
MAX_BODY = 5000


def _choices(values) -> list[SelectChoice]:
    return [SelectChoice(v.value, v.label) for v in values]


class SubmissionKeyMixin(FlaskForm):
    """A random key per rendered form, so a double submit creates one record."""

    submission_key = HiddenField(validators=[Optional(), Length(max=64)])

    def fresh_key(self) -> "SubmissionKeyMixin":
        """Give the form a new key (after a successful post, for the next one)."""
        self.submission_key.data = secrets.token_urlsafe(24)
        return self


class ContributionForm(SubmissionKeyMixin):
    """A contribution on an article."""

    kind = RadioField(_l("Tipo de contribuição"), choices=_choices(ARTICLE_KINDS), default=ContributionKind.COMMENT.value,
                      validators=[InputRequired(_l("Escolha o tipo de contribuição."))])
    stance = RadioField(_l("Sua posição sobre o texto"), choices=_choices(Stance), default=Stance.NONE.value,
                        validators=[InputRequired(_l("Escolha a sua posição."))])
    part = SelectField(_l("Sobre"), choices=[SelectChoice("", _l("O dispositivo inteiro"))], default="", validate_choice=False,
                       description=_l("Escolha o parágrafo, inciso ou alínea, ou o dispositivo inteiro."))
    body = TextAreaField(
        _l("Sua contribuição"),
        validators=[InputRequired(_l("Escreva a sua contribuição.")),
                    Length(max=MAX_BODY, message=_l("O texto pode ter até %(n)s caracteres.",
                                                     n=f"{MAX_BODY:,}".replace(",", ".")))],
        description=_l("Até 5.000 caracteres. Links viram clicáveis; deixe uma linha em branco entre parágrafos."),
    )
    proposed_text = TextAreaField(
        _l("Texto proposto (para nova redação)"),
        validators=[Optional(), Length(max=MAX_BODY)],
        description=_l("Escreva como o dispositivo (ou a parte escolhida) ficaria. Mostraremos as diferenças "
                    "em relação ao texto atual dele."),
    )


class NewArticleForm(SubmissionKeyMixin):
    """A proposal of a new article in a section."""

    proposed_text = TextAreaField(
        _l("Texto do artigo proposto"),
        validators=[InputRequired(_l("Escreva o texto do artigo proposto.")), Length(max=MAX_BODY)],
        description=_l("Escreva como o novo dispositivo ficaria."),
    )
    body = TextAreaField(
        _l("Justificativa"),
        validators=[InputRequired(_l("Explique por que o artigo deveria entrar.")), Length(max=MAX_BODY)],
    )


class EditForm(FlaskForm):
    """Editing one's own contribution within the edit window."""

    stance = RadioField(_l("Sua posição sobre o texto"), choices=_choices(Stance), validators=[Optional()])
    body = TextAreaField(_l("Sua contribuição"), validators=[InputRequired(_l("Escreva a sua contribuição.")),
                                                          Length(max=MAX_BODY)])
    proposed_text = TextAreaField(_l("Texto proposto"), validators=[Optional(), Length(max=MAX_BODY)])


class ReplyForm(SubmissionKeyMixin):
    """A reply to a contribution."""

    body = TextAreaField(_l("Sua resposta"), validators=[InputRequired(_l("Escreva a sua resposta.")),
                                                     Length(max=MAX_BODY)])


class ReportForm(FlaskForm):
    """Reporting a contribution to the moderators."""

    reason = RadioField(_l("Motivo"), choices=_choices(ReportReason),
                        validators=[InputRequired(_l("Escolha o motivo da denúncia."))])
    note = TextAreaField(_l("Detalhes (opcional)"), validators=[Optional(), Length(max=500)])


class SupportForm(FlaskForm):
    """Support ("apoiar") or stop supporting."""

    support = HiddenField(validators=[InputRequired()])
