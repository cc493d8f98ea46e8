"""Governance commands: re-marking, exports under originator control, stewards' views, passwords
and API tokens."""

from __future__ import annotations

import json

from puente.policy import auth
from puente.store import connect
from tests.cli.test_app import SAMPLES, run, url

__all__ = ["url"]

WHY = ["--purpose", "carpeta 12"]


def setup_people(url):
    for path, profile in SAMPLES.values():
        run("ingest", str(path), "--profile", profile, "--db", url)
    for user, agency, role in (
        ("ana.fgr", "MX/FGR", "analyst"), ("pat.cbp", "US/CBP", "steward"), ("joe.atf", "US/ATF", "analyst"),
    ):  # fmt: skip
        assert run("principals", "add", user, "--agency", agency, "--role", role, "--db", url).exit_code == 0


def test_a_steward_re_marks_a_record_then_sees_who_viewed_it(url, tmp_path):
    setup_people(url)
    crossing = "US/CBP:crossing:SYS-2023-000101"
    hidden = run("show", crossing, "--as", "ana.fgr", *WHY, "--db", url)
    assert "SAN-YSIDRO" not in hidden.stdout
    refused = run(
        "remark", crossing, "--as", "ana.fgr", "--releasable-to", "MX", "--reason", "x", *WHY, "--db", url
    )
    assert refused.exit_code == 2 and "needs one of the roles" in refused.output
    unknown = run(
        "remark", crossing, "--as", "pat.cbp", "--releasable-to", "XX", "--reason", "x", *WHY, "--db", url,
        "--lang", "es",
    )  # fmt: skip
    assert unknown.exit_code == 2 and "desconocidas: XX" in unknown.output
    done = run(
        "remark", crossing, "--as", "pat.cbp", "--releasable-to", "MX/FGR", "--restrict", "driver=US",
        "--reason", "operación conjunta", *WHY, "--db", url,
    )  # fmt: skip
    assert done.exit_code == 0 and "version 2" in done.stdout
    shown = run("show", crossing, "--as", "ana.fgr", *WHY, "--db", url)
    assert "SAN-YSIDRO" in shown.stdout
    views = run("audit", "views", "--as", "pat.cbp", *WHY, "--db", url, "--json")
    entries = json.loads(views.stdout)
    assert [(e["user_id"], e["outcome"]) for e in entries[:2]] == [
        ("ana.fgr", "record"),
        ("ana.fgr", "pointer"),
    ]
    assert run("audit", "views", "--as", "ana.fgr", *WHY, "--db", url).exit_code == 2
    assert run("audit", "verify", "--db", url).exit_code == 0


def test_export_writes_what_the_viewer_may_see(url, tmp_path):
    setup_people(url)
    out = tmp_path / "export.jsonl"
    done = run(
        "export", "records", "--out", str(out), "--as", "ana.fgr", *WHY, "--owner", "US/ATF", "--db", url
    )
    assert done.exit_code == 0 and "records exported" in done.stdout
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert lines and {row["owner"] for row in lines} == {"US/ATF"}
    buyer = next(r for r in lines if r["record_id"] == "US/ATF:person:T20230001-purchaser")
    assert buyer["withheld_fields"] == ["ssn"] and "523-41-7788" not in out.read_text()
    none = run(
        "export", "records", "--out", str(out), "--as", "ana.fgr", *WHY, "--owner", "US/CBP", "--db", url
    )
    assert none.exit_code == 0 and out.read_text() == ""  # CBP keeps its crossings inside the US


def test_passwords_and_tokens_from_the_command_line(url):
    setup_people(url)
    short = run("principals", "password", "ana.fgr", "--password-stdin", "--db", url)
    assert short.exit_code == 2 and "at least 12" in short.output  # empty input
    ok = runner_input(
        ["principals", "password", "ana.fgr", "--password-stdin", "--db", url], "una clave larga 42\n"
    )
    assert ok.exit_code == 0
    db = connect(url)
    assert auth.login(db, "ana.fgr", "una clave larga 42", "cli-test").user_id == "ana.fgr"
    made = run("tokens", "create", "ana.fgr", "--name", "cuaderno", "--days", "7", "--db", url)
    token = made.stdout.strip()
    assert made.exit_code == 0 and token.startswith("pte_")
    assert auth.token_principal(db, token, "cli-test").user_id == "ana.fgr"
    listed = json.loads(run("tokens", "list", "ana.fgr", "--db", url, "--json").stdout)
    assert [t["active"] for t in listed] == [True] and token not in json.dumps(listed)
    assert run("tokens", "revoke", listed[0]["id"], "--db", url).exit_code == 0
    assert json.loads(run("tokens", "list", "--db", url, "--json").stdout)[0]["active"] is False
    assert run("tokens", "revoke", "nope", "--db", url).exit_code == 2
    db.dispose()


def runner_input(args, text):
    from tests.cli.test_app import app, runner

    return runner.invoke(app, args, input=text, catch_exceptions=False)
