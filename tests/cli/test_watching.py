"""``puente watch add|check|hits``."""

from __future__ import annotations

import json

from tests.cli.test_app import SAMPLES, run, url

__all__ = ["url"]


def test_watch_a_phone_then_new_data_is_a_hit(url, tmp_path):
    run("init", "--db", url)
    run("principals", "add", "ana.fgr", "--agency", "MX/FGR", "--role", "analyst", "--db", url)
    who = ["--as", "ana.fgr", "--purpose", "carpeta 12", "--db", url]
    added = run("watch", "add", "+52 899 123 4567", *who, "--label", "el teléfono", "--lang", "es")
    assert added.exit_code == 0 and "Vigilancia 1 activa" in added.stdout
    for path, profile in SAMPLES.values():
        run("ingest", str(path), "--profile", profile, "--db", url)
    found = json.loads(run("watch", "hits", *who, "--json").stdout)  # the loads told the watch at once
    assert "MX/FGR:person:FGR-TAM-2023-0117-1" in {h["record_id"] for h in found}
    assert all(h["label"] == "el teléfono" for h in found)
    checked = run("watch", "check", "--db", url)
    assert checked.exit_code == 0 and "0 new hit" in checked.stdout  # nothing left to tell
    bad = run("watch", "add", "x", *who, "--kind", "plate")
    assert bad.exit_code == 2 and "a watch is on one of" in bad.output


def test_watches_are_listed_and_stopped(url):
    run("init", "--db", url)
    run("principals", "add", "ana.fgr", "--agency", "MX/FGR", "--role", "analyst", "--db", url)
    run("principals", "add", "luis.gn", "--agency", "MX/GN", "--role", "analyst", "--db", url)
    who = ["--as", "ana.fgr", "--purpose", "carpeta 12", "--db", url]
    run("watch", "add", "3VWFE21C04M000001", *who, "--label", "Jetta")
    listed = json.loads(run("watch", "list", *who, "--json").stdout)
    assert [(w["label"], w["active"]) for w in listed] == [("Jetta", True)]
    other = run("watch", "stop", str(listed[0]["id"]), "--as", "luis.gn", "--purpose", "x", "--db", url)
    assert other.exit_code == 2  # not theirs
    assert run("watch", "stop", str(listed[0]["id"]), *who).exit_code == 0
    assert json.loads(run("watch", "list", *who, "--json").stdout)[0]["active"] is False
