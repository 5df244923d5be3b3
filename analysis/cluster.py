"""Sub-themes and themes: TF-IDF, LSA, k-means with k chosen by silhouette, Ward linkage on centroids.

The clustering sees each distinct text (a *unit*: one exact or near-duplicate group within the analysed
group of records) once, weighted by its number of copies.

Choices, in pipeline order:

- Tokens are accent-folded words of two or more characters with a letter, minus the Portuguese stop
  words (negations kept, see :mod:`analysis.normalize`), optionally reduced by the Snowball Portuguese
  stemmer so that "digital" and "digitais" count as one term. Stemming runs on the accented word (the Snowball rules expect accents)
  and the stem is folded afterwards.
- TF-IDF uses sublinear term frequency (a 200 KB text does not outweigh everything else) and idf over
  distinct texts, so a campaign cannot make its own words look common. Terms found in one text only are
  dropped once there are 100 texts or more: they cannot bring two texts together, and they dominate the
  vocabulary.
- LSA: TruncatedSVD to at most 40 dimensions, then L2 normalization, so Euclidean k-means on the
  result approximates cosine (spherical) k-means; the dense low-rank space also merges synonyms that
  co-occur and makes k-means fast. On the Fake.Br benchmark, 40 dimensions scored best and varied least
  between seeds and subsets among 20 to 200: with more, k-means often settles on splits of the largest
  topic.
- k: unless the caller fixes it, k-means is fitted on a random sample of at most 5,000 units for each
  candidate k between 2 and min(``max_k`` = 40, ⌊√(n/2)⌋) — the classic rule of thumb as an upper bound,
  and a cap on what a drafting team can read — trying at most 12 values, spaced geometrically when the
  range is wide. The k with the highest silhouette (cosine, on at most 2,000 sampled units) wins, ties
  going to the smaller k. Fewer than 8 units give k = 1: there is nothing to split. On long, varied input
  (news sentences) the silhouette keeps rising with k and the cap decides; the themes above then give
  the coarse view.
- The final fit is KMeans (4 initializations; more did not help) up to 20,000 units and MiniBatchKMeans
  above, which is many times faster at 100k with a negligible loss of inertia.
- Themes: Ward linkage on the sub-theme centroids, cut into round(√k) themes, so k = 9 reads as three
  themes of about three sub-themes each. With fewer than 4 sub-themes each is its own theme.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
import snowballstemmer
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize as l2_normalize

from analysis.normalize import fold, stop_words

MIN_DF_FROM = 100
K_SAMPLE = 5_000
SILHOUETTE_SAMPLE = 2_000
MAX_K_CANDIDATES = 12
THEMES_FROM = 4
KMEANS_INIT = 4

_STEMMER = snowballstemmer.stemmer("portuguese")


@lru_cache(maxsize=200_000)
def _stem(token: str) -> str:
    """Stem an accented lowercase token and fold the stem."""
    return fold(_STEMMER.stemWord(token))


def term_lists(texts: list[list[list[str]]], *, stem: bool) -> list[list[str]]:
    """Turn texts given as token segments into clustering terms, dropping stop words and rare words."""
    stops = stop_words()
    words = [[t for seg in segs for t in seg] for segs in texts]
    document_frequency = Counter(f for w in words for f in {fold(t) for t in w})
    minimum = 2 if len(texts) >= MIN_DF_FROM else 1
    terms: dict[str, str] = {}
    for token in {t for w in words for t in w}:
        folded = fold(token)
        if document_frequency[folded] >= minimum and len(folded) > 1 and folded not in stops:
            # Stemming is the slowest step; rare words are never stemmed since they are dropped anyway.
            terms[token] = _stem(token) if stem else folded
    return [[terms[t] for t in w if t in terms] for w in words]


def _identity(tokens: list[str]) -> list[str]:
    """Hand pre-tokenized texts to scikit-learn unchanged."""
    return tokens


def tfidf(terms: list[list[str]]) -> sp.csr_matrix | None:
    """Build the TF-IDF matrix of texts given as term lists, or None when there is no term at all."""
    if not any(terms):
        return None
    counts = CountVectorizer(analyzer=_identity).fit_transform(terms)
    return TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr()


def lsa(matrix: sp.csr_matrix, n_components: int, seed: int) -> np.ndarray:
    """Project TF-IDF rows to a normalized LSA space (dense, float32); empty rows stay zero."""
    n_rows, n_cols = matrix.shape
    dims = min(n_components, n_rows - 1, n_cols - 1)
    if dims < 2:
        # Two texts or two terms leave nothing to reduce; the normalized TF-IDF rows are tiny and exact.
        return np.asarray(l2_normalize(matrix).toarray(), dtype=np.float32)
    reduced = TruncatedSVD(n_components=dims, random_state=seed).fit_transform(matrix)
    return l2_normalize(reduced).astype(np.float32)


def distinct_rows(vectors: np.ndarray) -> int:
    """Count the distinct rows of a matrix (k-means cannot use more clusters than that)."""
    return len({row.tobytes() for row in vectors})


def _candidate_ks(k_max: int) -> list[int]:
    """Return the k values to try between 2 and ``k_max``, geometrically spaced when there are many."""
    if k_max - 1 <= MAX_K_CANDIDATES:
        return list(range(2, k_max + 1))
    return sorted({int(round(k)) for k in np.geomspace(2, k_max, MAX_K_CANDIDATES)})


def choose_k(
    vectors: np.ndarray, weights: np.ndarray, *, max_k: int, seed: int
) -> tuple[int, dict[int, float]]:
    """Pick k by silhouette on a sample; return it with the silhouette of every k tried."""
    n = len(vectors)
    k_max = min(max_k, math.isqrt(n // 2), distinct_rows(vectors))
    if k_max < 2:
        return 1, {}
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n, size=min(n, K_SAMPLE), replace=False))
    fit_vectors, fit_weights = vectors[sample], weights[sample]
    scored = np.sort(rng.choice(len(sample), size=min(len(sample), SILHOUETTE_SAMPLE), replace=False))
    k_max = min(k_max, distinct_rows(fit_vectors))
    scores: dict[int, float] = {}
    for k in _candidate_ks(k_max):
        model = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(fit_vectors, sample_weight=fit_weights)
        labels = model.labels_[scored]
        if 2 <= len(np.unique(labels)) < len(scored):
            scores[k] = float(silhouette_score(fit_vectors[scored], labels, metric="cosine"))
    if not scores:
        return 1, scores
    return max(scores, key=lambda k: (round(scores[k], 6), -k)), scores


def kmeans(
    vectors: np.ndarray, weights: np.ndarray, k: int, *, seed: int, minibatch_from: int
) -> tuple[np.ndarray, np.ndarray]:
    """Cluster ``vectors`` into at most ``k`` groups; return labels and L2-normalized centroids."""
    k = min(k, distinct_rows(vectors))
    if k <= 1:
        centroid = np.average(vectors, axis=0, weights=weights)[None, :]
        return np.zeros(len(vectors), dtype=np.intp), l2_normalize(centroid)
    if len(vectors) > minibatch_from:
        model: KMeans | MiniBatchKMeans = MiniBatchKMeans(
            n_clusters=k, n_init=3, batch_size=4096, random_state=seed
        )
    else:
        model = KMeans(n_clusters=k, n_init=KMEANS_INIT, random_state=seed)
    model.fit(vectors, sample_weight=weights)
    return model.labels_.astype(np.intp), l2_normalize(model.cluster_centers_)


def themes(centroids: np.ndarray) -> np.ndarray:
    """Group sub-theme centroids into round(√k) themes by Ward linkage; return a theme index per centroid."""
    k = len(centroids)
    if k < THEMES_FROM:
        return np.arange(k)
    tree = linkage(centroids.astype(np.float64), method="ward")
    labels = fcluster(tree, t=max(2, round(math.sqrt(k))), criterion="maxclust")
    return np.unique(labels, return_inverse=True)[1]
