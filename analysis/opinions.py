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

Scale: votes are read CHUNK at a time into arrays. Up to EXACT_MAX_PARTICIPANTS the steps above run on a
dense matrix (the exact path). Above, the fast path runs the same steps without one: centred after
imputation the matrix is sparse, its PCA comes from the recommendation × recommendation Gram matrix (or
ARPACK), k is chosen by the silhouette of a seeded sample of SILHOUETTE_SAMPLE points, and above
MINIBATCH_ABOVE points k-means is MiniBatchKMeans, the winner polished by full k-means steps.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from typing import Any, Literal

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import svds
from sklearn import config_context
from sklearn.cluster import KMeans, MiniBatchKMeans
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
VOTE_CODES = {name: int(value) for name, value in VOTE_VALUES.items()}
Z_90 = 1.2816
CHUNK = 65_536  # votes turned into arrays at a time, so an iterator of votes is never held as tuples
# The exact path (dense matrix, full SVD, k-means with silhouette over every point) runs up to this size.
EXACT_MAX_PARTICIPANTS = 5_000
EXACT_MAX_CELLS = 5_000_000
SILHOUETTE_SAMPLE = 5_000  # fitted points whose silhouette chooses k on the fast path (seeded sample)
SILHOUETTE_MEMORY_MB = 64
MINIBATCH_ABOVE = 50_000  # fitted points above which the fast path clusters with MiniBatchKMeans
MINIBATCH_SIZE = 4_096
MINIBATCH_TOL = 1e-5  # stop on small centre moves: the winner is polished on every point anyway
GRAM_MAX_RECOMMENDATIONS = 2_000  # above this many, the fast path's PCA uses ARPACK (svds) instead


@dataclass
class _Votes:
    """Votes as arrays: one entry per (participant, recommendation) pair, the last vote, sorted by row."""

    participants: list[RecordId]
    recommendations: list[RecordId]
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray  # int8: 1 agree, -1 disagree, 0 abstain

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.participants), len(self.recommendations)


def _id_array(ids: list) -> np.ndarray:
    """A chunk of ids as an int64 or str array, or an object array when they are of mixed kinds."""
    try:
        array = np.array(ids)
    except (OverflowError, ValueError):
        return np.fromiter(ids, dtype=object, count=len(ids))
    if array.dtype.kind in "iu" and array.ndim == 1:
        return array.astype(np.int64, copy=False)
    if array.dtype.kind == "U" and array.ndim == 1 and set(map(type, ids)) == {str}:
        return array
    return np.fromiter(ids, dtype=object, count=len(ids))


def _concatenate(chunks: list[np.ndarray]) -> np.ndarray:
    """Join id chunks; kinds that differ between chunks (ints and strs) fall back to objects."""
    if not chunks:
        return np.zeros(0, dtype=np.int64)
    if len({c.dtype.kind for c in chunks}) > 1:
        chunks = [c.astype(object) for c in chunks]
    return np.concatenate(chunks)


def _factorize(ids: np.ndarray) -> tuple[list[RecordId], np.ndarray]:
    """Distinct ids in order of first appearance, and each entry's index among them."""
    if ids.dtype == object:  # mixed kinds of ids: numpy cannot sort them, so hash them (rare, small inputs)
        index: dict[RecordId, int] = {}
        codes = np.fromiter((index.setdefault(i, len(index)) for i in ids), np.int64, len(ids))
        return list(index), codes
    distinct, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[order] = np.arange(len(distinct))
    return distinct[order].tolist(), rank[inverse.reshape(-1)]


def _read(votes: Iterable[tuple[RecordId, RecordId, str]]) -> _Votes:
    """Turn (participant, recommendation, value) votes into arrays, CHUNK votes at a time (the last vote counts)."""
    people, items, values = [], [], []
    iterator = iter(votes)
    while chunk := list(islice(iterator, CHUNK)):
        p, r, v = (list(map(itemgetter(i), chunk)) for i in range(3))
        del chunk
        try:
            values.append(np.fromiter(map(VOTE_CODES.__getitem__, v), np.int8, len(v)))
        except KeyError as error:
            raise ValueError(f"vote value must be one of {sorted(VOTE_VALUES)}, not {error.args[0]!r}") from None
        people.append(_id_array(p))
        items.append(_id_array(r))
    participants, rows = _factorize(_concatenate(people))
    del people
    recommendations, cols = _factorize(_concatenate(items))
    del items
    value = np.concatenate(values) if values else np.zeros(0, dtype=np.int8)
    m = max(len(recommendations), 1)
    key = rows * m + cols
    if len(key) > 1 and not (key[1:] > key[:-1]).all():  # unsorted or repeated pairs: sort, keep the last
        order = np.argsort(key, kind="stable")
        last = np.ones(len(order), dtype=bool)
        last[:-1] = key[order[1:]] != key[order[:-1]]
        keep = order[last]
        rows, cols, value = rows[keep], cols[keep], value[keep]
    index_type = np.int32 if max(len(participants), m) < 2**31 else np.int64
    return _Votes(participants, recommendations, rows.astype(index_type), cols.astype(index_type), value)


