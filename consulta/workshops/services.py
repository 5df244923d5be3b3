"""Workshop operations: register and edit workshops, record attendance and the room's input, summarize.

House rules: every function takes the acting user, flushes and never commits (the view commits once), and
refuses what the rules forbid with a `WorkshopError` whose Portuguese message the view shows on the form;
`WorkshopError.field` is the name of the offending keyword argument ("municipality", "total", "body"…).

Decisions worth knowing:

* Input is a `Contribution` with channel WORKSHOP, signed by the recording facilitator (``author_id``) and
  shown under the workshop's name. It counts in the article's stance tallies exactly like online input
  (`consulta.participation.services` helpers). ``body`` holds what the room said; for the kind
  "new wording" the proposed wording goes in ``proposed_text`` and is optional (a room often agrees a
  change without settling the words). Proposed text with any other kind is refused rather than dropped.
* Input is accepted while the consultation is open or closed, never in draft: workshops are often
  reported after the event, and the closing date must not make a facilitator's notes impossible to log.
  The workshop's own status does not block input; after the report is sent, every change (input,
  attendance, list, details) is audited as "workshop.edit_after_report".
* Status moves one step forward (planned -> held -> reported) or back from reported to held (reopening,
  audited "workshop.reopen_report" as well as "workshop.status"). A workshop can be marked held only
  from its day on (São Paulo time), and reported only with its attendance total.
* Imports are all-or-nothing and idempotent: each row's `InputRow.import_key` is stored, rows whose key
  the workshop already has are counted as duplicates and skipped, the rest go in with one bulk INSERT,
  and tallies move with one UPDATE per article.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy import case, func, insert, select, update

from consulta import municipalities
from consulta.authz import Permission, can, can_edit_workshop
from consulta.extensions import db
from consulta.geo import STATES, Region
from consulta.models import (
    Article,
    Attendee,
    Audience,
    Channel,
    Consultation,
    Contribution,
    ContributionKind,
    Sector,
    Stance,
    User,
    Visibility,
    Workshop,
    WorkshopAttendance,
    WorkshopFormat,
    WorkshopStatus,
    record,
    utcnow,
)
from consulta.models.participation import rendered_html, searchable_text
from consulta.participation import gate
from consulta.participation.services import STANCE_COLUMNS, _count_in_tallies
from consulta.workshops.spreadsheets import (
    GROUP_MAX,
    MAX_HEAD_COUNT,
    NAME_MAX,
    ORGANIZATION_MAX,
    AttendeeRow,
    InputRow,
)

LOCAL_TZ = ZoneInfo("America/Sao_Paulo")
TITLE_MAX = 200
VENUE_MAX = 300
SUMMARY_MAX = 20_000
WORKSHOP_KINDS = (ContributionKind.COMMENT, ContributionKind.NEW_WORDING, ContributionKind.REMOVAL)

_FORWARD = {WorkshopStatus.PLANNED: WorkshopStatus.HELD, WorkshopStatus.HELD: WorkshopStatus.REPORTED}


class WorkshopError(Exception):
    """An operation the rules refuse; the message is Portuguese and safe to show. `field` names the argument."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# -- guards -------------------------------------------------------------------------------------------------

def _ensure_can_edit(actor: User, workshop: Workshop) -> None:
    if not can_edit_workshop(actor, workshop):
        raise WorkshopError(_("Só o facilitador responsável ou a administração pode alterar esta oficina."))


def _ensure_takes_input(actor: User, workshop: Workshop) -> None:
    decision = gate.decide(actor, workshop.consultation, gate.Action.WORKSHOP_INPUT, workshop=workshop)
    if not decision:
        raise WorkshopError(decision.reason)


def _text(value: str | None, limit: int, field: str, what: str, *, required: bool = False) -> str | None:
    """Stripped text (None when blank), refusing blanks when required and text over `limit`."""
    value = (value or "").strip()
    if not value:
        if required:
            raise WorkshopError(_("Informe %(what)s.", what=what), field)
        return None
    if len(value) > limit:
        raise WorkshopError(_("%(what)s tem %(n)s caracteres; o limite é %(limit)s.", what=what[0].upper() + what[1:],
                              n=format_number(len(value)), limit=format_number(limit)), field)
    return value


