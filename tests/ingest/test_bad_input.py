"""Bad input of every kind gets a clear message or a quarantine row; nothing is lost or crashes."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from puente.ingest.issues import LoadError
from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import load_profile, parse_profile
from puente.ingest.quarantine import list_entries
from puente.store.schema import load_runs, record_versions

PROFILE = """
name: test-people
title: {en: Test people, es: Personas de prueba}
agency: MX/FGR
format: csv
encoding: utf-8
date_order: DMY
phone_region: MX
markings: {releasable_to: [MX]}
records:
  - type: person
    id: "{ID}"
    fields:
      name: {column: NOMBRE, required: true}
      birth_date: FECHA_NAC
      curp: CURP
      rfc: RFC
      phones[0]: TEL
      remarks: NOTAS
  - type: vehicle
    id: "{ID}-v"
    when: VIN
    fields:
      vin: VIN
      year: ANIO
"""
HEADER = "ID,NOMBRE,FECHA_NAC,CURP,RFC,TEL,NOTAS,VIN,ANIO"
GOOD = "P1,José Luis Hernández Gómez,04/03/1988,HEGJ880304HCHRML07,,899 123 4567,,1FTFW1ET9DFC10312,2013"


@pytest.fixture
def profile():
    return parse_profile(PROFILE, "test-people")


def write(tmp_path: Path, text: str, name: str = "in.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def codes(db, path: Path) -> dict[int, str]:
    return {e.row_number: e.code for e in list_entries(db, file_name=path.name)}


def stored_rows(db, path: Path) -> set[int]:
    with db.engine.connect() as conn:
        return {
            r
            for (r,) in conn.execute(
                select(record_versions.c.row_number).where(record_versions.c.file_name == path.name)
            )
        }


def test_empty_file_is_a_clear_error_and_on_record(db, tmp_path, profile):
    path = write(tmp_path, "")
    with pytest.raises(LoadError) as err:
        ingest_file(db, path, profile)
    assert err.value.code == "empty_file" and "empty" in err.value.en and "vacío" in err.value.es
    with db.engine.connect() as conn:
        run = conn.execute(select(load_runs.c.status, load_runs.c.error)).one()
    assert run.status == "failed" and "empty" in run.error


def test_header_only_file_loads_nothing(db, tmp_path, profile):
    report = ingest_file(db, write(tmp_path, HEADER + "\n"), profile)
    assert report.rows_read == 0 and report.status == "completed"


def test_missing_required_column_names_the_columns(db, tmp_path, profile):
    path = write(tmp_path, "ID,FECHA_NAC\nP1,01/01/1990\n")
    with pytest.raises(LoadError) as err:
        ingest_file(db, path, profile)
    assert err.value.code == "missing_columns"
    assert "NOMBRE" in err.value.en and "NOMBRE" in err.value.es


def test_unknown_profile_lists_the_known_ones():
    with pytest.raises(LoadError) as err:
        load_profile("no-such-profile")
    assert err.value.code == "unknown_profile"
    assert "fgr-aseguramientos" in err.value.en


def test_profile_that_is_not_yaml_is_explained():
    with pytest.raises(LoadError) as err:
        parse_profile("name: [unclosed", "broken.yaml")
    assert err.value.code == "bad_profile" and "broken.yaml" in err.value.en


def test_profile_missing_spanish_title_is_explained():
    with pytest.raises(LoadError) as err:
        parse_profile(PROFILE.replace(", es: Personas de prueba", ""), "no-es")
    assert err.value.code == "bad_profile" and "title" in err.value.en


def test_profile_with_unknown_field_is_a_clear_load_error(tmp_path, profile, db):
    bad = parse_profile(PROFILE.replace("remarks: NOTAS", "colour_of_eyes: NOTAS"), "bad")
    with pytest.raises(LoadError) as err:
        ingest_file(db, write(tmp_path, HEADER + "\n" + GOOD + "\n"), bad)
    assert err.value.code == "bad_profile" and "colour_of_eyes" in err.value.en


def test_extra_columns_are_reported_and_ignored(db, tmp_path, profile):
    path = write(tmp_path, HEADER + ",COLOR_FAVORITO\n" + GOOD + ",azul\n")
    report = ingest_file(db, path, profile)
    assert report.unmapped_columns == ["COLOR_FAVORITO"]
    assert report.records_new == 2 and report.rows_quarantined == 0


def test_wrong_encoding_quarantines_rows_that_do_not_decode(db, tmp_path, profile):
    text = HEADER + "\n" + GOOD + "\nP2,Ramón Pérez,01/01/1990,,,,,,\n"
    path = write(tmp_path, text, encoding="latin-1")  # the profile says UTF-8
    report = ingest_file(db, path, profile)
    assert codes(db, path) == {2: "invalid_encoding", 3: "invalid_encoding"}
    assert report.records_new == 0
    entry = list_entries(db, file_name=path.name)[0]
    assert "Latin-1" in entry.reason_en and "codificación" in entry.reason_es


def test_mixed_encoding_keeps_good_rows(db, tmp_path, profile):
    good = (HEADER + "\n" + GOOD + "\n").encode("utf-8")
    bad = "P2,Ramón Pérez,01/01/1990,,,,,,\n".encode("latin-1")
    path = tmp_path / "mixed.csv"
    path.write_bytes(good + bad)
    ingest_file(db, path, profile)
    assert codes(db, path) == {3: "invalid_encoding"}
    assert stored_rows(db, path) == {2}


def test_utf8_file_under_latin1_profile_is_caught(db, tmp_path):
    fgr = load_profile("fgr-aseguramientos")
    header = ";".join(["FOLIO", "FECHA_ASEGURAMIENTO", "ESTADO", "MUNICIPIO", "NOMBRE", "APELLIDO_PATERNO"])
    path = write(tmp_path, header + "\nF1;01/02/2023;Sonora;Nogales;José;Núñez\n", encoding="utf-8")
    ingest_file(db, path, fgr)
    assert codes(db, path) == {2: "encoding_mismatch"}


def test_duplicate_rows_identical_and_conflicting(db, tmp_path, profile):
    conflicting = GOOD.replace("04/03/1988", "05/03/1988")
    path = write(tmp_path, "\n".join([HEADER, GOOD, GOOD, conflicting]) + "\n")
    report = ingest_file(db, path, profile)
    assert report.rows_duplicate == 1
    assert codes(db, path) == {4: "conflicting_duplicate"}
    entry = list_entries(db, file_name=path.name)[0]
    assert "row 2" in entry.reason_en and "fila 2" in entry.reason_es


def test_a_million_character_field_is_quarantined_not_crashed(db, tmp_path, profile):
    huge = "x" * 1_000_000
    path = write(tmp_path, "\n".join([HEADER, GOOD, f"P2,Ana Ruiz,01/01/1990,,,,{huge},,"]) + "\n")
    report = ingest_file(db, path, profile)
    assert codes(db, path) == {3: "invalid_string_too_long"}
    assert report.records_new == 2
    entry = list_entries(db, file_name=path.name)[0]
    assert len(entry.raw["NOTAS"]) == 1_000_000  # kept whole


def test_invalid_identifiers_are_quarantined_with_the_reason(db, tmp_path, profile):
    rows = [
        HEADER,
        "P1,Ana Ruiz,01/01/1990,HEGJ880304HCHRML08,,,,,",  # CURP check digit
        "P2,Ana Ruiz,01/01/1990,,XAXX01010100,,,,",  # RFC
        "P3,Ana Ruiz,01/01/1990,,,,,1FTFW1ET5DFC10312,2013",  # VIN check digit
        "P4,Ana Ruiz,01/01/1990,,,12,,,",  # phone
    ]
    path = write(tmp_path, "\n".join(rows) + "\n")
    ingest_file(db, path, profile)
    assert codes(db, path) == {2: "invalid_curp", 3: "invalid_rfc", 4: "invalid_vin", 5: "invalid_phone"}


def test_future_and_impossible_dates(db, tmp_path, profile):
    rows = [HEADER, "P1,Ana Ruiz,01/01/2099,,,,,,", "P2,Ana Ruiz,30/02/1990,,,,,,", "P3,Ana Ruiz,ayer,,,,,,"]
    path = write(tmp_path, "\n".join(rows) + "\n")
    ingest_file(db, path, profile)
    assert codes(db, path) == {2: "future_date", 3: "invalid_date", 4: "invalid_date"}


def test_ambiguous_date_is_flagged_never_guessed(db, tmp_path):
    auto = parse_profile(PROFILE.replace("date_order: DMY", "date_order: AUTO"), "auto")
    path = write(
        tmp_path, "\n".join([HEADER, "P1,Ana Ruiz,04/03/1988,,,,,,", "P2,Ana Ruiz,25/03/1988,,,,,,"]) + "\n"
    )
    ingest_file(db, path, auto)
    with db.engine.connect() as conn:
        docs = {
            rid: json.loads(c)
            for rid, c in conn.execute(select(record_versions.c.record_id, record_versions.c.canonical))
        }
    assert "birth_date" not in docs["MX/FGR:person:P1"]
    assert "ambiguous_date:birth_date" in docs["MX/FGR:person:P1"]["flags"]
    assert docs["MX/FGR:person:P2"]["birth_date"] == "1988-03-25"


def test_a_date_read_on_invalid_flag_keeps_its_row_flagged_and_an_empty_one_is_still_required(db, tmp_path):
    spec = "birth_date: {column: FECHA_NAC, required: true, on_invalid: flag}"
    flagged = parse_profile(PROFILE.replace("birth_date: FECHA_NAC", spec), "flagged")
    rows = [HEADER, "P1,Ana Ruiz,30/02/1990,,,,,,", "P2,Ana Ruiz,01/01/2099,,,,,,", "P3,Ana Ruiz,,,,,,,",
            "P4,Ana Ruiz,04/03/1988,,,,,,"]  # fmt: skip
    path = write(tmp_path, "\n".join(rows) + "\n")
    ingest_file(db, path, flagged)
    assert codes(db, path) == {4: "missing_value"}  # an empty cell is still missing
    with db.engine.connect() as conn:
        docs = {
            rid: json.loads(c)
            for rid, c in conn.execute(select(record_versions.c.record_id, record_versions.c.canonical))
        }
    assert "birth_date" not in docs["MX/FGR:person:P1"]
    assert docs["MX/FGR:person:P1"]["flags"] == ["invalid_date:birth_date"]
    assert docs["MX/FGR:person:P2"]["flags"] == ["future_date:birth_date"]
    assert docs["MX/FGR:person:P4"]["birth_date"] == "1988-03-04" and "flags" not in docs["MX/FGR:person:P4"]


def test_negative_quantities(db, tmp_path, profile):
    path = write(tmp_path, "\n".join([HEADER, GOOD.replace(",2013", ",-2013")]) + "\n")
    ingest_file(db, path, profile)
    assert codes(db, path) == {2: "negative_quantity"}


def test_sql_and_html_are_stored_verbatim_and_harmless(db, tmp_path, profile):
    nasty = "Robert'); DROP TABLE records;-- <script>alert(1)</script>"
    path = write(tmp_path, "\n".join([HEADER, f'P1,Ana Ruiz,01/01/1990,,,,"{nasty}",,']) + "\n")
    report = ingest_file(db, path, profile)
    assert report.records_new == 1
    with db.engine.connect() as conn:
        doc = json.loads(conn.execute(select(record_versions.c.canonical)).scalar_one())
    assert doc["remarks"] == nasty


def test_truncated_csv_quarantines_the_cut_row(db, tmp_path, profile):
    path = write(tmp_path, "\n".join([HEADER, GOOD, 'P2,"Ana Ruiz,01/01/19']))
    report = ingest_file(db, path, profile)
    assert codes(db, path) == {3: "field_count"}
    assert report.records_new == 2


def test_stray_delimiter_is_a_field_count_problem(db, tmp_path, profile):
    path = write(tmp_path, "\n".join([HEADER, GOOD + ",extra"]) + "\n")
    ingest_file(db, path, profile)
    assert codes(db, path) == {2: "field_count"}
    assert list_entries(db)[0].raw["_fields"][-1] == "extra"


def test_duplicate_header_columns(db, tmp_path, profile):
    path = write(tmp_path, "ID,NOMBRE,NOMBRE\nP1,a,b\n")
    with pytest.raises(LoadError) as err:
        ingest_file(db, path, profile)
    assert err.value.code == "duplicate_columns"


def test_missing_file_and_folder(db, tmp_path, profile):
    with pytest.raises(LoadError) as err:
        ingest_file(db, tmp_path / "nope.csv", profile)
    assert err.value.code == "no_file"
    with pytest.raises(LoadError):
        ingest_file(db, tmp_path, profile)


def test_truncated_xlsx_is_a_clear_error(db, tmp_path):
    from puente.samples import sample_files

    original = dict((p.name, p) for p, _ in sample_files())["hsi_best_seizures.xlsx"].read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(original[: len(original) // 2])
    with pytest.raises(LoadError) as err:
        ingest_file(db, path, load_profile("hsi-best-seizures"))
    assert err.value.code == "unreadable_xlsx"
    assert zipfile.is_zipfile(path) is False


def test_jsonl_that_is_not_objects(db, tmp_path):
    path = write(tmp_path, '[1, 2]\n"text"\n', name="feed.jsonl")
    with pytest.raises(LoadError) as err:
        ingest_file(db, path, load_profile("cbp-crossings"))
    assert err.value.code == "not_json_lines"


def test_jsonl_row_that_is_not_an_object(db, tmp_path):
    first = (
        '{"crossing_id": "C1", "crossed_at": "2023-02-10T18:42:11-08:00", "port": "2504", '
        '"direction": "S", "vehicle": {"plate": "8ABC123", "plate_state": "CA"}}'
    )
    path = write(tmp_path, first + "\n[1,2]\n", name="feed.jsonl")
    ingest_file(db, path, load_profile("cbp-crossings"))
    assert codes(db, path) == {2: "not_an_object"}


def test_odd_cells_are_quarantined_never_crash_the_load(db, tmp_path):
    atf = load_profile("atf-trace-results")
    from puente.samples import sample_files

    sample = dict((p.name, p) for p, _ in sample_files())["atf_trace_results.csv"].read_text(encoding="utf-8")
    header, first = sample.splitlines()[:2]
    cells = first.split(",")
    columns = header.split(",")
    bad_last = list(cells)
    bad_last[0], bad_last[columns.index("PURCHASER_LAST")] = "TX1", "-"
    bad_last[columns.index("PURCHASER_FIRST")] = "."
    huge_year = list(cells)
    huge_year[0], huge_year[columns.index("PURCHASE_DATE")] = "TX2", "01/01/" + "9" * 5000
    path = write(
        tmp_path, "\n".join([header, first, ",".join(bad_last), ",".join(huge_year)]) + "\n", "odd.csv"
    )
    report = ingest_file(db, path, atf)
    assert report.status == "completed" and report.records_new == 2
    assert codes(db, path).keys() == {3, 4}


def test_a_number_too_large_for_any_count_is_quarantined(db, tmp_path, profile):
    """'1e400' reads as a whole number that no JSON integer holds: a clear reason, not a crash."""
    path = write(tmp_path, "\n".join([HEADER, GOOD.replace(",2013", ",1e400")]) + "\n")
    report = ingest_file(db, path, profile)
    assert report.status == "completed"
    assert codes(db, path) == {2: "invalid_number"}


def test_superscript_digits_are_not_numbers(db, tmp_path, profile):
    path = write(tmp_path, "\n".join([HEADER, GOOD.replace(",2013", ",²")]) + "\n")
    ingest_file(db, path, profile)
    assert codes(db, path) == {2: "invalid_number"}


def test_markings_naming_unknown_nations_or_agencies_are_refused(db, tmp_path):
    for bad in ("[MX, XX]", "[US/NSA]"):
        profile = parse_profile(PROFILE.replace("releasable_to: [MX]", f"releasable_to: {bad}"), "bad-marks")
        with pytest.raises(LoadError) as err:
            ingest_file(db, write(tmp_path, HEADER + "\n" + GOOD + "\n"), profile)
        assert err.value.code == "bad_profile" and "desconocid" in err.value.es
