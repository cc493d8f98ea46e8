"""Clustering scored pairs into entities without chaining.

Pairs are taken strongest first; two clusters join only if no pair of their records clearly
differs: a different CURP or SSN, a different sex, birth dates that differ beyond a swap or a
slip, or given names that share nothing while no identifier agrees (the same, or but for a slip).
So A~B and B~C do not make A, B and C one person when A and C are two. A CURP or SSN more than a
slip apart is no refusal when names, birth date and street all agree: an identifier miswritten
(or another's copied) is likelier than two such people, and the model weighs the disagreement as
it weighs any field's. Hand-written: the graph libraries' clusterings (connected components,
Leiden) have no notion of a pair that must stay apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz.distance import JaroWinkler

from puente.resolve.compare import LEVEL, compare_pair, identifiers_conflict
from puente.resolve.persons import SEP

EXACT_CHECK = 2500  # clusters whose pair count is at most this are checked record by record
CONFLICTED = -10.0  # at most the weight of a pair in conflict or decided two people
GIVEN_RULE = True  # given names that share nothing keep two records apart unless an identifier agrees
# the levels at which a field agrees, as a lookup by level: an identifier the same but for a slip,
# and (for ``corroborated``) names, date and street that agree
_ID_AGREES = np.array([lv in ("same", "one_slip") for lv in LEVEL["ssn"]])
_AGREES = {
    k: np.array([lv in agreeing for lv in LEVEL[name]])
    for k, name, agreeing in (
        (0, "given", ("exact", "same_first", "equivalent", "similar", "swapped")),
        (1, "paternal", ("exact", "similar", "swapped")),
        (2, "maternal", ("missing", "exact", "similar")),
        (3, "birth", ("exact",)),
        (9, "address", ("same_street", "similar_street")),
    )
}


def corroborated(observed: np.ndarray) -> np.ndarray:
    """Pairs whose names, birth date and street all agree (a slip or an exchange of name parts
    allowed): a CURP or SSN that differs then is more likely miswritten than another person's."""
    agree = np.ones(observed.shape[0], dtype=bool)
    for k, table in _AGREES.items():
        agree &= table[observed[:, k]]
    return agree


def conflicts(observed: np.ndarray) -> np.ndarray:
    """Pairs (rows of comparison levels) whose records cannot be one person."""
    g, birth, curp, ssn, phone, sex = (observed[:, k] for k in (0, 3, 4, 5, 6, 7))
    same_id = _ID_AGREES[curp] | _ID_AGREES[ssn]  # a slip is a typing error, not another person
    ids_differ = (curp == LEVEL["curp"]["different"]) | (ssn == LEVEL["ssn"]["different"])
    return (
        (ids_differ & ~corroborated(observed))
        | (sex == 2)
        | ((birth == LEVEL["birth"]["different"]) & ~same_id)  # an identifier outweighs a date
        | ((g == LEVEL["given"]["different"]) & ~(same_id | (phone == 1)) & GIVEN_RULE)
    )