def _count(value: Any, field: str, what: str) -> int:
    """A whole count between 0 and MAX_HEAD_COUNT."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise WorkshopError(_("%(what)s deve ser um número inteiro.", what=what), field)
    if value < 0:
        raise WorkshopError(_("%(what)s não pode ser negativo.", what=what), field)
    if value > MAX_HEAD_COUNT:
        raise WorkshopError(_("%(what)s passa do limite de %(limit)s.", what=what, limit=format_number(MAX_HEAD_COUNT)),
                            field)
    return value


def _local_date(moment: datetime):
    return moment.astimezone(LOCAL_TZ).date()


# -- workshops ----------------------------------------------------------------------------------------------

@dataclass
class _Details:
    title: str
    format: WorkshopFormat
    starts_at: datetime
    uf: str | None
    municipality_code: str | None
    municipality_name: str | None
    venue: str | None
    audience: Audience
    summary: str


def _municipality(uf: str, value: str) -> municipalities.Municipality:
    """The municipality of `uf` named or coded `value`, or an error naming both when it is elsewhere."""
    value = value.strip()
    found = municipalities.find(uf, value)
    if found is None and value.isdigit() and len(value) == 6:  # IBGE code without its check digit
        found = next((m for m in municipalities.of_state(uf) if m.code[:6] == value), None)
    if found is not None:
        return found
    if value.isdigit():
        elsewhere = [m for m in [municipalities.by_code(value)] if m is not None]
    else:
        wanted = municipalities.fold(value)
        elsewhere = [m for state in STATES for m in municipalities.of_state(state) if municipalities.fold(m.name) == wanted]
    if elsewhere:
        states = ", ".join(sorted({m.uf for m in elsewhere}))
        where = _("Ele fica em %(states)s.", states=states) if len(elsewhere) == 1 else _("Há municípios com esse nome em %(states)s.", states=states)
        raise WorkshopError(_('O município "%(name)s" não pertence a %(uf)s. %(where)s', name=elsewhere[0].name, uf=uf, where=where), "municipality")
    raise WorkshopError(
        _("Município não encontrado em %(uf)s: confira o nome ou use o código IBGE de 7 dígitos.", uf=uf), "municipality"
    )


def _validated(*, title: str, format: WorkshopFormat | str, starts_at: datetime | None, uf: str | None,
               municipality: str | None, venue: str | None, audience: Audience | str, summary: str) -> _Details:
    """Check a workshop's details (the rules of create_workshop) and resolve its municipality."""
    title_text = _text(title, TITLE_MAX, "title", _("o título da oficina"), required=True)
    try:
        workshop_format = WorkshopFormat(format)
    except ValueError:
        raise WorkshopError(_("Escolha o formato: presencial ou remota."), "format") from None
    try:
        workshop_audience = Audience(audience)
    except ValueError:
        raise WorkshopError(_("Escolha o público da oficina."), "audience") from None
    if starts_at is None:
        raise WorkshopError(_("Informe a data e a hora da oficina."), "starts_at")
    if starts_at.tzinfo is None:
        raise WorkshopError(_("Informe a data e a hora com o fuso horário."), "starts_at")
    uf_code = (uf or "").strip().upper() or None
    if uf_code is not None and uf_code not in STATES:
        raise WorkshopError(_('UF inválida: "%(uf_code)s".', uf_code=uf_code), "uf")
    place = (municipality or "").strip()
    code = name = None
    if workshop_format is WorkshopFormat.IN_PERSON:
        if uf_code is None:
            raise WorkshopError(_("Informe a UF da oficina presencial."), "uf")
        if not place:
            raise WorkshopError(_("Informe o município da oficina presencial."), "municipality")
        found = _municipality(uf_code, place)
        code, name = found.code, found.name
    elif place:
        raise WorkshopError(_("Oficinas remotas não têm município: deixe o campo vazio."), "municipality")
    return _Details(
        title=title_text, format=workshop_format, starts_at=starts_at, uf=uf_code, municipality_code=code,
        municipality_name=name, venue=_text(venue, VENUE_MAX, "venue", _("o local")), audience=workshop_audience,
        summary=_text(summary, SUMMARY_MAX, "summary", _("o resumo")) or "",
    )


