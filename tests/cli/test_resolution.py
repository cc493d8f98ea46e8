"""``puente resolve`` and ``puente export entities``."""

from __future__ import annotations

import csv
import json

from tests.cli.test_app import SAMPLES, run, url

__all__ = ["url"]


def test_resolve_then_export_the_entities_a_viewer_may_see(url, tmp_path):
    for path, profile in SAMPLES.values():
        run("ingest", str(path), "--profile", profile, "--db", url)
    run("principals", "add", "ana.fgr", "--agency", "MX/FGR", "--role", "analyst", "--db", url)
    done = run("resolve", "--db", url, "--json")
    report = json.loads(done.stdout)["person"]
    assert done.exit_code == 0 and report["records"] > 0 and report["entities"] <= report["records"]
    again = json.loads(run("resolve", "--db", url, "--json").stdout)
    for kind in ("person", "firearm", "vehicle", "organization", "phone", "address"):
        assert (again[kind]["new"], again[kind]["merged"], again[kind]["split"]) == (0, 0, 0)
    assert again["phone"]["records"] > 0  # the samples' detainees and subjects give their phones
    out = tmp_path / "entities.csv"
    exported = run(
        "export", "entities", "--out", str(out), "--as", "ana.fgr", "--purpose", "carpeta 12", "--db", url
    )
    assert exported.exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows and set(rows[0]) == {"record_id", "entity_id", "owner"}
    assert "US/CBP" not in {r["owner"] for r in rows}  # CBP keeps its records inside the US
    phones = tmp_path / "phones.csv"
    exported = run("export", "entities", "--out", str(phones), "--kind", "phone", "--as", "ana.fgr",
                   "--purpose", "carpeta 12", "--db", url)  # fmt: skip
    assert exported.exit_code == 0
    rows = list(csv.DictReader(phones.open(encoding="utf-8")))
    assert rows and set(rows[0]) == {"record_id", "entity_id", "owner", "field"}
    assert all(r["entity_id"].startswith("ET-") and r["field"].startswith("phones[") for r in rows)
    assert "US/CBP" not in {r["owner"] for r in rows}
    refused = run("export", "entities", "--out", str(out), "--as", "ana.fgr", "--purpose", " ", "--db", url)
    assert refused.exit_code == 2 and "purpose of use" in refused.output


def test_review_next_and_decide(url):
    for path, profile in SAMPLES.values():
        run("ingest", str(path), "--profile", profile, "--db", url)
    run("principals", "add", "joe.atf", "--agency", "US/ATF", "--role", "analyst", "--db", url)
    run("resolve", "--db", url, "--threshold", "100000")  # nothing joins: every scored pair is open
    why = ["--as", "joe.atf", "--purpose", "trace T2023", "--db", url]
    shown = json.loads(run("review", "next", "--count", "5", *why, "--json").stdout)
    assert shown and all(item["why_en"] and item["why_es"] for item in shown)
    first = shown[0]
    done = run("review", "decide", first["record_a"], first["record_b"], "same", *why)
    assert done.exit_code == 0 and "Decision saved" in done.stdout
    after = json.loads(run("review", "next", "--count", "5", *why, "--json").stdout)
    assert (first["record_a"], first["record_b"]) not in {(i["record_a"], i["record_b"]) for i in after}
    bad = run("review", "decide", first["record_a"], first["record_b"], "maybe", *why, "--lang", "es")
    assert bad.exit_code == 2 and "una decisión es una de" in bad.output
