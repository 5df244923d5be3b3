"""Aggregate results of a consultation, in a fixed number of GROUP BY queries.

Nothing here loads contributions or votes row by row: vote tallies come from the article counters, and
every other figure is a GROUP BY over indexed columns (consultation, article, workshop), so the number of
statements does not grow with participation. No names or e-mails leave this module: only counts.

Decisions worth knowing:

* Participants = distinct authors of visible top-level online contributions + workshop attendance totals.
  Workshop input is signed by the facilitator, so it is not counted as an online author.
* Cells of the state and sector cross-tabs with 1–4 people are shown as "<5" (`Suppressed`), so a small
  group cannot be singled out. National totals are not suppressed.
* Days are Brasília dates. PostgreSQL converts with the real time zone; SQLite (development and tests)
  uses the fixed UTC−3 offset Brasília has kept since daylight saving ended in 2019.
* The page reads a stored snapshot of these figures (`snapshot_results`), not the rows: computing the figures scans every
  vote, which at a million votes costs seconds. A snapshot older than RESULTS_MAX_AGE seconds is still
  served while a job of the queue recomputes it (stale-while-revalidate), so no reader ever waits for
  the scan except the very first, and its cost per request does not grow with the consultation. Snapshots
  live in the database (`results_snapshots`), read by every process through its cache;
  `flask consulta refresh-results` computes them ahead, e.g. after a deploy.
"""

from __future__ import annotations

import logging
import pickle
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, cast, func, literal_column, select, union

from consulta.degrade import shared_cache as cache
from consulta.disclosure import Suppressed, suppress
from consulta.extensions import db
from consulta.geo import STATES, Region
from consulta.locale_neutral import in_default_locale
from consulta.models import (
    AccountKind,
    Article,
    Channel,
    Consultation,
    Contribution,
    ResultsSnapshot,
    Sector,
    User,
    Visibility,
    Vote,
    Workshop,
    WorkshopAttendance,
)
from consulta.results.verification import LevelVotes, votes_by_level
from consulta.workshops.services import region_summary

MIN_DIVISION_VOTES = 10  # recommendations need this many agree+disagree votes to rank by division
MAX_TIMELINE_DAYS = 400
CHANNEL_LABELS = {Channel.ONLINE: _l("Online"), Channel.WORKSHOP: _l("Oficinas"), Channel.DOCUMENT: _l("Documentos enviados")}


def share(part: int, whole: int) -> float:
    """`part` as a percentage of `whole` (0 when `whole` is 0)."""
    return 100.0 * part / whole if whole else 0.0


@dataclass
class Totals:
    participants: int = 0
    online_participants: int = 0
    contributions: int = 0
    votes: int = 0
    organizations: int = 0
    workshops: int = 0
    attendees: int = 0


@dataclass
class Row:
    """One row of a cross-tab: online authors, workshop attendees and their sum (raw; suppress when shown)."""

    key: str
    label: str
    online: int = 0
    workshop: int = 0
    workshops: int = 0

    @property
    def total(self) -> int:
        return self.online + self.workshop

    @property
    def shown(self) -> dict[str, int]:
        """The cells as published: counts of people under SUPPRESS_BELOW become "<5"."""
        return {"online": suppress(self.online), "workshop": suppress(self.workshop), "total": suppress(self.total)}


@dataclass
class RegionRows:
    row: Row
    states: list[Row] = field(default_factory=list)


@dataclass
class Day:
    day: date
    contributions: int
    votes: int

    @property
    def total(self) -> int:
        return self.contributions + self.votes


@dataclass
class Timeline:
    days: list[Day]

    @property
    def peak(self) -> Day | None:
        return max(self.days, key=lambda d: d.total) if self.days else None

    @property
    def total(self) -> int:
        return sum(d.total for d in self.days)

    @property
    def active_days(self) -> int:
        return sum(1 for d in self.days if d.total)


@dataclass
class Recommendation:
    id: int
    label: str
    agree: int
    disagree: int
    abstain: int

    @property
    def votes(self) -> int:
        return self.agree + self.disagree + self.abstain

    @property
    def agreement(self) -> float:
        """Share of agree among all votes, in percent."""
        return share(self.agree, self.votes)

    @property
    def division(self) -> float:
        """Distance from an even split of agree and disagree, in percentage points (0 = 50/50)."""
        return abs(share(self.agree, self.agree + self.disagree) - 50.0)


@dataclass
class Results:
    totals: Totals
    regions: list[RegionRows]
    without_uf: Row
    channels: list[tuple[str, int]]
    sectors: list[Row]
    timeline: Timeline
    recommendations: list[Recommendation]
    by_level: list[LevelVotes] = field(default_factory=list)  # all votes by the voters' verification level
    computed_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def map_values(self) -> dict[str, int]:
        """{uf: participants} for the tile map, suppressed like the table."""
        return {s.key: s.shown["total"] for region in self.regions for s in region.states}

    @property
    def by_agreement(self) -> list[Recommendation]:
        voted = [r for r in self.recommendations if r.votes]
        return sorted(voted, key=lambda r: (-r.agreement, -r.votes, r.id))

    @property
    def by_division(self) -> list[Recommendation]:
        eligible = [r for r in self.recommendations if r.agree + r.disagree >= MIN_DIVISION_VOTES]
        return sorted(eligible, key=lambda r: (r.division, -(r.agree + r.disagree), r.id))

    @property
    def min_division_votes(self) -> int:
        return MIN_DIVISION_VOTES


