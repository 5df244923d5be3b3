"""Near-duplicate detection on a handmade Portuguese fixture with one-word edits."""

from __future__ import annotations

from analysis.duplicates import near_duplicate_groups
from analysis.normalize import duplicate_key

from .analysis_fixtures import NEAR_DUPLICATE_FAMILIES, UNRELATED


def _keys(texts: list[str]) -> list[str]:
    """Return the duplicate keys of texts, as the pipeline would pass them."""
    return [duplicate_key(t) for t in texts]


def test_one_word_edits_group_with_their_family_and_nothing_else() -> None:
    texts = [t for family in NEAR_DUPLICATE_FAMILIES for t in family] + UNRELATED
    truth = [f for f, family in enumerate(NEAR_DUPLICATE_FAMILIES) for _ in family]
    truth += [len(NEAR_DUPLICATE_FAMILIES) + i for i in range(len(UNRELATED))]
    labels = near_duplicate_groups(_keys(texts))
    for i in range(len(texts)):
        for j in range(len(texts)):
            assert (labels[i] == labels[j]) == (truth[i] == truth[j]), (texts[i], texts[j])


def test_grouping_survives_thousands_of_unrelated_texts() -> None:
    filler = [
        f"Contribuição número {i} sobre o tema {i % 97} com a proposta {i * 7919 % 10007}."
        for i in range(3000)
    ]
    family = NEAR_DUPLICATE_FAMILIES[0]
    labels = near_duplicate_groups(_keys(filler + family))
    assert len({int(label) for label in labels[-len(family) :]}) == 1
    assert int(labels[-1]) not in {int(label) for label in labels[: len(filler)]}


def test_texts_without_characters_to_compare_stay_alone() -> None:
    assert list(near_duplicate_groups(["", "x", "abc"])) == [0, 1, 2]
    assert list(near_duplicate_groups([])) == []
    assert list(near_duplicate_groups(["só um texto"])) == [0]