def _dense(votes: _Votes) -> np.ndarray:
    """The participant × recommendation matrix of the exact path, NaN where no vote was cast."""
    matrix = np.full(votes.shape, np.nan)
    matrix[votes.rows, votes.cols] = votes.values
    return matrix


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


def _project_sparse(votes: _Votes, fitted: np.ndarray, seed: int) -> tuple[np.ndarray, list[float]]:
    """The same PCA without a dense matrix: imputing the mean and centring leave a sparse matrix.

    A missing vote imputed with its recommendation's mean is zero once centred, so the centred matrix has
    an entry only where a vote was cast (value − mean). Its two leading right singular vectors come from
    the small recommendation × recommendation Gram matrix (or ARPACK when there are many recommendations).
    """
    n, m = votes.shape
    coords = np.zeros((n, 2))
    if not fitted.any() or m == 0:
        return coords, [0.0, 0.0]
    voted_by_fitted = fitted[votes.rows]
    fitted_cols = votes.cols[voted_by_fitted]
    counts = np.bincount(fitted_cols, minlength=m)
    sums = np.bincount(fitted_cols, weights=votes.values[voted_by_fitted], minlength=m)
    means = np.divide(sums, counts, out=np.zeros(m), where=counts > 0)
    cast = np.bincount(votes.rows, minlength=n)
    indptr = np.concatenate([[0], np.cumsum(cast)])
    centred = sparse.csr_matrix((votes.values - means[votes.cols], votes.cols, indptr), shape=(n, m))
    train = centred if fitted.all() else centred[np.flatnonzero(fitted)]
    total = float(train.multiply(train).sum())
    if m <= GRAM_MAX_RECOMMENDATIONS or min(train.shape) <= 3:
        eigenvalues, vectors = np.linalg.eigh((train.T @ train).toarray())
        top = np.argsort(-eigenvalues, kind="stable")[: min(2, m, train.shape[0])]
        variance, components = np.clip(eigenvalues[top], 0, None), vectors[:, top].T
    else:
        v0 = np.random.default_rng(seed).uniform(-1, 1, min(train.shape))
        _, singular, components = svds(train, k=2, v0=v0)
        top = np.argsort(-singular, kind="stable")
        variance, components = singular[top] ** 2, components[top]
    signs = np.sign(components[np.arange(len(components)), np.abs(components).argmax(axis=1)])
    components = components * np.where(signs == 0, 1, signs)[:, None]
    projected = centred @ components.T
    scale = np.sqrt(np.divide(m, cast, out=np.zeros(n), where=cast > 0))
    coords[:, : projected.shape[1]] = projected * scale[:, None]
    ratios = variance / total if total > 0 else np.zeros(len(variance))
    return coords, [round(float(r), 6) for r in ratios] + [0.0] * (2 - len(ratios))


