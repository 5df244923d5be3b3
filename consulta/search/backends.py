"""One interface, two engines: how a list of words becomes a match condition and a relevance score.

Words reach the database only as bound parameters. For SQLite each word is wrapped in double quotes (a
word never holds one: see `words`), so FTS5 reads it as a string and never as syntax (`NEAR(`, `*`, `-`,
`:`, `^`, `AND`...). For PostgreSQL each word goes through `plainto_tsquery`, which has no syntax at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

from sqlalchemy import ColumnElement, Select, column, func, literal_column, table

from consulta.models import Contribution
from consulta.search.schema import FTS_TABLE, TAGS_COLUMN, UNACCENT_FUNCTION, VECTOR_COLUMN

MAX_WORDS = 8
MAX_WORD_LENGTH = 40
_WORD_RE = re.compile(r"\w+")


def words(query: str) -> list[str]:
    """The words of a typed query: pieces between spaces that hold a letter or digit, without double quotes,
    at most MAX_WORDS, each cut to MAX_WORD_LENGTH ("gov.br" stays one word: PostgreSQL indexes it whole)."""
    found: list[str] = []
    for piece in query.split():
        piece = piece.replace('"', "")[:MAX_WORD_LENGTH]
        if _WORD_RE.search(piece) and piece.lower() not in (w.lower() for w in found):
            found.append(piece)
        if len(found) == MAX_WORDS:
            break
    return found


def plain_words(terms: list[str]) -> list[str]:
    """The letters-and-digits runs of `terms` (what a snippet marks)."""
    return [run for term in terms for run in _WORD_RE.findall(term)]


@dataclass(frozen=True)
class Match:
    """How to narrow a query on `contributions` to the matching rows, and the score to order by (larger first)."""

    apply: Callable[[Select], Select]
    score: ColumnElement
    # SQLite: whether the query must start from the full-text index. Without statistics its planner takes
    # the index on `consultation_id` (or `visibility`) instead and runs MATCH once per row of the consultation;
    # `column()` hides those columns from it (a unary + keeps the value and drops the index).
    from_index: bool = False
    # The order in which the engine yields matches cheaply, newest first (FTS5 walks its rowids backwards).
    newest: ColumnElement | None = None

    sqlite: bool = False

    def column(self, attribute, *, unindexed: bool = False) -> ColumnElement:
        """`attribute` (a Contribution column) as the WHERE clause should read it for this match; `unindexed`
        hides it from SQLite's planner even without words (PostgreSQL's planner has statistics)."""
        if self.sqlite and (self.from_index or unindexed):
            return literal_column(f"+contributions.{attribute.key}", type_=attribute.type)  # same value, no index
        return attribute


# Filter tokens (schema.py): every group is required, any token of a group will do ("in one of these workshops").
Tags = list[list[str]]


def fts5_query(terms: list[str], tags: Tags = ()) -> str:
    """The FTS5 MATCH string for `terms` in the text and `tags` in the tokens: each term a quoted string (a
    phrase if it holds several tokens), all required. Inside quotes FTS5 sees no operators; a double quote
    would end the string, so none is kept. Tokens are ours (letters and digits)."""
    parts = ['search_text : "' + term.replace('"', "") + '"' for term in terms]
    parts += ["(" + " OR ".join(f'{TAGS_COLUMN} : "{tag}"' for tag in group) + ")" for group in tags]
    return " AND ".join(parts)


def sqlite_match(terms: list[str], tags: Tags = ()) -> Match:
    """FTS5: the rows whose indexed text holds every term and whose tokens the tags, scored by bm25 of the text
    alone (negated: smaller is better there)."""
    fts = table(FTS_TABLE, column("rowid"))
    condition = literal_column(FTS_TABLE).op("MATCH")(fts5_query(terms, tags))
    return Match(lambda stmt: stmt.join(fts, fts.c.rowid == Contribution.id).where(condition),
                 -func.bm25(literal_column(FTS_TABLE), 1.0, 0.0), from_index=True,
                 newest=literal_column(f"{FTS_TABLE}.rowid").desc(), sqlite=True)


def postgresql_match(terms: list[str], tags: Tags = (), *, selective: bool = False) -> Match:
    """tsvector: the rows whose stemmed text holds every term (as typed or without accents) and whose tokens the
    tags, by the ts_rank of the terms.

    `selective`: the tags keep a small share of the rows. The planner would still walk the primary key
    backwards checking each row's vector until it has the newest matches (it prices that check as nearly
    free); the GIN index finds them all for less. Ordering by `id + 0` leaves it no ordered path."""
    vector = literal_column(f"contributions.{VECTOR_COLUMN}")
    per_word = [
        func.plainto_tsquery(literal_column("'portuguese'::regconfig"), term).op("||")(
            func.plainto_tsquery(literal_column("'portuguese'::regconfig"), getattr(func, UNACCENT_FUNCTION)(term))
        )
        for term in terms
    ]
    query = reduce(lambda left, right: left.op("&&")(right), per_word)
    wanted = query
    if tags:
        tokens = " & ".join("(" + " | ".join(group) + ")" for group in tags)
        wanted = query.op("&&")(func.to_tsquery(literal_column("'simple'::regconfig"), tokens))
    condition = vector.op("@@")(wanted)
    newest = (Contribution.id + 0).desc() if selective else Contribution.id.desc()
    return Match(lambda stmt: stmt.where(condition), func.ts_rank(vector, query), newest=newest)


def match(dialect: str, terms: list[str], tags: Tags = (), *, selective: bool = False) -> Match:
    """The match for this database dialect (`selective`: see postgresql_match)."""
    if dialect == "postgresql":
        return postgresql_match(terms, tags, selective=selective)
    return sqlite_match(terms, tags)


def everything(dialect: str) -> Match:
    """No words: every row, with no score."""
    return Match(lambda stmt: stmt, literal_column("0"), sqlite=dialect == "sqlite")
