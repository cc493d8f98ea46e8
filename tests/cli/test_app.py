"""The CLI: exit codes, JSON output, the quarantine round trip, both languages."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from puente.cli.app import app
from puente.samples import sample_files

runner = CliRunner()
SAMPLES = {p.name: (p, n) for p, n in sample_files()}


@pytest.fixture
def url(db):
    return db.url


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_init_then_status_json_is_empty(url):
    assert run("init", "--db", url).exit_code == 0
    result = run("status", "--db", url, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["records_total"] == 0 and data["quarantine"] == []


def test_ingest_exit_codes(url, tmp_path):
    path, profile = SAMPLES["atf_trace_results.csv"]
    result = run("ingest", str(path), "--profile", profile, "--db", url, "--json")
    assert result.exit_code == 1  # some rows quarantined
    report = json.loads(result.stdout)
    assert report["rows_quarantined"] == 3 and report["records_stored"] == 15
    clean = tmp_path / "clean.csv"
    with path.open(encoding="utf-8") as src:
        lines = src.read().splitlines()
    clean.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    assert run("ingest", str(clean), "--profile", profile, "--db", url).exit_code == 0
    missing = run("ingest", str(tmp_path / "nope.csv"), "--profile", profile, "--db", url, "--json")
    assert missing.exit_code == 2
    assert json.loads(missing.stdout)["error"]["code"] == "no_file"
    assert run("ingest", str(path), "--profile", "nope", "--db", url).exit_code == 2


def test_failure_message_in_spanish(url, tmp_path):
    empty = tmp_path / "vacio.csv"
    empty.write_text("")
    result = runner.invoke(
        app, ["ingest", str(empty), "--profile", "fgr-aseguramientos", "--db", url, "--lang", "es"]
    )
    assert result.exit_code == 2
    assert "vacío" in result.output and "Traceback" not in result.output


def test_status_counts_by_type_and_agency(url):
    for path, profile in SAMPLES.values():
        run("ingest", str(path), "--profile", profile, "--db", url)
    data = json.loads(run("status", "--db", url, "--json").stdout)
    by = {(r["owner"], r["record_type"]): r["count"] for r in data["records"]}
    assert by[("MX/FGR", "seizure")] == 6
    assert by[("US/CBP", "crossing")] == 6  # the bad VIN is flagged, not quarantined
    assert sum(q["count"] for q in data["quarantine"]) == 14
    assert data["load_runs"] == 4
    text = run("status", "--db", url, "--lang", "es").stdout
    assert "Aseguramiento" in text and "Cuarentena" in text


def test_quarantine_list_show_export_fix_resubmit(url, tmp_path):
    path, profile = SAMPLES["fgr_aseguramientos.csv"]
    run("ingest", str(path), "--profile", profile, "--db", url)
    entries = json.loads(run("quarantine", "list", "--db", url, "--json").stdout)
    assert [e["row_number"] for e in entries] == [8, 9, 10, 11]
    shown = run("quarantine", "show", str(entries[1]["id"]), "--db", url, "--lang", "es")
    assert "negativo" in shown.stdout
    out = tmp_path / "fix.csv"
    assert run("quarantine", "export", "--db", url, "--out", str(out)).exit_code == 0
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4 and rows[0]["APELLIDO_PATERNO"] == "Hernández"
    # the steward fixes two rows: the CURP check digit and the negative count
    rows[0]["CURP"] = "HEHJ801010HJCRRN00"[:-1] + _curp_digit("HEHJ801010HJCRRN0")
    rows[1]["CARTUCHOS"] = "15"
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = run("quarantine", "resubmit", str(out), "--db", url, "--json")
    assert result.exit_code == 1  # two rows still wrong
    reports = json.loads(result.stdout)
    assert reports[0]["records_new"] > 0
    still_open = json.loads(run("quarantine", "list", "--db", url, "--json").stdout)
    resolved = json.loads(run("quarantine", "list", "--db", url, "--status", "resolved", "--json").stdout)
    assert sorted(e["row_number"] for e in resolved) == [8, 9]
    assert {e["file_name"] for e in still_open} == {"fgr_aseguramientos.csv", "fix.csv"}
    status = json.loads(run("status", "--db", url, "--json").stdout)
    assert {(r["owner"], r["record_type"]): r["count"] for r in status["records"]}[("MX/FGR", "seizure")] == 8


def _curp_digit(base: str) -> str:
    from stdnum.mx import curp

    return curp.calc_check_digit(base)


def test_resubmitting_a_file_that_is_not_an_export(url, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    result = run("quarantine", "resubmit", str(other), "--db", url)
    assert result.exit_code == 2 and "_quarantine_id" in result.output


def test_profiles_list():
    data = json.loads(run("profiles", "list", "--json").stdout)
    names = {p["name"] for p in data}
    assert {"atf-trace-results", "fgr-aseguramientos", "cbp-crossings", "hsi-best-seizures"} <= names
    fgr = next(p for p in data if p["name"] == "fgr-aseguramientos")
    assert fgr["encoding"] == "latin-1" and fgr["title"]["es"]


def test_demo_loads_the_samples(url):
    result = run("demo", "--db", url, "--samples", "--no-serve")
    assert result.exit_code == 0
    assert "Stored records" in result.stdout


def test_demo_builds_and_loads_a_world(url, tmp_path, monkeypatch):
    monkeypatch.setenv("PUENTE_DATA_DIR", str(tmp_path))
    result = run("demo", "--db", url, "--scale", "tiny", "--no-serve")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "world-tiny-20230314" / "manifest.yaml").is_file()
    data = json.loads(run("status", "--db", url, "--json").stdout)
    owners = {r["owner"] for r in data["records"]}
    assert {"US/ATF", "MX/FGR", "MX/GN", "US/CBP", "US/HSI", "US/FBI", "MX/SSPC"} <= owners
    assert "ana.fgr" in result.stdout and "joe.atf" in result.stdout  # demo users of both nations
    assert "Phones:" in result.stdout and "Addresses:" in result.stdout  # every kind is resolved
    fgr_view = json.loads(run("status", "--db", url, "--as", "ana.fgr", "--json").stdout)
    assert fgr_view["records_total"] < data["records_total"]  # she sees less than everything
    # the world is reused, the load changes nothing
    again = run("demo", "--db", url, "--scale", "tiny", "--no-serve")
    assert again.exit_code == 0
    assert json.loads(run("status", "--db", url, "--json").stdout)["versions_total"] == data["versions_total"]


def test_synth_writes_a_world_and_refuses_an_unknown_scale(tmp_path):
    result = run("synth", "--scale", "tiny", "--seed", "3", "--out", str(tmp_path / "w"), "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["records"] > 800 and len(data["feeds"]) == 10
    assert (tmp_path / "w" / "truth" / "records.csv").is_file()
    assert (tmp_path / "w" / "profiles" / "fgr-aseguramientos.yaml").is_file()
    bad = run("synth", "--scale", "galactic", "--out", str(tmp_path / "x"))
    assert bad.exit_code == 2 and "unknown scale" in bad.output


def test_principals_status_as_a_viewer_show_and_audit_verify(url):
    for path, profile in SAMPLES.values():
        run("ingest", str(path), "--profile", profile, "--db", url)
    assert (
        run("principals", "add", "ana.fgr", "--agency", "MX/FGR", "--role", "analyst", "--db", url).exit_code
        == 0
    )
    bad = run("principals", "add", "x.y", "--agency", "US/NSA", "--role", "analyst", "--db", url)
    assert bad.exit_code == 2 and "unknown agency" in bad.output
    seen = json.loads(run("status", "--db", url, "--as", "ana.fgr", "--json").stdout)
    owners = {r["owner"] for r in seen["records"]}
    assert "MX/FGR" in owners and "US/CBP" not in owners
    pointer = run(
        "show",
        "US/CBP:crossing:SYS-2023-000101",
        "--as",
        "ana.fgr",
        "--purpose",
        "carpeta 12",
        "--db",
        url,
        "--lang",
        "es",
    )
    assert pointer.exit_code == 0 and "US/CBP" in pointer.stdout and "SAN-YSIDRO" not in pointer.stdout
    unknown = run("show", "MX/FGR:seizure:FGR-TAM-2023-0117", "--as", "nobody", "--purpose", "x", "--db", url)
    assert unknown.exit_code == 2
    verified = json.loads(run("audit", "verify", "--db", url, "--json").stdout)
    assert verified["ok"] and verified["entries"] >= 3


def test_access_request_approved_by_the_owners_steward_then_revoked(url):
    path, profile = SAMPLES["cbp_crossings.jsonl"]
    run("ingest", str(path), "--profile", profile, "--db", url)
    run("principals", "add", "ana.fgr", "--agency", "MX/FGR", "--role", "analyst", "--db", url)
    run("principals", "add", "pat.cbp", "--agency", "US/CBP", "--role", "steward", "--db", url)
    crossing, why = "US/CBP:crossing:SYS-2023-000101", ["--purpose", "carpeta 12", "--db", url]

    def show():
        return run("show", crossing, "--as", "ana.fgr", *why).stdout

    asked = run("access", "request", crossing, "--as", "ana.fgr", "--reason", "arma en Tijuana", *why)
    assert asked.exit_code == 0 and "#1" in asked.stdout
    refused = run("access", "approve", "1", "--as", "ana.fgr", *why, "--lang", "es")
    assert refused.exit_code == 2 and "requiere uno de los roles" in refused.output
    assert "SAN-YSIDRO" not in show()
    approved = run("access", "approve", "1", "--as", "pat.cbp", "--days", "3", *why)
    assert approved.exit_code == 0 and "approved" in approved.stdout
    assert "SAN-YSIDRO" in show()
    assert "#1" in run("access", "list", "--as", "pat.cbp", *why).stdout
    assert run("access", "revoke", "1", "--as", "pat.cbp", *why).exit_code == 0
    assert "SAN-YSIDRO" not in show()


def test_nested_json_rows_survive_the_quarantine_round_trip(url, tmp_path):
    path, profile = SAMPLES["cbp_crossings.jsonl"]
    run("ingest", str(path), "--profile", profile, "--db", url)
    out = tmp_path / "fix.csv"
    run("quarantine", "export", "--db", url, "--out", str(out))
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    missing_time = next(r for r in rows if r["_reason_en"].startswith("crossing.crossed_at"))
    assert missing_time["vehicle.plate"] == "7XYZ003" and missing_time["vehicle.plate_state"] == "CA"
    missing_time["crossed_at"] = "2023-02-12T10:00:00-08:00"
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerow(missing_time)
    result = json.loads(run("quarantine", "resubmit", str(out), "--db", url, "--json").stdout)
    assert result[0]["records_new"] == 2  # the crossing and its vehicle, linked
    assert result[0]["unmapped_columns"] == []


def test_file_problems_are_messages_not_tracebacks(url, tmp_path):
    bad = run("quarantine", "export", "--db", url, "--out", str(tmp_path / "no" / "such" / "x.csv"))
    assert bad.exit_code == 2 and "Cannot write" in bad.output
    cp1252 = tmp_path / "fix.csv"
    cp1252.write_bytes("_quarantine_id,NOMBRE\n1,Ram\xf3n\n".encode("latin-1"))
    assert run("quarantine", "resubmit", str(cp1252), "--db", url).exit_code == 2
    assert run("quarantine", "resubmit", str(tmp_path / "missing.csv"), "--db", url).exit_code == 2
    occupied = tmp_path / "data"
    occupied.mkdir()
    (occupied / "puente.db").write_text("precious")
    refused = run("synth", "--scale", "tiny", "--out", str(occupied))
    assert refused.exit_code == 2 and (occupied / "puente.db").read_text() == "precious"