def create_workshop(actor: User, consultation: Consultation, *, title: str, format: WorkshopFormat,
                    starts_at: datetime, uf: str | None, municipality: str | None, venue: str | None,
                    audience: Audience, summary: str = "") -> Workshop:
    """Register a planned workshop of `consultation`, facilitated by `actor`."""
    if not can(actor, Permission.FACILITATE):
        raise WorkshopError(_("Só facilitadores e a administração podem registrar oficinas."))
    if not consultation.is_public and not can(actor, Permission.VIEW_DRAFTS):
        raise WorkshopError(_("Esta consulta ainda está em preparação."))
    details = _validated(title=title, format=format, starts_at=starts_at, uf=uf, municipality=municipality,
                         venue=venue, audience=audience, summary=summary)
    workshop = Workshop(consultation_id=consultation.id, facilitator_id=actor.id, status=WorkshopStatus.PLANNED,
                        **vars(details))
    db.session.add(workshop)
    db.session.flush()
    record(actor, "workshop.create", workshop, consultation_id=consultation.id, uf=workshop.uf,
           municipality_code=workshop.municipality_code)
    return workshop


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


def update_workshop(actor: User, workshop: Workshop, *, title: str, format: WorkshopFormat, starts_at: datetime,
                    uf: str | None, municipality: str | None, venue: str | None, audience: Audience,
                    summary: str) -> None:
    """Change a workshop's details (same rules as create); changes after the report are audited."""
    _ensure_can_edit(actor, workshop)
    details = _validated(title=title, format=format, starts_at=starts_at, uf=uf, municipality=municipality,
                         venue=venue, audience=audience, summary=summary)
    if workshop.status is not WorkshopStatus.PLANNED and _local_date(details.starts_at) > _local_date(utcnow()):
        raise WorkshopError(_("Uma oficina já realizada não pode ter data futura."), "starts_at")
    changes = {}
    for name, new in vars(details).items():
        old = getattr(workshop, name)
        if old != new:
            changes[name] = [_jsonable(old), _jsonable(new)]
            setattr(workshop, name, new)
    if "starts_at" in changes:  # the workshop's input is dated on the workshop's day
        db.session.execute(update(Contribution).where(Contribution.workshop_id == workshop.id)
                           .values(created_at=workshop.starts_at), execution_options={"synchronize_session": False})
    db.session.flush()
    if changes and workshop.status is WorkshopStatus.REPORTED:
        record(actor, "workshop.edit_after_report", workshop, changes=changes)


def set_status(actor: User, workshop: Workshop, status: WorkshopStatus) -> None:
    """Move planned -> held -> reported one step, or reopen a report (reported -> held); each change audited."""
    _ensure_can_edit(actor, workshop)
    status = WorkshopStatus(status)
    current = workshop.status
    if status is current:
        return
    reopening = current is WorkshopStatus.REPORTED and status is WorkshopStatus.HELD
    if not reopening and _FORWARD.get(current) is not status:
        raise WorkshopError(_('Não é possível passar a oficina de "%(label)s" para "%(label2)s".', label=current.label, label2=status.label), "status")
    if status is WorkshopStatus.HELD and not reopening and _local_date(workshop.starts_at) > _local_date(utcnow()):
        day = workshop.starts_at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y")
        raise WorkshopError(_("A oficina está marcada para %(day)s; só pode ser marcada como realizada a partir dessa data.", day=day), "status")
    if status is WorkshopStatus.REPORTED and workshop.attendance_total is None:
        raise WorkshopError(_("Informe o total de participantes antes de enviar o relato."), "status")
    workshop.status = status
    workshop.reported_at = utcnow() if status is WorkshopStatus.REPORTED else None
    db.session.flush()
    record(actor, "workshop.status", workshop, **{"from": current.value, "to": status.value})
    if reopening:
        record(actor, "workshop.reopen_report", workshop)


