"""Cluster labels by class-based TF-IDF, and representative quotes chosen for centrality and diversity.

Labels:

- Candidate terms are 1–3-grams of *unstemmed* words taken inside one punctuation-free segment of the
  masked text, so a label never joins two sentences and never shows a placeholder. Counting is
  accent-insensitive but the label shows the most frequent spelling found in the cluster, accents kept.
  An n-gram may not start or end with a stop word ("proteção de dados" is fine, "de dados" is not) or with
  one of the modal verbs every proposal uses ("deveria", "precisa"), and a negation may open an n-gram
  ("não obrigatoriedade") but never be one alone or end one.
- c-TF-IDF (Grootendorst 2022, BERTopic) scores a term t for cluster c as
  ``share(t, c) · log(1 + A / f(t))``, where share is the weighted fraction of the cluster's texts that
  contain t (presence, not counts: one long text repeating a word does not make a label), f(t) is the
  total weight of texts containing t across clusters and A is the mean total weight of a cluster. A term
  must appear in at least two texts of a cluster, unless the cluster has fewer than four texts or no term
  is shared, so that every cluster gets a label.
- At most 500 texts per cluster — the most central — are read: enough for stable statistics and a
  bounded cost at 100k contributions.
- The label is the three best terms that do not repeat one another: a longer n-gram replaces a shorter
  one it contains when it covers at least 60% of the shorter one's texts.

Quotes: maximal marginal relevance (Carbonell & Goldstein 1998) over the 50 texts closest to the
centroid: the first quote is the most central text, each next one maximizes
``0.7 · centrality − 0.3 · (highest similarity to a chosen quote)``; near-identical texts come last.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from functools import lru_cache

import numpy as np

from analysis.normalize import NEGATIONS, fold, stop_words

MAX_NGRAM = 3
LABEL_TEXTS = 500
LABEL_TERMS = 3
SUPERSEDE_SHARE = 0.6
QUOTE_POOL = 50
QUOTE_DIVERSITY = 0.3
NEAR_IDENTICAL = 0.98
# Consultation texts are full of "deveria"/"precisa": fine inside a label, never at its edge.
MODAL_VERBS = frozenset(
    {"deveria", "deveriam", "precisa", "precisam", "poderia", "poderiam", "podem", "devemos", "precisamos"}
)


@lru_cache(maxsize=1)
def _edge_words() -> frozenset[str]:
    """Return the words that may not open or close a label n-gram."""
    return stop_words() | MODAL_VERBS


def _ngrams(segments: list[list[str]]) -> Iterator[tuple[str, str]]:
    """Yield (folded, surface) label n-grams of a text given as token segments."""
    stops = _edge_words()
    for seg in segments:
        folded = [fold(t) for t in seg]
        for i, first in enumerate(folded):
            if first in stops or len(first) < 2:
                continue
            for n in range(1, MAX_NGRAM + 1):
                if i + n > len(seg):
                    break
                last = folded[i + n - 1]
                if last in stops or last in NEGATIONS or len(last) < 2:
                    continue
                yield " ".join(folded[i : i + n]), " ".join(seg[i : i + n])


def _contains(longer: str, shorter: str) -> bool:
    """Tell whether n-gram ``shorter`` occurs as whole words inside n-gram ``longer``."""
    return f" {shorter} " in f" {longer} "


def _select(ranked: list[str], presence: dict[str, float], n_terms: int) -> list[str]:
    """Pick the best terms, letting a longer n-gram replace a shorter one it contains when common enough."""
    chosen: list[str] = []
    for term in ranked:
        if any(_contains(c, term) for c in chosen):
            continue
        covered = [c for c in chosen if _contains(term, c)]
        if any(presence[term] < SUPERSEDE_SHARE * presence[c] for c in covered):
            continue
        position = chosen.index(covered[0]) if covered else len(chosen)
        chosen = [c for c in chosen if c not in covered]
        chosen.insert(position, term)
    return chosen[:n_terms]


class LabelCorpus:
    """The texts of one analysed group, with each text's label n-grams extracted once and reused."""

    def __init__(self, texts: list[list[list[str]]], weights: np.ndarray) -> None:
        """Keep the texts (as token segments) and their weights (copies)."""
        self.texts = texts
        self.weights = weights
        self._terms: dict[int, dict[str, str]] = {}

    def terms(self, text: int) -> dict[str, str]:
        """Return the folded label n-grams of one text, each with its spelling there."""
        if text not in self._terms:
            found: dict[str, str] = {}
            for folded, surface in _ngrams(self.texts[text]):
                found.setdefault(folded, surface)
            self._terms[text] = found
        return self._terms[text]

    def _presence(self, members: list[int]) -> tuple[dict[str, float], Counter[str]]:
        """Count the weighted and plain number of member texts containing each term."""
        weighted: dict[str, float] = defaultdict(float)
        plain: Counter[str] = Counter()
        for text in members:
            weight = float(self.weights[text])
            for term in self.terms(text):
                weighted[term] += weight
                plain[term] += 1
        return weighted, plain

    def _spelling(self, members: list[int], term: str) -> str:
        """Return the most frequent spelling of a folded term among member texts."""
        spellings = Counter(self.terms(t)[term] for t in members if term in self.terms(t))
        return max(spellings, key=lambda s: (spellings[s], s))

    def top_terms(self, classes: list[list[int]], n_terms: int) -> list[list[str]]:
        """Return each class's (a list of text indices) best c-TF-IDF terms, in their usual spelling."""
        counted = [self._presence(members) for members in classes]
        totals: dict[str, float] = defaultdict(float)
        for weighted, _ in counted:
            for term, weight in weighted.items():
                totals[term] += weight
        class_weights = [float(self.weights[members].sum()) if members else 0.0 for members in classes]
        mean_weight = sum(class_weights) / max(1, len(classes))
        results = []
        for members, (weighted, plain), class_weight in zip(classes, counted, class_weights, strict=True):
            eligible = list(weighted)
            if len(members) >= 4 and any(plain[t] >= 2 for t in eligible):
                eligible = [t for t in eligible if plain[t] >= 2]
            scores = {t: weighted[t] / class_weight * math.log(1 + mean_weight / totals[t]) for t in eligible}
            ranked = sorted(scores, key=lambda t: (-scores[t], t))[: n_terms * 5]
            results.append([self._spelling(members, t) for t in _select(ranked, weighted, n_terms)])
        return results


def label_from_terms(terms: list[str]) -> str:
    """Join the first few terms into a short label."""
    return ", ".join(terms[:LABEL_TERMS])


def representative_indices(vectors: np.ndarray, centrality: np.ndarray, n: int) -> list[int]:
    """Choose up to ``n`` rows that are central yet mutually different (maximal marginal relevance)."""
    pool = np.argsort(-centrality, kind="stable")[:QUOTE_POOL]
    if not len(pool):
        return []
    chosen = [int(pool[0])]
    closest = vectors[pool] @ vectors[chosen[0]]
    while len(chosen) < min(n, len(pool)):
        relevance = (1 - QUOTE_DIVERSITY) * centrality[pool] - QUOTE_DIVERSITY * closest
        # Near-identical texts come last rather than never, so a homogeneous cluster still gets its quotes.
        relevance[closest >= NEAR_IDENTICAL] -= 2
        relevance[np.isin(pool, chosen)] = -np.inf
        best = int(np.argmax(relevance))
        chosen.append(int(pool[best]))
        closest = np.maximum(closest, vectors[pool] @ vectors[pool[best]])
    return chosen
