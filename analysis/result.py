"""Plain data in and out of the analysis engine: input records, votes, and the result dataclasses.

Results are frozen dataclasses holding only str, int, float, bool, None, lists and str-keyed dicts, so
``to_dict()`` output goes straight to ``json.dumps`` and into the web app's database.

Counting conventions: ``size`` counts records and ``weighted_size`` sums their weights; ``distinct_texts``
counts texts once per exact or near-duplicate group (what the clustering sees); a campaign's ``variants``
counts its distinct wordings. Every text in a result (labels, terms, quotes, representative texts) has
already gone through :func:`analysis.normalize.mask_personal_data`; record ids are the caller's keys and
are passed through unchanged.
"""

from __future__ import annotations

import dataclasses
import platform
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy
import sklearn

RecordId = str | int
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Record:
    """One contribution as the engine sees it; ``weight`` is e.g. a workshop's reported head count."""

    id: RecordId
    text: str
    article: str | None = None
    stance: str | None = None
    channel: str | None = None
    uf: str | None = None
    author_kind: str | None = None
    author_id: RecordId | None = None
    weight: float = 1


class _Serializable:
    """Mixin giving dataclasses a JSON-ready ``to_dict``."""

    def to_dict(self) -> dict[str, Any]:
        """Return this result as nested dicts and lists of JSON-ready values."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class RunInfo(_Serializable):
    """What produced a result: parameters, library versions, seed and seconds spent per stage."""

    parameters: dict[str, Any]
    seed: int
    versions: dict[str, str]
    timings: dict[str, float]


def library_versions() -> dict[str, str]:
    """Return the versions of Python and the numerical libraries that shape the results."""
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
    }


@dataclass(frozen=True)
class Quote(_Serializable):
    """A representative contribution: masked (and possibly shortened) text of one record."""

    record_id: RecordId
    text: str
    copies: int
    score: float


@dataclass(frozen=True)
class Cluster(_Serializable):
    """A sub-theme: contributions grouped by content, with label, quotes and who said it.

    ``phrase`` is the most characteristic 2–4-word phrase of its texts (as written in one of them) and
    ``terms`` its distinctive words; ``label`` is the phrase, or "Outros", or "Diversos — baixa coesão" when
    ``low_coherence`` says its texts have little in common. ``coherence`` is the weighted mean cosine of its
    texts to their centroid in the LSA space (1 = all alike).
    """

    id: int
    group: str | None
    theme_id: int | None
    label: str
    terms: list[str]
    is_other: bool
    size: int
    weighted_size: float
    share: float
    weighted_share: float
    distinct_texts: int
    unique_authors: int
    stances: dict[str, int]
    channels: dict[str, int]
    ufs: dict[str, int]
    quotes: list[Quote]
    campaign_ids: list[int]
    phrase: str = ""
    coherence: float = 0.0
    low_coherence: bool = False


@dataclass(frozen=True)
class Theme(_Serializable):
    """A theme: sub-themes whose centroids Ward linkage puts together."""

    id: int
    group: str | None
    label: str
    terms: list[str]
    cluster_ids: list[int]
    size: int
    weighted_size: float
    share: float
    weighted_share: float
    phrase: str = ""
    coherence: float = 0.0


@dataclass(frozen=True)
class Campaign(_Serializable):
    """A large group of identical or near-identical contributions, reported on its own and never dropped."""

    id: int
    size: int
    weighted_size: float
    variants: int
    representative_id: RecordId
    representative_text: str
    member_ids: list[RecordId]
    articles: dict[str, int]
    channels: dict[str, int]
    ufs: dict[str, int]
    cluster_ids: list[int]


@dataclass(frozen=True)
class Assignment(_Serializable):
    """Where one record ended up; ``score`` is its cosine to the cluster centroid."""

    record_id: RecordId
    group: str | None
    cluster_id: int
    theme_id: int | None
    score: float
    duplicate_group: int | None
    campaign_id: int | None


@dataclass(frozen=True)
class GroupAnalysis(_Serializable):
    """The clustering of one group of records (one article, or the whole input).

    ``k`` is the number of sub-themes kept ("Outros" aside); ``k_scores`` maps each theme count tried to its
    Calinski-Harabasz index (0 when its split is not stable enough; empty when k was given), and ``k_curves``
    holds that curve under "themes", the stability of each theme count (mean adjusted Rand index between
    k-means fits on resamples) under "theme_stability" and each theme's sub-theme stability curve under
    "subthemes".
    """

    key: str | None
    size: int
    weighted_size: float
    distinct_texts: int
    k: int
    k_scores: dict[str, float]
    themes: list[Theme]
    clusters: list[Cluster]
    k_curves: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class AnalysisResult(_Serializable):
    """Everything :func:`analysis.analyze_contributions` found, ready for storage or export."""

    size: int
    weighted_size: float
    distinct_texts: int
    duplicate_groups: int
    duplicated_records: int
    groups: list[GroupAnalysis]
    campaigns: list[Campaign]
    assignments: list[Assignment]
    run: RunInfo

    @property
    def clusters(self) -> list[Cluster]:
        """Return the clusters of every group, in order."""
        return [c for g in self.groups for c in g.clusters]


@dataclass(frozen=True)
class ParticipantPoint(_Serializable):
    """A participant's place on the opinion map; ``fitted`` is False for those projected only."""

    participant_id: RecordId
    x: float
    y: float
    group: int | None
    fitted: bool
    votes: int


@dataclass(frozen=True)
class RepresentativeRecommendation(_Serializable):
    """A recommendation on which a group votes unlike everyone else."""

    recommendation_id: RecordId
    direction: Literal["agree", "disagree"]
    group_rate: float
    rest_rate: float
    difference: float
    z: float


@dataclass(frozen=True)
class OpinionGroup(_Serializable):
    """One opinion group and what characterizes it."""

    id: int
    size: int
    participant_ids: list[RecordId]
    representative: list[RepresentativeRecommendation]


@dataclass(frozen=True)
class RecommendationStanding(_Serializable):
    """How each group voted on one recommendation; ``direction`` says which way a consensus goes."""

    recommendation_id: RecordId
    direction: Literal["agree", "disagree"] | None
    votes: int
    agree_rates: dict[str, float]
    disagree_rates: dict[str, float]
    score: float


@dataclass(frozen=True)
class OpinionResult(_Serializable):
    """Opinion groups from votes, consensus and divisive recommendations, and the 2-D map."""

    participants: int
    fitted_participants: int
    recommendations: int
    votes: int
    k: int
    k_scores: dict[str, float]
    explained_variance: list[float]
    groups: list[OpinionGroup]
    consensus: list[RecommendationStanding]
    divisive: list[RecommendationStanding]
    points: list[ParticipantPoint]
    run: RunInfo
