"""The vote path in Core statements: one account, one article, a compare-and-set and the tallies.

A vote is the hottest write of a consultation, so it skips the ORM's unit of work and builds no statement per
request. One read brings everything the route needs: the article's tallies and whether it takes votes, the
consultation's columns the gate reads (status, window, requirement, time zone), and the account's stored
vote; on the vote route that read is the sign-in check's own query (`join_target`, consulta.auth.sessions).
Then one write: on PostgreSQL a single statement (the vote's INSERT/UPDATE/DELETE in a WITH clause, the
tally UPDATE ... RETURNING outside it), so the compare-and-set and the counters cost one round trip; SQLite,
in-process, runs them as two statements in the same transaction, and takes its write lock only now
(consulta.db_utils.begin_write), on the same connection. Voting what is already stored writes nothing. The
new tallies come back from the UPDATE's RETURNING, and the vote panel is filled in with them
(consulta.participation.vote_panel).

Correctness does not depend on reading the stored vote in the writing transaction: a vote is unique per
(user, article) by constraint; changing or removing one compares the value read, so when a concurrent
request changed it in between this write touches no row, and the loop reads again under the write lock.
The tallies move only when the vote row did, in the same transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from flask import g
from sqlalchemy import (
    ColumnElement,
    FromClause,
    bindparam,
    delete,
    exists,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from consulta.auth.sessions import SignInRead, read_with_sign_in
from consulta.consultations.services import GATE_COLUMNS
from consulta.db_utils import begin_write, route_connection, transient
from consulta.extensions import db
from consulta.models import Article, Consultation, Vote, VoteValue, utcnow
from consulta.participation.gate import Action, ParticipationError, ensure_may_write

VOTES = Vote.__table__
ARTICLES = Article.__table__
CONSULTATIONS = Consultation.__table__
TALLY_COLUMNS = {VoteValue.AGREE: "votes_agree", VoteValue.DISAGREE: "votes_disagree",
                 VoteValue.ABSTAIN: "votes_abstain"}
TALLIES = (ARTICLES.c.votes_agree, ARTICLES.c.votes_disagree, ARTICLES.c.votes_abstain)
NOT_READ = "not read"  # VoteTarget.stored when the account's vote was not read with the target


@dataclass(frozen=True)
class VoteTarget:
    """What the vote needs of an article, and what its panel shows (it stands in for the Article there).

    `stored` is the account's vote as (id, value), None when there is none, NOT_READ when not read.
    """

    id: int
    consultation: Consultation
    accepts_votes: bool
    votes_agree: int
    votes_disagree: int
    votes_abstain: int
    stored: tuple[int, VoteValue] | None | str = NOT_READ

    @property
    def vote_total(self) -> int:
        return self.votes_agree + self.votes_disagree + self.votes_abstain

    @property
    def my_vote(self) -> VoteValue | None:
        """The account's vote as read with the target (None when none, or not read)."""
        return self.stored[1] if isinstance(self.stored, tuple) else None

    def with_tallies(self, tallies: tuple[int, int, int] | None) -> "VoteTarget":
        if tallies is None:
            return self
        agree, disagree, abstain = tallies
        return replace(self, votes_agree=agree, votes_disagree=disagree, votes_abstain=abstain)


TARGET_COLUMNS = (*(CONSULTATIONS.c[name] for name in GATE_COLUMNS), ARTICLES.c.accepts_votes, *TALLIES, VOTES.c.id,
                   VOTES.c.value)  # read by position (_target)


_TARGET = (
    select(*TARGET_COLUMNS)
    .select_from(ARTICLES.join(CONSULTATIONS, CONSULTATIONS.c.id == ARTICLES.c.consultation_id).outerjoin(
        VOTES, (VOTES.c.article_id == ARTICLES.c.id) & (VOTES.c.user_id == bindparam("user_id"))))
    .where(ARTICLES.c.id == bindparam("article_id"))
)


def join_target(source: FromClause, account: ColumnElement) -> tuple[FromClause, tuple]:
    """`source` outer-joined with the article :article_id, its consultation and `account`'s vote on it, and
    the columns to read (TARGET_COLUMNS).

    The vote route's sign-in check reads them in its own query (consulta.auth.sessions.read_with_sign_in)
    and keeps the target for `load_target`: the vote's read costs no round trip of its own.
    """
    return source.outerjoin(
        ARTICLES.join(CONSULTATIONS, CONSULTATIONS.c.id == ARTICLES.c.consultation_id),
        ARTICLES.c.id == bindparam("article_id"),
    ).outerjoin(VOTES, (VOTES.c.article_id == ARTICLES.c.id) & (VOTES.c.user_id == account)), TARGET_COLUMNS


def _keep_target(params: dict[str, Any], account: int, values: Sequence) -> None:
    article_id = params["article_id"]
    g.vote_target = ((article_id, account), _target(article_id, values, read_vote=True))


read_with_sign_in("participation.vote", SignInRead(
    params=lambda view_args: {"article_id": view_args["article_id"]} if "article_id" in view_args else None,
    extend=join_target, consume=_keep_target))