def _local_day(column, dialect: str):
    """The Brasília date of a naive-UTC timestamp column, as SQL."""
    if dialect == "postgresql":
        return cast(func.timezone("America/Sao_Paulo", func.timezone("UTC", column)), Date)
    return func.date(column, literal_column("'-3 hours'"))


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@in_default_locale  # a snapshot every visitor reads: labels in the platform's language, not the asker's
def consultation_results(consultation: Consultation) -> Results:
    """Every figure of the results page, in ten queries whatever the amount of participation."""
    cid = consultation.id
    visible_top = (Contribution.consultation_id == cid, Contribution.parent_id.is_(None),
                   Contribution.visibility == Visibility.VISIBLE)

    # 1. Online participants — people who posted or voted — by their profile's state, sector and kind
    # (each falls in exactly one group).
    online_people = union(
        select(Contribution.author_id.label("user_id")).where(*visible_top, Contribution.channel == Channel.ONLINE),
        select(Vote.user_id.label("user_id")).join(Article, Vote.article_id == Article.id)
        .where(Article.consultation_id == cid, Vote.user_id.is_not(None)),
    ).subquery()
    author_rows = db.session.execute(
        select(User.uf, User.sector, User.kind, func.count())
        .join(online_people, online_people.c.user_id == User.id)
        .group_by(User.uf, User.sector, User.kind)
    ).all()
    # 2. Contributions by channel.
    channel_rows = dict(db.session.execute(
        select(Contribution.channel, func.count()).where(*visible_top).group_by(Contribution.channel)
    ).all())
    # 3–4. Workshops and attendees by state (shared with the workshops page).
    workshops = region_summary(consultation)
    # 5. Workshop attendance by sector.
    attendance_rows = db.session.execute(
        select(WorkshopAttendance.sector, func.sum(WorkshopAttendance.count))
        .join(Workshop, WorkshopAttendance.workshop_id == Workshop.id)
        .where(Workshop.consultation_id == cid).group_by(WorkshopAttendance.sector)
    ).all()
    # 6. Recommendations with their vote counters; 7. all votes of the consultation from the counters.
    recommendations = [
        Recommendation(id=a.id, label=a.label, agree=a.votes_agree, disagree=a.votes_disagree,
                       abstain=a.votes_abstain)
        for a in db.session.execute(
            select(Article.id, Article.label, Article.votes_agree, Article.votes_disagree, Article.votes_abstain)
            .where(Article.consultation_id == cid, Article.accepts_votes).order_by(Article.position, Article.id)
        )
    ]
    votes_total = db.session.execute(
        select(func.coalesce(func.sum(Article.votes_agree + Article.votes_disagree + Article.votes_abstain), 0))
        .where(Article.consultation_id == cid)
    ).scalar_one()
    # 8–9. Contributions and votes per Brasília day.
    dialect = db.session.get_bind().dialect.name
    c_day = _local_day(Contribution.created_at, dialect)
    v_day = _local_day(Vote.created_at, dialect)
    per_day: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for day, n in db.session.execute(select(c_day, func.count()).where(*visible_top).group_by(c_day)):
        per_day[_as_date(day)][0] += n
    for day, n in db.session.execute(
        select(v_day, func.count()).join(Article, Vote.article_id == Article.id)
        .where(Article.consultation_id == cid).group_by(v_day)
    ):
        per_day[_as_date(day)][1] += n

    # -- assemble ----------------------------------------------------------------------------------------
    online_by_uf: dict[str | None, int] = defaultdict(int)
    online_by_sector: dict[Sector | None, int] = defaultdict(int)
    online_total = organizations = 0
    for uf, sector, kind, authors in author_rows:
        online_by_uf[uf if uf in STATES else None] += authors
        online_by_sector[sector] += authors
        online_total += authors
        if kind is AccountKind.ORGANIZATION or kind == AccountKind.ORGANIZATION.value:
            organizations += authors

    regions: list[RegionRows] = []
    for region_counts in workshops.regions:
        region = region_counts.region
        group = RegionRows(Row(region.value, region.label, workshops=region_counts.workshops))
        for state in region_counts.states:
            row = Row(state.uf, f"{state.name} ({state.uf})", online=online_by_uf.get(state.uf, 0),
                      workshop=state.attendees, workshops=state.workshops)
            group.states.append(row)
            group.row.online += row.online
            group.row.workshop += row.workshop
        regions.append(group)
    without_uf = Row("sem-uf", _("Sem estado informado"), online=online_by_uf.get(None, 0),
                     workshop=workshops.without_uf.attendees, workshops=workshops.without_uf.workshops)

    attendance = {Sector(s): int(n or 0) for s, n in attendance_rows}
    sectors = [Row(s.value, s.label, online=online_by_sector.get(s, 0), workshop=attendance.get(s, 0))
               for s in Sector]
    unassigned = max(workshops.national.attendees - sum(attendance.values()), 0)
    sectors.append(Row("nao-informado", _("Não informado"), online=online_by_sector.get(None, 0), workshop=unassigned))

    timeline_days: list[Day] = []
    if per_day:
        first, last = min(per_day), max(per_day)
        first = max(first, last - timedelta(days=MAX_TIMELINE_DAYS - 1))
        timeline_days = [Day(first + timedelta(days=n), *per_day.get(first + timedelta(days=n), [0, 0]))
                         for n in range((last - first).days + 1)]

    totals = Totals(
        participants=online_total + workshops.national.attendees, online_participants=online_total,
        contributions=sum(channel_rows.values()), votes=int(votes_total or 0), organizations=organizations,
        workshops=workshops.national.workshops, attendees=workshops.national.attendees,
    )
    channels = [(str(CHANNEL_LABELS[Channel(c)]), channel_rows.get(c, 0)) for c in Channel
                if c is not Channel.DOCUMENT or channel_rows.get(c)]
    return Results(totals=totals, regions=regions, without_uf=without_uf, channels=channels, sectors=sectors,
                   timeline=Timeline(timeline_days), recommendations=recommendations,
                   by_level=votes_by_level(consultation))


