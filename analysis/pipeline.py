"""The contribution pipeline: mask, find copies and campaigns, cluster each group, label, quote, count.

Stages and the choices that are made here (the others live in the module of each stage):

1. *mask* — every text is masked (:func:`analysis.normalize.mask_personal_data`) before anything else, so
   no later stage can leak personal data into a label, quote or export.
2. *duplicates* — texts with the same :func:`~analysis.normalize.duplicate_key` are exact copies; distinct
   keys are then joined into near-duplicate groups (:mod:`analysis.duplicates`). Detection runs over the
   whole input, even when clustering is per article, because a campaign often targets several articles.
   A duplicate group is a *campaign* when its number of records reaches
   ``max(campaign_min_copies, ceil(campaign_min_share · N))`` — 5 copies or 1% of N, whichever is larger —
   where N is the number of records on the group's most common article (the whole input when records
   carry no article): five identical texts are notable on a quiet article, while on an article with 2,000
   contributions it takes 20. Texts of fewer than ``campaign_min_words`` words ("Concordo.") are never
   campaigns: many people writing the same short word is not coordination. Campaigns are reported on
   their own and stay in every count.
3. *cluster* — within each group (one per article with ``group_by='article'``, else the whole input)
   each duplicate group becomes one *unit* whose text is its most frequent variant and whose k-means
   weight is its number of copies (records, not head counts: a workshop's head count is reported as
   weighted size but does not make its wording more central). See :mod:`analysis.cluster`.
4. *Outros* — clusters with fewer records than ``max(min_cluster_size, min_cluster_share · group size)``
   are gathered into one "Outros" cluster together with texts that have no usable word (empty, emoji,
   only stop words), unless every cluster is that small (then nothing would be left to read).
5. *coherence* — each cluster's weighted mean cosine to its centroid; with three clusters or more, one
   below 0.75 × the median cluster's is labelled "Diversos — baixa coesão" (its phrase and terms kept), so
   a drafting team never reads a catch-all under a confident label.
6. *labels*, *quotes* — see :mod:`analysis.labels`; themes get c-TF-IDF labels over their sub-themes.

Threads: the run is single-threaded (BLAS and OpenMP limited to one thread). On a 2-core server shared
with the web app, OpenBLAS and scikit-learn's OpenMP threads busy-wait on each other and k-means ran up to
ten times slower; one thread is also what makes results identical on machines with different core counts.

Ids: clusters and themes are numbered from 1 across all groups, largest first within a group, "Outros"
last; duplicate groups and campaigns are numbered from 1, largest first. Progress is reported as
``progress(fraction, stage)`` with a non-decreasing fraction from 0 to 1.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from analysis import cluster as clustering
from analysis import embeddings as extra
from analysis.duplicates import near_duplicate_groups
from analysis.labels import LABEL_TEXTS, LabelCorpus, label_from_terms, representative_indices
from analysis.normalize import duplicate_key, mask_personal_data, segments, truncate
from analysis.result import (
    UNKNOWN,
    AnalysisResult,
    Assignment,
    Campaign,
    Cluster,
    GroupAnalysis,
    Quote,
    Record,
    RunInfo,
    Theme,
    library_versions,
)

Progress = Callable[[float, str], None]
GROUPABLE = ("article", "stance", "channel", "uf", "author_kind")
OTHER_LABEL = "Outros"
LOW_COHERENCE_LABEL = "Diversos — baixa coesão"
LOW_COHERENCE_RATIO = 0.75
LOW_COHERENCE_FROM = 3
QUOTE_CHARS = 500
CAMPAIGN_TEXT_CHARS = 1_000


@dataclass(frozen=True)
class AnalysisParams:
    """Every knob of :func:`analyze_contributions`, recorded in the result."""

    k: int | None = None
    seed: int = 0
    group_by: str | None = None
    stem: bool = True
    max_k: int = 40
    n_components: int = 40
    duplicate_threshold: float = 0.7
    campaign_min_copies: int = 5
    campaign_min_share: float = 0.01
    campaign_min_words: int = 5
    min_cluster_size: int = 3
    min_cluster_share: float = 0.01
    quotes: int = 5
    terms: int = 10
    minibatch_from: int = 20_000
    embeddings: bool = False
    embedding_weight: float = 1.0

    def __post_init__(self) -> None:
        """Reject parameters that cannot work."""
        if self.group_by is not None and self.group_by not in GROUPABLE:
            raise ValueError(f"group_by must be one of {GROUPABLE} or None, not {self.group_by!r}")
        if self.k is not None and self.k < 1:
            raise ValueError("k must be at least 1")
        if not 0 < self.duplicate_threshold <= 1:
            raise ValueError("duplicate_threshold must be in (0, 1]")
        if self.seed < 0:
            raise ValueError("seed must be non-negative")


class _Stages:
    """Time the stages and report progress."""

    def __init__(self, progress: Progress | None) -> None:
        """Start with no time spent."""
        self.progress = progress
        self.timings: Counter[str] = Counter()

    def report(self, fraction: float, stage: str) -> None:
        """Tell the caller how far the run is."""
        if self.progress is not None:
            self.progress(min(1.0, fraction), stage)

    @contextmanager
    def stage(self, name: str, start: float, end: float) -> Iterator[None]:
        """Run one stage between two progress fractions, adding its wall time to the timings."""
        self.report(start, name)
        began = time.perf_counter()
        yield
        self.timings[name] += time.perf_counter() - began
        self.report(end, name)


def _mix(values: Iterable[object]) -> dict[str, int]:
    """Count values, most frequent first, missing ones as 'unknown'."""
    counts = Counter(UNKNOWN if v is None or v == "" else str(v) for v in values)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


@dataclass
class _Prepared:
    """The input after masking and duplicate detection."""

    records: list[Record]
    masked: list[str]
    key_of: list[int]  # index into distinct keys, -1 for texts without words
    keys: list[str]
    duplicate_of: list[int | None]  # duplicate group id per record
    campaign_of: list[int | None]
    duplicate_groups: int
    distinct_texts: int
    campaign_members: dict[int, list[int]]


def _prepare(records: list[Record], params: AnalysisParams, stages: _Stages) -> _Prepared:
    """Mask texts, merge exact copies, find near-duplicate groups and campaigns."""
    with stages.stage("mask", 0.0, 0.05):
        masked = [mask_personal_data(r.text or "") for r in records]
        key_index: dict[str, int] = {}
        key_of = []
        for text in masked:
            key = duplicate_key(text)
            key_of.append(key_index.setdefault(key, len(key_index)) if key else -1)
        keys = list(key_index)
    with stages.stage("duplicates", 0.05, 0.25):
        near = near_duplicate_groups(keys, threshold=params.duplicate_threshold, seed=params.seed)
        members: dict[int, list[int]] = {}
        for i, key_id in enumerate(key_of):
            if key_id >= 0:
                members.setdefault(int(near[key_id]), []).append(i)
        groups = sorted((m for m in members.values() if len(m) > 1), key=lambda m: (-len(m), m[0]))
        article_sizes = Counter(r.article for r in records)
        duplicate_of: list[int | None] = [None] * len(records)
        campaign_of: list[int | None] = [None] * len(records)
        campaign_members: dict[int, list[int]] = {}
        for group_id, group in enumerate(groups, start=1):
            for i in group:
                duplicate_of[i] = group_id
            article = Counter(records[i].article for i in group).most_common(1)[0][0]
            needed = max(
                params.campaign_min_copies, math.ceil(params.campaign_min_share * article_sizes[article])
            )
            words = len(keys[Counter(key_of[i] for i in group).most_common(1)[0][0]].split())
            if len(group) >= needed and words >= params.campaign_min_words:
                campaign_id = len(campaign_members) + 1
                campaign_members[campaign_id] = group
                for i in group:
                    campaign_of[i] = campaign_id
    distinct = len(set(near.tolist())) + key_of.count(-1)
    return _Prepared(
        records, masked, key_of, keys, duplicate_of, campaign_of, len(groups), distinct, campaign_members
    )


@dataclass
class _Units:
    """The distinct texts of one group: each a duplicate group (or a single record) seen once."""

    records: list[list[int]]  # record indices per unit
    representative: list[int]  # record index whose text stands for the unit
    copies: np.ndarray


def _units(indices: list[int], prep: _Prepared) -> _Units:
    """Collapse the records of one group into units, each represented by its most frequent variant."""
    by_unit: dict[tuple[str, int], list[int]] = {}
    for i in indices:
        group_id, key_id = prep.duplicate_of[i], prep.key_of[i]
        unit = ("dup", group_id) if group_id is not None else ("key", key_id) if key_id >= 0 else ("rec", i)
        by_unit.setdefault(unit, []).append(i)
    members = list(by_unit.values())
    representative = []
    for unit_records in members:
        counts = Counter(prep.key_of[i] for i in unit_records)
        top = max(counts.values())
        representative.append(next(i for i in unit_records if counts[prep.key_of[i]] == top))
    return _Units(members, representative, np.array([len(m) for m in members], dtype=np.float64))


@dataclass
class _Counters:
    """Global numbering of clusters and themes across groups."""

    cluster: int = 0
    theme: int = 0


def _cluster_record(
    cluster_id: int,
    group: str | None,
    theme_id: int | None,
    description: tuple[str, list[str], float, bool],
    units: list[int],
    quotes: list[int],
    ctx: _GroupContext,
) -> Cluster:
    """Describe one cluster from its units; ``description`` is (phrase, terms, coherence, low coherence)."""
    prep, u = ctx.prep, ctx.units
    phrase, terms, cohesion, low = description
    rec_idx = [i for unit in units for i in u.records[unit]]
    records = [prep.records[i] for i in rec_idx]
    size, weighted = len(records), float(sum(r.weight for r in records))
    if theme_id is None:
        label = OTHER_LABEL
    elif low:
        label = LOW_COHERENCE_LABEL
    else:
        label = phrase or label_from_terms(terms)
    return Cluster(
        id=cluster_id,
        group=group,
        theme_id=theme_id,
        label=label,
        phrase=phrase,
        coherence=round(cohesion, 4),
        low_coherence=low,
        terms=terms,
        is_other=theme_id is None,
        size=size,
        weighted_size=weighted,
        share=round(size / ctx.size, 6),
        weighted_share=round(weighted / ctx.weighted_size, 6) if ctx.weighted_size else 0.0,
        distinct_texts=len(units),
        unique_authors=len({r.author_id for r in records if r.author_id is not None}),
        stances=_mix(r.stance for r in records),
        channels=_mix(r.channel for r in records),
        ufs=_mix(r.uf for r in records),
        quotes=[
            Quote(
                record_id=prep.records[u.representative[q]].id,
                text=truncate(prep.masked[u.representative[q]], QUOTE_CHARS),
                copies=int(u.copies[q]),
                score=round(float(ctx.centrality[q]), 4),
            )
            for q in quotes
        ],
        campaign_ids=sorted({c for i in rec_idx if (c := prep.campaign_of[i]) is not None}),
    )


@dataclass
class _GroupContext:
    """What the per-cluster summaries of one group need."""

    prep: _Prepared
    units: _Units
    centrality: np.ndarray
    size: int
    weighted_size: float


def _embed(
    unit_segments: list[list[list[str]]], params: AnalysisParams, embedded: Callable[[np.ndarray], np.ndarray] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Return the vector of every unit (zero when it has no term) and the indices of those with terms.

    The vector is the LSA one, joined with the unit's sentence embedding when ``embedded`` (content unit
    indices -> embedding rows) is given (:mod:`analysis.embeddings`).
    """
    n_units = len(unit_segments)
    matrix = clustering.tfidf(clustering.term_lists(unit_segments, stem_terms=params.stem))
    if matrix is None:
        return np.zeros((n_units, 1), dtype=np.float32), np.zeros(0, dtype=np.intp)
    content = np.flatnonzero(np.diff(matrix.indptr) > 0)
    reduced = clustering.lsa(matrix[content], params.n_components, params.seed)
    if embedded is not None:
        reduced = extra.combine(reduced, embedded(content), params.embedding_weight)
    vectors = np.zeros((n_units, reduced.shape[1]), dtype=np.float32)
    vectors[content] = reduced
    return vectors, content


