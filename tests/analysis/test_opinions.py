"""Opinion groups from votes (Pol.is method) on synthetic data with planted groups."""

from __future__ import annotations

import pytest
from sklearn.metrics import adjusted_rand_score

from analysis import OpinionResult, analyze_votes

from .analysis_fixtures import assert_plain, planted_votes


@pytest.fixture(scope="module")
def planted() -> tuple[dict[str, int], OpinionResult]:
    """Analyse the planted two-group votes once for the module."""
    votes, truth = planted_votes()
    return truth, analyze_votes(votes)


def test_two_planted_groups_are_recovered(planted) -> None:
    truth, result = planted
    assert result.k == 2
    fitted = [p for p in result.points if p.fitted]
    assert len(fitted) == 60
    assert adjusted_rand_score([truth[p.participant_id] for p in fitted], [p.group for p in fitted]) == 1.0
    assert sorted(g.size for g in result.groups) == [30, 30]


def test_consensus_and_divisive_recommendations(planted) -> None:
    _, result = planted
    consensus = {s.recommendation_id for s in result.consensus if s.direction == "agree"}
    assert {"r20", "r21"} <= consensus
    assert not consensus & {f"r{i}" for i in range(20)}
    divisive = {s.recommendation_id for s in result.divisive}
    assert len(divisive) >= 15 and divisive <= {f"r{i}" for i in range(20)}
    assert all(set(s.agree_rates) == {"1", "2"} for s in result.divisive)


def test_each_group_is_characterized_by_its_own_side(planted) -> None:
    truth, result = planted
    for group in result.groups:
        side = truth[group.participant_ids[0]]
        agreed = {f"r{i}" for i in (range(10) if side == 0 else range(10, 20))}
        assert group.representative
        for item in group.representative:
            assert (item.recommendation_id in agreed) == (item.direction == "agree")
            assert item.difference > 0 and item.z >= 1.28


def test_light_voters_are_projected_but_not_fitted(planted) -> None:
    _, result = planted
    light = [p for p in result.points if p.participant_id.startswith("light-")]
    assert len(light) == 4
    assert all(not p.fitted and p.group in (1, 2) and p.votes == 2 for p in light)
    assert result.participants == 64 and result.fitted_participants == 60


def test_map_is_deterministic_and_json_ready(planted) -> None:
    _, result = planted
    votes, _ = planted_votes()
    again = analyze_votes(votes).to_dict()
    first = result.to_dict()
    first["run"].pop("timings"), again["run"].pop("timings")
    assert first == again
    assert_plain(first)
    assert len(result.explained_variance) == 2 and result.explained_variance[0] > 0.3


@pytest.mark.parametrize(
    "votes",
    [
        [],
        [("ana", "r1", "agree")],
        [("ana", "r1", "agree"), ("bia", "r1", "disagree")],
        [(f"p{i}", f"r{j}", "agree") for i in range(10) for j in range(8)],
        [(f"p{i}", "r1", "abstain") for i in range(5)],
    ],
    ids=["none", "one-vote", "two-participants", "unanimous", "all-abstain"],
)
def test_degenerate_votes_give_one_group_or_none(votes) -> None:
    result = analyze_votes(votes)
    assert result.k <= 1
    assert len(result.points) == result.participants
    assert result.divisive == []
    assert_plain(result.to_dict())


def test_last_vote_counts_and_unknown_values_are_rejected() -> None:
    result = analyze_votes([("ana", "r1", "agree"), ("ana", "r1", "disagree")])
    assert result.votes == 1
    with pytest.raises(ValueError):
        analyze_votes([("ana", "r1", "maybe")])