def load_target(article_id: int, user_id: int | None = None) -> VoteTarget | None:
    """The article's tallies, its consultation's gate columns and `user_id`'s vote on it, in one query.

    The consultation is a transient Consultation (never added to a session) holding only GATE_COLUMNS:
    built from this request's read, so a change to the schedule or the status counts at once. On the vote
    route the sign-in check has already read it (`join_target`): that read is used.
    """
    read = g.pop("vote_target", NOT_READ)
    if read is not NOT_READ and read[0] == (article_id, user_id):
        return read[1]
    row = route_connection().execute(_TARGET, {"article_id": article_id, "user_id": user_id}).first()
    return _target(article_id, row, read_vote=user_id is not None) if row is not None else None


def _target(article_id: int, row: Sequence, read_vote: bool) -> VoteTarget | None:
    facts = len(GATE_COLUMNS)
    if row[0] is None:  # an outer join that found no article
        return None
    consultation = transient(Consultation, zip(GATE_COLUMNS, row[:facts], strict=True))
    accepts, agree, disagree, abstain, vote_id, value = row[facts:]
    stored = (vote_id, value) if vote_id is not None else None
    return VoteTarget(article_id, consultation, bool(accepts), agree, disagree, abstain,
                      stored if read_vote else NOT_READ)


_CURRENT = select(VOTES.c.id, VOTES.c.value).where(VOTES.c.user_id == bindparam("user_id"),
                                                   VOTES.c.article_id == bindparam("article_id"))


def _current(user_id: int, article_id: int):
    """(id, value) of the account's vote on the article, or None."""
    row = db.session.connection().execute(_CURRENT, {"user_id": user_id, "article_id": article_id}).first()
    return tuple(row) if row is not None else None


def vote_of(user_id: int | None, article_id: int) -> VoteValue | None:
    """The account's current vote on the article, if any."""
    row = _current(user_id, article_id) if user_id is not None else None
    return row[1] if row is not None else None


@lru_cache(maxsize=64)
def _write(dialect: str, old: VoteValue | None, new: VoteValue | None):
    """The statement(s) that change the account's vote from `old` to `new` and move the tallies, built once.

    Returns (change, bump) on SQLite, (one statement, None) on PostgreSQL. Parameters: p_user, p_article,
    p_vote, p_now (named unlike any column: a parameter named after a column would join an UPDATE's SET).
    """
    now = bindparam("p_now", type_=VOTES.c.updated_at.type)
    if old is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        change = insert(VOTES).values(
            user_id=bindparam("p_user"), article_id=bindparam("p_article"), value=new, created_at=now, updated_at=now,
        ).on_conflict_do_nothing(index_elements=["user_id", "article_id"])
    else:
        guard = (VOTES.c.id == bindparam("p_vote"), VOTES.c.value == old)
        change = delete(VOTES).where(*guard) if new is None else update(VOTES).where(*guard).values(
            value=new, updated_at=now)
    deltas = {v: n for v, n in ((old, -1), (new, +1)) if v is not None}
    moved = {TALLY_COLUMNS[v]: ARTICLES.c[TALLY_COLUMNS[v]] + n for v, n in deltas.items()}
    bump = update(ARTICLES).where(ARTICLES.c.id == bindparam("p_article")).values(moved).returning(*TALLIES)
    if dialect == "postgresql":
        written = change.returning(literal_column("1").label("done")).cte("written")
        return bump.where(exists(select(written.c.done))), None
    return change.returning(VOTES.c.id), bump


def _apply(user_id: int, article_id: int, current: tuple[int, VoteValue] | None,
           value: VoteValue | None) -> tuple[int, int, int] | None:
    """Change the vote from `current` to `value` and move the tallies; the tallies after, or None.

    None means the change touched no row: a concurrent request changed the vote after it was read.
    """
    connection = db.session.connection()
    vote_id, old = current if current is not None else (None, None)
    first, bump = _write(connection.dialect.name, old, value)
    params = {"p_user": user_id, "p_article": article_id, "p_vote": vote_id, "p_now": utcnow()}
    row = connection.execute(first, params).first()
    if bump is None or row is None:  # PostgreSQL: the tallies already; SQLite: the change touched no row
        return tuple(row) if row is not None else None
    return tuple(connection.execute(bump, params).one())


def record_vote(user: Any, target: VoteTarget, value: VoteValue | None) -> tuple[VoteValue | None, tuple | None]:
    """Record, change (or with None remove) the account's vote: (its vote now, the tallies just written).

    The tallies are None when nothing changed (the same vote again, or removing no vote). Asks the gate first.
    Starts with the vote read with the target, if it was; re-reads after a concurrent change.
    """
    ensure_may_write(user, target.consultation, Action.VOTE)
    if not target.accepts_votes:
        raise ParticipationError("Este dispositivo não recebe votos.")
    user_id, article_id = user.id, target.id
    current = target.stored if target.stored is not NOT_READ else _current(user_id, article_id)
    for _ in range(5):
        if (current[1] if current is not None else None) is value:
            return value, None
        begin_write()
        tallies = _apply(user_id, article_id, current, value)
        if tallies is not None:
            return value, tallies
        current = _current(user_id, article_id)
    raise ParticipationError("Muitas alterações simultâneas no seu voto. Tente de novo.")