# -- attendance ---------------------------------------------------------------------------------------------

def _listed_by_sector(workshop: Workshop) -> tuple[int, Counter[Sector]]:
    """How many people the attendance list holds, in all and per sector (one query)."""
    rows = db.session.execute(
        select(Attendee.sector, func.count()).where(Attendee.workshop_id == workshop.id).group_by(Attendee.sector)
    ).all()
    return sum(n for _, n in rows), Counter({sector: n for sector, n in rows if sector is not None})


def _replace_sector_rows(workshop: Workshop, counts: dict[Sector, int]) -> None:
    """Make the per-sector rows say `counts`, changing rows in place.

    The unit of work inserts before it deletes, so swapping in new rows for the same sectors would trip
    UNIQUE(workshop_id, sector).
    """
    existing = {row.sector: row for row in workshop.attendance}
    for sector, row in existing.items():
        if sector not in counts:
            workshop.attendance.remove(row)
    for sector, n in sorted(counts.items()):
        if sector in existing:
            existing[sector].count = n
        else:
            workshop.attendance.append(WorkshopAttendance(sector=sector, count=n))


def _attendance_snapshot(workshop: Workshop) -> dict[str, Any]:
    return {"total": workshop.attendance_total,
            "by_sector": {row.sector.value: row.count for row in workshop.attendance}}


def set_attendance(actor: User, workshop: Workshop, total: int | None, by_sector: dict[Sector, int]) -> None:
    """Record how many attended, in all and per sector; consistent with the attendance list, if any."""
    _ensure_can_edit(actor, workshop)
    counts: dict[Sector, int] = {}
    for key, value in (by_sector or {}).items():
        sector = Sector(key)
        if value is None:
            continue
        counts[sector] = _count(value, "by_sector", _("O número de participantes do setor %(label)s", label=sector.label))
    if total is None:
        if not counts:
            raise WorkshopError(_("Informe o total de participantes."), "total")
        total = sum(counts.values())
    total = _count(total, "total", _("O total de participantes"))
    if total < sum(counts.values()):
        raise WorkshopError(_("O total (%(total)s) é menor que a soma por setor (%(sum)s).", total=total, sum=sum(counts.values())), "total")
    listed, listed_by_sector = _listed_by_sector(workshop)
    if total < listed:
        raise WorkshopError(_("A lista de presença tem %(listed)s pessoas; o total não pode ser menor.", listed=listed), "total")
    for sector, n in sorted(listed_by_sector.items()):
        if counts.get(sector, 0) < n:
            raise WorkshopError(_("A lista de presença tem %(n)s pessoa(s) do setor %(label)s; informe pelo menos %(n)s nesse setor.", n=n, label=sector.label), "by_sector")
    before = _attendance_snapshot(workshop)
    workshop.attendance_total = total
    _replace_sector_rows(workshop, counts)
    db.session.flush()
    after = _attendance_snapshot(workshop)
    if workshop.status is WorkshopStatus.REPORTED and before != after:
        record(actor, "workshop.edit_after_report", workshop, changes={"attendance": [before, after]})