@dataclass
class _Partition:
    """Units split into kept clusters (largest first) and "Outros", with each unit's centrality."""

    clusters: list[list[int]]
    centroids: np.ndarray
    other: list[int]
    centrality: np.ndarray


def _partition(
    vectors: np.ndarray,
    content: np.ndarray,
    copies: np.ndarray,
    fitted: tuple[np.ndarray, np.ndarray],
    group_size: int,
    params: AnalysisParams,
) -> tuple[_Partition, np.ndarray]:
    """Gather small clusters of a fit (labels of the content units, centroids) and the rest into "Outros".

    Return the partition and the index of each kept cluster in the fit.
    """
    n_units = len(vectors)
    raw = np.full(n_units, -1, dtype=np.intp)
    raw[content], centroids = fitted
    record_counts = np.bincount(raw[raw >= 0], weights=copies[raw >= 0], minlength=len(centroids))
    small = record_counts < max(params.min_cluster_size, params.min_cluster_share * group_size)
    if small.all():
        small[:] = False
    kept = [int(c) for c in np.argsort(-record_counts, kind="stable") if not small[c]]
    clusters = [list(np.flatnonzero(raw == c)) for c in kept]
    other = [u for u in range(n_units) if raw[u] < 0 or small[raw[u]]]
    centrality = np.zeros(n_units, dtype=np.float32)
    for c, members in zip(kept, clusters, strict=True):
        centrality[members] = vectors[members] @ centroids[c]
    if other:
        mean = np.average(vectors[other], axis=0, weights=copies[other])
        norm = np.linalg.norm(mean)
        if norm > 0:
            centrality[other] = vectors[other] @ (mean / norm)
    return _Partition(clusters, centroids[kept], other, centrality), np.array(kept, dtype=np.intp)


