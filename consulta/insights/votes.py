"""Opinion groups of a consultation's votes: read as a stream of rows, analysed, kept small.

Votes are read with a Core select of three columns and ``yield_per`` (a server-side cursor on
PostgreSQL), in batches of STREAM_BATCH rows, straight into :func:`analysis.analyze_votes`, which turns
them into arrays a chunk at a time: no ORM object and no Python tuple per vote is kept. Participants enter
the analysis by account id; the result keeps no per-participant data (neither the map's points nor the
groups' members), so what a run stores stays a few kilobytes whatever the number of voters.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, select, type_coerce

import analysis
from consulta.extensions import db
from consulta.models import Article, Vote

log = logging.getLogger(__name__)

STREAM_BATCH = 10_000
STAGES = {
    "read": _l("grupos de opinião: lendo os votos"),
    "project": _l("grupos de opinião: mapa de opiniões"),
    "cluster": _l("grupos de opinião: agrupando"),
    "describe": _l("grupos de opinião: descrevendo"),
    "points": _l("grupos de opinião: descrevendo"),
    "done": _l("grupos de opinião: concluído"),
}
FAILED = _l("Não foi possível calcular os grupos de opinião com os votos atuais.")


def vote_rows(consultation_id: int) -> Iterator[tuple[int, int, str]]:
    """(account id, article id, value) of every vote by an account on the consultation, streamed in id order."""
    query = (
        select(Vote.user_id, Vote.article_id, type_coerce(Vote.value, String))
        .join(Article, Article.id == Vote.article_id)
        .where(Article.consultation_id == consultation_id, Vote.user_id.is_not(None))
        .order_by(Vote.id)
        .execution_options(yield_per=STREAM_BATCH)
    )
    for batch in db.session.execute(query).partitions():
        yield from batch


def opinion_groups(consultation_id: int, *, seed: int = 0,
                   progress: Callable[[float, str], None] | None = None) -> dict[str, Any] | None:
    """Opinion groups from the consultation's votes, recommendations labelled; None when nobody voted.

    ``progress(fraction, stage)`` gets the engine's stages in Portuguese; it is never called while the
    votes are being read, so it may commit the session.
    """
    voted = db.session.scalar(
        select(Vote.id).join(Article, Article.id == Vote.article_id)
        .where(Article.consultation_id == consultation_id, Vote.user_id.is_not(None)).limit(1)
    )
    if voted is None:
        return None
    labels = dict(db.session.execute(
        select(Article.id, Article.label).where(Article.consultation_id == consultation_id)
    ).all())
    report = None if progress is None else (lambda fraction, stage: progress(fraction, str(STAGES.get(stage, stage))))
    try:
        result = analysis.analyze_votes(vote_rows(consultation_id), seed=seed, progress=report)
    except Exception:  # noqa: BLE001 - a failed opinion analysis must not fail the run or the downloads
        log.exception("opinion groups for consultation %s failed", consultation_id)
        db.session.rollback()
        return {"error": str(FAILED), "groups": []}
    return summary(result, labels)


def summary(result: analysis.OpinionResult, labels: dict[Any, str]) -> dict[str, Any]:
    """The result as JSON-ready data without per-participant data, each recommendation with its label."""

    def labelled(item: Any) -> dict[str, Any]:
        data = item.to_dict()
        data["label"] = labels.get(data["recommendation_id"], str(data["recommendation_id"]))
        return data

    return {
        "participants": result.participants,
        "fitted_participants": result.fitted_participants,
        "recommendations": result.recommendations,
        "votes": result.votes,
        "k": result.k,
        "k_scores": result.k_scores,
        "explained_variance": result.explained_variance,
        "groups": [{"id": g.id, "size": g.size, "representative": [labelled(r) for r in g.representative]}
                   for g in result.groups],
        "consensus": [labelled(s) for s in result.consensus],
        "divisive": [labelled(s) for s in result.divisive],
        "run": result.run.to_dict(),
    }
