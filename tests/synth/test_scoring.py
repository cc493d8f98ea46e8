from __future__ import annotations

import itertools
import json
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puente.synth.scoring import (
    ClusterScores,
    HitScores,
    RankingScores,
    score_clusters,
    score_hits,
    score_ranking,
)

F = Fraction


def f1(p: Fraction, r: Fraction) -> Fraction:
    return 2 * p * r / (p + r) if p + r else Fraction(0)


def assert_plain_json(d: dict) -> None:
    for key, value in d.items():
        assert isinstance(key, str)
        assert type(value) in (int, float), (key, type(value))
    assert json.loads(json.dumps(d)) == d


# --- score_clusters: hand-computed examples ------------------------------------------------------


def test_false_merge_of_two_entities():
    truth = {"a": "A", "b": "A", "c": "B", "d": "B"}
    predicted = {"a": "X", "b": "X", "c": "X", "d": "X"}
    s = score_clusters(predicted, truth)
    # One cluster of 4: 6 predicted pairs, of which a-b and c-d are true.
    assert (s.predicted_pairs, s.true_pairs, s.false_merge_pairs, s.missed_pairs) == (6, 2, 4, 0)
    assert s.false_merges == 1
    assert s.records == 4
    assert s.pairwise_precision == float(F(1, 3))
    assert s.pairwise_recall == 1.0
    assert s.pairwise_f1 == 0.5
    # Every record's cluster is half its own entity; every entity is wholly in its record's cluster.
    assert s.bcubed_precision == 0.5
    assert s.bcubed_recall == 1.0
    assert s.bcubed_f1 == float(F(2, 3))


def test_split_entity():
    truth = {"a": "A", "b": "A", "c": "A", "d": "A"}
    predicted = {"a": "X", "b": "X", "c": "Y", "d": "Z"}
    s = score_clusters(predicted, truth)
    assert (s.predicted_pairs, s.true_pairs, s.false_merge_pairs, s.missed_pairs) == (1, 6, 0, 5)
    assert s.false_merges == 0
    assert s.pairwise_precision == 1.0
    assert s.pairwise_recall == float(F(1, 6))
    assert s.pairwise_f1 == float(F(2, 7))
    assert s.bcubed_precision == 1.0
    # a, b see 2 of 4; c, d see 1 of 4.
    assert s.bcubed_recall == 0.375
    assert s.bcubed_f1 == float(F(6, 11))


def test_merge_and_split_together():
    truth = {"1": "A", "2": "A", "3": "A", "4": "B", "5": "B"}
    predicted = {"1": "X", "2": "X", "3": "Y", "4": "Y", "5": "Y"}
    s = score_clusters(predicted, truth)
    # Cells (X,A)=2, (Y,A)=1, (Y,B)=2: correct pairs 1-2 and 4-5.
    assert (s.predicted_pairs, s.true_pairs, s.false_merge_pairs, s.missed_pairs) == (4, 4, 2, 2)
    assert s.false_merges == 1
    assert (s.pairwise_precision, s.pairwise_recall, s.pairwise_f1) == (0.5, 0.5, 0.5)
    # Precision per record: 1, 1, 1/3, 2/3, 2/3; recall: 2/3, 2/3, 1/3, 1, 1.
    assert s.bcubed_precision == float(F(11, 15))
    assert s.bcubed_recall == float(F(11, 15))
    assert s.bcubed_f1 == float(F(11, 15))


def test_all_singletons_correct():
    truth = {"a": "A", "b": "B", "c": "C"}
    predicted = {"a": "1", "b": "2", "c": "3"}
    s = score_clusters(predicted, truth)
    assert s.predicted_pairs == s.true_pairs == s.false_merge_pairs == s.missed_pairs == s.false_merges == 0
    # No predicted pairs and no true pairs: precision and recall are 1.0 by convention.
    assert s.pairwise_precision == s.pairwise_recall == s.pairwise_f1 == 1.0
    assert s.bcubed_precision == s.bcubed_recall == s.bcubed_f1 == 1.0


def test_singleton_truth_merged_into_one_cluster():
    truth = {"a": "A", "b": "B", "c": "C"}
    predicted = {"a": "X", "b": "X", "c": "X"}
    s = score_clusters(predicted, truth)
    assert (s.predicted_pairs, s.true_pairs, s.false_merge_pairs, s.missed_pairs) == (3, 0, 3, 0)
    assert s.false_merges == 1
    assert s.pairwise_precision == 0.0
    assert s.pairwise_recall == 1.0  # no true pairs: nothing to find
    assert s.pairwise_f1 == 0.0
    assert s.bcubed_precision == float(F(1, 3))
    assert s.bcubed_recall == 1.0
    assert s.bcubed_f1 == 0.5


