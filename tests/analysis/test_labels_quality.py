"""Labels a drafting team can trust, coherence per cluster, and the stability curve that picks the themes."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import Record, analyze_contributions
from analysis.cluster import coherence
from analysis.labels import PROCEDURAL, stems
from analysis.normalize import fold, stop_words
from analysis.pipeline import LOW_COHERENCE_LABEL, LOW_COHERENCE_RATIO

from .analysis_fixtures import themed_records

# Short policy-style statements that open with procedural words and repeat one word in several inflections,
# the two faults the labels used to show ("debate, debater, resolução"; "brasileiro, brasileira, brasileiros").
PROCEDURAL_TEXTS = {
    "escolas": [
        "Debater o projeto de lei que dispõe sobre a merenda escolar brasileira nas escolas públicas.",
        "Requer audiência pública para discutir a merenda escolar nas escolas brasileiras em março.",
        "Debater a situação da merenda escolar e da alimentação dos estudantes brasileiros.",
        "PL dispõe sobre merenda escolar orgânica nas escolas públicas do país.",
        "Discutir a merenda escolar com produtos da agricultura familiar brasileira.",
        "A merenda escolar nas escolas públicas precisa de nutricionistas em cada município.",
        "Debater a lei da merenda escolar e o cardápio das escolas brasileiras em 2025.",
        "Requer informações sobre a merenda escolar servida nas escolas públicas em abril.",
        "Projeto de lei sobre merenda escolar sem ultraprocessados nas escolas brasileiras.",
        "Discutir a situação da merenda escolar nas escolas públicas rurais.",
    ],
    "saneamento": [
        "Debater o projeto de lei que dispõe sobre saneamento básico e esgoto tratado nas cidades.",
        "Requer audiência pública sobre saneamento básico e água potável em maio.",
        "Debater a situação do saneamento básico e do esgoto a céu aberto nas periferias.",
        "PL dispõe sobre metas de saneamento básico e coleta de esgoto até 2033.",
        "Discutir o saneamento básico e a universalização da água potável.",
        "O saneamento básico precisa chegar às periferias com coleta de esgoto tratado.",
        "Debater a lei do saneamento básico e as tarifas de água potável.",
        "Requer informações sobre obras de saneamento básico e esgoto paradas em junho.",
        "Projeto de lei sobre saneamento básico com esgoto tratado em todas as cidades.",
        "Discutir a situação do saneamento básico e da água potável no semiárido.",
    ],
    "transporte": [
        "Debater o projeto de lei que dispõe sobre transporte coletivo e tarifa zero nos ônibus.",
        "Requer audiência pública sobre transporte coletivo e corredores de ônibus em julho.",
        "Debater a situação do transporte coletivo e da superlotação dos ônibus.",
        "PL dispõe sobre tarifa zero no transporte coletivo urbano.",
        "Discutir o transporte coletivo com ônibus elétricos nas capitais.",
        "O transporte coletivo precisa de mais ônibus nos horários de pico.",
        "Debater a lei do transporte coletivo e o preço da passagem de ônibus.",
        "Requer informações sobre o transporte coletivo e a frota de ônibus em agosto.",
        "Projeto de lei sobre transporte coletivo gratuito para estudantes nos ônibus.",
        "Discutir a situação do transporte coletivo e dos ônibus nas periferias.",
    ],
}


def _procedural_records() -> list[Record]:
    """Return the procedural-style statements, interleaved by topic."""
    topics = list(PROCEDURAL_TEXTS.values())
    return [Record(id=f"p{i}-{t}", text=topics[t][i]) for i in range(10) for t in range(len(topics))]


@pytest.fixture(scope="module", params=["procedural", "themed"])
def analysed(request: pytest.FixtureRequest) -> tuple[list[Record], object]:
    """Analyse one of the fixtures once."""
    records = _procedural_records() if request.param == "procedural" else themed_records()[0]
    return records, analyze_contributions(records, seed=0)


def _members(records: list[Record], result) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Return the texts of each cluster and of each theme."""
    by_id = {r.id: r.text for r in records}
    clusters: dict[int, list[str]] = {}
    themes: dict[int, list[str]] = {}
    for a in result.assignments:
        clusters.setdefault(a.cluster_id, []).append(by_id[a.record_id])
        if a.theme_id is not None:
            themes.setdefault(a.theme_id, []).append(by_id[a.record_id])
    return clusters, themes


