"""The vote path in Core statements: one account, one article, a compare-and-set and the tallies.

A vote is the hottest write of a consultation, so it skips the ORM's unit of work: the article's tallies and
the consultation come from one query, the stored vote from one, and the change plus the tallies it moves
from one more. On PostgreSQL that last one is a single statement (the vote's INSERT/UPDATE/DELETE in a WITH
clause, the tally UPDATE ... RETURNING outside it), so the compare-and-set and the counters cost one round
trip; SQLite, in-process, runs them as two statements in the same transaction. Either way the new tallies
come back from the UPDATE's RETURNING, and the vote panel is rendered from the values just written.

Correctness is the same as before: a vote is unique per (user, article) by constraint; changing or removing
one compares the value read, so a concurrent change by the same account makes this write touch no row and
the loop reads again; the tallies move only when the vote row did, in the same transaction.
"""

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import bindparam, delete, exists, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite

from consulta.extensions import db
from consulta.models import Article, Consultation, Vote, VoteValue, utcnow
from consulta.participation.gate import Action, ParticipationError, ensure_may_write

VOTES = Vote.__table__
ARTICLES = Article.__table__
TALLY_COLUMNS = {VoteValue.AGREE: "votes_agree", VoteValue.DISAGREE: "votes_disagree",
                 VoteValue.ABSTAIN: "votes_abstain"}
TALLIES = (ARTICLES.c.votes_agree, ARTICLES.c.votes_disagree, ARTICLES.c.votes_abstain)


@dataclass(frozen=True)
class VoteTarget:
    """What the vote needs of an article, and what its panel shows (it stands in for the Article there)."""

    id: int
    consultation: Consultation
    accepts_votes: bool
    votes_agree: int
    votes_disagree: int
    votes_abstain: int

    @property
    def vote_total(self) -> int:
        return self.votes_agree + self.votes_disagree + self.votes_abstain

    def with_tallies(self, tallies: tuple[int, int, int] | None) -> "VoteTarget":
        if tallies is None:
            return self
        agree, disagree, abstain = tallies
        return replace(self, votes_agree=agree, votes_disagree=disagree, votes_abstain=abstain)


def load_target(article_id: int) -> VoteTarget | None:
    """The article's tallies and its consultation, in one query (the article's text is not read)."""
    row = db.session.execute(
        select(Consultation, ARTICLES.c.accepts_votes, *TALLIES)
        .join(ARTICLES, ARTICLES.c.consultation_id == Consultation.id)
        .where(ARTICLES.c.id == article_id)
    ).first()
    if row is None:
        return None
    consultation, accepts, agree, disagree, abstain = row
    return VoteTarget(article_id, consultation, bool(accepts), agree, disagree, abstain)


_CURRENT = select(VOTES.c.id, VOTES.c.value).where(VOTES.c.user_id == bindparam("user_id"),
                                                   VOTES.c.article_id == bindparam("article_id"))


def _current(user_id: int, article_id: int):
    """(id, value) of the account's vote on the article, or None."""
    return db.session.connection().execute(_CURRENT, {"user_id": user_id, "article_id": article_id}).first()


def vote_of(user_id: int | None, article_id: int) -> VoteValue | None:
    """The account's current vote on the article, if any."""
    row = _current(user_id, article_id) if user_id is not None else None
    return row.value if row is not None else None


def _insert(values: dict[str, Any]):
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(VOTES).values(**values).on_conflict_do_nothing(index_elements=["user_id", "article_id"])


def _apply(change, article_id: int, deltas: dict[VoteValue, int]) -> tuple[int, int, int] | None:
    """Run `change` (a DML statement on votes) and, if it touched a row, move the tallies by `deltas`.

    Returns the article's tallies after the change, or None when the change touched no row (a concurrent
    request changed the vote first). One statement on PostgreSQL, two on SQLite.
    """
    moved = {TALLY_COLUMNS[v]: ARTICLES.c[TALLY_COLUMNS[v]] + n for v, n in deltas.items() if n}
    bump = update(ARTICLES).where(ARTICLES.c.id == article_id).values(moved).returning(*TALLIES)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        written = change.returning(literal_column("1").label("done")).cte("written")
        row = connection.execute(bump.where(exists(select(written.c.done)))).first()
        return tuple(row) if row is not None else None
    if connection.execute(change.returning(VOTES.c.id)).first() is None:
        return None
    return tuple(connection.execute(bump).one())


def record_vote(user: Any, target: VoteTarget, value: VoteValue | None) -> tuple[VoteValue | None, tuple | None]:
    """Record, change (or with None remove) the account's vote: (its vote now, the tallies just written).

    The tallies are None when nothing changed (the same vote again, or removing no vote). Asks the gate first.
    """
    ensure_may_write(user, target.consultation, Action.VOTE)
    if not target.accepts_votes:
        raise ParticipationError("Este dispositivo não recebe votos.")
    user_id, article_id = user.id, target.id
    for _ in range(5):
        current = _current(user_id, article_id)
        now = utcnow()
        if current is None:
            if value is None:
                return None, None
            change = _insert({"user_id": user_id, "article_id": article_id, "value": value, "created_at": now,
                              "updated_at": now})
            deltas = {value: +1}
        else:
            vote_id, old = current
            if old is value:
                return value, None
            guard = (VOTES.c.id == vote_id, VOTES.c.value == old)
            if value is None:
                change, deltas = delete(VOTES).where(*guard), {old: -1}
            else:
                change = update(VOTES).where(*guard).values(value=value, updated_at=now)
                deltas = {old: -1, value: +1}
        tallies = _apply(change, article_id, deltas)
        if tallies is not None:
            return value, tallies
    raise ParticipationError("Muitas alterações simultâneas no seu voto. Tente de novo.")