def _ordered(labels: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Renumber groups largest first (ties by the model's order)."""
    sizes = np.bincount(labels, minlength=len(centres))
    order = sorted(range(len(centres)), key=lambda g: (-int(sizes[g]), g))
    return np.argsort(order)[labels], centres[order]


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
    labels, centres = _ordered(best.labels_, best.cluster_centers_)
    return labels, centres, scores


def _groups_fast(
    points: np.ndarray, max_groups: int, seed: int, minibatch_above: int
) -> tuple[np.ndarray, np.ndarray, dict[int, float]]:
    """Like :func:`_groups`, but silhouette on a seeded sample and MiniBatchKMeans for many points."""
    n = len(points)
    if n == 0:
        return np.zeros(0, dtype=np.intp), np.zeros((0, 2)), {}
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n, SILHOUETTE_SAMPLE, replace=False)) if n > SILHOUETTE_SAMPLE else np.arange(n)
    distinct = len(np.unique(np.round(points[sample], 9), axis=0))
    if distinct < max_groups and len(sample) < n:
        distinct = len(np.unique(np.round(points, 9), axis=0))
    models, scores = {}, {}
    for k in range(2, min(max_groups, n - 1, distinct) + 1):
        if n > minibatch_above:  # labels of the sample only; the winner is polished on every point below
            model = MiniBatchKMeans(
                n_clusters=k, n_init=3, batch_size=MINIBATCH_SIZE, tol=MINIBATCH_TOL, random_state=seed,
                compute_labels=False,
            ).fit(points)
            sampled = model.predict(points[sample])
        else:
            model = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(points)
            sampled = model.labels_[sample]
        models[k] = model
        if len(np.unique(sampled)) < 2:
            scores[k] = -1.0
            continue
        with config_context(working_memory=SILHOUETTE_MEMORY_MB):  # distances in small blocks, not 1 GB
            scores[k] = float(silhouette_score(points[sample], sampled))
    if not scores:
        return np.zeros(n, dtype=np.intp), points.mean(axis=0, keepdims=True), scores
    best = models[max(scores, key=lambda k: (round(scores[k], 9), -k))]
    if isinstance(best, MiniBatchKMeans):  # polish the mini-batch centres with full k-means steps
        best = KMeans(n_clusters=best.n_clusters, init=best.cluster_centers_, n_init=1).fit(points)
    labels, centres = _ordered(best.labels_, best.cluster_centers_)
    return labels, centres, scores


