"""Candidate pairs of person records (blocking) and how each pair's fields compare (levels).

Blocking joins records that share one of several keys: an identifier, a phone, a pair of name
and date keys chosen so that each kind of recording noise (a typo, a swapped day and month, a
dropped maternal surname, a diminutive, surnames and given names exchanged) leaves at least one
key intact, or a street or birth date in one postal code (both names miswritten). A key shared
by too many records says little and is skipped for that key only. All of it is columnar (Polars,
and rapidfuzz for string similarity over whole columns).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz.distance import OSA, JaroWinkler
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
    Comparison("curp", ("missing", "same", "one_slip", "different")),
    Comparison("ssn", ("missing", "same", "one_slip", "different")),
    Comparison("phone", ("missing", "shared", "different")),
    Comparison("sex", ("missing", "same", "different")),
    Comparison("nickname", ("missing", "shared", "different")),
    Comparison("address", ("missing", "same_street", "similar_street", "same_area", "different")),
)  # fmt: skip
LEVEL = {c.name: {name: i for i, name in enumerate(c.levels)} for c in COMPARISONS}


def blocking_keys(f: pl.DataFrame) -> list[pl.LazyFrame]:
    """(key, i) frames, one per blocking rule, as plans (collected together, on every core)."""
    i = pl.int_range(pl.len(), dtype=pl.Int64).alias("i")
    base = f.lazy().with_columns(i)
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
        pl.concat_str([pl.lit("D"), pl.col("pat_ph"), swapped_md], separator="|"),
        pl.concat_str([pl.lit("G"), pl.col("given_ph"), pl.col("birth").cast(pl.Utf8)], separator="|"),
        pl.concat_str([pl.lit("A"), name_pair, pl.col("by_lo").cast(pl.Utf8)], separator="|"),
        pl.concat_str([pl.lit("B"), name_pair, pl.col("by_hi").cast(pl.Utf8)], separator="|"),
        pl.concat_str([pl.lit("M"), pl.col("mat_ph"), pl.col("birth").cast(pl.Utf8)], separator="|"),
        # names both miswritten: the same street, or the same birth date, in one postal code
        pl.concat_str([pl.lit("H"), pl.col("street"), pl.col("postcode")], separator="|"),
        pl.concat_str([pl.lit("P"), pl.col("birth").cast(pl.Utf8), pl.col("postcode")], separator="|"),
    ]
    frames = [base.select(rule.alias("key"), "i").drop_nulls() for rule in rules]
    frames.append(base.select(pl.col("phones").alias("key"), "i").explode("key").drop_nulls())
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
    return frames


def candidate_pairs(f: pl.DataFrame, max_block: int = MAX_BLOCK) -> pl.DataFrame:
    """Distinct pairs (i < j) of row positions that share at least one blocking key."""
    found = []
    for keys in blocking_keys(f):
        keys = keys.unique()
        keys = keys.filter(pl.len().over("key").is_between(2, max_block))
        pairs = keys.join(keys, on="key", suffix="_b").filter(pl.col("i") < pl.col("i_b"))
        found.append(pairs.select(pl.col("i"), pl.col("i_b").alias("j")))
    return pl.concat(found).unique().sort("i", "j").collect()


def _similar(a: pl.Series, b: pl.Series) -> np.ndarray:
    return cpdist(
        a.fill_null("").to_list(),
        b.fill_null("").to_list(),
        scorer=JaroWinkler.normalized_similarity,
        workers=-1,
    )


class _PairColumns:
    """The frame's columns as pairwise comparisons read them. A text column becomes codes (its
    values' rank, 0 for null) and its distinct values, so that the strings of a million pairs are
    picked from a few thousand Python objects: making a million Python strings out of a column
    costs more than comparing them. A list column is compared through its exploded values."""

    def __init__(self, f: pl.DataFrame) -> None:
        self.f = f
        self.cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __call__(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        if name not in self.cache:
            column = self.f[name]
            codes = column.rank("dense").fill_null(0).to_numpy().astype(np.int64)
            values = np.array(["", *column.drop_nulls().unique().sort().to_list()], dtype=object)
            self.cache[name] = (codes, values)
        return self.cache[name]

    def shares(self, name: str, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For a list column: whether rows i and j both have values, and whether they share one
        (joined on the exploded lists rather than gathering a million lists per side)."""
        sizes = self.f[name].list.len().to_numpy()
        both = (sizes[i] > 0) & (sizes[j] > 0)
        values = (
            self.f.select(pl.col(name).alias("v"), pl.int_range(pl.len(), dtype=pl.Int64).alias("row"))
            .explode("v").drop_nulls("v")
        )  # fmt: skip
        candidates = pl.DataFrame({"pair": np.nonzero(both)[0], "i": i[both], "j": j[both]})
        shared = (
            candidates.join(values, left_on="i", right_on="row")
            .join(values, left_on=["j", "v"], right_on=["row", "v"], how="semi")["pair"]
            .unique()
            .to_numpy()
        )
        found = np.zeros(len(i), dtype=bool)
        found[shared] = True
        return both, found

    def similar(self, x: str, y: str, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Jaro-Winkler similarity of column x of rows i and column y of rows j ("" for null)."""
        (cx, vx), (cy, vy) = self(x), self(y)
        return cpdist(
            vx[cx[i]].tolist(), vy[cy[j]].tolist(), scorer=JaroWinkler.normalized_similarity, workers=-1
        )


def levels(f: pl.DataFrame, pairs: pl.DataFrame) -> np.ndarray:
    """The comparison level of every field for every pair: an (n_pairs, n_comparisons) int8 array."""
    n = pairs.height
    out = np.zeros((n, len(COMPARISONS)), dtype=np.int8)
    if n == 0:
        return out
    pi, pj = pairs["i"].to_numpy(), pairs["j"].to_numpy()
    compared = f.drop("record_id", "owner", "rfc", "roots", "phones", "nicknames", strict=False)
    a, b = compared[pi], compared[pj]
    columns = _PairColumns(f)

    def similar(x: str, y: str | None = None) -> np.ndarray:
        return columns.similar(x, y or x, pi, pj)

    def col(frame: pl.DataFrame, name: str) -> np.ndarray:
        return frame[name].to_numpy()

    def present(name: str) -> np.ndarray:
        return (~a[name].is_null()).to_numpy() & (~b[name].is_null()).to_numpy()

    def equal(x: str, y: str | None = None) -> np.ndarray:
        left, right = a[x], b[y or x]
        return (left == right).fill_null(False).to_numpy()

    # names: the given/paternal exchange (a slip allowed in each) counts for both fields
    swapped = (similar("given1", "paternal") >= 0.9) & (similar("paternal", "given1") >= 0.9)
    g_sim = similar("given1")
    roots = columns.shares("roots", pi, pj)[1]
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

    p_sim = similar("paternal")
    surnames_crossed = equal("paternal", "maternal") | equal("maternal", "paternal")
    p = np.full(n, LEVEL["paternal"]["different"], dtype=np.int8)
    p[surnames_crossed | swapped] = LEVEL["paternal"]["swapped"]
    p[(p_sim >= 0.9) | equal("pat_ph")] = LEVEL["paternal"]["similar"]
    p[equal("paternal")] = LEVEL["paternal"]["exact"]
    p[~present("paternal")] = 0
    out[:, 1] = p

    m_sim = similar("maternal")
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

    for k, name in ((4, "curp"), (5, "ssn")):
        slips = cpdist(
            a[name].fill_null("").to_list(), b[name].fill_null("").to_list(), scorer=OSA.distance, workers=-1
        )
        level = np.where(equal(name), 1, np.where(slips <= 1, 2, 3)).astype(np.int8)
        level[~present(name)] = 0
        out[:, k] = level
    sex = np.where(equal("sex"), 1, 2).astype(np.int8)
    sex[~present("sex")] = 0
    out[:, 7] = sex
    for k, name in ((6, "phones"), (8, "nicknames")):
        has, shared = columns.shares(name, pi, pj)
        out[:, k] = np.where(has, np.where(shared, 1, 2), 0).astype(np.int8)
    st_sim = similar("street")
    area = equal("postcode") | equal("city")
    addr = np.full(n, LEVEL["address"]["different"], dtype=np.int8)
    addr[area] = LEVEL["address"]["same_area"]
    addr[present("street") & (st_sim >= 0.88)] = LEVEL["address"]["similar_street"]
    addr[equal("street")] = LEVEL["address"]["same_street"]
    known_a = (~a["street"].is_null() | ~a["postcode"].is_null() | ~a["city"].is_null()).to_numpy()
    known_b = (~b["street"].is_null() | ~b["postcode"].is_null() | ~b["city"].is_null()).to_numpy()
    addr[~(known_a & known_b)] = 0
    out[:, 9] = addr
    return out


# --- one record at a time (online matching) ----------------------------------------------------------
# The same keys and levels as above, for one record against a few candidates: a columnar call costs
# milliseconds of fixed overhead, a Python loop over a handful of pairs microseconds. Tests hold the
# two forms equal on every pair of a synthetic world.


def _cat(*parts: object) -> str | None:
    return None if any(p is None for p in parts) else "|".join(str(p) for p in parts)


def _pair(x: str | None, y: str | None) -> str | None:
    present = [v for v in (x, y) if v is not None]
    return f"{min(present)}|{max(present)}" if present else None


def record_keys(r: dict[str, object]) -> set[str]:
    """The blocking keys of one record (a row of the feature frame, as a dict)."""
    by, birth = r["by"], r["birth"]
    md = [v for v in (r["bm"], r["bd"]) if v is not None]
    date = f"{min(md)}-{max(md)}-{by}" if md and by is not None else None
    names = _pair(r["given_ph"], r["pat_ph"])  # type: ignore[arg-type]
    keys = [
        r["curp"], r["ssn"],
        _cat("D", r["pat_ph"], date), _cat("G", r["given_ph"], birth),
        _cat("A", names, r["by_lo"]), _cat("B", names, r["by_hi"]), _cat("M", r["mat_ph"], birth),
        _cat("H", r["street"], r["postcode"]), _cat("P", birth, r["postcode"]),
        *r["phones"],  # type: ignore[misc]
        *(_cat("W", date, w) for w in (r["given_ph"], r["pat_ph"], r["mat_ph"])),
        *(_cat("Y", r["given_ph"], s, y) for s in (r["pat_ph"], r["mat_ph"])
          for y in (r["by_lo"], r["by_hi"])),
    ]  # fmt: skip
    return {str(k) for k in keys if k is not None}


def _jw(x: object, y: object) -> float:
    return JaroWinkler.normalized_similarity(x or "", y or "")  # type: ignore[arg-type]


def _eq(x: object, y: object) -> bool:
    return x is not None and y is not None and x == y


def compare_pair(a: dict[str, object], b: dict[str, object]) -> list[int]:
    """The comparison levels of one pair, exactly as ``levels`` computes them for many."""
    G, P, M, B = LEVEL["given"], LEVEL["paternal"], LEVEL["maternal"], LEVEL["birth"]
    swapped = _jw(a["given1"], b["paternal"]) >= 0.9 and _jw(a["paternal"], b["given1"]) >= 0.9
    ga, gb = a["given"], b["given"]
    g = G["different"]
    if ga is not None and gb is not None:
        ga, gb = str(ga), str(gb)
        first_a, first_b = str(a["given1"]), str(b["given1"])
        second_a = ga.split(" ")[1] if " " in ga else None
        second_b = gb.split(" ")[1] if " " in gb else None
        if _jw(first_a, first_b) >= 0.88:
            g = G["similar"]
        short = (len(first_a) >= 3 and first_b.startswith(first_a)) or (
            len(first_b) >= 3 and first_a.startswith(first_b)
        )
        if set(a["roots"]) & set(b["roots"]) or short:  # type: ignore[call-overload]
            g = G["equivalent"]
        if first_a == first_b or ga.startswith(gb + " ") or gb.startswith(ga + " "):
            g = G["same_first"]
        if first_a == first_b and second_a is not None and second_b is not None:
            initial = len(second_a) == 1 or len(second_b) == 1
            if not (initial and second_a[0] == second_b[0]) and _jw(second_a, second_b) < 0.85:
                g = G["second_differs"]
        if ga == gb:
            g = G["exact"]
        if swapped and g == G["different"]:
            g = G["swapped"]
    else:
        g = 0
    p = P["different"]
    if _eq(a["paternal"], b["maternal"]) or _eq(a["maternal"], b["paternal"]) or swapped:
        p = P["swapped"]
    if _jw(a["paternal"], b["paternal"]) >= 0.9 or _eq(a["pat_ph"], b["pat_ph"]):
        p = P["similar"]
    if _eq(a["paternal"], b["paternal"]):
        p = P["exact"]
    if a["paternal"] is None or b["paternal"] is None:
        p = 0
    m = M["different"]
    if _jw(a["maternal"], b["maternal"]) >= 0.9 or _eq(a["mat_ph"], b["mat_ph"]):
        m = M["similar"]
    if _eq(a["maternal"], b["maternal"]):
        m = M["exact"]
    if a["maternal"] is None or b["maternal"] is None or swapped:
        m = 0
    d = B["different"]
    if a["birth"] is not None and b["birth"] is not None:
        same_y, same_m, same_d = a["by"] == b["by"], a["bm"] == b["bm"], a["bd"] == b["bd"]
        if (same_y and (same_m or same_d)) or (same_m and same_d and abs(a["by"] - b["by"]) <= 1):  # type: ignore[operator]
            d = B["one_part_differs"]
        if same_y and a["bm"] == b["bd"] and a["bd"] == b["bm"]:
            d = B["day_month_swapped"]
        if a["birth"] == b["birth"]:
            d = B["exact"]
    elif a["by_lo"] is not None and b["by_lo"] is not None:
        overlap = a["by_lo"] <= b["by_hi"] and b["by_lo"] <= a["by_hi"]  # type: ignore[operator]
        d = B["age_consistent"] if overlap else B["different"]
    else:
        d = 0
    out = [g, p, m, d]
    for name in ("curp", "ssn"):
        x, y = a[name], b[name]
        out.append(0 if x is None or y is None else 1 if x == y else 2 if OSA.distance(x, y) <= 1 else 3)
    for name in ("phones",):
        out.append(0 if not a[name] or not b[name] else (1 if set(a[name]) & set(b[name]) else 2))  # type: ignore[arg-type]
    out.append(0 if a["sex"] is None or b["sex"] is None else (1 if a["sex"] == b["sex"] else 2))
    na, nb = a["nicknames"], b["nicknames"]
    out.append(0 if not na or not nb else (1 if set(na) & set(nb) else 2))  # type: ignore[arg-type]
    A = LEVEL["address"]
    known = all(any(r[c] is not None for c in ("street", "postcode", "city")) for r in (a, b))
    if not known:
        out.append(0)
    elif _eq(a["street"], b["street"]):
        out.append(A["same_street"])
    elif a["street"] is not None and b["street"] is not None and _jw(a["street"], b["street"]) >= 0.88:
        out.append(A["similar_street"])
    elif _eq(a["postcode"], b["postcode"]) or _eq(a["city"], b["city"]):
        out.append(A["same_area"])
    else:
        out.append(A["different"])
    return out


def identifiers_conflict(x: str | None, y: str | None) -> bool:
    """Two identifiers (CURP, SSN) that cannot belong to one person: both given and more than one
    slip apart (a wrong or transposed character is a typing error, not another person)."""
    return x is not None and y is not None and x != y and OSA.distance(x, y) > 1
