"""The fast path of opinion groups (sparse PCA, sampled silhouette, MiniBatchKMeans) against the exact one."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from analysis import opinions
from analysis.opinions import analyze_votes

OPTIONS = {"seed": 0, "min_votes": 7, "max_groups": 5, "consensus_threshold": 0.6, "divisive_min_spread": 0.3,
           "top": 5}


def planted(n: int, seed: int = 0, m: int = 100, per: int = 10) -> tuple[list[tuple[int, int, str]], np.ndarray]:
    """Votes of n participants in two planted groups (10 votes each, 10% against their group)."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, n)
    preference = np.where(rng.random((2, m)) < 0.5, 1, -1)
    chosen = np.argsort(rng.random((n, m)), axis=1)[:, :per]
    values = preference[group[:, None], chosen] * np.where(rng.random((n, per)) < 0.1, -1, 1)
    votes = [(int(p), int(r), "agree" if v > 0 else "disagree")
             for p, rr, vv in zip(range(n), chosen, values, strict=True) for r, v in zip(rr, vv, strict=True)]
    return votes, group


def agreement(a: list[int | None], b: list[int | None]) -> float:
    """Share of participants in the same group under the best one-to-one relabelling."""
    left, right = np.array(a, dtype=int), np.array(b, dtype=int)
    table = np.zeros((left.max() + 1, right.max() + 1))
    np.add.at(table, (left, right), 1)
    rows, cols = linear_sum_assignment(-table)
    return table[rows, cols].sum() / len(left)


@pytest.fixture(scope="module")
def five_thousand():
    votes, truth = planted(5_000)
    return votes, truth, opinions._analyze(votes, method="exact", **OPTIONS)


@pytest.mark.parametrize("minibatch_above", [opinions.MINIBATCH_ABOVE, 0], ids=["kmeans", "minibatch"])
def test_fast_path_finds_the_exact_paths_groups_on_5000_participants(five_thousand, minibatch_above) -> None:
    votes, truth, exact = five_thousand
    fast = opinions._analyze(votes, method="fast", minibatch_above=minibatch_above, **OPTIONS)
    assert exact.run.parameters["method"] == "exact" and fast.run.parameters["method"] == "fast"
    assert fast.k == exact.k == 2
    assert agreement([p.group for p in exact.points], [p.group for p in fast.points]) >= 0.99
    assert fast.explained_variance == pytest.approx(exact.explained_variance, abs=1e-5)
    assert agreement(list(truth), [p.group for p in fast.points]) >= 0.95


def test_fast_path_is_chosen_above_the_exact_limit_and_is_deterministic() -> None:
    votes, truth = planted(opinions.EXACT_MAX_PARTICIPANTS + 500, seed=1)
    first, again = analyze_votes(iter(votes), seed=4), analyze_votes(votes, seed=4)
    assert first.run.parameters["method"] == "fast"
    one, two = first.to_dict(), again.to_dict()
    one["run"].pop("timings"), two["run"].pop("timings")
    assert one == two
    assert agreement(list(truth), [p.group for p in first.points]) >= 0.95


def test_many_recommendations_use_arpack_with_the_same_map(monkeypatch) -> None:
    votes, _ = planted(3_000, seed=2, m=40)
    gram = opinions._analyze(votes, method="fast", **OPTIONS)
    monkeypatch.setattr(opinions, "GRAM_MAX_RECOMMENDATIONS", 10)
    arpack = opinions._analyze(votes, method="fast", **OPTIONS)
    assert arpack.explained_variance == pytest.approx(gram.explained_variance, abs=1e-6)
    np.testing.assert_allclose([(p.x, p.y) for p in arpack.points], [(p.x, p.y) for p in gram.points], atol=2e-4)


def test_fast_path_counts_the_last_vote_and_keeps_first_appearance_order() -> None:
    votes = [(f"p{i}", f"r{j}", "agree" if (i + j) % 2 else "disagree") for i in range(40) for j in range(9)]
    changed = [("p3", "r0", "abstain"), ("p0", "r8", "agree")]
    votes = list(reversed(votes[:20])) + votes[20:] + changed
    exact = opinions._analyze(votes, method="exact", **OPTIONS)
    fast = opinions._analyze(votes, method="fast", **OPTIONS)
    assert fast.votes == exact.votes == 360
    assert [p.participant_id for p in fast.points] == [p.participant_id for p in exact.points]
    assert [p.participant_id for p in fast.points][:3] == ["p2", "p1", "p0"]
    assert [s.votes for s in fast.divisive] == [s.votes for s in exact.divisive]


def test_progress_reports_each_stage_after_the_votes_are_read() -> None:
    votes, _ = planted(200)
    seen: list[tuple[float, str]] = []
    consumed = []

    def stream():
        yield from votes
        consumed.append(len(seen))

    analyze_votes(stream(), progress=lambda fraction, stage: seen.append((fraction, stage)))
    assert [stage for _, stage in seen] == ["read", "project", "cluster", "describe", "points", "done"]
    assert [fraction for fraction, _ in seen] == sorted(fraction for fraction, _ in seen)
    assert consumed == [1]  # only "read" was reported while the stream was open
