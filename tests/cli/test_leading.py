"""``puente leads run|list|show|assign|act|close|comment|figures|webhook|deliver``."""

from __future__ import annotations

import json

from tests.cli.test_app import SAMPLES, run, url

__all__ = ["url"]


def test_a_watch_becomes_a_lead_that_is_worked_from_the_command_line(url):
    run("init", "--db", url)
    run("principals", "add", "ines.hsi", "--agency", "US/HSI", "--role", "analyst", "--db", url)
    run("principals", "add", "rosa.hsi", "--agency", "US/HSI", "--role", "supervisor", "--db", url)
    run("principals", "add", "ana.fgr", "--agency", "MX/FGR", "--role", "analyst", "--db", url)
    who = ["--as", "ines.hsi", "--purpose", "DL12QR", "--db", url]
    run("watch", "add", "+52 899 123 4567", *who, "--label", "Reynosa phone")
    for path, profile in SAMPLES.values():
        run("ingest", str(path), "--profile", profile, "--db", url)  # the rules fire after each load
    found = json.loads(run("leads", "list", *who, "--json").stdout)
    assert found and {f["rule"] for f in found} == {"watch"} and found[0]["assignee"] == "ines.hsi"
    lead = str(found[0]["id"])
    shown = run("leads", "show", lead, *who, "--lang", "es")
    assert shown.exit_code == 0 and "Reynosa phone" in shown.stdout and "vigilancia" in shown.stdout
    other = run("leads", "show", lead, "--as", "ana.fgr", "--purpose", "x", "--db", url)
    assert other.exit_code == 2 and "no such lead" in other.output  # another agency's lead is none
    assert run("leads", "assign", lead, *who, "--to", "rosa.hsi").exit_code != 0  # not a supervisor
    assert run("leads", "comment", lead, "called the case agent", *who).exit_code == 0
    assert run("leads", "act", lead, "subject interviewed", *who).exit_code == 0
    closed = run("leads", "close", lead, "arrest", *who, "--note", "McAllen")
    assert closed.exit_code == 0 and "closed (arrest)" in closed.stdout
    assert run("leads", "close", lead, "arrest", *who).exit_code == 2  # closed stays closed
    history = json.loads(run("leads", "show", lead, *who, "--json").stdout)["history"]
    assert [h["kind"] for h in history] == ["created", "comment", "actioned", "closed"]
    numbers = json.loads(run("leads", "figures", *who, "--json").stdout)
    assert numbers["by_outcome"] == {"arrest": 1} and numbers["leads"] == len(found)
    boss = ["--as", "rosa.hsi", "--purpose", "DL12QR", "--db", url]
    assert run("leads", "webhook", "ftp://nope", *boss).exit_code == 2
    assert run("leads", "webhook", "http://127.0.0.1:9/hook", *who).exit_code != 0  # an analyst may not
    assert "Webhook 1" in run("leads", "webhook", "http://127.0.0.1:9/hook", *boss).stdout
    ran = json.loads(run("leads", "run", "--db", url, "--json").stdout)
    assert ran["new"] == 0  # every connection was told once
    waiting = json.loads(run("leads", "deliver", "--db", url, "--json").stdout)
    assert waiting["sent"] == 0
