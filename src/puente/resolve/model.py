"""The Fellegi–Sunter model: m and u probabilities per comparison level, match weights, EM.

u (how often two different people show a level) is counted on random pairs of records; m (how
often one person's two records show it) is estimated by expectation–maximisation on the candidate
pairs, with u held fixed, as Splink does. A level 0 ("missing") is no evidence (weight 0). Exact
name agreement is adjusted for how common the name is (term frequency): sharing "HERNANDEZ" says
less than sharing "ZUBIZARRETA", so a common name needs more evidence than a rare one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from puente.resolve.compare import COMPARISONS, candidate_pairs, levels

TF_FIELDS = {"given": "given", "paternal": "paternal", "maternal": "maternal"}  # comparison -> column
# Starting m: agreeing levels likely for a match, disagreeing ones not; EM refines them.
_M_START = {
    "given": (0.55, 0.2, 0.08, 0.08, 0.01, 0.04, 0.04),
    "paternal": (0.85, 0.07, 0.05, 0.03),
    "maternal": (0.85, 0.1, 0.05),
    "birth": (0.8, 0.03, 0.08, 0.05, 0.04),
    "curp": (0.93, 0.05, 0.02),
    "ssn": (0.93, 0.05, 0.02),
    "phone": (0.7, 0.3),
    "sex": (0.97, 0.03),
    "nickname": (0.6, 0.4),
    "address": (0.6, 0.1, 0.1, 0.2),
}
_FLOOR = 1e-6
PSEUDO_COUNT = 50.0


@dataclass
class Model:
    m: list[np.ndarray]
    u: list[np.ndarray]
    prior: float  # share of candidate pairs that are matches
    tf: dict[str, dict[str, float]] = field(default_factory=dict)  # field -> value -> frequency
    iterations: int = 0

    def weights(self) -> list[np.ndarray]:
        """log2(m/u) per comparison and level (0 for level 0)."""
        out = []
        for m, u in zip(self.m, self.u, strict=True):
            w = np.log2(np.maximum(m, _FLOOR) / np.maximum(u, _FLOOR))
            w[0] = 0.0
            out.append(w)
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            "prior": self.prior,
            "iterations": self.iterations,
            "comparisons": {
                c.name: {
                    lv: {"m": float(self.m[k][i]), "u": float(self.u[k][i])} for i, lv in enumerate(c.levels)
                }
                for k, c in enumerate(COMPARISONS)
            },
        }


def _distribution(column: np.ndarray, n_levels: int) -> np.ndarray:
    counts = np.bincount(column[column > 0], minlength=n_levels).astype(float)[:n_levels]
    counts[1:] += 0.5  # a level never seen is rare, not impossible
    counts[0] = 0.0
    total = counts.sum()
    dist = counts / total if total else np.full(n_levels, 1.0 / n_levels)
    dist[0] = 1.0
    return dist


def estimate_u(f: pl.DataFrame, sample: int = 300_000, seed: int = 7) -> list[np.ndarray]:
    """u from random pairs of records: almost all of them are two different people."""
    rng = np.random.default_rng(seed)
    n = f.height
    i = rng.integers(0, n, size=sample)
    j = rng.integers(0, n, size=sample)
    keep = i != j
    pairs = pl.DataFrame({"i": i[keep], "j": j[keep]})
    observed = levels(f, pairs)
    return [_distribution(observed[:, k], len(c.levels)) for k, c in enumerate(COMPARISONS)]


def term_frequencies(f: pl.DataFrame) -> dict[str, dict[str, float]]:
    out = {}
    for name, column in TF_FIELDS.items():
        counts = f[column].drop_nulls().value_counts()
        total = counts["count"].sum() or 1
        out[name] = dict(
            zip(counts[column].to_list(), (c / total for c in counts["count"].to_list()), strict=True)
        )
    return out


def match_weights(
    model: Model, observed: np.ndarray, tf_values: dict[str, np.ndarray] | None = None
) -> np.ndarray:
    """The total match weight (log2 Bayes factor, prior included) of each pair."""
    weights = model.weights()
    total = np.full(observed.shape[0], np.log2(model.prior / (1 - model.prior)))
    for k, comparison in enumerate(COMPARISONS):
        w = weights[k][observed[:, k]]
        if tf_values is not None and comparison.name in tf_values:
            # exact agreement on value v: Bayes factor m_exact / tf(v) instead of m_exact / u_exact
            exact = observed[:, k] == 1
            freq = np.maximum(tf_values[comparison.name], _FLOOR)
            w = np.where(exact, np.log2(np.maximum(model.m[k][1], _FLOOR) / freq), w)
        total += w
    return total


def tf_of_pairs(
    f: pl.DataFrame, pairs: pl.DataFrame, tf: dict[str, dict[str, float]]
) -> dict[str, np.ndarray]:
    """For each term-frequency field, the frequency of the left record's value (used where exact)."""
    left = f[pairs["i"].to_numpy()]
    out = {}
    for name, column in TF_FIELDS.items():
        table = tf[name]
        out[name] = (
            left[column]
            .replace_strict(list(table), list(table.values()), default=1.0, return_dtype=pl.Float64)
            .fill_null(1.0)
            .to_numpy()
        )
    return out