def test_records_missing_from_predicted_are_singletons():
    truth = {"a": "A", "b": "A", "c": "A"}
    s = score_clusters({"a": "X"}, truth)
    # b and c are both unclustered, which must not make them a pair.
    assert (s.predicted_pairs, s.true_pairs, s.missed_pairs, s.false_merges) == (0, 3, 3, 0)
    assert s.pairwise_precision == 1.0
    assert s.pairwise_recall == 0.0
    assert s.pairwise_f1 == 0.0
    assert s.bcubed_precision == 1.0
    assert s.bcubed_recall == float(F(1, 3))


def test_predicted_records_outside_truth_are_ignored():
    truth = {"a": "A", "b": "A", "c": "A"}
    predicted = {"a": "X", "b": "X", "z": "X", "y": "X"}
    s = score_clusters(predicted, truth)
    assert s.records == 3
    assert (s.predicted_pairs, s.true_pairs, s.missed_pairs, s.false_merge_pairs) == (1, 3, 2, 0)
    assert s.false_merges == 0
    assert s.pairwise_precision == 1.0
    assert s.pairwise_recall == float(F(1, 3))
    # a, b see 2 of 3; c (unclustered) sees 1 of 3.
    assert s.bcubed_precision == 1.0
    assert s.bcubed_recall == float(F(5, 9))


def test_empty_truth():
    s = score_clusters({"a": "X", "b": "X"}, {})
    assert s.records == 0
    assert s.predicted_pairs == s.true_pairs == s.false_merge_pairs == s.missed_pairs == s.false_merges == 0
    assert s.pairwise_precision == s.pairwise_recall == s.pairwise_f1 == 1.0
    assert s.bcubed_precision == s.bcubed_recall == s.bcubed_f1 == 1.0


def test_empty_predicted():
    truth = {"a": "A", "b": "A", "c": "B"}
    s = score_clusters({}, truth)
    assert (s.predicted_pairs, s.true_pairs, s.missed_pairs) == (0, 1, 1)
    assert s.pairwise_precision == 1.0
    assert s.pairwise_recall == 0.0
    assert s.bcubed_precision == 1.0
    assert s.bcubed_recall == float(F(2, 3))  # a, b: 1/2 each; c: 1


def test_cluster_ids_need_not_differ_from_entity_ids():
    # Predicted cluster names that happen to equal entity names carry no meaning.
    truth = {"a": "A", "b": "B"}
    s = score_clusters({"a": "B", "b": "A"}, truth)
    assert s.pairwise_f1 == s.bcubed_f1 == 1.0


def test_cluster_scores_as_dict():
    s = score_clusters({"a": "X", "b": "X"}, {"a": "A", "b": "B", "c": "B"})
    d = s.as_dict()
    assert set(d) == {
        "pairwise_precision",
        "pairwise_recall",
        "pairwise_f1",
        "bcubed_precision",
        "bcubed_recall",
        "bcubed_f1",
        "false_merges",
        "false_merge_pairs",
        "missed_pairs",
        "true_pairs",
        "predicted_pairs",
        "records",
    }
    assert_plain_json(d)
    assert ClusterScores(**d) == s
    with pytest.raises(AttributeError):
        s.records = 5  # type: ignore[misc]


# --- score_clusters: brute force cross-check ------------------------------------------------------


def brute_force(predicted: dict[str, str], truth: dict[str, str]) -> dict[str, object]:
    """Every pair and every record enumerated; unclustered records are singletons."""
    records = list(truth)

    def same_pred(r: str, s: str) -> bool:
        return r == s or (r in predicted and s in predicted and predicted[r] == predicted[s])

    hit = pred_pairs = true_pairs = 0
    for r, s in itertools.combinations(records, 2):
        sp = same_pred(r, s)
        st_ = truth[r] == truth[s]
        pred_pairs += sp
        true_pairs += st_
        hit += sp and st_

    bp = br = Fraction(0)
    for r in records:
        pc = {s for s in records if same_pred(r, s)}
        tc = {s for s in records if truth[s] == truth[r]}
        bp += Fraction(len(pc & tc), len(pc))
        br += Fraction(len(pc & tc), len(tc))
    n = len(records)
    bp = bp / n if n else Fraction(1)
    br = br / n if n else Fraction(1)

    entities_per_cluster: dict[str, set[str]] = {}
    for r in records:
        if r in predicted:
            entities_per_cluster.setdefault(predicted[r], set()).add(truth[r])
    pp = Fraction(hit, pred_pairs) if pred_pairs else Fraction(1)
    pr = Fraction(hit, true_pairs) if true_pairs else Fraction(1)
    return {
        "pairwise_precision": float(pp),
        "pairwise_recall": float(pr),
        "pairwise_f1": float(f1(pp, pr)),
        "bcubed_precision": float(bp),
        "bcubed_recall": float(br),
        "bcubed_f1": float(f1(bp, br)),
        "false_merges": sum(1 for ents in entities_per_cluster.values() if len(ents) > 1),
        "false_merge_pairs": pred_pairs - hit,
        "missed_pairs": true_pairs - hit,
        "true_pairs": true_pairs,
        "predicted_pairs": pred_pairs,
        "records": n,
    }


