"""The consultation's clock and door: one answer to "may this user write here now?".

Every write path (contribute, reply, edit, support, vote, report; workshop input) asks `decide()` or calls
`ensure_may_write()`; templates only display the answer. The rules:

- online participation is accepted from `opens_at` (inclusive) to `closes_at` (exclusive), while the
  consultation is published and not closed early, from active accounts that meet its requirement;
- workshop input, by the workshop's facilitator or an admin, is accepted while the consultation is open and,
  after the close, for workshops held before it, until the reporting deadline (WORKSHOP_REPORTING_DAYS after
  the close); after that only admins log it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from consulta.models import Consultation, Phase, Role, utcnow


class ParticipationError(Exception):
    """An operation the rules refuse; the message is Portuguese and safe to show. `field` names a form field."""

    status = 409

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class WriteRefused(ParticipationError):
    """The gate said no: outside the window, requirement not met, or the account may not write."""

    status = 403


class Action(StrEnum):
    """The kinds of writing the gate rules on."""

    CONTRIBUTE = "contribute"
    REPLY = "reply"
    EDIT = "edit"
    SUPPORT = "support"
    VOTE = "vote"
    REPORT = "report"
    WORKSHOP_INPUT = "workshop_input"


@dataclass(frozen=True)
class Decision:
    """The gate's answer; `reason` is the Portuguese sentence shown when it says no."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


def reporting_deadline(consultation: Consultation, now: datetime | None = None) -> datetime | None:
    """Until when workshop input held before the close may still be logged (None while not closed)."""
    ended = consultation.ended_at_as_of(now or utcnow())
    if ended is None:
        return None
    return ended + timedelta(days=int(current_app.config["WORKSHOP_REPORTING_DAYS"]))


def _window_refusal(consultation: Consultation, phase: Phase, now: datetime) -> Decision:
    if phase is Phase.DRAFT:
        return Decision(False, _("Esta consulta ainda está em preparação: não recebe contribuições nem votos."))
    if phase is Phase.UPCOMING:
        return Decision(False, _("Esta consulta abre em %(when)s (%(zone)s): ainda não recebe contribuições nem votos.",
                                 when=consultation.local(consultation.opens_at), zone=consultation.zone_label))
    ended = consultation.ended_at_as_of(now)
    if ended:
        return Decision(False, _("Esta consulta foi encerrada em %(when)s (%(zone)s): não recebe mais contribuições "
                                 "nem votos.", when=consultation.local(ended), zone=consultation.zone_label))
    return Decision(False, _("Esta consulta foi encerrada: não recebe mais contribuições nem votos."))


def decide(user: Any, consultation: Consultation, action: Action, *, workshop: Any = None,
           now: datetime | None = None) -> Decision:
    """Whether `user` may do `action` in `consultation` at `now` (default: the current time)."""
    now = now or utcnow()
    if user is None or not getattr(user, "is_authenticated", False):
        return Decision(False, _("Entre na sua conta para participar."))
    if not user.is_active:
        return Decision(False, _("Sua conta está bloqueada e não pode participar."))
    phase = consultation.phase_at(now)
    if action is Action.WORKSHOP_INPUT:
        return _decide_workshop_input(user, consultation, workshop, phase, now)
    if phase is not Phase.OPEN:
        return _window_refusal(consultation, phase, now)
    if not consultation.requirement.is_met_by(user):
        return Decision(False, _("Para participar desta consulta é preciso: %(requirement)s. Sua conta: %(level)s.",
                                 requirement=consultation.requirement.label, level=user.verification_level.label))
    return ALLOWED


def _decide_workshop_input(user: Any, consultation: Consultation, workshop: Any, phase: Phase,
                           now: datetime) -> Decision:
    if user.role not in (Role.FACILITATOR, Role.ADMIN):
        return Decision(False, _("Só facilitadores e a administração registram contribuições de oficinas."))
    if phase is Phase.DRAFT:
        return Decision(False, _("Esta consulta ainda está em preparação e não recebe contribuições de oficinas."))
    if phase is Phase.OPEN or user.role is Role.ADMIN:
        return ALLOWED
    if phase is Phase.UPCOMING:
        return _window_refusal(consultation, phase, now)
    ended = consultation.ended_at_as_of(now)
    if workshop is None or workshop.starts_at >= ended:
        return Decision(False, _("Depois do encerramento só se registram contribuições de oficinas realizadas "
                               "antes dele."))
    deadline = reporting_deadline(consultation, now)
    if now >= deadline:
        return Decision(False, _("O prazo para registrar relatos de oficinas terminou em %(when)s (%(zone)s); agora só a "
                                 "administração pode registrá-los.", when=consultation.local(deadline),
                                 zone=consultation.zone_label))
    return ALLOWED


def ensure_may_write(user: Any, consultation: Consultation, action: Action, *, workshop: Any = None) -> None:
    """Raise WriteRefused with the reason when the gate says no."""
    decision = decide(user, consultation, action, workshop=workshop)
    if not decision:
        raise WriteRefused(decision.reason)
