"""The bundled samples load on both engines; exactly the rows broken on purpose are quarantined."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import load_profile
from puente.ingest.quarantine import list_entries
from puente.samples import manifest, sample_files
from puente.store.schema import record_versions, source_rows
from tests.ingest.snapshot import snapshot


@pytest.mark.parametrize("entry", manifest(), ids=lambda e: e["file"])
def test_sample_quarantines_exactly_the_broken_rows(db, entry):
    path = dict((p.name, p) for p, _ in sample_files())[entry["file"]]
    report = ingest_file(db, path, load_profile(entry["profile"]))
    assert report.status == "completed"
    held = {e.row_number: e.code for e in list_entries(db, file_name=entry["file"])}
    assert held == entry["quarantined"]
    assert report.rows_quarantined == len(entry["quarantined"])
    assert report.rows_duplicate == len(entry.get("duplicates", []))
    assert report.records_new > 0
    for e in list_entries(db, file_name=entry["file"]):
        assert e.reason_en and e.reason_es and e.reason_en != e.reason_es
        assert e.raw  # the row as read is kept


def test_every_row_is_stored_or_quarantined(db):
    for path, profile in sample_files():
        report = ingest_file(db, path, load_profile(profile))
        with db.engine.connect() as conn:
            stored_rows = {
                r
                for (r,) in conn.execute(
                    select(record_versions.c.row_number).where(record_versions.c.file_name == path.name)
                )
            }
        held_rows = {e.row_number for e in list_entries(db, file_name=path.name)}
        duplicates = report.rows_duplicate
        assert not stored_rows & held_rows
        assert len(stored_rows) + len(held_rows) + duplicates == report.rows_read


def test_reload_changes_nothing(db):
    first = [ingest_file(db, p, load_profile(n)) for p, n in sample_files()]
    before = snapshot(db)
    second = [ingest_file(db, p, load_profile(n)) for p, n in sample_files()]
    assert snapshot(db) == before
    for a, b in zip(first, second, strict=True):
        assert b.records_new == 0 and b.records_new_version == 0
        assert b.records_unchanged == a.records_new + a.records_new_version
        assert b.rows_quarantined == a.rows_quarantined  # still bad, reported again, stored once
        assert b.rows_read == a.rows_read


def test_fgr_sample_keeps_spanish_names_and_normalises(db):
    path = dict((p.name, p) for p, _ in sample_files())["fgr_aseguramientos.csv"]
    ingest_file(db, path, load_profile("fgr-aseguramientos"))
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(record_versions.c.record_id, record_versions.c.canonical, source_rows.c.raw)
            .join(
                source_rows,
                (source_rows.c.file_sha256 == record_versions.c.file_sha256)
                & (source_rows.c.sheet == record_versions.c.sheet)
                & (source_rows.c.row_number == record_versions.c.row_number),
            )
            .where(record_versions.c.record_type == "person")
        ).all()
    people = {rid: json.loads(c) for rid, c, _ in rows}
    jose = people["MX/FGR:person:FGR-TAM-2023-0117-1"]
    assert jose["name"]["given_names"] == "José Luis"
    assert jose["name"]["paternal_surname"] == "Hernández"
    assert jose["name"]["maternal_surname"] == "Gómez"
    assert jose["name"]["paternal_key"] == "HERNANDEZ"
    assert jose["birth_date"] == "1988-03-04"  # DD/MM/AAAA read as day 4, March
    assert jose["curp"]["value"] == "HEGJ880304HCHRML07"
    assert jose["phones"][0]["value"] == "+528991234567"
    assert jose["sex"] == "male"
    assert jose["nicknames"] == ["El Güero"]
    raw = json.loads(next(r for rid, _, r in rows if rid == "MX/FGR:person:FGR-TAM-2023-0117-1"))
    assert raw["APELLIDO_PATERNO"] == "Hernández"  # Latin-1 bytes decoded, value kept as given
    with db.engine.connect() as conn:
        seizure = json.loads(
            conn.execute(
                select(record_versions.c.canonical).where(
                    record_versions.c.record_id == "MX/FGR:seizure:FGR-TAM-2023-0117"
                )
            ).scalar_one()
        )
    kinds = {item["kind"]: item for item in seizure["items"]}
    assert kinds["firearm"]["firearm"]["caliber"]["code"] == kinds["ammunition"]["caliber"]["code"]
    assert kinds["ammunition"]["rounds"] == 120
    assert {r["kind"] for r in seizure["relations"]} == {"detainee", "firearm"}


def _agrees(stored, dumped) -> bool:
    """Every value stored equals the model's own serialisation (which may add defaults)."""
    if isinstance(stored, dict):
        return isinstance(dumped, dict) and all(_agrees(v, dumped.get(k)) for k, v in stored.items())
    if isinstance(stored, list):
        return (
            isinstance(dumped, list)
            and len(stored) == len(dumped)
            and all(_agrees(a, b) for a, b in zip(stored, dumped, strict=True))
        )
    return stored == dumped


def test_stored_canonical_form_is_what_the_model_serialises(db):
    from puente.model.records import RECORD_TYPES

    for path, profile in sample_files():
        ingest_file(db, path, load_profile(profile))
    with db.engine.connect() as conn:
        rows = conn.execute(select(record_versions.c.record_type, record_versions.c.canonical)).all()
    assert len(rows) > 40
    for record_type, canonical in rows:
        model = RECORD_TYPES[record_type].model_validate_json(canonical)
        assert _agrees(json.loads(canonical), json.loads(model.model_dump_json(exclude_none=True))), canonical
