"""Near-duplicate detection: which distinct texts are copies of one another, up to small edits.

Input is the list of *distinct* duplicate keys (exact copies were already merged by their key); output is
one group label per key. Two keys are near-duplicates when the cosine similarity of their character
5-gram TF-IDF vectors reaches a threshold (0.7 by default); groups are the connected components of that
relation.

Why this design:

- Character 5-grams survive a one-word edit: replacing one word of a 120-character text changes about a
  tenth of its 5-grams, so the copies stay above 0.9 cosine, while unrelated texts that merely share
  common words stay far below 0.7. Very short texts (one short sentence) can drop below the threshold
  after an edit; they are also the texts where "copy" means least.
- Exact all-pairs cosine does not scale: even prefix filtering produces tens of millions of candidate
  pairs at 100k texts because moderately common 5-grams are everywhere. Candidates therefore come from
  MinHash locality-sensitive hashing of each text's set of 5-grams (one-permutation hashing with rotation
  densification, Shrivastava & Li 2014, so one hash per 5-gram instead of one per hash function). With 20
  bands of 3 bins, a pair whose 5-gram Jaccard is 0.5 (about the similarity of a short text and a one-word
  edit of it) becomes a candidate with probability 0.93, and 0.99 at Jaccard 0.6; a pair at 0.2 only 15%
  of the time, and unrelated texts (Jaccard about 0.05) almost never. Each candidate pair is then checked
  with the exact TF-IDF cosine, so the threshold, not the hashing, decides what is a duplicate; hashing
  only makes a rare miss possible, and a miss inside a campaign is usually repaired by the other copies
  through the connected components.
- 5-grams are hashed with numpy over the texts' code points (2^22 buckets), several times faster than a
  Python n-gram analyzer at 100k texts; the rare bucket collision only adds a little noise to the cosine.
- Within an LSH bucket every member is paired with the bucket's first member only (a star, not a clique):
  a campaign with thousands of variants costs thousands of checks, not millions, and the connected
  components still join the bucket.
- Everything is sparse or chunked: memory grows linearly with the number of texts, and no n × n matrix is
  ever built.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfTransformer

_HASH_BITS = 22
_ROW_CHUNK = 8_192
_PAIR_CHUNK = 50_000
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0xBF58476D1CE4E5B9)
_EMPTY = np.uint64(2**63)
# Values borrowed from a neighbouring bin are shifted by the distance so they cannot match a real value.
_BORROW_STEP = np.uint64(2**40)


def _char_ngram_counts(keys: Sequence[str], ngram: int) -> sp.csr_matrix:
    """Count the hashed character n-grams of each key (vectorized over code points, chunk by chunk)."""
    blocks = []
    for start in range(0, len(keys), _ROW_CHUNK):
        chunk = keys[start : start + _ROW_CHUNK]
        lengths = np.fromiter((len(k) for k in chunk), dtype=np.int64, count=len(chunk))
        codes = np.frombuffer("".join(chunk).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        per_key = np.maximum(lengths - ngram + 1, 0)
        rows = np.repeat(np.arange(len(chunk)), per_key)
        first = np.arange(per_key.sum()) + np.repeat(
            np.cumsum(lengths) - lengths - np.cumsum(per_key) + per_key, per_key
        )
        hashed = np.zeros(len(first), dtype=np.uint64)
        for offset in range(ngram):
            hashed = hashed * _GOLDEN + codes[first + offset]
        hashed ^= hashed >> np.uint64(31)
        columns = ((hashed * _MIX) >> np.uint64(64 - _HASH_BITS)).astype(np.int64)
        block = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=(len(chunk), 2**_HASH_BITS)
        )
        block.sum_duplicates()
        blocks.append(block)
    return sp.vstack(blocks, format="csr")


def _signatures(counts: sp.csr_matrix, n_bins: int, seed: int) -> np.ndarray:
    """Compute densified one-permutation MinHash signatures, one row of ``n_bins`` values per text."""
    n = counts.shape[0]
    signatures = np.empty((n, n_bins), dtype=np.uint64)
    offset = np.array([seed % 2**63], dtype=np.uint64) * _GOLDEN + _MIX
    positions = np.arange(n_bins)
    for start in range(0, n, _ROW_CHUNK):
        stop = min(n, start + _ROW_CHUNK)
        chunk = counts[start:stop]
        rows = np.repeat(np.arange(stop - start), np.diff(chunk.indptr))
        hashed = chunk.indices.astype(np.uint64) * _GOLDEN + offset
        hashed ^= hashed >> np.uint64(29)
        hashed = (hashed * _MIX) >> np.uint64(32)
        block = np.full((stop - start, n_bins), _EMPTY, dtype=np.uint64)
        np.minimum.at(
            block, (rows, (hashed % np.uint64(n_bins)).astype(np.intp)), hashed // np.uint64(n_bins)
        )
        empty = block == _EMPTY
        if empty.any():
            # Rotation densification: an empty bin takes the next non-empty bin to its right (circularly).
            doubled = np.concatenate([block, block], axis=1)
            filled = np.where(doubled != _EMPTY, np.arange(2 * n_bins), 2 * n_bins)
            nearest = np.minimum.accumulate(filled[:, ::-1], axis=1)[:, ::-1][:, :n_bins]
            has_any = nearest < 2 * n_bins
            nearest = np.where(has_any, nearest, 0)
            borrowed = np.take_along_axis(doubled, nearest, axis=1)
            borrowed += (nearest - positions).astype(np.uint64) * _BORROW_STEP
            block = np.where(empty & has_any, borrowed, block)
        signatures[start:stop] = block
    return signatures


def _candidate_pairs(
    signatures: np.ndarray, rows_with_ngrams: np.ndarray, bands: int, rows: int
) -> np.ndarray:
    """Return unique (i, j) pairs that share a band, each bucket as a star around its first member."""
    pairs = []
    for band in range(bands):
        columns = signatures[rows_with_ngrams, band * rows : (band + 1) * rows]
        key = np.zeros(len(rows_with_ngrams), dtype=np.uint64)
        for column in range(rows):
            key = key * _GOLDEN + columns[:, column]
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        starts = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
        first = order[np.flatnonzero(starts)][np.cumsum(starts) - 1]
        member = first != order
        pairs.append(np.stack([rows_with_ngrams[first[member]], rows_with_ngrams[order[member]]], axis=1))
    found = np.concatenate(pairs) if pairs else np.empty((0, 2), dtype=np.intp)
    return np.unique(found, axis=0)


def _cosines(vectors: sp.csr_matrix, pairs: np.ndarray) -> np.ndarray:
    """Compute the cosine of each pair of L2-normalized rows."""
    result = np.empty(len(pairs), dtype=np.float32)
    for start in range(0, len(pairs), _PAIR_CHUNK):
        chunk = pairs[start : start + _PAIR_CHUNK]
        products = vectors[chunk[:, 0]].multiply(vectors[chunk[:, 1]])
        result[start : start + len(chunk)] = np.asarray(products.sum(axis=1)).ravel()
    return result


def near_duplicate_groups(
    keys: Sequence[str],
    *,
    threshold: float = 0.7,
    ngram: int = 5,
    bands: int = 20,
    rows: int = 3,
    seed: int = 0,
) -> np.ndarray:
    """Label each distinct key with its near-duplicate group (connected components of cosine ≥ threshold)."""
    n = len(keys)
    if n < 2:
        return np.zeros(n, dtype=np.intp)
    counts = _char_ngram_counts(keys, ngram)
    rows_with_ngrams = np.flatnonzero(np.diff(counts.indptr) > 0)
    if len(rows_with_ngrams) < 2:
        return np.arange(n, dtype=np.intp)
    vectors = TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr()
    signatures = _signatures(counts, bands * rows, seed)
    pairs = _candidate_pairs(signatures, rows_with_ngrams, bands, rows)
    edges = pairs[_cosines(vectors, pairs) >= threshold]
    graph = sp.coo_matrix((np.ones(len(edges), dtype=np.int8), (edges[:, 0], edges[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]
