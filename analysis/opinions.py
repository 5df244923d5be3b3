"""Opinion groups from votes on recommendations, after the published Pol.is method.

Implemented from the method's description (Small et al., "Polis: Scaling Deliberation by Mapping High
Dimensional Opinion Spaces", 2021, and the Pol.is documentation), not from its code:

- A participant × recommendation matrix holds agree = +1, disagree = −1, abstain = 0; a recommendation a
  participant never saw is missing and imputed with the recommendation's mean vote, so it neither pulls
  the participant towards agreement nor towards disagreement.
- Only participants with at least ``min_votes`` votes (7, as in Pol.is, or every recommendation when
  there are fewer) shape the map: a participant with two votes says little about where opinions split.
  Everyone is projected onto it, and those not fitted join the nearest group without counting in its
  statistics (``fitted=False``).
- PCA to two components (SVD of the centred matrix; the sign of each component is fixed so that its
  largest loading is positive, which makes the map deterministic). Projections are scaled by
  √(recommendations / votes cast), as Pol.is does, so that a participant who voted on a few
  recommendations is not squeezed towards the centre by the imputed means.
- k-means on the 2-D map with k from 2 to 5, the k with the best silhouette winning (ties to fewer groups).
- Rates are Laplace-smoothed, (agree + 1) / (votes + 2), so one vote never reads as 100%.
- Consensus: a recommendation whose smoothed agree (or disagree) rate reaches ``consensus_threshold`` in
  every group, ranked by the product of the groups' rates ("group-informed consensus").
- Divisive: recommendations whose agree rate differs most between groups (max − min over groups, at
  least ``divisive_min_spread``).
- Representative recommendations of a group: those where the group's agree (or disagree) rate exceeds the
  rest's the most, kept when a two-proportion z-test gives z ≥ 1.2816 (90% one-sided, the Pol.is level).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from typing import Literal

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from analysis.result import (
    OpinionGroup,
    OpinionResult,
    ParticipantPoint,
    RecommendationStanding,
    RecordId,
    RepresentativeRecommendation,
    RunInfo,
    library_versions,
)

VOTE_VALUES = {"agree": 1.0, "disagree": -1.0, "abstain": 0.0}
Z_90 = 1.2816


def _matrix(
    votes: Iterable[tuple[RecordId, RecordId, str]],
) -> tuple[list[RecordId], list[RecordId], np.ndarray]:
    """Build the participant × recommendation matrix, NaN where no vote was cast (the last vote counts)."""
    participants: dict[RecordId, int] = {}
    recommendations: dict[RecordId, int] = {}
    cells: dict[tuple[int, int], float] = {}
    for participant, recommendation, value in votes:
        if value not in VOTE_VALUES:
            raise ValueError(f"vote value must be one of {sorted(VOTE_VALUES)}, not {value!r}")
        p = participants.setdefault(participant, len(participants))
        r = recommendations.setdefault(recommendation, len(recommendations))
        cells[p, r] = VOTE_VALUES[value]
    matrix = np.full((len(participants), len(recommendations)), np.nan)
    for (p, r), value in cells.items():
        matrix[p, r] = value
    return list(participants), list(recommendations), matrix


def _project(matrix: np.ndarray, fitted: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Fit PCA on the fitted rows (missing votes imputed) and project every row to 2-D, Pol.is-scaled."""
    n, m = matrix.shape
    coords = np.zeros((n, 2))
    if not fitted.any() or m == 0:
        return coords, [0.0, 0.0]
    counts = (~np.isnan(matrix[fitted])).sum(axis=0)
    sums = np.nansum(matrix[fitted], axis=0)
    means = np.divide(sums, counts, out=np.zeros(m), where=counts > 0)
    filled = np.where(np.isnan(matrix), means, matrix) - means
    _, singular, components = np.linalg.svd(filled[fitted], full_matrices=False)
    components = components[:2]
    signs = np.sign(components[np.arange(len(components)), np.abs(components).argmax(axis=1)])
    components *= np.where(signs == 0, 1, signs)[:, None]
    projected = filled @ components.T
    cast = (~np.isnan(matrix)).sum(axis=1)
    scale = np.sqrt(np.divide(m, cast, out=np.zeros(n), where=cast > 0))
    coords[:, : projected.shape[1]] = projected * scale[:, None]
    variance = singular**2
    ratios = variance[:2] / variance.sum() if variance.sum() > 0 else np.zeros(min(2, len(variance)))
    return coords, [round(float(r), 6) for r in ratios] + [0.0] * (2 - len(ratios))