def _fit(
    vectors: np.ndarray, copies: np.ndarray, params: AnalysisParams
) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray | None, dict[str, Any]]:
    """Cluster the content units; return (labels, centroids), the theme of each cluster and the k curves.

    With a fixed k the themes come later from Ward linkage on the centroids (theme array None).
    """
    if not len(vectors):
        return (np.zeros(0, dtype=np.intp), np.zeros((0, vectors.shape[1]), dtype=np.float32)), None, {}
    if params.k is not None:
        fitted = clustering.kmeans(
            vectors, copies, params.k, seed=params.seed, minibatch_from=params.minibatch_from
        )
        return fitted, None, {}
    tree = clustering.hierarchy(
        vectors, copies, max_k=params.max_k, seed=params.seed, minibatch_from=params.minibatch_from
    )
    curves = {
        "themes": {str(k): round(v, 4) for k, v in tree.theme_curve.items()},
        "theme_stability": {str(k): round(v, 4) for k, v in tree.theme_stability.items()},
        "subthemes": {
            str(t + 1): {str(k): round(v, 4) for k, v in curve.items()}
            for t, curve in tree.sub_curves.items()
        },
    }
    return (tree.labels, tree.centroids), tree.theme_of, curves


def _analyze_group(
    key: str | None,
    indices: list[int],
    prep: _Prepared,
    params: AnalysisParams,
    counters: _Counters,
    stages: _Stages,
    span: tuple[float, float],
    source: extra.Embeddings | None = None,
) -> tuple[GroupAnalysis, dict[int, tuple[int, int | None, float]]]:
    """Cluster one group of records; return its analysis and (cluster, theme, score) per record index."""
    start, width = span[0], span[1] - span[0]

    def at(fraction: float) -> float:
        """Map a fraction of this group's work to a fraction of the whole run."""
        return start + width * fraction

    with stages.stage("vectorize", at(0.0), at(0.35)):
        units = _units(indices, prep)
        unit_segments = [segments(prep.masked[r]) for r in units.representative]

        def embedded(content: np.ndarray) -> np.ndarray:
            """The sentence embeddings of the given units."""
            chosen = [units.representative[u] for u in content]
            texts = [prep.masked[r] for r in chosen] if callable(source) else []
            return extra.unit_rows(source, chosen, texts)

        vectors, content = _embed(unit_segments, params, None if source is None else embedded)
    with stages.stage("select_k", at(0.35), at(0.6)):
        fitted, fit_themes, curves = _fit(vectors[content], units.copies[content], params)
    with stages.stage("cluster", at(0.6), at(0.7)):
        group_size = len(indices)
        part, kept = _partition(vectors, content, units.copies, fitted, group_size, params)
        if fit_themes is None:
            theme_index = clustering.themes(part.centroids)
        else:
            theme_index = np.unique(fit_themes[kept], return_inverse=True)[1].reshape(-1)
    with stages.stage("labels", at(0.7), at(0.9)):

        def most_central(members: list[int]) -> list[int]:
            """Keep the texts that label a class: the most central ones."""
            return sorted(members, key=lambda u: (-part.centrality[u], u))[:LABEL_TEXTS]

        corpus = LabelCorpus(unit_segments, units.copies)
        classes = [*part.clusters, *([part.other] if part.other else [])]
        cluster_terms = corpus.describe([most_central(m) for m in classes], params.terms)
        theme_members = [
            [u for c, members in enumerate(part.clusters) if theme_index[c] == t for u in members]
            for t in range(len(set(theme_index.tolist())))
        ]
        theme_terms = corpus.describe([most_central(m) for m in theme_members], params.terms)
        cohesion = [clustering.coherence(vectors[m], units.copies[m]) for m in classes]
        median = float(np.median(cohesion[: len(part.clusters)])) if part.clusters else 0.0
        low = [
            c < len(part.clusters)
            and len(part.clusters) >= LOW_COHERENCE_FROM
            and cohesion[c] < LOW_COHERENCE_RATIO * median
            for c in range(len(classes))
        ]
    with stages.stage("describe", at(0.9), at(1.0)):
        ctx = _GroupContext(
            prep, units, part.centrality, group_size, float(sum(prep.records[i].weight for i in indices))
        )
        theme_order = sorted(
            range(len(theme_members)), key=lambda t: (-sum(units.copies[u] for u in theme_members[t]), t)
        )
        theme_ids = {}
        for t in theme_order:
            counters.theme += 1
            theme_ids[t] = counters.theme
        clusters: list[Cluster] = []
        for c, members in enumerate(classes):
            counters.cluster += 1
            picks = representative_indices(vectors[members], part.centrality[members], params.quotes)
            clusters.append(
                _cluster_record(
                    counters.cluster,
                    key,
                    theme_ids[int(theme_index[c])] if c < len(part.clusters) else None,
                    (*cluster_terms[c], cohesion[c], low[c]),
                    members,
                    [members[p] for p in picks],
                    ctx,
                )
            )
        themes_out = [
            _theme_record(
                theme_ids[t],
                key,
                theme_terms[t],
                clustering.coherence(vectors[theme_members[t]], units.copies[theme_members[t]]),
                clusters,
                ctx,
            )
            for t in theme_order
        ]
        placement: dict[int, tuple[int, int | None, float]] = {}
        for cl, members in zip(clusters, classes, strict=True):
            for unit in members:
                for i in units.records[unit]:
                    placement[i] = (cl.id, cl.theme_id, round(float(part.centrality[unit]), 4))
    analysis = GroupAnalysis(
        key=key,
        size=group_size,
        weighted_size=ctx.weighted_size,
        distinct_texts=len(units.records),
        k=len(part.clusters),
        k_scores=curves.get("themes", {}),
        k_curves=curves,
        themes=themes_out,
        clusters=clusters,
    )
    return analysis, placement


