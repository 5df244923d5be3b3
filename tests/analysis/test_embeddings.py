"""Sentence embeddings beside TF-IDF in the engine: a matrix or an embedder, never a model of its own."""

import zlib

import numpy as np
import pytest

from analysis import Record, analyze_contributions
from analysis.embeddings import combine
from tests.analysis.test_labels_quality import _procedural_records


def _bag(texts: list[str]) -> np.ndarray:
    """Deterministic 32-dimension hashed bag of words, one normalized row per text."""
    rows = np.zeros((len(texts), 32), dtype=np.float32)
    for i, text in enumerate(texts):
        for word in text.lower().split():
            rows[i, zlib.crc32(word.encode()) % 32] += 1.0
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)


def test_embedder_sees_each_distinct_masked_text_once() -> None:
    records = _procedural_records()
    records += [
        Record(id="copy", text=records[0].text),
        Record(id="mail", text="Escreva para ana@exemplo.com.br sobre merenda escolar"),
    ]
    seen: list[str] = []

    def embedder(texts: list[str]) -> np.ndarray:
        seen.extend(texts)
        return _bag(texts)

    result = analyze_contributions(records, seed=0, embeddings=embedder)
    assert result.run.parameters["embeddings"] is True
    assert len(seen) == len(set(seen)) == len(records) - 1  # the exact copy is one unit
    assert not any("ana@exemplo.com.br" in t for t in seen)  # masked before anything sees it


def test_matrix_and_embedder_agree_and_same_seed_repeats() -> None:
    records = _procedural_records()
    matrix = _bag([r.text for r in records])
    by_matrix = analyze_contributions(records, seed=2, embeddings=matrix)
    again = analyze_contributions(records, seed=2, embeddings=matrix)
    by_embedder = analyze_contributions(records, seed=2, embeddings=_bag)
    labels = [a.cluster_id for a in by_matrix.assignments]
    assert (
        labels == [a.cluster_id for a in again.assignments] == [a.cluster_id for a in by_embedder.assignments]
    )


def test_without_embeddings_nothing_changes() -> None:
    records = _procedural_records()
    plain = analyze_contributions(records, seed=1)
    assert plain.run.parameters["embeddings"] is False
    joined = analyze_contributions(records, seed=1, embeddings=_bag([r.text for r in records]))
    assert plain.to_dict()["assignments"] == analyze_contributions(records, seed=1).to_dict()["assignments"]
    assert joined.run.parameters["embeddings"] is True


def test_bad_matrix_is_refused() -> None:
    records = _procedural_records()
    with pytest.raises(ValueError, match="one row per record"):
        analyze_contributions(records, embeddings=np.zeros((3, 8)))
    with pytest.raises(ValueError, match="finite"):
        analyze_contributions(records, embeddings=np.full((len(records), 8), np.nan))


def test_combine_centres_weights_and_normalizes() -> None:
    lsa = np.eye(3, dtype=np.float32)
    embedded = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype=np.float32) + 5.0  # a shared offset
    joined = combine(lsa, embedded, 1.0)
    assert joined.shape == (3, 5)
    assert np.allclose(np.linalg.norm(joined, axis=1), 1.0, atol=1e-6)
    alone = combine(lsa, embedded, 0.0)  # weight 0: the LSA space alone
    assert np.allclose(alone[:, :3], lsa) and np.allclose(alone[:, 3:], 0.0)
