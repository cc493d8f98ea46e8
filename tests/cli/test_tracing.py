"""``puente trace``: bulk tracing, the list, one trace, patterns and the ranking."""

from __future__ import annotations

import json

from tests.cli.test_app import run, url
from tests.trace.test_engine import ACQUISITIONS, SEIZURES

__all__ = ["url"]


def test_trace_run_list_show_patterns_and_rank(url, tmp_path):
    acq, fgr = tmp_path / "acq.csv", tmp_path / "fgr.csv"
    acq.write_text(ACQUISITIONS, encoding="utf-8")
    fgr.write_bytes(SEIZURES.encode("latin-1"))
    run("ingest", str(acq), "--profile", "atf-acquisitions", "--db", url)
    run("ingest", str(fgr), "--profile", "fgr-aseguramientos", "--db", url)
    run("principals", "add", "eva.fgr", "--agency", "MX/FGR", "--role", "analyst", "--certificate", "tracing",
        "--db", url)  # fmt: skip
    who = ["--as", "eva.fgr", "--purpose", "carpeta FED/JAL/1/2023", "--db", url]
    done = run("trace", "run", *who, "--json")
    assert done.exit_code == 0
    assert json.loads(done.stdout)["completed"] == 3
    spanish = run("trace", "run", *who, "--lang", "es")
    assert spanish.exit_code == 0 and "Solicitudes nuevas: 0" in spanish.stdout
    listed = json.loads(run("trace", "list", *who, "--json").stdout)
    assert len(listed) == 8 and {t["status"] for t in listed} == {"completed", "failed"}
    one = json.loads(run("trace", "show", str(listed[0]["id"]), *who).stdout)
    assert one["id"] == listed[0]["id"] and "checks" in one["result"]
    found = json.loads(run("trace", "patterns", *who).stdout)
    assert found["guns_traced"] == 3 and found["corridors"]
    ranked = json.loads(run("trace", "rank", *who, "--json").stdout)
    assert ranked[0]["guns"] == 2 and ranked[0]["reasons"]
    table = run("trace", "rank", *who, "--lang", "es")
    assert table.exit_code == 0 and "Comprador" in table.stdout
    assert json.loads(run("trace", "events", *who).stdout) == []  # no case names the purchaser
    missing = run("trace", "show", "99999", *who)
    assert missing.exit_code == 1
    refused = run("trace", "run", "--as", "eva.fgr", "--purpose", " ", "--db", url)
    assert refused.exit_code == 2 and "purpose of use" in refused.output
