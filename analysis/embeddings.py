"""Optional sentence embeddings beside TF-IDF (issue #14): how they enter the clustering space.

The engine never loads a model. A caller gives either a matrix with one row per record (precomputed, e.g.
from a cache) or an *embedder*: a callable that takes a list of texts and returns one row per text. The
embedder sees the masked text of each distinct text (unit) once.

Combination (measured by ``python -m bench analysis embeddings``, README): the embeddings are centred on
the mean of the analysed units (multilingual-e5 vectors all share a large common direction that would
otherwise dominate cosines), L2-normalized, scaled by ``weight`` and concatenated to the normalized LSA
vector; the result is L2-normalized again, so k-means still approximates cosine k-means. With weight 1.0
both parts count equally; on the Fake.br short texts and single sentences this beat either part alone.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.preprocessing import normalize as l2_normalize

Embedder = Callable[[list[str]], np.ndarray]
Embeddings = np.ndarray | Embedder


def check_matrix(embeddings: np.ndarray, n_records: int) -> np.ndarray:
    """Return a precomputed embedding matrix as float32 after checking it has one finite row per record."""
    matrix = np.asarray(embeddings, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] != n_records:
        raise ValueError(f"embeddings must have one row per record ({n_records}), got shape {matrix.shape}")
    if not np.isfinite(matrix).all():
        raise ValueError("embeddings must be finite")
    return matrix


def unit_rows(source: Embeddings, representative: list[int], texts: list[str]) -> np.ndarray:
    """Return the embedding of each unit: its representative record's row, or the embedder's vector of its text.

    ``representative`` holds each unit's record index (into a precomputed matrix) and ``texts`` each unit's
    masked text (for an embedder).
    """
    if callable(source):
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        rows = np.asarray(source(list(texts)), dtype=np.float32)
        if rows.ndim != 2 or rows.shape[0] != len(texts) or not np.isfinite(rows).all():
            raise ValueError("the embedder must return one finite row per text")
        return rows
    return source[np.asarray(representative, dtype=np.intp)]


def combine(lsa_vectors: np.ndarray, embedded: np.ndarray, weight: float) -> np.ndarray:
    """Concatenate normalized LSA rows with centred, normalized, weighted embeddings; normalize the result."""
    if not len(lsa_vectors):
        return lsa_vectors
    centred = l2_normalize(embedded - embedded.mean(axis=0))
    return l2_normalize(np.hstack([lsa_vectors, weight * centred])).astype(np.float32)
