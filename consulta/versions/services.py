"""Text versions and the consultation's devolutiva: services (flush, never commit) and the public views' data.

The drafting team starts a version from the consulted text (or from the last published version), edits it
article by article — each change with a justification and the contributions that motivated it — and
publishes it. The public then sees the quadro comparativo and the relatório de devolutiva.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from consulta.extensions import db
from consulta.models import (
    Article,
    Change,
    Channel,
    Consultation,
    Contribution,
    ResponseStatus,
    TextVersion,
    User,
    VersionArticle,
    VersionError,
    Visibility,
    record,
)

JUSTIFICATION_MIN = 10
JUSTIFICATION_MAX = 5000
BODY_MAX = 20_000
CITATIONS_MAX = 500


# -- versions -------------------------------------------------------------------------------------------

def versions_of(consultation: Consultation) -> list[TextVersion]:
    """Every later version of the text, newest first."""
    return list(db.session.scalars(select(TextVersion).where(TextVersion.consultation_id == consultation.id)
                                   .order_by(TextVersion.number.desc())))


def published_version(consultation: Consultation) -> TextVersion | None:
    """The newest published version, if any."""
    return db.session.scalar(
        select(TextVersion).where(TextVersion.consultation_id == consultation.id,
                                  TextVersion.published_at.is_not(None))
        .order_by(TextVersion.number.desc()).limit(1)
        .options(selectinload(TextVersion.articles).selectinload(VersionArticle.cited))
    )


def create_version(actor: User, consultation: Consultation, title: str, note: str = "") -> TextVersion:
    """Start a new version from the last published one, or from the consulted text."""
    if not consultation.is_public:
        raise VersionError(_("A consulta ainda está em preparação: edite o texto pela importação."))
    if any(not v.is_published for v in versions_of(consultation)):
        raise VersionError(_("Já existe uma versão em elaboração: publique-a ou continue a editá-la."))
    title = title.strip()
    if not title:
        raise VersionError(_("Dê um título à versão (por exemplo, “Texto final após a consulta”)."))
    number = (db.session.scalar(select(func.max(TextVersion.number))
                                .where(TextVersion.consultation_id == consultation.id)) or 1) + 1
    version = TextVersion(consultation_id=consultation.id, number=number, title=title[:300],
                          note=note.strip(), created_by_id=actor.id)
    base = published_version(consultation)
    if base is not None:
        version.articles = [
            VersionArticle(article_id=a.article_id, section_id=a.section_id, position=a.position, label=a.label,
                           body=a.body, change=a.change, justification=a.justification, cited=list(a.cited))
            for a in base.articles
        ]
    else:
        articles = db.session.scalars(select(Article).where(Article.consultation_id == consultation.id)
                                      .order_by(Article.position))
        version.articles = [VersionArticle(article_id=a.id, section_id=a.section_id, position=a.position,
                                           label=a.label, body=a.body) for a in articles]
    db.session.add(version)
    db.session.flush()
    record(actor, "version.create", version, number=number)
    return version


def _editable(version: TextVersion) -> None:
    if version.is_published:
        raise VersionError(_("Uma versão publicada não muda: crie uma nova versão."))


def _justification(text: str | None, *, required: bool) -> str:
    text = (text or "").strip()
    if not text and not required:
        return ""
    if len(text) < JUSTIFICATION_MIN:
        raise VersionError(_("Justifique a alteração em ao menos %(n)s caracteres.", n=JUSTIFICATION_MIN))
    if len(text) > JUSTIFICATION_MAX:
        raise VersionError(_("A justificativa passa de %(limit)s caracteres.", limit=format_number(JUSTIFICATION_MAX)))
    return text


def citable(consultation: Consultation, ids: Iterable[int]) -> list[Contribution]:
    """The contributions of this consultation with these ids that a change may cite (top-level, not withdrawn)."""
    ids = sorted(set(ids))
    if len(ids) > CITATIONS_MAX:
        raise VersionError(_("Cite no máximo %(n)s contribuições por dispositivo.", n=CITATIONS_MAX))
    if not ids:
        return []
    found = list(db.session.scalars(select(Contribution).where(
        Contribution.id.in_(ids), Contribution.consultation_id == consultation.id,
        Contribution.parent_id.is_(None), Contribution.visibility != Visibility.WITHDRAWN,
    ).order_by(Contribution.id)))
    missing = sorted(set(ids) - {c.id for c in found})
    if missing:
        raise VersionError(_("Estas contribuições não existem nesta consulta ou não podem ser citadas: ")
                           + ", ".join(f"#{n}" for n in missing[:10]) + ".")
    return found


def edit_article(actor: User, entry: VersionArticle, *, body: str, justification: str | None,
                 cited_ids: Iterable[int] = ()) -> None:
    """Set an article's text in the version; a change needs a justification, and may cite contributions."""
    version = entry.version
    _editable(version)
    body = (body or "").replace("\r\n", "\n").strip()
    if len(body) > BODY_MAX:
        raise VersionError(_("O texto passa de %(limit)s caracteres.", limit=format_number(BODY_MAX)))
    if not body:
        raise VersionError(_("Escreva o texto do dispositivo, ou use “Suprimir” para retirá-lo."))
    if entry.article is None:
        change = Change.NEW
    else:
        change = Change.UNCHANGED if body == entry.article.body.strip() else Change.MODIFIED
    entry.justification = _justification(justification, required=change is not Change.UNCHANGED)
    entry.cited = citable(version.consultation, cited_ids)
    entry.body, entry.change = body, change
    db.session.flush()
    record(actor, "version.edit_article", version, label=entry.label, change=change.value,
           cited=[c.id for c in entry.cited])


