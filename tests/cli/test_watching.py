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
    checked = run("watch", "check", "--db", url)
    assert checked.exit_code == 0 and "new hit" in checked.stdout
    found = json.loads(run("watch", "hits", *who, "--json").stdout)
    assert "MX/FGR:person:FGR-TAM-2023-0117-1" in {h["record_id"] for h in found}
    assert all(h["label"] == "el teléfono" for h in found)
    bad = run("watch", "add", "x", *who, "--kind", "plate")
    assert bad.exit_code == 2 and "a watch is on one of" in bad.output