def _described(records: list[Record], result) -> list[tuple[str, list[str], list[str]]]:
    """Return (phrase, terms, member texts) for every theme and every cluster but "Outros"."""
    clusters, themes = _members(records, result)
    out = [(c.phrase, c.terms, clusters[c.id]) for c in result.clusters if not c.is_other]
    out += [(t.phrase, t.terms, themes[t.id]) for g in result.groups for t in g.themes]
    return out


def test_no_label_term_is_a_stop_or_procedural_word(analysed) -> None:
    records, result = analysed
    stops = stop_words()
    for phrase, terms, _ in _described(records, result):
        for term in [phrase, *terms]:
            words = fold(term).split()
            assert words, term
            assert not any(w in PROCEDURAL for w in words), term
            assert words[0] not in stops and words[-1] not in stops, term
            assert not all(w.isdigit() for w in words), term


def test_no_two_label_terms_share_a_stem(analysed) -> None:
    records, result = analysed
    for _, terms, _ in _described(records, result):
        seen: set[str] = set()
        for term in terms:
            own = stems(fold(term))
            assert not own & seen, terms
            seen |= own


def test_every_label_phrase_occurs_in_a_member_text(analysed) -> None:
    records, result = analysed
    for phrase, _, texts in _described(records, result):
        assert phrase
        assert any(phrase.lower() in " ".join(text.lower().split()) for text in texts), phrase


def test_cluster_label_is_its_phrase_unless_it_is_incoherent(analysed) -> None:
    _, result = analysed
    for cluster in result.clusters:
        if cluster.is_other:
            assert cluster.label == "Outros"
        elif cluster.low_coherence:
            assert cluster.label == LOW_COHERENCE_LABEL and cluster.phrase
        else:
            assert cluster.label == cluster.phrase


def test_procedural_topics_are_found_and_named_by_their_subject() -> None:
    result = analyze_contributions(_procedural_records(), seed=0)
    labels = " ".join(t.label for g in result.groups for t in g.themes)
    for subject in ("merenda escolar", "saneamento básico", "transporte coletivo"):
        assert subject in labels, labels


def test_coherence_is_mean_similarity_to_the_centroid() -> None:
    same = np.array([[1.0, 0.0], [1.0, 0.0]], dtype=np.float32)
    apart = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    assert coherence(same, np.ones(2)) == pytest.approx(1.0)
    assert coherence(apart, np.ones(2)) == pytest.approx(np.sqrt(0.5))


def test_large_clusters_are_at_least_as_coherent_as_the_median_and_weak_ones_are_flagged(analysed) -> None:
    _, result = analysed
    for group in result.groups:
        kept = [c for c in group.clusters if not c.is_other]
        median = float(np.median([c.coherence for c in kept]))
        for c in kept:
            if c.share > 0.25 and len(kept) >= 3:
                assert c.coherence >= median - 1e-4, (c.label, c.coherence, median)
            assert c.low_coherence == (len(kept) >= 3 and c.coherence < LOW_COHERENCE_RATIO * median - 1e-4)


def test_theme_count_is_where_the_separation_curve_peaks(analysed) -> None:
    _, result = analysed
    group = result.groups[0]
    curve = {int(k): v for k, v in group.k_scores.items()}
    assert curve and set(curve) <= set(range(2, 9))
    best = max(curve.values())
    assert best > 0 and curve[len(group.themes)] >= 0.99 * best  # within 1% of the peak: the more stable wins
    assert set(group.k_curves["theme_stability"]) == set(group.k_scores)
    assert group.k_curves["themes"] == group.k_scores


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_theme_count_does_not_depend_on_the_seed(seed: int) -> None:
    result = analyze_contributions(_procedural_records(), seed=seed)
    assert len(result.groups[0].themes) == 3  # merenda, saneamento, transporte: the three written topics


def test_same_seed_gives_the_same_labels_and_coherence() -> None:
    records = _procedural_records()
    first, second = analyze_contributions(records, seed=5), analyze_contributions(records, seed=5)
    assert [(c.label, c.phrase, c.terms, c.coherence) for c in first.clusters] == [
        (c.label, c.phrase, c.terms, c.coherence) for c in second.clusters
    ]
    assert [a.cluster_id for a in first.assignments] == [a.cluster_id for a in second.assignments]
