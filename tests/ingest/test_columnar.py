"""The batch mapper gives, row for row, exactly what the row mapper gives: records, bytes, hashes and
issues alike, over whole synthetic worlds, the samples, every bundled profile and hostile cells."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from puente.ingest.columnar import BatchMapper
from puente.ingest.mapping import RowMapper
from puente.ingest.profiles import bundled_profiles, load_profile, parse_profile
from puente.ingest.readers import open_source
from puente.model.records import RECORD_TYPES
from puente.samples import sample_files
from puente.synth.generate import generate


def _values(path: Path, profile_name: str) -> list[dict | None]:
    source = open_source(path, load_profile(profile_name))
    return [row.values if row.issue is None else None for row in source.rows]


def _assert_same(profile, rows: list[dict | None], batch_size: int = 997) -> int:
    """Both mappers over ``rows``; returns how many rows the batch mapper mapped itself."""
    row_mapper = RowMapper(profile)
    expected = [row_mapper.map_row(v) if v is not None else ([], []) for v in rows]
    batch = BatchMapper(RowMapper(profile))
    assert batch.plans is not None, f"{profile.name} is mapped row by row"
    delegated = 0
    original = batch.mapper.map_row

    def counting(values):
        nonlocal delegated
        delegated += 1
        return original(values)

    batch.mapper.map_row = counting  # type: ignore[method-assign]
    got = []
    for start in range(0, len(rows), batch_size):
        got.extend(batch.map_rows(rows[start : start + batch_size]))
    assert len(got) == len(expected)
    for number, (want, have) in enumerate(zip(expected, got, strict=True)):
        assert have == want, f"{profile.name}, data row {number}"
    return sum(1 for v in rows if v is not None) - delegated


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("columnar") / "world"
    generate("small", 11, out)
    return out


def test_every_feed_of_a_world_maps_the_same(world):
    manifest = yaml.safe_load((world / "manifest.yaml").read_text(encoding="utf-8"))
    for feed in manifest["feeds"]:
        rows = _values(world / feed["file"], feed["profile"])
        fast = _assert_same(load_profile(feed["profile"]), rows)
        # the point of it: all but the rows with something to report are mapped in batches
        assert fast >= 0.95 * len(rows), feed["file"]


def test_the_samples_and_their_broken_rows_map_the_same():
    for path, profile in sample_files():
        _assert_same(load_profile(profile), _values(path, profile), batch_size=3)


def test_every_record_is_valid_for_its_model(world):
    """The batch mapper validates key by key; the whole record must pass the model all the same."""
    for path, profile in sample_files():
        mapped = BatchMapper(RowMapper(load_profile(profile))).map_rows(_values(path, profile))
        for built, _ in mapped:
            for record in built:
                RECORD_TYPES[record.record_type].model_validate(orjson.loads(record.canonical))


def test_every_bundled_profile_is_cut_into_batches():
    for name, profile in bundled_profiles().items():
        assert BatchMapper(RowMapper(profile)).plans is not None, name


def _profile(fields: str):
    return parse_profile(
        f"""
name: odd-shapes
version: 1
title: {{en: Odd shapes, es: Formas raras}}
agency: MX/FGR
format: csv
markings: {{releasable_to: [MX]}}
records:
  - type: person
    id: "{{ID}}"
    fields:
{fields}
"""
    )


def test_a_second_list_element_maps_the_same():
    profile = _profile("      name.given_names: NOMBRE\n      addresses[1].city: CIUDAD")
    rows = [{"ID": "1", "NOMBRE": "Ana", "CIUDAD": "Tijuana"}, {"ID": "2", "NOMBRE": "", "CIUDAD": ""}]
    assert _assert_same(profile, rows) == 2


def test_a_shape_it_does_not_cut_is_mapped_row_by_row():
    profile = _profile("      name.given_names: NOMBRE\n      source_id: OTRO_ID")
    batch = BatchMapper(RowMapper(profile))
    assert batch.plans is None
    rows = [{"ID": "1", "NOMBRE": "Ana", "OTRO_ID": "X"}, None]
    assert batch.map_rows(rows) == [RowMapper(profile).map_row(rows[0]), ([], [])]


_HOSTILE = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "N/A",
            "13/45/2023",
            "02/30/2023",
            "12/31/2099",
            "-15",
            "1e400",
            "Robert'); DROP TABLE records;--",
            "<script>x</script>",
            "ÑÚÑEZ, José",
            "\u0000\u001f",
            "x" * 250,
            "AK-47",
            "7.62 X 39MM",
            "Y",
            "N",
            "TX",
            "01/02/2003",
        ]
    ),
    st.text(max_size=12),
)


@pytest.mark.parametrize("name", ["atf-acquisitions", "fgr-aseguramientos", "cbp-crossings", "gn-detenidos"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hostile_cells_map_the_same(name, data):
    profile = load_profile(name)
    columns = sorted(profile.known_columns())
    rows = data.draw(st.lists(st.fixed_dictionaries({c: _HOSTILE for c in columns}), min_size=1, max_size=6))
    for i, row in enumerate(rows):  # distinct ids, so that rows do not depend on one another
        for column in profile.required_columns():
            row[column] = row[column] or f"id{i}"
    _assert_same(profile, rows, batch_size=4)


def test_cells_that_are_dates_map_the_same():
    """XLSX cells arrive as dates and times rather than text."""
    profile = load_profile("hsi-best-seizures")
    path = dict((p.name, p) for p, _ in sample_files())["hsi_best_seizures.xlsx"]
    rows = _values(path, "hsi-best-seizures")
    assert any(isinstance(v, dt.date) for r in rows if r for v in r.values())
    _assert_same(profile, rows, batch_size=2)