def _groups(
    points: np.ndarray, max_groups: int, seed: int
) -> tuple[np.ndarray, np.ndarray, dict[int, float]]:
    """Cluster 2-D points (k in 2..max_groups, best silhouette); return labels, centres, scores."""
    n = len(points)
    if n == 0:
        return np.zeros(0, dtype=np.intp), np.zeros((0, 2)), {}
    distinct = len(np.unique(np.round(points, 9), axis=0))
    models = {
        k: KMeans(n_clusters=k, n_init=10, random_state=seed).fit(points)
        for k in range(2, min(max_groups, n - 1, distinct) + 1)
    }
    scores = {k: float(silhouette_score(points, model.labels_)) for k, model in models.items()}
    if not scores:
        return np.zeros(n, dtype=np.intp), points.mean(axis=0, keepdims=True), scores
    best = models[max(scores, key=lambda k: (round(scores[k], 9), -k))]
    labels, centres = best.labels_, best.cluster_centers_
    order = sorted(range(len(centres)), key=lambda g: (-int((labels == g).sum()), g))
    return np.argsort(order)[labels], centres[order], scores


def _tallies(matrix: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count agree, disagree and all votes per recommendation over the given rows."""
    block = matrix[rows]
    return (block == 1).sum(axis=0), (block == -1).sum(axis=0), (~np.isnan(block)).sum(axis=0)


def _z(hits: float, total: float, rest_hits: float, rest_total: float) -> float:
    """Two-proportion z statistic of hits/total against rest_hits/rest_total."""
    if total == 0 or rest_total == 0:
        return 0.0
    pooled = (hits + rest_hits) / (total + rest_total)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / total + 1 / rest_total))
    return 0.0 if spread == 0 else (hits / total - rest_hits / rest_total) / spread


def _representative(
    matrix: np.ndarray, members: np.ndarray, rest: np.ndarray, recommendations: list[RecordId], top: int
) -> list[RepresentativeRecommendation]:
    """Find the recommendations on which a group's votes differ most from everyone else's."""
    agree, disagree, total = _tallies(matrix, members)
    rest_agree, rest_disagree, rest_total = _tallies(matrix, rest)
    found = []
    for r, recommendation in enumerate(recommendations):
        directions: tuple[tuple[Literal["agree", "disagree"], int, int], ...] = (
            ("agree", agree[r], rest_agree[r]),
            ("disagree", disagree[r], rest_disagree[r]),
        )
        for direction, hits, rest_hits in directions:
            rate = float((hits + 1) / (total[r] + 2))
            rest_rate = float((rest_hits + 1) / (rest_total[r] + 2))
            z = _z(float(hits), float(total[r]), float(rest_hits), float(rest_total[r]))
            if rate > rest_rate and z >= Z_90:
                found.append(
                    RepresentativeRecommendation(
                        recommendation_id=recommendation,
                        direction=direction,
                        group_rate=round(rate, 4),
                        rest_rate=round(rest_rate, 4),
                        difference=round(rate - rest_rate, 4),
                        z=round(z, 4),
                    )
                )
    found.sort(key=lambda item: (-item.difference, -item.z))
    return found[:top]


def analyze_votes(
    votes: Iterable[tuple[RecordId, RecordId, str]],
    *,
    seed: int = 0,
    min_votes: int = 7,
    max_groups: int = 5,
    consensus_threshold: float = 0.6,
    divisive_min_spread: float = 0.3,
    top: int = 5,
) -> OpinionResult:
    """Find opinion groups in (participant, recommendation, 'agree'|'disagree'|'abstain') votes."""
    with threadpool_limits(limits=1):
        return _analyze_votes(
            votes,
            seed=seed,
            min_votes=min_votes,
            max_groups=max_groups,
            consensus_threshold=consensus_threshold,
            divisive_min_spread=divisive_min_spread,
            top=top,
        )


def _analyze_votes(
    votes: Iterable[tuple[RecordId, RecordId, str]],
    *,
    seed: int,
    min_votes: int,
    max_groups: int,
    consensus_threshold: float,
    divisive_min_spread: float,
    top: int,
) -> OpinionResult:
    """Do the work of :func:`analyze_votes` (single-threaded, see :mod:`analysis.pipeline`)."""
    began = time.perf_counter()
    participants, recommendations, matrix = _matrix(votes)
    n, m = matrix.shape
    cast = (~np.isnan(matrix)).sum(axis=1)
    fitted = cast >= min(min_votes, m) if m else np.zeros(n, dtype=bool)
    coords, explained = _project(matrix, fitted)
    fitted_idx = np.flatnonzero(fitted)
    labels, centres, k_scores = _groups(coords[fitted_idx], max_groups, seed)
    group_of = np.full(n, -1, dtype=np.intp)
    group_of[fitted_idx] = labels
    others = np.flatnonzero(~fitted)
    if len(centres) and len(others):
        distances = ((coords[others, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        group_of[others] = distances.argmin(axis=1)
    k = len(centres)
    agree_rates, disagree_rates = np.zeros((k, m)), np.zeros((k, m))
    groups = []
    for g in range(k):
        members = fitted_idx[labels == g]
        rest = fitted_idx[labels != g]
        agree, disagree, total = _tallies(matrix, members)
        agree_rates[g], disagree_rates[g] = (agree + 1) / (total + 2), (disagree + 1) / (total + 2)
        groups.append(
            OpinionGroup(
                id=g + 1,
                size=len(members),
                participant_ids=[participants[i] for i in members],
                representative=_representative(matrix, members, rest, recommendations, top)
                if len(rest)
                else [],
            )
        )

    def standing(
        r: int, score: float, direction: Literal["agree", "disagree"] | None
    ) -> RecommendationStanding:
        """Describe how the groups voted on recommendation ``r``."""
        return RecommendationStanding(
            recommendation_id=recommendations[r],
            direction=direction,
            votes=int((~np.isnan(matrix[:, r])).sum()),
            agree_rates={str(g + 1): round(float(agree_rates[g, r]), 4) for g in range(k)},
            disagree_rates={str(g + 1): round(float(disagree_rates[g, r]), 4) for g in range(k)},
            score=round(score, 4),
        )

    consensus = []
    if k:
        for direction, rates in (("agree", agree_rates), ("disagree", disagree_rates)):
            for r in np.flatnonzero(rates.min(axis=0) >= consensus_threshold):
                consensus.append(standing(int(r), float(np.prod(rates[:, r])), direction))
    consensus.sort(key=lambda s: -s.score)
    spread = agree_rates.max(axis=0) - agree_rates.min(axis=0) if k > 1 else np.zeros(m)
    divisive = [
        standing(int(r), float(spread[r]), None)
        for r in np.argsort(-spread, kind="stable")
        if spread[r] >= divisive_min_spread
    ]
    points = [
        ParticipantPoint(
            participant_id=participants[i],
            x=round(float(coords[i, 0]), 4),
            y=round(float(coords[i, 1]), 4),
            group=int(group_of[i]) + 1 if group_of[i] >= 0 else None,
            fitted=bool(fitted[i]),
            votes=int(cast[i]),
        )
        for i in range(n)
    ]
    parameters = {
        "min_votes": min_votes,
        "max_groups": max_groups,
        "consensus_threshold": consensus_threshold,
        "divisive_min_spread": divisive_min_spread,
        "top": top,
    }
    return OpinionResult(
        participants=n,
        fitted_participants=int(fitted.sum()),
        recommendations=m,
        votes=int(cast.sum()),
        k=k,
        k_scores={str(kk): round(v, 6) for kk, v in k_scores.items()},
        explained_variance=explained,
        groups=groups,
        consensus=consensus,
        divisive=divisive,
        points=points,
        run=RunInfo(
            parameters=parameters,
            seed=seed,
            versions=library_versions(),
            timings={"total": round(time.perf_counter() - began, 4)},
        ),
    )
