"""Votes by the voter's verification level, so the drafting team can see whether unverified votes change the
picture. Counts of people crossed with a level are published through consulta.disclosure (1–4 become "<5")."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from consulta.disclosure import SUPPRESS_BELOW, published, suppress
from consulta.extensions import db
from consulta.models import Article, Consultation, GovbrLevel, User, VerificationLevel, Vote, VoteValue
from consulta.models.users import GOVBR_VERIFICATION


def _level(email_verified: bool, govbr_level: Any) -> VerificationLevel:
    if govbr_level is not None:
        return GOVBR_VERIFICATION[GovbrLevel(govbr_level)]
    return VerificationLevel.EMAIL if email_verified else VerificationLevel.NONE


@dataclass
class LevelVotes:
    """Votes of one verification level (raw counts; `shown` suppresses them)."""

    level: VerificationLevel
    counts: dict[VoteValue, int] = field(default_factory=lambda: dict.fromkeys(VoteValue, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def agreement(self) -> float | None:
        """Share of "Concordo" in percent; None when a count is suppressed (the share would reveal it)."""
        if any(0 < n < SUPPRESS_BELOW for n in self.counts.values()) or not self.total:
            return None
        return 100.0 * self.counts[VoteValue.AGREE] / self.total

    @property
    def shown(self) -> dict[str, Any]:
        return {**{v.value: suppress(n) for v, n in self.counts.items()}, "total": suppress(self.total)}


def _tally(consultation: Consultation) -> dict[int, dict[VerificationLevel, LevelVotes]]:
    """{article id: {level: votes}} in one grouped query."""
    email_verified = User.email_verified_at.is_not(None).label("email_verified")
    rows = db.session.execute(
        select(Vote.article_id, email_verified, User.govbr_level, Vote.value, db.func.count())
        .join(User, User.id == Vote.user_id).join(Article, Article.id == Vote.article_id)
        .where(Article.consultation_id == consultation.id)
        .group_by(Vote.article_id, email_verified, User.govbr_level, Vote.value)
    ).all()
    tally: dict[int, dict[VerificationLevel, LevelVotes]] = defaultdict(dict)
    for article_id, verified, govbr, value, n in rows:
        level = _level(bool(verified), govbr)
        cell = tally[article_id].setdefault(level, LevelVotes(level))
        cell.counts[VoteValue(value)] += n
    return tally


def votes_by_level(consultation: Consultation) -> list[LevelVotes]:
    """All the consultation's votes by verification level, every level listed (for the results page)."""
    summary = {level: LevelVotes(level) for level in VerificationLevel}
    for by_level in _tally(consultation).values():
        for level, cell in by_level.items():
            for value, n in cell.counts.items():
                summary[level].counts[value] += n
    return list(summary.values())


LEVEL_FIELDS = ["artigo_id", "artigo", "nivel_verificacao", "nivel_verificacao_nome", "concordo", "discordo",
                "abstencao", "total"]


def level_rows(consultation_id: int) -> Iterator[dict[str, Any]]:
    """Open data: per recommendation and verification level, the vote counts ("<5" for small cells)."""
    consultation = db.session.get(Consultation, consultation_id)
    tally = _tally(consultation)
    articles = db.session.execute(
        select(Article.id, Article.label).where(Article.consultation_id == consultation_id,
                                                Article.accepts_votes.is_(True)).order_by(Article.position)
    ).all()
    for article_id, label in articles:
        for level in VerificationLevel:
            cell = tally.get(article_id, {}).get(level, LevelVotes(level))
            yield {"artigo_id": article_id, "artigo": label, "nivel_verificacao": level.code,
                   "nivel_verificacao_nome": level.label, "concordo": published(cell.counts[VoteValue.AGREE]),
                   "discordo": published(cell.counts[VoteValue.DISAGREE]),
                   "abstencao": published(cell.counts[VoteValue.ABSTAIN]), "total": published(cell.total)}