def capped(weights: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """The weights with every pair in conflict brought down to at most ``CONFLICTED``."""
    return np.where(conflicts(observed), np.minimum(weights, CONFLICTED), weights)


class _Records:
    """The fields the record-by-record check reads, as plain tuples for the given rows only (a
    Python loop over a few hundred pairs is cheaper than a columnar call)."""

    def __init__(self, f: pl.DataFrame, rows: np.ndarray) -> None:
        cols = ("curp", "ssn", "sex", "birth", "by_lo", "by_hi", "given1", "paternal", "phones")
        self.frame = f
        # lists travel joined in one string each, split only where a check reads them (rarely)
        sub = f[rows].with_columns(pl.col("phones", "roots").list.join(SEP))
        keys = rows.tolist()
        self.rows = dict(zip(keys, zip(*(sub[c].to_list() for c in cols), strict=True), strict=True))
        self.roots = dict(zip(keys, sub["roots"].to_list(), strict=True))
        self.curp, self.ssn, self.sex = ({k: r[c] for k, r in self.rows.items()} for c in (0, 1, 2))

    def excused(self, x: int, y: int) -> set[str]:
        """The identifiers ("curp", "ssn") on which two records differ while all else agrees
        (``corroborated``): none when all else does not."""
        a, b = self.rows[x], self.rows[y]
        differ = {k for n, k in enumerate(_IDS) if identifiers_conflict(a[n], b[n])}
        if differ:
            pair = compare_pair(self.frame.row(x, named=True), self.frame.row(y, named=True))
            if not corroborated(np.array([pair]))[0]:
                return set()
        return differ

    def clash(self, x: int, y: int) -> bool:
        """Records that cannot be one person, identifiers aside (the clusters' own check)."""
        a, b = self.rows[x], self.rows[y]
        if a[2] is not None and b[2] is not None and a[2] != b[2]:  # sex
            return True
        da, db = a[3], b[3]
        same_id = _agree(a[0], b[0]) or _agree(a[1], b[1])
        if same_id:
            pass  # one CURP or SSN: a date written wrong does not make two people
        elif da is not None and db is not None:
            if da != db and not _date_slip(da, db):
                return True
        elif a[4] is not None and b[4] is not None and (a[4] > b[5] or b[4] > a[5]):
            return True
        if GIVEN_RULE and a[6] and b[6] and a[6] != b[6]:
            identified = same_id or _share(a[8], b[8])
            if not identified and not _share(self.roots[x], self.roots[y]) and not _given_close(a, b):
                return True
        return False


def _share(x: str, y: str) -> bool:
    """Two joined lists with a value in common."""
    return bool(x and y and set(x.split(SEP)) & set(y.split(SEP)))


def _agree(x: str | None, y: str | None) -> bool:
    """Two identifiers that are the same, but for a slip."""
    return x is not None and y is not None and not identifiers_conflict(x, y)


_IDS = ("curp", "ssn")


def _ids_conflict(a: dict[str, set[str]], b: dict[str, set[str]], kinds: set[str]) -> bool:
    """Two clusters whose CURPs (or SSNs) differ: each has some, and none of one side is the
    other's, or one slip from it. A cluster holds two only where a miswritten one was excused."""
    return any(
        a[k] and b[k] and not any(not identifiers_conflict(x, y) for x in a[k] for y in b[k]) for k in kinds
    )


def _date_slip(a: dt.date, b: dt.date) -> bool:
    """A swapped day and month, or one part of the date miswritten."""
    if a.year == b.year and a.month == b.day and a.day == b.month:
        return True
    same = (a.year == b.year) + (a.month == b.month) + (a.day == b.day)
    return same >= 2 or (a.month == b.month and a.day == b.day and abs(a.year - b.year) <= 1)


def _given_close(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    ga, gb, pa, pb = str(a[6]), str(b[6]), a[7], b[7]
    if ga.startswith(gb) or gb.startswith(ga) or JaroWinkler.normalized_similarity(ga, gb) >= 0.88:
        return True
    # given name and surname exchanged, on either side: a clash must not depend on the order asked
    return bool(
        pa
        and pb
        and max(
            JaroWinkler.normalized_similarity(ga, str(pb)), JaroWinkler.normalized_similarity(gb, str(pa))
        )
        >= 0.9
    )


@dataclass
class Clustering:
    labels: np.ndarray  # cluster label (the smallest row position in it) per record
    refused: int  # joins refused because some pair of records clearly differs


FORCED = 1e6  # the weight of a pair an analyst decided is one person: joined first, unchecked


def components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """The connected component of each of ``n`` nodes over edges (i, j), labelled by its smallest
    node: minimum labels spread along the edges, with pointer jumping, until nothing changes."""
    label = np.arange(n)
    while True:
        low = np.minimum(label[i], label[j])
        new = label.copy()
        np.minimum.at(new, i, low)
        np.minimum.at(new, j, low)
        new = new[new]  # jump: a node takes its label's label
        if np.array_equal(new, label):
            return label
        label = new


def cluster(
    f: pl.DataFrame,
    pairs: pl.DataFrame,
    weights: np.ndarray,
    threshold: float,
    apart: Callable[[int, int], bool] | None = None,
    decided: set[int] | None = None,
) -> Clustering:
    """Join pairs strongest first. ``apart(x, y)`` says analysts decided rows x and y are two people
    (checked for the ``decided`` rows only); a pair weighing ``FORCED`` was decided one person.

    Records that only one pair above the threshold links (most entities: two records) are joined
    at once: that pair has already passed every check, since a pair in conflict or decided apart
    weighs at most ``CONFLICTED`` (a threshold below that checks every join). Only larger groups,
    where chaining can happen, are joined pair by pair, each side's records checked against the
    other's."""
    n = f.height
    pi, pj = pairs["i"].to_numpy(), pairs["j"].to_numpy()
    above = np.nonzero(weights >= threshold)[0]
    group = components(n, pi[above], pj[above])
    sizes = np.bincount(group, minlength=n)
    if threshold <= CONFLICTED:  # pairs in conflict are above it: every join must be checked
        sizes[:] = n + 2
    larger = above[sizes[group[pi[above]]] > 2]
    labels, refused = _greedy(f, pi, pj, weights, larger, apart, decided)
    pair_of_two = above[sizes[group[pi[above]]] == 2]
    a, b = pi[pair_of_two], pj[pair_of_two]
    labels[b] = labels[a] = np.minimum(a, b)
    return Clustering(labels, refused)


def _greedy(
    f: pl.DataFrame,
    pi: np.ndarray,
    pj: np.ndarray,
    weights: np.ndarray,
    edges: np.ndarray,
    apart: Callable[[int, int], bool] | None = None,
    decided: set[int] | None = None,
) -> tuple[np.ndarray, int]:
    """Labels (smallest row of each cluster) after joining the pairs at positions ``edges``,
    strongest first, each join checked; and the number of joins refused."""
    n = f.height
    parent = np.arange(n)
    members: dict[int, list[int]] = {}
    records = _Records(f, np.unique(np.concatenate([pi[edges], pj[edges]])))
    ids: dict[int, dict[str, set[str]]] = {}
    curp, ssn, sex = records.curp, records.ssn, records.sex

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def identity(root: int) -> dict[str, set[str]]:
        if root not in ids:
            ids[root] = {
                "curp": {curp[root]} - {None},
                "ssn": {ssn[root]} - {None},
                "sex": {sex[root]} - {None},
            }  # type: ignore[operator]
        return ids[root]

    order = edges[np.argsort(-weights[edges], kind="stable")]
    refused = 0
    for x in order:
        i, j = int(pi[x]), int(pj[x])
        a, b = find(i), find(j)
        if a == b:
            continue
        ia, ib = identity(a), identity(b)
        ma, mb = members.get(a, [a]), members.get(b, [b])
        if apart is not None and decided:
            da, db_ = [x1 for x1 in ma if x1 in decided], [y1 for y1 in mb if y1 in decided]
            if any(apart(x1, y1) for x1 in da for y1 in db_):
                refused += 1
                continue
        forced = weights[x] >= FORCED
        if not forced and (
            len(ia["sex"] | ib["sex"]) > 1 or _ids_conflict(ia, ib, set(_IDS) - records.excused(i, j))
        ):
            refused += 1
            continue
        if (
            not forced
            and len(ma) * len(mb) <= EXACT_CHECK
            and any(records.clash(x1, y1) for x1 in ma for y1 in mb)
        ):
            refused += 1
            continue
        root, other = (a, b) if len(ma) >= len(mb) else (b, a)
        parent[other] = root
        members[root] = ma + mb
        members.pop(other, None)
        ids[root] = {k: ia[k] | ib[k] for k in ("curp", "ssn", "sex")}
        ids.pop(other, None)
    while not np.array_equal(parent[parent], parent):  # every record points at its root
        parent = parent[parent]
    smallest = np.arange(n)
    np.minimum.at(smallest, parent, np.arange(n))
    return smallest[parent], refused