@st.composite
def clusterings(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, str]]:
    n = draw(st.integers(0, 14))
    records = [f"r{i}" for i in range(n)]
    entities = st.sampled_from(["A", "B", "C", "D", "E"])
    truth = {r: draw(entities) for r in records}
    predicted: dict[str, str] = {}
    for r in records:
        label = draw(st.one_of(st.none(), st.sampled_from(["A", "B", "X", "Y", "Z"])))
        if label is not None:
            predicted[r] = label
    # Records the truth does not know about, sharing cluster ids with scored records.
    for i in range(draw(st.integers(0, 3))):
        predicted[f"extra{i}"] = draw(st.sampled_from(["A", "X", "Q"]))
    return predicted, truth


@given(clusterings())
def test_fast_formulas_equal_brute_force(case: tuple[dict[str, str], dict[str, str]]):
    predicted, truth = case
    assert score_clusters(predicted, truth).as_dict() == brute_force(predicted, truth)


@given(st.lists(st.sampled_from("ABCDEFG"), max_size=30), st.data())
def test_identity_clustering_is_perfect(labels: list[str], data: st.DataObject):
    truth = {f"r{i}": e for i, e in enumerate(labels)}
    # Same partition under different (possibly colliding-looking) names.
    rename = dict(zip("ABCDEFG", data.draw(st.permutations("ABCDEFG")), strict=True))
    predicted = {r: rename[e] for r, e in truth.items()}
    s = score_clusters(predicted, truth)
    assert s.pairwise_precision == s.pairwise_recall == s.pairwise_f1 == 1.0
    assert s.bcubed_precision == s.bcubed_recall == s.bcubed_f1 == 1.0
    assert s.false_merges == s.false_merge_pairs == s.missed_pairs == 0
    assert s.predicted_pairs == s.true_pairs
    assert s.records == len(labels)


@given(st.lists(st.tuples(st.sampled_from("ABCD"), st.sampled_from("WXYZ")), max_size=25))
def test_swapping_prediction_and_truth_swaps_precision_and_recall(pairs: list[tuple[str, str]]):
    truth = {f"r{i}": t for i, (t, _) in enumerate(pairs)}
    predicted = {f"r{i}": p for i, (_, p) in enumerate(pairs)}
    a = score_clusters(predicted, truth)
    b = score_clusters(truth, predicted)
    assert (a.pairwise_precision, a.pairwise_recall) == (b.pairwise_recall, b.pairwise_precision)
    assert (a.bcubed_precision, a.bcubed_recall) == (b.bcubed_recall, b.bcubed_precision)
    assert (a.false_merge_pairs, a.missed_pairs) == (b.missed_pairs, b.false_merge_pairs)


# --- score_ranking --------------------------------------------------------------------------------


def test_precision_and_recall_at_k():
    s = score_ranking(["a", "b", "c", "d", "e"], {"a", "c", "f"}, ks=(1, 2, 3, 5, 10))
    assert s.precision_at == {1: 1.0, 2: 0.5, 3: float(F(2, 3)), 5: 0.4, 10: 0.2}
    assert s.recall_at == {
        1: float(F(1, 3)),
        2: float(F(1, 3)),
        3: float(F(2, 3)),
        5: float(F(2, 3)),
        10: float(F(2, 3)),
    }
    # Relevant at ranks 1 and 3, f never ranked: (1/1 + 2/3) / 3.
    assert s.average_precision == float(F(5, 9))


