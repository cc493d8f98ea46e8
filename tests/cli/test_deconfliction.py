"""``puente operations``, ``puente alerts`` and ``puente deconflict``."""

from __future__ import annotations

import json

from tests.cli.test_app import run, url

__all__ = ["url"]


def test_two_agencies_plan_overlapping_operations_and_both_are_told(url):
    run("init", "--db", url)
    run("principals", "add", "joe.atf", "--agency", "US/ATF", "--role", "analyst", "--db", url)
    run("principals", "add", "ana.fgr", "--agency", "MX/FGR", "--role", "officer", "--db", url)
    atf = ["--as", "joe.atf", "--purpose", "case DL12QR", "--db", url]
    fgr = ["--as", "ana.fgr", "--purpose", "carpeta 12", "--db", url]
    first = run("operations", "plan", *atf, "--kind", "surveillance", "--title", "Stash house",
                "--start", "2027-01-05T06:00+00:00", "--end", "2027-01-05T08:00+00:00",
                "--lat", "27.5060", "--lon", "-99.5075", "--radius", "500", "--json")  # fmt: skip
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["overlaps"] == 0
    second = run("operations", "plan", *fgr, "--kind", "search_warrant", "--title", "Cateo",
                 "--start", "2027-01-05T01:00-06:00", "--end", "2027-01-05T03:00-06:00",
                 "--lat", "27.4861", "--lon", "-99.5069", "--radius", "2000", "--lang", "es")  # fmt: skip
    assert second.exit_code == 0 and "coincide con 1" in second.stdout
    told = json.loads(run("alerts", *atf, "--json").stdout)
    assert len(told) == 1 and told[0]["other_agency"] == "MX/FGR" and "Cateo" not in json.dumps(told)
    assert "llame a" in run("alerts", *fgr, "--lang", "es").stdout
    mine = json.loads(run("operations", "list", *fgr, "--near", "27.5,-99.5,3000").stdout)
    assert [o["title"] for o in mine] == ["Cateo"]
    bad = run("operations", "plan", *atf, "--kind", "raid", "--title", "x",
              "--start", "2027-01-05T06:00+00:00", "--end", "2027-01-05T08:00+00:00",
              "--lat", "27.5", "--lon", "-99.5")  # fmt: skip
    assert bad.exit_code == 2 and "kind must be one of" in bad.output
    assert run("deconflict", *atf).exit_code == 0