def remove_article(actor: User, entry: VersionArticle, *, justification: str | None,
                   cited_ids: Iterable[int] = ()) -> None:
    """Suppress an article in the version (its consulted text stays in the quadro, struck out)."""
    _editable(entry.version)
    if entry.article is None:
        raise VersionError(_("Um dispositivo incluído nesta versão é apagado, não suprimido."))
    entry.justification = _justification(justification, required=True)
    entry.cited = citable(entry.version.consultation, cited_ids)
    entry.body, entry.change = "", Change.REMOVED
    db.session.flush()
    record(actor, "version.remove_article", entry.version, label=entry.label)


def add_article(actor: User, version: TextVersion, after: VersionArticle | None, *, label: str, body: str,
                justification: str | None, cited_ids: Iterable[int] = ()) -> VersionArticle:
    """Include a new article after `after` (or at the start)."""
    _editable(version)
    label = label.strip()
    if not label or len(label) > 60:
        raise VersionError(_("Informe o rótulo do novo dispositivo (por exemplo, “Art. 9º-A”), até 60 caracteres."))
    if any(a.label == label for a in version.articles if a.change is not Change.REMOVED):
        raise VersionError(_("Já existe o dispositivo “%(label)s” nesta versão.", label=label))
    ordered = list(version.articles)
    index = ordered.index(after) + 1 if after is not None else 0
    entry = VersionArticle(label=label, body="", position=0,
                           section_id=after.section_id if after is not None else None)
    ordered.insert(index, entry)
    for position, item in enumerate(ordered, start=1):
        item.position = position
    version.articles = ordered
    edit_article(actor, entry, body=body, justification=justification, cited_ids=cited_ids)
    return entry


def import_text(actor: User, version: TextVersion, units: list, matches: list) -> None:
    """Apply a re-imported text to the version, as `matching.match` paired it with the current entries.

    Entries keep their justification and citations; changed ones without a justification must get one
    before the version is published.
    """
    from consulta.versions.matching import Fate

    _editable(version)
    current = [a for a in version.articles if a.change is not Change.REMOVED]
    removed_before = [a for a in version.articles if a.change is Change.REMOVED]
    ordered: list[VersionArticle] = []

    def take(entry: VersionArticle, unit) -> VersionArticle:
        entry.label, entry.body = unit.label[:60], unit.body.strip()
        if entry.article is None:
            entry.change = Change.NEW
        elif entry.body == entry.article.body.strip() and entry.label == entry.article.label:
            entry.change = Change.UNCHANGED
        else:
            entry.change = Change.MODIFIED
        return entry

    def fresh(unit, section_id) -> VersionArticle:
        return take(VersionArticle(label="", body="", position=0, section_id=section_id, justification=""), unit)

    for m in matches:
        if m.fate is Fate.REMOVED:
            entry = current[m.old[0]]
            entry.body, entry.change = "", Change.REMOVED
            ordered.append(entry)
        elif m.fate is Fate.NEW:
            previous = ordered[-1].section_id if ordered else None
            ordered.append(fresh(units[m.new[0]], previous))
        else:
            first = current[m.old[0]]
            ordered.append(take(first, units[m.new[0]]))
            for j in m.new[1:]:  # split: the second part is a new article
                ordered.append(fresh(units[j], first.section_id))
            for i in m.old[1:]:  # merged: the second article is suppressed into the first
                current[i].body, current[i].change = "", Change.REMOVED
                ordered.append(current[i])
    ordered = [e for e in ordered if not (e.article is None and e.change is Change.REMOVED)] + removed_before
    for position, entry in enumerate(ordered, start=1):
        entry.position = position
    version.articles = ordered
    db.session.flush()
    record(actor, "version.import", version, articles=len(units), fates=dict(Counter(m.fate.value for m in matches)))