def test_duplicates_count_once_at_first_position():
    s = score_ranking(["a", "a", "b", "a", "c"], ["b", "c"], ks=(2, 3))
    # Deduplicated ranking is a, b, c.
    assert s.precision_at == {2: 0.5, 3: float(F(2, 3))}
    assert s.recall_at == {2: 0.5, 3: 1.0}
    assert s.average_precision == float(F(7, 12))  # (1/2 + 2/3) / 2


def test_default_cutoffs_and_short_list():
    s = score_ranking(["a", "b"], {"a", "b"})
    assert list(s.precision_at) == [10, 50, 100]
    # Positions past the end of the list are misses.
    assert s.precision_at == {10: 0.2, 50: 0.04, 100: 0.02}
    assert s.recall_at == {10: 1.0, 50: 1.0, 100: 1.0}
    assert s.average_precision == 1.0


def test_ranking_empty_inputs():
    none_relevant = score_ranking(["a", "b"], set(), ks=(1, 5))
    assert none_relevant.precision_at == {1: 0.0, 5: 0.0}
    assert none_relevant.recall_at == {1: 1.0, 5: 1.0}  # nothing to find
    assert none_relevant.average_precision == 1.0

    nothing_ranked = score_ranking([], {"a"}, ks=(1, 5))
    assert nothing_ranked.precision_at == {1: 0.0, 5: 0.0}
    assert nothing_ranked.recall_at == {1: 0.0, 5: 0.0}
    assert nothing_ranked.average_precision == 0.0


def test_ranking_rejects_non_positive_cutoff():
    with pytest.raises(ValueError, match="positive"):
        score_ranking(["a"], {"a"}, ks=(0, 10))


def test_ranking_as_dict():
    s = score_ranking(["a", "b", "c"], {"b"}, ks=(1, 2))
    d = s.as_dict()
    assert d == {
        "precision@1": 0.0,
        "precision@2": 0.5,
        "recall@1": 0.0,
        "recall@2": 1.0,
        "average_precision": 0.5,
    }
    assert_plain_json(d)
    assert isinstance(s, RankingScores)


@given(
    st.lists(st.sampled_from("abcdefghij"), max_size=15),
    st.sets(st.sampled_from("abcdefghijkl"), min_size=1, max_size=8),
    st.lists(st.integers(1, 20), min_size=1, max_size=4),
)
def test_ranking_matches_definitions(ranked: list[str], relevant: set[str], ks: list[int]):
    s = score_ranking(ranked, relevant, ks=ks)
    dedup: list[str] = []
    for item in ranked:
        if item not in dedup:
            dedup.append(item)
    for k in ks:
        found = len(set(dedup[:k]) & relevant)
        assert s.precision_at[k] == float(F(found, k))
        assert s.recall_at[k] == float(F(found, len(relevant)))
    ap = sum(
        (F(len(set(dedup[: i + 1]) & relevant), i + 1) for i, item in enumerate(dedup) if item in relevant),
        F(0),
    )
    assert s.average_precision == float(ap / len(relevant))


# --- score_hits -----------------------------------------------------------------------------------


def test_hits_hand_computed():
    s = score_hits(["a", "b", "c", "d", "a"], {"c", "d", "e"})
    assert (s.true_positives, s.false_positives, s.false_negatives) == (2, 2, 1)
    assert s.precision == 0.5
    assert s.recall == float(F(2, 3))
    assert s.f1 == float(F(4, 7))


@pytest.mark.parametrize(
    ("flagged", "truth", "expected"),
    [
        ([], [], (0, 0, 0, 1.0, 1.0, 1.0)),
        ([], ["a"], (0, 0, 1, 1.0, 0.0, 0.0)),
        (["a"], [], (0, 1, 0, 0.0, 1.0, 0.0)),
        (["a", "b"], ["b", "a"], (2, 0, 0, 1.0, 1.0, 1.0)),
        (["a"], ["b"], (0, 1, 1, 0.0, 0.0, 0.0)),
    ],
)
def test_hits_edge_cases(flagged: list[str], truth: list[str], expected: tuple):
    s = score_hits(flagged, truth)
    assert (s.true_positives, s.false_positives, s.false_negatives, s.precision, s.recall, s.f1) == expected


def test_hits_as_dict():
    s = score_hits({"a", "b"}, {"b"})
    d = s.as_dict()
    assert d == {
        "true_positives": 1,
        "false_positives": 1,
        "false_negatives": 0,
        "precision": 0.5,
        "recall": 1.0,
        "f1": float(F(2, 3)),
    }
    assert_plain_json(d)
    assert HitScores(**d) == s