# -- snapshots -------------------------------------------------------------------------------------------

SNAPSHOT_VERSION = 2  # bump when Results changes shape: older stored snapshots are then ignored
REREAD_SECONDS = 5  # each process keeps the stored snapshot this long in its cache before reading it again
log = logging.getLogger(__name__)


def _snapshot_key(consultation_id: int) -> str:
    return f"results:v{SNAPSHOT_VERSION}:{consultation_id}"


def store_snapshot(consultation: Consultation) -> Results:
    """Compute the consultation's figures now and store them as its snapshot (flushed, not committed)."""
    results = consultation_results(consultation)
    # Pickled like the Redis cache pickles it: written and read only by this application's own code.
    data = pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
    row = db.session.get(ResultsSnapshot, consultation.id)
    if row is None:
        db.session.add(ResultsSnapshot(consultation_id=consultation.id, version=SNAPSHOT_VERSION,
                                       computed_at=results.computed_at, data=data))
    else:
        row.version, row.computed_at, row.data = SNAPSHOT_VERSION, results.computed_at, data
    db.session.flush()
    cache.set(_snapshot_key(consultation.id), results, timeout=REREAD_SECONDS)
    cache.delete(f"{_snapshot_key(consultation.id)}:refreshing")
    return results


def _stored_snapshot(consultation_id: int) -> Results | None:
    row = db.session.execute(
        select(ResultsSnapshot.data).where(ResultsSnapshot.consultation_id == consultation_id,
                                           ResultsSnapshot.version == SNAPSHOT_VERSION)
    ).scalar()
    if row is None:
        return None
    try:
        snapshot = pickle.loads(row)  # noqa: S301 - our own rows, see store_snapshot
    except Exception:  # noqa: BLE001 - an unreadable snapshot is recomputed
        log.warning("results snapshot of consultation %s unreadable", consultation_id, exc_info=True)
        return None
    return snapshot if isinstance(snapshot, Results) else None


def snapshot_results(consultation: Consultation) -> Results:
    """The figures the results page shows: the stored snapshot, refreshed by a background job when stale.

    The snapshot is a row of `results_snapshots` that the `refresh_results` job writes; each process keeps
    it REREAD_SECONDS in its cache. With RESULTS_MAX_AGE 0 every call computes afresh (tests read their own
    writes this way).
    """
    max_age = current_app.config["RESULTS_MAX_AGE"]
    if not max_age:
        return consultation_results(consultation)
    key = _snapshot_key(consultation.id)
    snapshot = cache.get(key)
    if not isinstance(snapshot, Results):
        snapshot = _stored_snapshot(consultation.id)
        if snapshot is None:  # the first reader (or after a version change) waits for the figures
            snapshot = consultation_results(consultation)
            _request_refresh(consultation.id, max_age)
        cache.set(key, snapshot, timeout=REREAD_SECONDS)
    if (datetime.now(UTC) - snapshot.computed_at).total_seconds() > max_age:
        _request_refresh(consultation.id, max_age)
    return snapshot


def _request_refresh(consultation_id: int, max_age: int) -> None:
    """Queue one refresh job per consultation (per process at most once per RESULTS_MAX_AGE)."""
    from consulta.jobs.tasks import refresh_results

    if cache.add(f"{_snapshot_key(consultation_id)}:refreshing", 1, timeout=max_age):
        try:
            refresh_results.enqueue(consultation_id=consultation_id, key=f"refresh_results:{consultation_id}",
                                    own_transaction=True)
        except Exception:  # noqa: BLE001 - the page still shows the snapshot it has; a later reader retries
            log.exception("could not queue the results refresh of consultation %s", consultation_id)


__all__ = ["Region", "Results", "Suppressed", "consultation_results", "share", "snapshot_results",
           "store_snapshot", "suppress"]
