"""The contribution pipeline: themes, campaigns, labels, quotes, masking, edge cases and determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sklearn.metrics import normalized_mutual_info_score

from analysis import AnalysisResult, Record, analyze_contributions
from analysis.normalize import duplicate_key

from .analysis_fixtures import NEAR_DUPLICATE_FAMILIES, assert_plain, themed_records

CAMPAIGN = NEAR_DUPLICATE_FAMILIES[0]


def _without_timings(result: AnalysisResult) -> dict:
    """Return the result as a dict without the wall-clock timings, which differ between runs."""
    data = result.to_dict()
    data["run"].pop("timings")
    return data


@pytest.fixture(scope="module")
def themed() -> tuple[list[Record], list[str], AnalysisResult]:
    """Analyse the 60 themed contributions once for the module."""
    records, truth = themed_records()
    return records, truth, analyze_contributions(records)


@pytest.fixture(scope="module")
def with_campaign() -> tuple[list[Record], AnalysisResult]:
    """Analyse the themed contributions plus a 12-copy campaign with one-word edits."""
    records, _ = themed_records()
    copies = [
        Record(id=f"camp-{i}", text=CAMPAIGN[i % len(CAMPAIGN)], article="Art. 1", channel="online", uf="DF")
        for i in range(12)
    ]
    records = records + copies
    return records, analyze_contributions(records)


def test_clustering_separates_three_clear_themes(themed) -> None:
    _, truth, result = themed
    predicted = [a.cluster_id for a in result.assignments]
    assert normalized_mutual_info_score(truth, predicted) >= 0.6
    assert 2 <= result.groups[0].k <= 5


@pytest.mark.parametrize("fixture", ["themed", "with_campaign"])
def test_labels_and_quotes_come_from_the_clusters_own_texts(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    analysed = request.getfixturevalue(fixture)
    records, result = analysed[0], analysed[-1]
    text_of = {r.id: r.text for r in records}
    members: dict[int, list[str]] = {}
    for a in result.assignments:
        members.setdefault(a.cluster_id, []).append(duplicate_key(text_of[a.record_id]))
    for cluster in result.clusters:
        assert 1 <= len(cluster.quotes) <= 5
        for quote in cluster.quotes:
            assert duplicate_key(quote.text) in members[cluster.id]
        assert cluster.terms
        for term in cluster.terms:
            assert any(f" {duplicate_key(term)} " in f" {text} " for text in members[cluster.id]), term


def test_quotes_are_distinct_and_labels_keep_accents(themed) -> None:
    _, _, result = themed
    for cluster in result.clusters:
        assert len({q.record_id for q in cluster.quotes}) == len(cluster.quotes)
    all_terms = [t for c in result.clusters for t in c.terms]
    assert "saúde" in all_terms or "prontuário eletrônico" in all_terms


def test_counts_add_up_and_themes_cover_clusters(themed) -> None:
    records, _, result = themed
    group = result.groups[0]
    assert sum(c.size for c in group.clusters) == len(records)
    assert sum(c.share for c in group.clusters) == pytest.approx(1.0, abs=1e-5)
    themed_ids = sorted(i for t in group.themes for i in t.cluster_ids)
    assert themed_ids == sorted(c.id for c in group.clusters if not c.is_other)
    assert Counter(c.id for c in group.clusters).most_common(1)[0][1] == 1


def test_same_seed_gives_identical_result() -> None:
    records, _ = themed_records()
    first, second = analyze_contributions(records, seed=3), analyze_contributions(records, seed=3)
    assert _without_timings(first) == _without_timings(second)


def test_same_seed_gives_identical_result_across_processes() -> None:
    code = (
        "import hashlib, json\n"
        "from analysis import analyze_contributions\n"
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from analysis_fixtures import themed_records\n"
        "data = analyze_contributions(themed_records()[0], seed=1).to_dict()\n"
        "data['run'].pop('timings')\n"
        "print(hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest())\n"
    )
    root = Path(__file__).resolve().parents[2]
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in ("1", "2")
    }
    assert len(digests) == 1


def test_campaign_is_reported_counted_and_clustered_once_with_its_weight(with_campaign) -> None:
    records, result = with_campaign
    assert len(result.campaigns) == 1
    campaign = result.campaigns[0]
    assert campaign.size == 12 and campaign.variants == len(CAMPAIGN)
    assert sorted(campaign.member_ids) == sorted(f"camp-{i}" for i in range(12))
    assert campaign.articles == {"Art. 1": 12} and campaign.ufs == {"DF": 12}
    assert sum(c.size for c in result.clusters) == len(records)
    assert result.groups[0].distinct_texts == 61
    (cluster,) = [c for c in result.clusters if campaign.id in c.campaign_ids]
    assert cluster.size >= 12
    campaign_quotes = [q for q in cluster.quotes if str(q.record_id).startswith("camp-")]
    assert len(campaign_quotes) <= 1
    assert all(q.copies == 12 for q in campaign_quotes)
    assigned = {a.record_id: a for a in result.assignments}
    assert {assigned[f"camp-{i}"].campaign_id for i in range(12)} == {campaign.id}
    assert {assigned[f"camp-{i}"].cluster_id for i in range(12)} == {cluster.id}


def test_small_duplicate_groups_and_short_copies_are_not_campaigns() -> None:
    records, _ = themed_records()
    extra = [Record(id=f"d{i}", text=CAMPAIGN[0]) for i in range(3)]
    extra += [Record(id=f"c{i}", text="Concordo plenamente.") for i in range(10)]
    result = analyze_contributions(records + extra)
    assert result.campaigns == []
    assert result.duplicate_groups == 2 and result.duplicated_records == 13


def test_campaign_threshold_grows_with_the_article(with_campaign) -> None:
    records, _ = with_campaign
    result = analyze_contributions(records, campaign_min_share=0.5)
    assert result.campaigns == []


def test_nothing_shown_or_exported_contains_personal_data() -> None:
    records, _ = themed_records()
    secrets = [
        "ana.souza@example.com",
        "123.456.789-09",
        "12345678909",
        "(61) 99999-9999",
        "61999999999",
        "11.222.333/0001-81",
        "+55 61 3333-4444",
    ]
    leaky = [
        Record(id=f"pii-{i}", text=f"Dados abertos de saúde em formato aberto, escreva para {s} por favor.")
        for i, s in enumerate(secrets * 2)
    ]
    result = analyze_contributions(records + leaky)
    dumped = json.dumps(result.to_dict(), ensure_ascii=False)
    for secret in secrets:
        assert secret not in dumped
    assert "[e-mail]" in dumped or "[CPF]" in dumped


@pytest.mark.parametrize(
    "texts",
    [
        [],
        ["A telemedicina deve chegar ao interior."],
        ["A telemedicina deve chegar ao interior.", "Dados abertos em CSV."],
        ["Saúde digital já", "Conta gov.br melhor", "Dados abertos sempre", "Não concordo", "😀😀"],
        ["Sou contra o artigo 5 da proposta, ele é ruim para todos."] * 30,
        ["😀🎉👍"] * 10,
        ["", "   ", None],
        [
            "Open data portals need better APIs and documentation.",
            "Health apps should work offline.",
            "Identity cards on phones are convenient.",
            "Rural areas need telemedicine.",
            "Open government data must be machine readable.",
            "Digital identity must protect privacy.",
            "Hospitals should share electronic health records.",
            "Publish budget data every month.",
        ]
        * 2,
        ["palavra " * 25_000, "x" * 200_000, "Dados abertos já", "Saúde digital para todos. " * 8_000],
    ],
    ids=["empty", "one", "two", "five", "identical", "emoji", "blank", "english", "very-long"],
)
@pytest.mark.parametrize("group_by", [None, "article"])
def test_edge_cases_give_a_complete_result(texts: list[str | None], group_by: str | None) -> None:
    records = [Record(id=i, text=t, article=f"Art. {i % 2}") for i, t in enumerate(texts)]
    result = analyze_contributions(records, group_by=group_by)
    assert_plain(result.to_dict())
    assert result.size == len(records) == len(result.assignments)
    assert sum(c.size for c in result.clusters) == len(records)
    known = {c.id for c in result.clusters}
    assert all(a.cluster_id in known for a in result.assignments)
    for cluster in result.clusters:
        assert cluster.label
        assert all(len(q.text) <= 500 for q in cluster.quotes)


def test_identical_texts_form_one_cluster_and_one_campaign() -> None:
    records = [
        Record(id=i, text="Sou contra o artigo 5 da proposta, ele é ruim para todos.") for i in range(30)
    ]
    result = analyze_contributions(records)
    assert [c.size for c in result.clusters] == [30]
    assert [c.size for c in result.campaigns] == [30]


def test_texts_without_words_are_gathered_as_outros() -> None:
    records, _ = themed_records()
    records += [Record(id=f"e{i}", text=t) for i, t in enumerate(["", "😀😀", "123 456", "e o que"])]
    result = analyze_contributions(records)
    (other,) = [c for c in result.clusters if c.is_other]
    assert other.label == "Outros" and other.theme_id is None and other.size >= 4


def test_per_article_analysis_clusters_each_article_separately(themed) -> None:
    records, _, _ = themed
    result = analyze_contributions(records, group_by="article")
    assert [g.key for g in result.groups] == ["Art. 1", "Art. 2", "Art. 3"]
    for group in result.groups:
        assert {c.group for c in group.clusters} == {group.key}
        assert (
            sum(c.size for c in group.clusters) == group.size == sum(r.article == group.key for r in records)
        )
    assigned = {a.record_id: a.group for a in result.assignments}
    assert all(assigned[r.id] == r.article for r in records)


def test_k_override_weights_and_stats() -> None:
    records, _ = themed_records()
    records = [
        Record(
            id=r.id,
            text=r.text,
            stance="agree" if i % 2 else "disagree",
            channel="workshop",
            uf="BA",
            author_id=f"a{i % 10}",
            weight=10 if i == 0 else 1,
        )
        for i, r in enumerate(records)
    ]
    result = analyze_contributions(records, k=2)
    assert result.groups[0].k == 2
    assert result.weighted_size == 69
    assert sum(c.weighted_size for c in result.clusters) == 69
    for cluster in result.clusters:
        assert sum(cluster.stances.values()) == cluster.size
        assert cluster.channels == {"workshop": cluster.size} and cluster.ufs == {"BA": cluster.size}
        assert 1 <= cluster.unique_authors <= 10


def test_progress_is_reported_from_zero_to_one(themed) -> None:
    records, _, _ = themed
    seen: list[tuple[float, str]] = []
    analyze_contributions(records, group_by="article", progress=lambda f, s: seen.append((f, s)))
    fractions = [f for f, _ in seen]
    assert fractions[0] == 0 and fractions[-1] == 1
    assert fractions == sorted(fractions)
    assert {"mask", "duplicates", "vectorize", "select_k", "cluster", "labels", "describe"} <= {
        s for _, s in seen
    }


def test_result_records_parameters_versions_seed_and_timings(themed) -> None:
    _, _, result = themed
    assert_plain(result.to_dict())
    run = result.run
    assert run.seed == 0 and run.parameters["duplicate_threshold"] == 0.7
    assert set(run.versions) == {"python", "numpy", "scipy", "sklearn"}
    assert {"duplicates", "vectorize", "select_k", "labels", "total"} <= set(run.timings)


def test_bad_parameters_are_rejected() -> None:
    with pytest.raises(ValueError):
        analyze_contributions([], group_by="author_id")
    with pytest.raises(TypeError):
        analyze_contributions([], no_such_option=1)


def test_analysis_never_imports_the_web_app() -> None:
    code = (
        "import sys, analysis, analysis.cli\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'consulta', 'sqlalchemy')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2], check=True)