# EM sessions, as Splink runs them: each takes the pairs that agree on some fields (mostly matches)
# and estimates m for the other fields only, so that no field's m is estimated from pairs chosen
# because they agree on it. (field -> level names that select the pairs, fields estimated)
SESSIONS = (
    ({"given": ("exact",), "paternal": ("exact",), "birth": ("exact",)},
     ("maternal", "curp", "ssn", "phone", "sex", "nickname")),
    ({"curp": ("same",)}, ("given", "paternal", "maternal", "birth", "sex", "nickname", "phone", "ssn",
                           "address")),
    ({"ssn": ("same",)}, ("given", "paternal", "maternal", "birth", "phone", "curp", "address")),
    ({"phone": ("shared",)}, ("given", "paternal", "maternal", "birth", "address")),
)  # fmt: skip


def _posterior(model: Model, observed: np.ndarray, fields: tuple[int, ...], prior: float) -> np.ndarray:
    weights = model.weights()
    total = np.full(observed.shape[0], np.log2(prior / (1 - prior)))
    for k in fields:
        total += weights[k][observed[:, k]]
    return _probability(total)


def _probability(log2_odds: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp2(-np.clip(log2_odds, -60, 60)))


def fit(f: pl.DataFrame, observed: np.ndarray, iterations: int = 25, seed: int = 7) -> Model:
    """Estimate u on random pairs, m by EM sessions on the candidate pairs, then the prior."""
    index = {c.name: k for k, c in enumerate(COMPARISONS)}
    u = estimate_u(f, seed=seed)
    m = []
    for c in COMPARISONS:
        start = np.array((1.0, *_M_START[c.name]), dtype=float)
        start[1:] /= start[1:].sum()
        m.append(start)
    model = Model(m=m, u=u, prior=0.1, tf=term_frequencies(f))
    starts = [x.copy() for x in m]
    for rule, trained in SESSIONS:
        mask = np.ones(observed.shape[0], dtype=bool)
        for name, wanted in rule.items():
            levels_of = COMPARISONS[index[name]].levels
            mask &= np.isin(observed[:, index[name]], [levels_of.index(w) for w in wanted])
        subset = observed[mask]
        if subset.shape[0] < 20:
            continue  # too few pairs to learn from: keep the starting values
        fields = tuple(index[t] for t in trained)
        prior = 0.5
        for _ in range(iterations):
            p = _posterior(model, subset, fields, prior)
            shift = 0.0
            for k in fields:
                sums = np.bincount(subset[:, k], weights=p, minlength=len(COMPARISONS[k].levels)).astype(
                    float
                )
                # a Dirichlet prior from the starting values: a level the session rarely shows (an
                # age instead of a birth date, say) keeps a sensible m instead of one from a few pairs
                sums[1:] += PSEUDO_COUNT * starts[k][1:]
                sums[0] = 0.0
                dist = sums / sums.sum()
                dist[0] = 1.0
                shift = max(shift, float(np.abs(dist - model.m[k]).max()))
                model.m[k] = dist
            prior = float(np.clip(p.mean(), 1e-3, 0.999))
            model.iterations += 1
            if shift < 1e-4:
                break
    # the prior over all candidate pairs, with m and u now fixed
    weights = model.weights()
    evidence = sum((weights[k][observed[:, k]] for k in range(len(COMPARISONS))), np.zeros(observed.shape[0]))
    prior = 0.1
    for _ in range(iterations):  # only the prior moves: the evidence of each pair is summed once
        new = float(np.clip(_probability(evidence + np.log2(prior / (1 - prior))).mean(), 1e-6, 0.99))
        if abs(new - prior) < 1e-6:
            break
        prior = new
    # As a probability that two records taken at random are one person: the share of matches among
    # the candidates depends on how wide the blocking is; this does not, and it falls as the world
    # grows, so that a bigger world, with more namesakes, asks for more evidence.
    total = f.height * (f.height - 1) / 2
    model.prior = float(np.clip(prior * observed.shape[0] / total, 1e-12, 0.5)) if total else prior
    return model


__all__ = [
    "Model",
    "candidate_pairs",
    "estimate_u",
    "fit",
    "match_weights",
    "term_frequencies",
    "tf_of_pairs",
]
