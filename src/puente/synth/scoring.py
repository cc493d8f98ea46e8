"""Scorers against the synthetic world's ground truth: entity resolution, rankings and hit lists.

Every measure is computed exactly (integer counts, rational sums) and rounded to a float once, so
results do not depend on iteration order. Pair counts come from n*(n-1)/2 over contingency cells;
no pair of records is ever enumerated, which keeps a million-record scoring to a few seconds.

Conventions for empty denominators (all documented on the functions): a precision with nothing
predicted or flagged is 1.0, a recall with nothing to find is 1.0, and an F1 is the harmonic mean
of the two, 0.0 when both are 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass
from fractions import Fraction
from operator import itemgetter

__all__ = [
    "ClusterScores",
    "CommunityScores",
    "HitScores",
    "RankingScores",
    "score_clusters",
    "score_communities",
    "true_persons",
    "score_hits",
    "score_ranking",
]

# Label of a record absent from the predicted clustering: (_UNCLUSTERED, record id) is unique per
# record and can never equal a caller's cluster id, so each such record is its own singleton.
_UNCLUSTERED = object()

_ONE = Fraction(1)


def _ratio(num: int, den: int) -> Fraction:
    """num/den, or 1 when den is 0 (nothing predicted, or nothing to find)."""
    return Fraction(num, den) if den else _ONE


def _f1(precision: Fraction, recall: Fraction) -> Fraction:
    """Harmonic mean of precision and recall; 0 when both are 0."""
    total = precision + recall
    return 2 * precision * recall / total if total else Fraction(0)


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _pairs_over(sizes: Counter[int]) -> int:
    """Pairs within groups, from a histogram {group size: number of groups of that size}."""
    return sum(_pairs(size) * count for size, count in sizes.items())


@dataclass(frozen=True)
class ClusterScores:
    """How a predicted clustering of records compares with the true entities.

    Pairwise measures count record pairs: a predicted pair (two records in one predicted cluster)
    is correct when both records belong to one true entity. B-cubed measures are per record: the
    share of the record's predicted cluster that is its true entity (precision) and the share of
    its true entity that is in its predicted cluster (recall), each averaged over all records.
    """

    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    false_merges: int  # predicted clusters holding records of 2+ true entities
    false_merge_pairs: int  # predicted pairs that are not true pairs
    missed_pairs: int  # true pairs that are not predicted pairs
    true_pairs: int
    predicted_pairs: int
    records: int

    def as_dict(self) -> dict[str, float | int]:
        """The scores as plain floats and ints, ready for a JSON line."""
        return asdict(self)


def score_clusters(predicted: Mapping[str, str], truth: Mapping[str, str]) -> ClusterScores:
    """Score a clustering (record id -> cluster id) against the truth (record id -> entity id).

    Only records present in `truth` are scored; predicted entries for other records are ignored,
    and a truth record missing from `predicted` counts as a singleton cluster. With no predicted
    pairs the pairwise precision is 1.0, with no true pairs the pairwise recall is 1.0 (nothing to
    find), and with no records every precision and recall is 1.0.
    """
    items = list(truth.items())
    records = len(items)
    pget = predicted.get
    p_labels = [pget(rid, (_UNCLUSTERED, rid)) for rid, _ in items]
    t_labels = list(map(itemgetter(1), items))
    del items

    cells = Counter(zip(p_labels, t_labels, strict=True))  # (cluster, entity) -> shared records
    p_size = Counter(p_labels)
    t_size = Counter(t_labels)
    del p_labels, t_labels

    cell_p = list(map(itemgetter(0), cells))
    cell_t = list(map(itemgetter(1), cells))
    cell_n = list(cells.values())
    del cells

    hit_pairs = _pairs_over(Counter(cell_n))
    predicted_pairs = _pairs_over(Counter(p_size.values()))
    true_pairs = _pairs_over(Counter(t_size.values()))
    false_merges = sum(1 for n in Counter(cell_p).values() if n > 1)

    # B-cubed: a record in cell (p, t) has precision n_pt/|p| and recall n_pt/|t|, so the cell adds
    # n_pt**2/|p| and n_pt**2/|t|. Cells are histogrammed by (cluster size, cell size), few distinct
    # pairs, and the exact rational sum takes one fraction per distinct cluster size.
    p_num: Counter[int] = Counter()
    for (size, n), count in Counter(zip(map(p_size.__getitem__, cell_p), cell_n, strict=True)).items():
        p_num[size] += count * n * n
    t_num: Counter[int] = Counter()
    for (size, n), count in Counter(zip(map(t_size.__getitem__, cell_t), cell_n, strict=True)).items():
        t_num[size] += count * n * n
    if records:
        bcubed_p = sum((Fraction(v, s) for s, v in p_num.items()), Fraction(0)) / records
        bcubed_r = sum((Fraction(v, s) for s, v in t_num.items()), Fraction(0)) / records
    else:
        bcubed_p = bcubed_r = _ONE

    pair_p = _ratio(hit_pairs, predicted_pairs)
    pair_r = _ratio(hit_pairs, true_pairs)
    return ClusterScores(
        pairwise_precision=float(pair_p),
        pairwise_recall=float(pair_r),
        pairwise_f1=float(_f1(pair_p, pair_r)),
        bcubed_precision=float(bcubed_p),
        bcubed_recall=float(bcubed_r),
        bcubed_f1=float(_f1(bcubed_p, bcubed_r)),
        false_merges=false_merges,
        false_merge_pairs=predicted_pairs - hit_pairs,
        missed_pairs=true_pairs - hit_pairs,
        true_pairs=true_pairs,
        predicted_pairs=predicted_pairs,
        records=records,
    )


@dataclass(frozen=True)
class RankingScores:
    """How well a ranked list puts relevant items first.

    precision_at[k]: share of the top k positions holding a relevant item (a list shorter than k
    counts the empty positions as misses). recall_at[k]: share of the relevant items in the top k.
    average_precision: mean over relevant items of the precision at the rank where each appears,
    0 for those never ranked.
    """

    precision_at: dict[int, float]
    recall_at: dict[int, float]
    average_precision: float

    def as_dict(self) -> dict[str, float]:
        """Flat plain floats for a JSON line: precision@k, recall@k and average_precision."""
        out: dict[str, float] = {f"precision@{k}": v for k, v in self.precision_at.items()}
        out.update({f"recall@{k}": v for k, v in self.recall_at.items()})
        out["average_precision"] = self.average_precision
        return out


def score_ranking(
    ranked: Sequence[str], relevant: Collection[str], ks: Sequence[int] = (10, 50, 100)
) -> RankingScores:
    """Score a ranking (best first) against the set of relevant items.

    An item ranked more than once counts once, at its first position. With no relevant items,
    recall@k and average precision are 1.0 (nothing to find). Each k must be positive.
    """
    bad = [k for k in ks if k < 1]
    if bad:
        raise ValueError(f"ranking cutoffs must be positive, got {bad}")
    relevant_set = set(relevant)
    n_relevant = len(relevant_set)
    ranking = list(dict.fromkeys(ranked))

    # hits_before[i]: relevant items among the first i positions.
    hits_before = [0] * (len(ranking) + 1)
    ap_sum = Fraction(0)
    hits = 0
    for i, item in enumerate(ranking, start=1):
        if item in relevant_set:
            hits += 1
            ap_sum += Fraction(hits, i)
        hits_before[i] = hits

    precision_at: dict[int, float] = {}
    recall_at: dict[int, float] = {}
    for k in ks:
        found = hits_before[min(k, len(ranking))]
        precision_at[k] = float(Fraction(found, k))
        recall_at[k] = float(_ratio(found, n_relevant))
    average_precision = float(ap_sum / n_relevant) if n_relevant else 1.0
    return RankingScores(precision_at=precision_at, recall_at=recall_at, average_precision=average_precision)


@dataclass(frozen=True)
class HitScores:
    """Flagged items (screening or lead hits) against the items that should have been flagged.

    precision: share of flagged items that are true hits; recall: share of true hits flagged.
    """

    true_positives: int
    false_positives: int
    false_negatives: int
    precision: float
    recall: float
    f1: float

    def as_dict(self) -> dict[str, float | int]:
        """The scores as plain floats and ints, ready for a JSON line."""
        return asdict(self)


def score_hits(flagged: Collection[str], truth: Collection[str]) -> HitScores:
    """Score a set of flagged items against the true hits (duplicates count once).

    Nothing flagged gives precision 1.0; no true hits gives recall 1.0 (nothing to find).
    """
    flagged_set = set(flagged)
    truth_set = set(truth)
    tp = len(flagged_set & truth_set)
    fp = len(flagged_set) - tp
    fn = len(truth_set) - tp
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    return HitScores(
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        precision=float(precision),
        recall=float(recall),
        f1=float(_f1(precision, recall)),
    )


if __name__ == "__main__":
    import random
    import time

    rng = random.Random(20240601)
    n_records = 1_000_000
    n_entities = 600_000
    # Every entity gets one record, the rest land on random entities: ~600k entities, skewed sizes.
    truth_ids = [f"E{i}" for i in range(n_entities)]
    truth_ids += [f"E{rng.randrange(n_entities)}" for _ in range(n_records - n_entities)]
    truth_map = {f"R{i}": e for i, e in enumerate(truth_ids)}
    # A flawed resolver: mostly right, some records split off, some entities merged, some unclustered.
    pred_map: dict[str, str] = {}
    for rid, e in truth_map.items():
        roll = rng.random()
        if roll < 0.05:
            pred_map[rid] = f"S{rid}"
        elif roll < 0.08:
            pred_map[rid] = f"M{int(e[1:]) // 2}"
        elif roll < 0.10:
            continue
        else:
            pred_map[rid] = e
    start = time.perf_counter()
    scores = score_clusters(pred_map, truth_map)
    elapsed = time.perf_counter() - start
    print(scores.as_dict())
    print(f"score_clusters: {n_records:,} records, {n_entities:,} entities in {elapsed:.2f} s")


@dataclass(frozen=True)
class CommunityScores:
    """Detected communities against the true organizations, over the persons who belong to one: the
    adjusted Rand index (1 a perfect match, about 0 a random one) and normalised mutual information."""

    ari: float
    nmi: float
    persons: int  # org members found in the graph (each graph node a person is seen as counts once)
    organizations: int  # true organizations among them
    communities: int  # detected communities among them

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def score_communities(predicted: Mapping[str, int], truth: Mapping[str, str]) -> CommunityScores:
    """``predicted``: graph node -> community; ``truth``: graph node -> true organization (only the
    nodes of org members). Scored over the nodes in both, by igraph's comparison of partitions."""
    import igraph as ig

    nodes = sorted(set(predicted) & set(truth))
    if not nodes:
        return CommunityScores(1.0, 1.0, 0, 0, 0)
    orgs = {o: i for i, o in enumerate(sorted({truth[n] for n in nodes}))}
    found = {c: i for i, c in enumerate(sorted({predicted[n] for n in nodes}))}
    true_labels = [orgs[truth[n]] for n in nodes]
    labels = [found[predicted[n]] for n in nodes]
    ari = ig.compare_communities(true_labels, labels, method="adjusted_rand")
    nmi = ig.compare_communities(true_labels, labels, method="nmi")
    return CommunityScores(round(float(ari), 4), round(float(nmi), 4), len(nodes), len(orgs), len(found))


def true_persons(node_records: Mapping[str, Sequence[str]], person_of: Mapping[str, str]) -> dict[str, str]:
    """Graph node -> the true person most of its records are (nodes with no such record left out)."""
    out = {}
    for node, records in node_records.items():
        seen = Counter(person_of[r] for r in records if r in person_of)
        if seen:
            out[node] = min(seen, key=lambda p: (-seen[p], p))
    return out