def _theme_record(
    theme_id: int,
    group: str | None,
    description: tuple[str, list[str]],
    cohesion: float,
    clusters: list[Cluster],
    ctx: _GroupContext,
) -> Theme:
    """Describe one theme from its sub-themes; ``description`` is its (phrase, terms)."""
    phrase, terms = description
    members = [cl for cl in clusters if cl.theme_id == theme_id]
    size = sum(cl.size for cl in members)
    weighted = sum(cl.weighted_size for cl in members)
    return Theme(
        id=theme_id,
        group=group,
        label=phrase or label_from_terms(terms),
        phrase=phrase,
        coherence=round(cohesion, 4),
        terms=terms,
        cluster_ids=[cl.id for cl in members],
        size=size,
        weighted_size=weighted,
        share=round(size / ctx.size, 6),
        weighted_share=round(weighted / ctx.weighted_size, 6) if ctx.weighted_size else 0.0,
    )


def analyze_contributions(
    records: Iterable[Record],
    *,
    k: int | None = None,
    seed: int = 0,
    group_by: str | None = None,
    progress: Progress | None = None,
    embeddings: extra.Embeddings | None = None,
    **options: Any,
) -> AnalysisResult:
    """Cluster contributions into themes and sub-themes, find campaigns, label, quote and count them.

    ``embeddings`` (optional): a matrix with one sentence-embedding row per record, or a callable that
    embeds a list of texts; the clustering space then joins them to TF-IDF (:mod:`analysis.embeddings`).
    """
    records = list(records)
    if embeddings is not None and not callable(embeddings):
        embeddings = extra.check_matrix(embeddings, len(records))
    params = AnalysisParams(k=k, seed=seed, group_by=group_by, embeddings=embeddings is not None, **options)
    with threadpool_limits(limits=1):
        return _run(records, params, _Stages(progress), embeddings)