def replace_attendees(actor: User, workshop: Workshop, rows: list[AttendeeRow]) -> None:
    """Replace the attendance list, then raise the counts so they are never below what the list shows."""
    _ensure_can_edit(actor, workshop)
    people = []
    for row in rows:
        where = _("Linha %(line)s: ", line=row.line)
        name = (row.name or "").strip()
        if not name:
            raise WorkshopError(where + _("informe o nome da pessoa."), "rows")
        if len(name) > NAME_MAX or len(row.organization or "") > ORGANIZATION_MAX:
            raise WorkshopError(where + _("nome ou organização longo demais."), "rows")
        uf = (row.uf or "").strip().upper() or None
        if uf is not None and uf not in STATES:
            raise WorkshopError(where + _('UF inválida: "%(uf)s".', uf=uf), "rows")
        people.append(Attendee(name=name, organization=(row.organization or "").strip() or None,
                               sector=Sector(row.sector) if row.sector else None, uf=uf))
    before = _attendance_snapshot(workshop)
    before_listed = len(workshop.attendees)
    workshop.attendees = people
    listed_by_sector = Counter(person.sector for person in people if person.sector is not None)
    if people or workshop.attendance_total is not None:
        workshop.attendance_total = max(workshop.attendance_total or 0, len(people))
    counts = {row.sector: row.count for row in workshop.attendance}
    for sector, n in listed_by_sector.items():
        counts[sector] = max(counts.get(sector, 0), n)
    if counts != {row.sector: row.count for row in workshop.attendance}:
        _replace_sector_rows(workshop, counts)
    db.session.flush()
    if workshop.status is WorkshopStatus.REPORTED:
        record(actor, "workshop.edit_after_report", workshop,
               changes={"attendees": [before_listed, len(people)], "attendance": [before, _attendance_snapshot(workshop)]})


# -- input --------------------------------------------------------------------------------------------------

def _body_limit() -> int:
    return int(current_app.config["CONTRIBUTION_MAX_LENGTH"])


def add_input(actor: User, workshop: Workshop, *, article: Article, kind: ContributionKind, stance: Stance,
              body: str, head_count: int | None, group_label: str | None, import_key: str | None = None,
              proposed_text: str | None = None) -> tuple[Contribution, bool]:
    """Log one input of the room on an article; (contribution, created). A known import_key adds nothing."""
    _ensure_can_edit(actor, workshop)
    consultation = workshop.consultation
    _ensure_takes_input(actor, workshop)
    if article.consultation_id != workshop.consultation_id:
        raise WorkshopError(_("Este dispositivo não pertence à consulta desta oficina."), "article")
    if not article.accepts_contributions:
        raise WorkshopError(_("O dispositivo %(label)s não recebe contribuições.", label=article.label), "article")
    kind = ContributionKind(kind)
    if kind not in WORKSHOP_KINDS:
        raise WorkshopError(_("No relato de oficina, use Comentário, Nova redação ou Supressão."), "kind")
    stance = Stance(stance)
    body_text = _text(body, _body_limit(), "body", _("o texto da contribuição"), required=True)
    proposal = _text(proposed_text, _body_limit(), "proposed_text", _("o texto proposto"))
    if proposal is not None and kind is not ContributionKind.NEW_WORDING:
        raise WorkshopError(_('O texto proposto só vale para o tipo "Nova redação".'), "proposed_text")
    if head_count is not None:
        head_count = _count(head_count, "head_count", _("O número de pessoas"))
    group = _text(group_label, GROUP_MAX, "group_label", _("o grupo"))
    if import_key:
        existing = db.session.scalar(
            select(Contribution).where(Contribution.workshop_id == workshop.id, Contribution.import_key == import_key)
        )
        if existing is not None:
            return existing, False
    contribution = Contribution(
        consultation_id=consultation.id, article_id=article.id, section_id=article.section_id,
        author_id=actor.id, kind=kind, stance=stance, body=body_text, proposed_text=proposal,
        channel=Channel.WORKSHOP, workshop_id=workshop.id, head_count=head_count, group_label=group,
        import_key=import_key or None, created_at=workshop.starts_at,  # said on the workshop's day
    )
    db.session.add(contribution)
    db.session.flush()
    _count_in_tallies(contribution, +1)
    if workshop.status is WorkshopStatus.REPORTED:
        record(actor, "workshop.edit_after_report", workshop, changes={"input_added": contribution.id})
    return contribution, True


@dataclass
class ImportResult:
    """What an import did: rows added, and rows skipped because the workshop already had them."""

    created: int
    duplicates: int