def _tallies(votes: _Votes, group_of: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count agree, disagree and all votes per group (rows) and recommendation (columns)."""
    m = len(votes.recommendations)
    group = group_of[votes.rows]
    counted = group >= 0
    cell = group[counted].astype(np.int64) * m + votes.cols[counted]
    value = votes.values[counted]
    size = k * m

    def count(cells: np.ndarray) -> np.ndarray:
        return np.bincount(cells, minlength=size).reshape(k, m)

    return count(cell[value == 1]), count(cell[value == -1]), count(cell)


def _z(hits: float, total: float, rest_hits: float, rest_total: float) -> float:
    """Two-proportion z statistic of hits/total against rest_hits/rest_total."""
    if total == 0 or rest_total == 0:
        return 0.0
    pooled = (hits + rest_hits) / (total + rest_total)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / total + 1 / rest_total))
    return 0.0 if spread == 0 else (hits / total - rest_hits / rest_total) / spread


def _representative(
    tallies: tuple[np.ndarray, ...], rest: tuple[np.ndarray, ...], recommendations: list[RecordId], top: int
) -> list[RepresentativeRecommendation]:
    """Find the recommendations on which a group's votes differ most from everyone else's."""
    agree, disagree, total = tallies
    rest_agree, rest_disagree, rest_total = rest
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
    progress: Callable[[float, str], None] | None = None,
) -> OpinionResult:
    """Find opinion groups in (participant, recommendation, 'agree'|'disagree'|'abstain') votes.

    ``votes`` may be any iterable (a generator streaming rows from a database is read CHUNK votes at a
    time). Up to EXACT_MAX_PARTICIPANTS participants the exact path runs; above, the fast path.
    ``progress(fraction, stage)`` is called as each stage starts (read, project, cluster, describe) and
    with 1.0 at the end, never while ``votes`` is being read.
    """
    return _analyze(
        votes,
        progress=progress,
        seed=seed,
        min_votes=min_votes,
        max_groups=max_groups,
        consensus_threshold=consensus_threshold,
        divisive_min_spread=divisive_min_spread,
        top=top,
    )


def _analyze(
    votes: Iterable[tuple[RecordId, RecordId, str]],
    *,
    method: Literal["auto", "exact", "fast"] = "auto",
    minibatch_above: int = MINIBATCH_ABOVE,
    **options: Any,
) -> OpinionResult:
    """Run :func:`analyze_votes` single-threaded (see :mod:`analysis.pipeline`), choosing or forcing a path."""
    with threadpool_limits(limits=1):
        return _analyze_votes(votes, method=method, minibatch_above=minibatch_above, **options)


def _analyze_votes(
    votes: Iterable[tuple[RecordId, RecordId, str]],
    *,
    method: Literal["auto", "exact", "fast"],
    minibatch_above: int,
    seed: int,
    min_votes: int,
    max_groups: int,
    consensus_threshold: float,
    divisive_min_spread: float,
    top: int,
    progress: Callable[[float, str], None] | None = None,
) -> OpinionResult:
    """Do the work of :func:`analyze_votes`."""
    began = time.perf_counter()
    timings: dict[str, float] = {}
    starts = {"project": 0.5, "cluster": 0.6, "describe": 0.9, "points": 0.95}

    def lap(stage: str, since: float, following: str | None = None) -> float:
        now = time.perf_counter()
        timings[stage] = round(now - since, 4)
        if progress is not None and following is not None:
            progress(starts[following], following)
        return now

    if progress is not None:
        progress(0.0, "read")
    data = _read(votes)
    participants, recommendations = data.participants, data.recommendations
    n, m = data.shape
    if method == "auto":
        method = "exact" if n <= EXACT_MAX_PARTICIPANTS and n * m <= EXACT_MAX_CELLS else "fast"
    cast = np.bincount(data.rows, minlength=n)
    fitted = cast >= min(min_votes, m) if m else np.zeros(n, dtype=bool)
    mark = lap("read", began, "project")
    if method == "exact":
        coords, explained = _project(_dense(data), fitted)
    else:
        coords, explained = _project_sparse(data, fitted, seed)
    mark = lap("project", mark, "cluster")
    fitted_idx = np.flatnonzero(fitted)
    if method == "exact":
        labels, centres, k_scores = _groups(coords[fitted_idx], max_groups, seed)
    else:
        labels, centres, k_scores = _groups_fast(coords[fitted_idx], max_groups, seed, minibatch_above)
    mark = lap("cluster", mark, "describe")
    k = len(centres)
    group_of = np.full(n, -1, dtype=np.intp)
    group_of[fitted_idx] = labels
    agree, disagree, total = _tallies(data, group_of, k)
    others = np.flatnonzero(~fitted)
    if k and len(others):
        distances = ((coords[others, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        group_of[others] = distances.argmin(axis=1)
    all_agree, all_disagree, all_total = agree.sum(axis=0), disagree.sum(axis=0), total.sum(axis=0)
    agree_rates, disagree_rates = (agree + 1) / (total + 2), (disagree + 1) / (total + 2)
    ids = np.fromiter(participants, dtype=object, count=n)
    groups = []
    for g in range(k):
        members = fitted_idx[labels == g]
        rest = (all_agree - agree[g], all_disagree - disagree[g], all_total - total[g])
        groups.append(
            OpinionGroup(
                id=g + 1,
                size=len(members),
                participant_ids=ids[members].tolist(),
                representative=_representative((agree[g], disagree[g], total[g]), rest, recommendations, top)
                if len(members) < len(fitted_idx)
                else [],
            )
        )
    votes_on = np.bincount(data.cols, minlength=m)
    del data

    def standing(
        r: int, score: float, direction: Literal["agree", "disagree"] | None
    ) -> RecommendationStanding:
        """Describe how the groups voted on recommendation ``r``."""
        return RecommendationStanding(
            recommendation_id=recommendations[r],
            direction=direction,
            votes=int(votes_on[r]),
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
    mark = lap("describe", mark, "points")
    if method == "exact":
        xs, ys = ([round(v, 4) for v in column] for column in coords.T.tolist())
    else:  # numpy's rounding (x·10⁴, to even, ÷10⁴) may differ from round()'s in the last digit; 3× faster
        xs, ys = np.round(coords, 4).T.tolist()
    points = [
        ParticipantPoint(pid, x, y, g if g > 0 else None, f, c)
        for pid, x, y, g, f, c in zip(
            participants,
            xs,
            ys,
            (group_of + 1).tolist(),
            fitted.tolist(),
            cast.tolist(),
            strict=True,
        )
    ]
    lap("points", mark)
    parameters = {
        "min_votes": min_votes,
        "max_groups": max_groups,
        "consensus_threshold": consensus_threshold,
        "divisive_min_spread": divisive_min_spread,
        "top": top,
        "method": method,
    }
    timings["total"] = round(time.perf_counter() - began, 4)
    if progress is not None:
        progress(1.0, "done")
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
            timings=timings,
        ),
    )
