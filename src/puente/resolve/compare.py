"""Candidate pairs of person records (blocking) and how each pair's fields compare (levels).

Blocking joins records that share one of several keys: an identifier, a phone, or a pair of name
and date keys chosen so that each kind of recording noise (a typo, a swapped day and month, a
dropped maternal surname, a diminutive, surnames and given names exchanged) leaves at least one
key intact. A key shared by too many records says little and is skipped for that key only.
All of it is columnar (Polars, and rapidfuzz for string similarity over whole columns).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import cpdist

MAX_BLOCK = 60  # records sharing one blocking key; beyond, the key is too common to tell anything


@dataclass(frozen=True)
class Comparison:
    name: str
    levels: tuple[str, ...]  # level 0 is always "missing": no evidence either way


COMPARISONS = (
    Comparison(
        "given",
        ("missing", "exact", "same_first", "equivalent", "similar", "second_differs", "swapped", "different"),
    ),
    Comparison("paternal", ("missing", "exact", "similar", "swapped", "different")),
    Comparison("maternal", ("missing", "exact", "similar", "different")),
    Comparison("birth", ("missing", "exact", "day_month_swapped", "one_part_differs", "age_consistent",
                         "different")),
    Comparison("curp", ("missing", "same", "different")),
    Comparison("ssn", ("missing", "same", "different")),
    Comparison("phone", ("missing", "shared", "different")),
    Comparison("sex", ("missing", "same", "different")),
    Comparison("nickname", ("missing", "shared", "different")),
)  # fmt: skip
LEVEL = {c.name: {name: i for i, name in enumerate(c.levels)} for c in COMPARISONS}


def _keys(f: pl.DataFrame) -> list[pl.DataFrame]:
    """(key, i) frames, one per blocking rule."""
    i = pl.int_range(pl.len(), dtype=pl.Int64).alias("i")
    base = f.with_columns(i)
    swapped_md = pl.concat_str(
        [pl.min_horizontal("bm", "bd").cast(pl.Utf8), pl.max_horizontal("bm", "bd").cast(pl.Utf8),
         pl.col("by").cast(pl.Utf8)], separator="-",
    )  # fmt: skip
    name_pair = pl.concat_str(
        [pl.min_horizontal("given_ph", "pat_ph"), pl.max_horizontal("given_ph", "pat_ph")], separator="|"
    )
    rules = [
        pl.col("curp"),
        pl.col("ssn"),
        pl.concat_str([pl.lit("P"), pl.col("pat_ph"), pl.col("by").cast(pl.Utf8)], separator="|"),
        pl.concat_str([pl.lit("D"), pl.col("pat_ph"), swapped_md], separator="|"),
        pl.concat_str([pl.lit("G"), pl.col("given_ph"), pl.col("birth").cast(pl.Utf8)], separator="|"),
        pl.concat_str([pl.lit("S"), pl.col("pat_ph"), pl.col("mat_ph")], separator="|"),
        pl.concat_str([pl.lit("N"), name_pair, pl.col("mat_ph")], separator="|"),
        pl.concat_str([pl.lit("A"), name_pair, pl.col("by_lo").cast(pl.Utf8)], separator="|"),
        pl.concat_str([pl.lit("B"), name_pair, pl.col("by_hi").cast(pl.Utf8)], separator="|"),
        pl.concat_str([pl.lit("M"), pl.col("mat_ph"), pl.col("birth").cast(pl.Utf8)], separator="|"),
    ]
    frames = [base.select(rule.alias("key"), "i").drop_nulls() for rule in rules]
    frames.append(base.select(pl.col("phones").alias("key"), "i").explode("key").drop_nulls())
    roots = base.select(pl.col("roots"), "pat_ph", "by", "i").explode("roots")
    # a date (day and month in either order) with any one name word: meets name parts exchanged
    # together with a short form or a slip ("JOE VALENCIA" / "VALENCIA, JOSE")
    words = base.select(
        swapped_md.alias("date"), pl.concat_list("given_ph", "pat_ph", "mat_ph").alias("word"), "i"
    ).explode("word")
    frames.append(
        words.select(
            pl.concat_str([pl.lit("W"), "date", "word"], separator="|").alias("key"), "i"
        ).drop_nulls()
    )
    # a given name with either surname and either birth year an age allows: meets a maternal surname
    # read as the paternal one, and ages instead of dates
    years = base.select(
        "given_ph", pl.concat_list("pat_ph", "mat_ph").alias("surname"),
        pl.concat_list("by_lo", "by_hi").alias("year"), "i",
    ).explode("surname").explode("year")  # fmt: skip
    frames.append(
        years.select(
            pl.concat_str([pl.lit("Y"), "given_ph", "surname", pl.col("year").cast(pl.Utf8)], separator="|")
            .alias("key"), "i",
        ).drop_nulls()
    )  # fmt: skip
    root_key = pl.concat_str(
        [pl.lit("R"), pl.col("roots"), pl.col("pat_ph"), pl.col("by").cast(pl.Utf8)], separator="|"
    )
    frames.append(roots.select(root_key.alias("key"), "i").drop_nulls())
    return frames


def candidate_pairs(f: pl.DataFrame, max_block: int = MAX_BLOCK) -> pl.DataFrame:
    """Distinct pairs (i < j) of row positions that share at least one blocking key."""
    found = []
    for keys in _keys(f):
        keys = keys.unique()
        sizes = keys.group_by("key").len()
        keys = keys.join(sizes.filter((pl.col("len") > 1) & (pl.col("len") <= max_block)), on="key").drop(
            "len"
        )
        pairs = keys.join(keys, on="key", suffix="_b").filter(pl.col("i") < pl.col("i_b"))
        found.append(pairs.select(pl.col("i"), pl.col("i_b").alias("j")))
    if not found:
        return pl.DataFrame({"i": [], "j": []}, schema={"i": pl.Int64, "j": pl.Int64})
    return pl.concat(found).unique().sort("i", "j")


def _similar(a: pl.Series, b: pl.Series) -> np.ndarray:
    return cpdist(
        a.fill_null("").to_list(), b.fill_null("").to_list(), scorer=JaroWinkler.normalized_similarity
    )


def levels(f: pl.DataFrame, pairs: pl.DataFrame) -> np.ndarray:
    """The comparison level of every field for every pair: an (n_pairs, n_comparisons) int8 array."""
    a = f[pairs["i"].to_numpy()]
    b = f[pairs["j"].to_numpy()]
    n = pairs.height
    out = np.zeros((n, len(COMPARISONS)), dtype=np.int8)
    if n == 0:
        return out

    def col(frame: pl.DataFrame, name: str) -> np.ndarray:
        return frame[name].to_numpy()

    def present(name: str) -> np.ndarray:
        return (~a[name].is_null()).to_numpy() & (~b[name].is_null()).to_numpy()

    def equal(x: str, y: str | None = None) -> np.ndarray:
        left, right = a[x], b[y or x]
        return (left == right).fill_null(False).to_numpy()

    # names: the given/paternal exchange (a slip allowed in each) counts for both fields
    swapped = (_similar(a["given1"], b["paternal"]) >= 0.9) & (_similar(a["paternal"], b["given1"]) >= 0.9)
    g_sim = _similar(a["given1"], b["given1"])
    roots = (
        pl.DataFrame({"ra": a["roots"], "rb": b["roots"]})
        .select(pl.col("ra").list.set_intersection(pl.col("rb")).list.len() > 0)
        .to_series()
        .to_numpy()
    )
    prefix = (
        a["given"].str.starts_with(b["given"].fill_null("\x00") + " ")
        | b["given"].str.starts_with(a["given"].fill_null("\x00") + " ")
    ).fill_null(False).to_numpy()  # fmt: skip
    short = (  # a short form that starts the full one ("KIM" for "KIMBERLY")
        (a["given1"].str.len_chars() >= 3) & b["given1"].str.starts_with(a["given1"].fill_null("\x00"))
        | (b["given1"].str.len_chars() >= 3) & a["given1"].str.starts_with(b["given1"].fill_null("\x00"))
    ).fill_null(False).to_numpy()  # fmt: skip
    g = np.full(n, LEVEL["given"]["different"], dtype=np.int8)
    g[g_sim >= 0.88] = LEVEL["given"]["similar"]
    g[roots | short] = LEVEL["given"]["equivalent"]
    second_a = a["given"].str.split(" ").list.get(1, null_on_oob=True)
    second_b = b["given"].str.split(" ").list.get(1, null_on_oob=True)
    initial = (second_a.str.len_chars() == 1) | (second_b.str.len_chars() == 1)
    second_differs = (  # "MARIA CECILIA" and "MARIA CONCEPCION": two people, most often
        ~second_a.is_null() & ~second_b.is_null()
        & ~(initial & (second_a.str.slice(0, 1) == second_b.str.slice(0, 1)))
    ).fill_null(False).to_numpy() & (_similar(second_a, second_b) < 0.85)  # fmt: skip
    g[equal("given1") | prefix] = LEVEL["given"]["same_first"]
    g[equal("given1") & second_differs] = LEVEL["given"]["second_differs"]
    g[equal("given")] = LEVEL["given"]["exact"]
    g[swapped & (g == LEVEL["given"]["different"])] = LEVEL["given"]["swapped"]
    g[~present("given")] = 0
    out[:, 0] = g

    p_sim = _similar(a["paternal"], b["paternal"])
    surnames_crossed = equal("paternal", "maternal") | equal("maternal", "paternal")
    p = np.full(n, LEVEL["paternal"]["different"], dtype=np.int8)
    p[surnames_crossed | swapped] = LEVEL["paternal"]["swapped"]
    p[(p_sim >= 0.9) | equal("pat_ph")] = LEVEL["paternal"]["similar"]
    p[equal("paternal")] = LEVEL["paternal"]["exact"]
    p[~present("paternal")] = 0
    out[:, 1] = p

    m_sim = _similar(a["maternal"], b["maternal"])
    m = np.full(n, LEVEL["maternal"]["different"], dtype=np.int8)
    m[(m_sim >= 0.9) | equal("mat_ph")] = LEVEL["maternal"]["similar"]
    m[equal("maternal")] = LEVEL["maternal"]["exact"]
    m[~present("maternal") | swapped] = 0  # after an exchange of name parts, no maternal to compare
    out[:, 2] = m

    by_a, bm_a, bd_a = (col(a, c).astype(float) for c in ("by", "bm", "bd"))
    by_b, bm_b, bd_b = (col(b, c).astype(float) for c in ("by", "bm", "bd"))
    both = present("birth")
    d = np.full(n, LEVEL["birth"]["different"], dtype=np.int8)
    same_y, same_m, same_d = by_a == by_b, bm_a == bm_b, bd_a == bd_b
    one_off = (same_y & (same_m | same_d)) | (same_m & same_d & (np.abs(by_a - by_b) <= 1))
    d[one_off] = LEVEL["birth"]["one_part_differs"]
    d[same_y & (bm_a == bd_b) & (bd_a == bm_b)] = LEVEL["birth"]["day_month_swapped"]
    d[equal("birth")] = LEVEL["birth"]["exact"]
    lo_a, hi_a = col(a, "by_lo").astype(float), col(a, "by_hi").astype(float)
    lo_b, hi_b = col(b, "by_lo").astype(float), col(b, "by_hi").astype(float)
    ranged = ~both & present("by_lo")
    overlap = (lo_a <= hi_b) & (lo_b <= hi_a)
    d[ranged & overlap] = LEVEL["birth"]["age_consistent"]
    d[ranged & ~overlap] = LEVEL["birth"]["different"]
    d[~both & ~ranged] = 0
    out[:, 3] = d

    for k, name in ((4, "curp"), (5, "ssn"), (7, "sex")):
        level = np.where(equal(name), 1, 2).astype(np.int8)
        level[~present(name)] = 0
        out[:, k] = level
    for k, name in ((6, "phones"), (8, "nicknames")):
        lists = pl.DataFrame({"x": a[name], "y": b[name]})
        shared = (
            lists.select(pl.col("x").list.set_intersection(pl.col("y")).list.len() > 0).to_series().to_numpy()
        )
        has = lists.select((pl.col("x").list.len() > 0) & (pl.col("y").list.len() > 0)).to_series().to_numpy()
        out[:, k] = np.where(has, np.where(shared, 1, 2), 0).astype(np.int8)
    return out