def import_inputs(actor: User, workshop: Workshop, rows: list[InputRow]) -> ImportResult:
    """Add the rows of a valid parse (all or nothing); rows already imported are skipped, not duplicated."""
    _ensure_can_edit(actor, workshop)
    consultation = workshop.consultation
    _ensure_takes_input(actor, workshop)
    articles = {
        row.id: row for row in db.session.execute(
            select(Article.id, Article.section_id, Article.label, Article.accepts_contributions, Article.body)
            .where(Article.consultation_id == consultation.id)
        )
    }
    limit = _body_limit()
    for row in rows:
        article = articles.get(row.article_id)
        if article is None or not article.accepts_contributions:
            raise WorkshopError(_("Linha %(line)s: o dispositivo não pertence a esta consulta ou não recebe contribuições.", line=row.line))
        if row.kind not in WORKSHOP_KINDS or not row.body.strip() or len(row.body) > limit:
            raise WorkshopError(_("Linha %(line)s: contribuição inválida; valide o arquivo de novo.", line=row.line))
        if row.head_count is not None and not 0 <= row.head_count <= MAX_HEAD_COUNT:
            raise WorkshopError(_("Linha %(line)s: número de pessoas inválido.", line=row.line))
    known = set(db.session.scalars(
        select(Contribution.import_key)
        .where(Contribution.workshop_id == workshop.id, Contribution.import_key.is_not(None))
    ))
    values = []
    tallies: dict[int, Counter[Stance]] = defaultdict(Counter)
    duplicates = 0
    for row in rows:
        key = row.import_key(workshop.id)
        if key in known:
            duplicates += 1
            continue
        known.add(key)
        proposed = (row.proposed_text or "").strip() or None
        body_html, proposal_html = rendered_html(row.body.strip(), proposed, row.kind, articles[row.article_id].body)
        values.append({
            "consultation_id": consultation.id, "article_id": row.article_id,
            "section_id": articles[row.article_id].section_id, "parent_id": None, "author_id": actor.id,
            "kind": row.kind, "stance": row.stance, "channel": Channel.WORKSHOP, "body": row.body.strip(),
            "proposed_text": proposed, "body_html": body_html, "proposal_html": proposal_html,
            "search_text": searchable_text(row.body.strip(), proposed),
            "head_count": row.head_count,
            "workshop_id": workshop.id, "group_label": row.group_label, "import_key": key,
            "visibility": Visibility.VISIBLE, "support_count": 0, "reply_count": 0, "report_count": 0,
            "created_at": workshop.starts_at,  # said on the workshop's day, whenever it is logged
        })
        tallies[row.article_id][row.stance] += 1
    if values:
        # Core, not the ORM's bulk insert: the ORM splits the batch wherever a row's None columns differ.
        db.session.execute(insert(Contribution.__table__), values)
        for article_id, by_stance in tallies.items():
            db.session.execute(
                update(Article).where(Article.id == article_id)
                .values({STANCE_COLUMNS[stance].key: STANCE_COLUMNS[stance] + n for stance, n in by_stance.items()}),
                execution_options={"synchronize_session": False},
            )
        _expire_articles(set(tallies))
    db.session.flush()
    record(actor, "workshop.import_inputs", workshop, created=len(values), duplicates=duplicates)
    if values and workshop.status is WorkshopStatus.REPORTED:
        record(actor, "workshop.edit_after_report", workshop, changes={"inputs_imported": len(values)})
    return ImportResult(created=len(values), duplicates=duplicates)


def _expire_articles(ids: set[int]) -> None:
    """Let loaded articles read their new tallies (the UPDATEs bypassed the session)."""
    columns = [column.key for column in STANCE_COLUMNS.values()]
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Article) and obj.id in ids:
            db.session.expire(obj, columns)


# -- reading ------------------------------------------------------------------------------------------------