def publish(actor: User, version: TextVersion) -> None:
    """Publish the version: the quadro comparativo and the devolutiva report become public."""
    from consulta.notifications.events import notify_final_text

    version.publish()
    db.session.flush()
    record(actor, "version.publish", version, number=version.number)
    notify_final_text(version)


# -- what the public sees --------------------------------------------------------------------------------

@dataclass
class ArticleChange:
    """One row of the quadro comparativo."""

    entry: VersionArticle
    cited: list[Contribution]

    @property
    def changed(self) -> bool:
        return self.entry.change is not Change.UNCHANGED


def comparison(version: TextVersion) -> list[ArticleChange]:
    """The version's articles in document order, each with the contributions it cites."""
    return [ArticleChange(entry, list(entry.cited)) for entry in version.articles]


def changes_for_article(consultation: Consultation, article: Article) -> VersionArticle | None:
    """The article's entry in the newest published version, when that version changed it."""
    return db.session.scalar(
        select(VersionArticle).join(TextVersion).where(
            TextVersion.consultation_id == consultation.id, TextVersion.published_at.is_not(None),
            VersionArticle.article_id == article.id, VersionArticle.change != Change.UNCHANGED,
        ).order_by(TextVersion.number.desc()).limit(1)
    )


@dataclass
class StatusRow:
    """Counts of answered contributions by status, for one article or one channel."""

    label: str
    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


STATUS_ORDER = [ResponseStatus.ACCEPTED, ResponseStatus.PARTLY_ACCEPTED, ResponseStatus.NOT_ACCEPTED,
                ResponseStatus.UNDER_REVIEW, None]
CHANNEL_LABELS = {Channel.ONLINE: _l("Online"), Channel.WORKSHOP: _l("Oficinas"), Channel.DOCUMENT: _l("Documentos")}


def devolutiva_summary(consultation: Consultation) -> tuple[list[StatusRow], list[StatusRow], StatusRow]:
    """Answer statuses of the public top-level contributions: per article (document order), per channel, total."""
    rows = db.session.execute(
        select(Article.id, Article.label, Contribution.channel, Contribution.response_status, func.count())
        .select_from(Contribution).join(Article, Article.id == Contribution.article_id)
        .where(Contribution.consultation_id == consultation.id, Contribution.parent_id.is_(None),
               Contribution.visibility == Visibility.VISIBLE)
        .group_by(Article.id, Article.label, Article.position, Contribution.channel, Contribution.response_status)
        .order_by(Article.position)
    ).all()
    by_article: dict[int, StatusRow] = {}
    by_channel = {channel: StatusRow(label) for channel, label in CHANNEL_LABELS.items()}
    total = StatusRow(_("Total"))
    for article_id, label, channel, status, n in rows:
        by_article.setdefault(article_id, StatusRow(label)).counts[status] += n
        by_channel[channel].counts[status] += n
        total.counts[status] += n
    return list(by_article.values()), [r for r in by_channel.values() if r.total], total


def answered(consultation: Consultation, channel: Channel | None = None) -> list[Contribution]:
    """Public top-level contributions with a final answer (not "em análise"), in document order."""
    query = (
        select(Contribution).join(Article, Article.id == Contribution.article_id)
        .where(Contribution.consultation_id == consultation.id, Contribution.parent_id.is_(None),
               Contribution.visibility == Visibility.VISIBLE, Contribution.response_status.is_not(None),
               Contribution.response_status != ResponseStatus.UNDER_REVIEW)
        .order_by(Article.position, Contribution.id)
        .options(selectinload(Contribution.article), selectinload(Contribution.author),
                 selectinload(Contribution.workshop))
    )
    if channel is not None:
        query = query.where(Contribution.channel == channel)
    return list(db.session.scalars(query))


def citing_changes(contributions: Iterable[Contribution]) -> dict[int, list[VersionArticle]]:
    """For each contribution id, the published changes that cite it."""
    from consulta.models.versions import citations

    ids = [c.id for c in contributions]
    if not ids:
        return {}
    rows = db.session.execute(
        select(citations.c.contribution_id, VersionArticle).join(
            VersionArticle, VersionArticle.id == citations.c.version_article_id).join(TextVersion)
        .where(citations.c.contribution_id.in_(ids), TextVersion.published_at.is_not(None))
        .order_by(TextVersion.number)
    ).all()
    found: dict[int, list[VersionArticle]] = {}
    for contribution_id, entry in rows:
        found.setdefault(contribution_id, []).append(entry)
    return found
