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
- Procedural and generic words (:data:`PROCEDURAL`: "debater", "requer", "dispõe", "pl", "lei", "projeto",
  "audiência", "situação", the months, "dia", "ano"…) never appear anywhere in a term: they say how a text
  was filed, not what it is about. A term found in at least 80% of the classes (with three or more
  classes, in at least 2% of each one's texts) has its score quartered: it cannot tell them apart.
- Terms are the best-scoring n-grams that do not repeat one another: a longer n-gram replaces a shorter
  one it contains when it covers at least 60% of the shorter one's texts, and no two terms share a word
  stem (Snowball Portuguese), so "brasileiro, brasileira, brasileiros" is one term.
- The *phrase* (the label a person reads) is the best 2–4-word n-gram by the same score times √words, in
  its most frequent spelling in the class, so it occurs in at least one member text; a class without a
  shared multi-word n-gram gets its best single term.

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

from analysis.cluster import stem
from analysis.normalize import NEGATIONS, fold, stop_words

MAX_NGRAM = 4
LABEL_TEXTS = 500
LABEL_TERMS = 3
UBIQUITOUS_SHARE = 0.8
UBIQUITOUS_PRESENCE = 0.02
UBIQUITOUS_PENALTY = 0.25
MONTHS = (
    "janeiro fevereiro marco abril maio junho julho agosto setembro outubro novembro dezembro "
    "jan fev mar abr mai jun jul ago set out nov dez"
)
# Folded words that say how a text was filed or are too generic to name a subject.
PROCEDURAL = frozenset(
    (
        "debate debater debates debatedor discutir discussao discussoes requer requerimento requeiro "
        "requerer dispoe dispor dispoem pl pls plp pec mpv lei leis projeto projetos audiencia audiencias "
        "situacao situacoes artigo artigos art inciso incisos paragrafo paragrafos alinea caput decreto "
        "proposta propostas propor sugestao sugestoes sugiro solicito solicita solicitacao assunto tema "
        "referente relativo relativa dia dias ano anos mes meses semana semanas hoje ontem amanha "
        "criacao nacional outras outros outro outra ainda vai vao sobre etc sr sra dr dra "
        f"{MONTHS}"
    ).split()
)
SUPERSEDE_SHARE = 0.6
PHRASE_MIN_SHARE = 0.1
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


def is_procedural(folded_term: str) -> bool:
    """Tell whether a folded n-gram holds a procedural or generic word anywhere."""
    return any(word in PROCEDURAL for word in folded_term.split())


def stems(folded_term: str) -> frozenset[str]:
    """Return the stems of the content words of a folded n-gram (stop words left out)."""
    stops = stop_words()
    return frozenset(stem(w) for w in folded_term.split() if w not in stops)


def _ngrams(segments: list[list[str]]) -> Iterator[tuple[str, str]]:
    """Yield (folded, surface) label n-grams of a text given as token segments."""
    stops = _edge_words()
    for seg in segments:
        folded = [fold(t) for t in seg]
        for i, first in enumerate(folded):
            if first in stops or len(first) < 2 or first in PROCEDURAL:
                continue
            for n in range(1, MAX_NGRAM + 1):
                if i + n > len(seg):
                    break
                last = folded[i + n - 1]
                if last in PROCEDURAL:
                    break
                if last in stops or last in NEGATIONS or len(last) < 2:
                    continue
                yield " ".join(folded[i : i + n]), " ".join(seg[i : i + n])


def _contains(longer: str, shorter: str) -> bool:
    """Tell whether n-gram ``shorter`` occurs as whole words inside n-gram ``longer``."""
    return f" {shorter} " in f" {longer} "


def _select(ranked: list[str], presence: dict[str, float], n_terms: int) -> list[str]:
    """Pick the best terms, letting a longer n-gram replace a shorter one it contains when common enough.

    A term whose word stems overlap those of a chosen term (other than one it replaces) is skipped.
    """
    chosen: list[str] = []
    for term in ranked:
        if any(_contains(c, term) for c in chosen):
            continue
        covered = [c for c in chosen if _contains(term, c)]
        if any(presence[term] < SUPERSEDE_SHARE * presence[c] for c in covered):
            continue
        own = stems(term)
        if any(own & stems(c) for c in chosen if c not in covered):
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

    def describe(self, classes: list[list[int]], n_terms: int) -> list[tuple[str, list[str]]]:
        """Return each class's (a list of text indices) phrase and best c-TF-IDF terms, as spelled there."""
        counted = [self._presence(members) for members in classes]
        totals: dict[str, float] = defaultdict(float)
        spread: Counter[str] = Counter()
        class_weights = [float(self.weights[members].sum()) if members else 0.0 for members in classes]
        for (weighted, _), class_weight in zip(counted, class_weights, strict=True):
            spread.update(t for t, w in weighted.items() if w >= UBIQUITOUS_PRESENCE * class_weight)
            for term, weight in weighted.items():
                totals[term] += weight
        mean_weight = sum(class_weights) / max(1, len(classes))
        ubiquitous = {
            t for t, n in spread.items() if len(classes) >= 3 and n >= UBIQUITOUS_SHARE * len(classes)
        }
        results = []
        for members, (weighted, plain), class_weight in zip(classes, counted, class_weights, strict=True):
            eligible = list(weighted)
            if len(members) >= 4 and any(plain[t] >= 2 for t in eligible):
                eligible = [t for t in eligible if plain[t] >= 2]
            scores = {t: weighted[t] / class_weight * math.log(1 + mean_weight / totals[t]) for t in eligible}
            for t in ubiquitous.intersection(scores):
                scores[t] *= UBIQUITOUS_PENALTY
            ranked = sorted(scores, key=lambda t: (-scores[t], t))
            terms = _select(ranked[: n_terms * 5], weighted, n_terms)
            phrases = [t for t in ranked if " " in t]
            phrase = (
                max(phrases, key=lambda t: (scores[t] * math.sqrt(t.count(" ") + 1), t)) if phrases else None
            )
            if phrase is None or (terms and scores[phrase] < PHRASE_MIN_SHARE * scores[ranked[0]]):
                phrase = terms[0] if terms else None
            results.append(
                (
                    self._spelling(members, phrase) if phrase else "",
                    [self._spelling(members, t) for t in terms],
                )
            )
        return results


def label_from_terms(terms: list[str]) -> str:
    """Join the first few terms into a short label (used when a class has no phrase)."""
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