@dataclass(kw_only=True)
class Counts:
    """Workshops (all, and held or reported), attendees (sum of totals) and visible workshop contributions."""

    workshops: int = 0
    held: int = 0
    attendees: int = 0
    contributions: int = 0

    def _add(self, other: Counts) -> None:
        self.workshops += other.workshops
        self.held += other.held
        self.attendees += other.attendees
        self.contributions += other.contributions


@dataclass(kw_only=True)
class StateCounts(Counts):
    """The counts of one UF."""

    uf: str
    name: str
    region: Region


@dataclass(kw_only=True)
class RegionCounts(Counts):
    """The counts of one region and of each of its UFs."""

    region: Region
    states: list[StateCounts] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The region's name in Portuguese."""
        return self.region.label


@dataclass
class RegionSummary:
    """All five regions with all 27 UFs (zeros included), remote workshops without UF, and the national total."""

    regions: list[RegionCounts]
    without_uf: Counts
    national: Counts

    @property
    def total(self) -> Counts:
        """The national total (same as `national`)."""
        return self.national

    @property
    def states(self) -> list[StateCounts]:
        """The 27 UFs, region by region."""
        return [state for region in self.regions for state in region.states]

    def state(self, uf: str) -> StateCounts:
        """The counts of one UF."""
        return next(state for state in self.states if state.uf == uf.upper())

    def region(self, region: Region) -> RegionCounts:
        """The counts of one region."""
        return next(item for item in self.regions if item.region is region)


def region_summary(consultation: Consultation) -> RegionSummary:
    """Workshops, attendees and workshop contributions per UF, region and nationally, in two queries."""
    held = case((Workshop.status.in_([WorkshopStatus.HELD, WorkshopStatus.REPORTED]), 1), else_=0)
    workshop_rows = db.session.execute(
        select(Workshop.uf, func.count(), func.sum(held), func.coalesce(func.sum(Workshop.attendance_total), 0))
        .where(Workshop.consultation_id == consultation.id).group_by(Workshop.uf)
    ).all()
    contribution_rows = db.session.execute(
        select(Workshop.uf, func.count(Contribution.id))
        .join(Contribution, Contribution.workshop_id == Workshop.id)
        .where(Workshop.consultation_id == consultation.id, Contribution.parent_id.is_(None),
               Contribution.visibility == Visibility.VISIBLE)
        .group_by(Workshop.uf)
    ).all()
    by_uf: dict[str | None, Counts] = defaultdict(Counts)
    for uf, workshops, held_count, attendees in workshop_rows:
        by_uf[uf]._add(Counts(workshops=workshops, held=int(held_count or 0), attendees=int(attendees or 0)))
    for uf, contributions in contribution_rows:
        by_uf[uf]._add(Counts(contributions=contributions))

    regions = {region: RegionCounts(region=region) for region in Region}
    for uf, (name, region) in STATES.items():
        state = StateCounts(uf=uf, name=name, region=region)
        state._add(by_uf.get(uf, Counts()))
        regions[region].states.append(state)
        regions[region]._add(state)
    for region in regions.values():
        region.states.sort(key=lambda state: municipalities.fold(state.name))
    without_uf = Counts()
    without_uf._add(by_uf.get(None, Counts()))
    national = Counts()
    for item in [*regions.values(), without_uf]:
        national._add(item)
    return RegionSummary(regions=list(regions.values()), without_uf=without_uf, national=national)


def workshop_inputs(workshop: Workshop, *, include_hidden: bool = False) -> list[tuple[Article, list[Contribution]]]:
    """The workshop's input grouped per article in document order, in one query (visible input only by default)."""
    stmt = (
        select(Contribution, Article).join(Article, Contribution.article_id == Article.id)
        .where(Contribution.workshop_id == workshop.id, Contribution.parent_id.is_(None))
        .order_by(Article.position, Contribution.id)
    )
    if not include_hidden:
        stmt = stmt.where(Contribution.visibility == Visibility.VISIBLE)
    grouped: dict[int, tuple[Article, list[Contribution]]] = {}
    for contribution, article in db.session.execute(stmt):
        grouped.setdefault(article.id, (article, []))[1].append(contribution)
    return list(grouped.values())