def _run(
    records: list[Record], params: AnalysisParams, stages: _Stages, source: extra.Embeddings | None = None
) -> AnalysisResult:
    """Run every stage of the pipeline on the records."""
    group_by = params.group_by
    began = time.perf_counter()
    prep = _prepare(records, params, stages)
    group_of = [
        None if (v := getattr(r, group_by) if group_by else None) is None else str(v) for r in records
    ]
    grouped: dict[str | None, list[int]] = {}
    for i, key in enumerate(group_of):
        grouped.setdefault(key, []).append(i)
    counters = _Counters()
    groups, placement = [], {}
    done = 0
    for key, indices in grouped.items():
        span = (0.25 + 0.7 * done / len(records), 0.25 + 0.7 * (done + len(indices)) / len(records))
        analysis, placed = _analyze_group(key, indices, prep, params, counters, stages, span, source)
        groups.append(analysis)
        placement.update(placed)
        done += len(indices)
    with stages.stage("summarize", 0.95, 1.0):
        assignments = [
            Assignment(
                record_id=r.id,
                group=group_of[i],
                cluster_id=placement[i][0],
                theme_id=placement[i][1],
                score=placement[i][2],
                duplicate_group=prep.duplicate_of[i],
                campaign_id=prep.campaign_of[i],
            )
            for i, r in enumerate(records)
        ]
        campaigns = [
            _campaign(cid, members, prep, placement) for cid, members in prep.campaign_members.items()
        ]
    stages.timings["total"] = time.perf_counter() - began
    return AnalysisResult(
        size=len(records),
        weighted_size=float(sum(r.weight for r in records)),
        distinct_texts=prep.distinct_texts,
        duplicate_groups=prep.duplicate_groups,
        duplicated_records=sum(1 for d in prep.duplicate_of if d is not None),
        groups=groups,
        campaigns=campaigns,
        assignments=assignments,
        run=RunInfo(
            parameters=asdict(params),
            seed=params.seed,
            versions=library_versions(),
            timings={name: round(t, 4) for name, t in stages.timings.items()},
        ),
    )


def _campaign(
    campaign_id: int, members: list[int], prep: _Prepared, placement: dict[int, tuple[int, int | None, float]]
) -> Campaign:
    """Describe one campaign from its member records."""
    records = [prep.records[i] for i in members]
    top_key = Counter(prep.key_of[i] for i in members).most_common(1)[0][0]
    representative = next(i for i in members if prep.key_of[i] == top_key)
    return Campaign(
        id=campaign_id,
        size=len(records),
        weighted_size=float(sum(r.weight for r in records)),
        variants=len({prep.key_of[i] for i in members}),
        representative_id=prep.records[representative].id,
        representative_text=truncate(prep.masked[representative], CAMPAIGN_TEXT_CHARS),
        member_ids=[r.id for r in records],
        articles=_mix(r.article for r in records),
        channels=_mix(r.channel for r in records),
        ufs=_mix(r.uf for r in records),
        cluster_ids=sorted({placement[i][0] for i in members}),
    )
