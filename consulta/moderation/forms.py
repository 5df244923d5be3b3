"""Moderation forms. Each carries `next`, the queue page to go back to (checked with consulta.web.safe_next)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

REASON_MIN = 3
REASON_MAX = 500


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _reason(label: str, missing: str, description: str) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[_strip],
        validators=[
            DataRequired(missing),
            Length(min=REASON_MIN, max=REASON_MAX,
                   message=_l("Escreva o motivo com %(low)s a %(high)s caracteres.", low=REASON_MIN, high=REASON_MAX)),
        ],
        description=description,
    )


def _note(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[_strip],
        validators=[Optional(), Length(max=REASON_MAX, message=_l("A observação pode ter até %(n)s caracteres.", n=REASON_MAX))],
    )


class BackMixin(FlaskForm):
    """Where to return after the action: a local path, usually the queue tab and page the moderator was on."""

    next = HiddenField(validators=[Optional()])


class HideForm(BackMixin):
    """Hide a contribution; the reason is shown publicly in place of its text."""

    reason = _reason(_l("Motivo da ocultação"), _l("Informe o motivo da ocultação."),
                     _l("Aparece publicamente no lugar do texto. De 3 a 500 caracteres."))


class RestoreForm(BackMixin):
    """Make a hidden or pending contribution public again, with an optional note for the log."""

    note = _note(_l("Observação (opcional, fica no registro)"))


class DismissForm(BackMixin):
    """Dismiss a contribution's open reports, keeping it public, with an optional note for the log."""

    note = _note(_l("Observação (opcional, fica no registro)"))


class BlockForm(BackMixin):
    """Block an account; the reason goes to the audit log."""

    reason = _reason(_l("Motivo do bloqueio"), _l("Informe o motivo do bloqueio."),
                     _l("Fica no registro de moderação. De 3 a 500 caracteres."))


class UnblockForm(BackMixin):
    """Lift an account's block, with an optional note for the log."""

    note = _note(_l("Observação (opcional, fica no registro)"))
