"""Moderation forms. Each carries `next`, the queue page to go back to (checked with consulta.web.safe_next)."""

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
                   message=f"Escreva o motivo com {REASON_MIN} a {REASON_MAX} caracteres."),
        ],
        description=description,
    )


def _note(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[_strip],
        validators=[Optional(), Length(max=REASON_MAX, message=f"A observação pode ter até {REASON_MAX} caracteres.")],
    )


class BackMixin(FlaskForm):
    """Where to return after the action: a local path, usually the queue tab and page the moderator was on."""

    next = HiddenField(validators=[Optional()])


class HideForm(BackMixin):
    """Hide a contribution; the reason is shown publicly in place of its text."""

    reason = _reason("Motivo da ocultação", "Informe o motivo da ocultação.",
                     "Aparece publicamente no lugar do texto. De 3 a 500 caracteres.")


class RestoreForm(BackMixin):
    """Make a hidden or pending contribution public again, with an optional note for the log."""

    note = _note("Observação (opcional, fica no registro)")


class DismissForm(BackMixin):
    """Dismiss a contribution's open reports, keeping it public, with an optional note for the log."""

    note = _note("Observação (opcional, fica no registro)")


class BlockForm(BackMixin):
    """Block an account; the reason goes to the audit log."""

    reason = _reason("Motivo do bloqueio", "Informe o motivo do bloqueio.",
                     "Fica no registro de moderação. De 3 a 500 caracteres.")


class UnblockForm(BackMixin):
    """Lift an account's block, with an optional note for the log."""

    note = _note("Observação (opcional, fica no registro)")
