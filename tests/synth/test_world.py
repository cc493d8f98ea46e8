"""The synthetic world: deterministic, loadable through its profiles, faithful to the public figures."""

from __future__ import annotations

import csv
import datetime as dt
import filecmp
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import load_profile
from puente.ingest.quarantine import list_entries
from puente.model import vocab
from puente.search.links import contents
from puente.store.schema import records
from puente.synth.generate import generate

SEED = 7


def read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / "truth" / f"{name}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny") / "world"
    generate("tiny", SEED, out)
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("small") / "world"
    generate("small", SEED, out)
    return out


def test_same_seed_gives_byte_identical_files(tiny, tmp_path):
    import time

    time.sleep(2.1)  # zip entries carry 2-second times: a later run must still match byte for byte
    again = tmp_path / "again"
    generate("tiny", SEED, again)
    files = sorted(p.relative_to(tiny) for p in tiny.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert len(files) > 15
    for name in files:
        assert filecmp.cmp(tiny / name, again / name, shallow=False), name
    other = tmp_path / "other"
    generate("tiny", SEED + 1, other)
    assert not filecmp.cmp(tiny / "cbp_crossings.jsonl", other / "cbp_crossings.jsonl", shallow=False)


def test_every_feed_loads_and_the_quarantine_holds_exactly_the_broken_rows(tiny, db):
    import yaml

    manifest = yaml.safe_load((tiny / "manifest.yaml").read_text(encoding="utf-8"))
    assert len(manifest["feeds"]) >= 8
    for feed in manifest["feeds"]:
        report = ingest_file(db, tiny / feed["file"], load_profile(feed["profile"]))
        assert report.status == "completed"
        assert report.rows_read == feed["rows"]
    held = {(e.file_name, e.row_number, e.code) for e in list_entries(db, status=None)}
    broken = {(r["file"], int(r["row_number"]), r["code"]) for r in read(tiny, "broken_rows")}
    assert held == broken
    with db.engine.connect() as conn:
        stored = {rid for (rid,) in conn.execute(select(records.c.record_id))}
        flagged = Counter(
            flag
            for _, content in contents(conn, sorted(stored))
            for flag in content.get("flags", ())
            if flag.endswith(":reported_stolen_on")
        )
    assert stored == {r["record_id"] for r in read(tiny, "records")}
    # a theft report whose date cannot be read is stored, flagged: a stolen car must still screen
    flaws = read(tiny, "flagged_rows")
    assert {r["file"] for r in flaws} <= {"ncic_stolen_vehicles.csv", "repuve_robados.csv"}
    assert set(flagged) <= {"invalid_date:reported_stolen_on"} and sum(flagged.values()) == len(flaws)
    # a stolen vehicle found and given back is stored with its recovery date: it leaves the hot list
    recovered = {r["vehicle_id"]: r["recovered_on"] for r in read(tiny, "recovered_vehicles")}
    holders = ("US/FBI:", "MX/SSPC:")
    reports = [r["record_id"] for r in read(tiny, "records")
               if r["vehicle_id"] in recovered and r["record_id"].startswith(holders)]  # fmt: skip
    assert recovered and len(reports) == len(recovered)
    with db.engine.connect() as conn:
        said = dict(contents(conn, reports))
    assert {rid: said[rid].get("recovered_on") for rid in reports} == {
        r["record_id"]: recovered[r["vehicle_id"]] for r in read(tiny, "records") if r["record_id"] in reports
    }


def test_a_flawed_row_is_written_as_stored_and_flagged_a_broken_one_as_quarantined(tmp_path, monkeypatch):
    import random

    from puente.synth import params
    from puente.synth.feeds import Feed, Row, Writers

    monkeypatch.setattr(params, "BROKEN_ROW_RATE", 1.0)
    monkeypatch.setattr(params, "DUPLICATE_SUBMISSION_RATE", 0.0)
    writers = Writers(tmp_path, 1)
    writers.add("f", Feed(tmp_path, "f.csv", "p", ["ID", "DAY"]))
    truth = [("X:vehicle:1", "vehicle", "V1", "", "V1")]
    rng = random.Random(3)
    day = "01/02/2023"
    writers.emit("f", Row({"ID": "1", "DAY": day}, truth, flaws=[("DAY", "31/02/2023", "invalid_date")]), rng)
    writers.emit("f", Row({"ID": "2", "DAY": day}, truth, [("ID", "", "missing_id")]), rng)
    writers.close()
    written = (tmp_path / "f.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert written == ["1,31/02/2023", ",01/02/2023"]
    assert read(tmp_path, "flagged_rows") == [{"file": "f.csv", "row_number": "2", "code": "invalid_date"}]
    assert read(tmp_path, "broken_rows") == [{"file": "f.csv", "row_number": "3", "code": "missing_id"}]
    assert [r["record_id"] for r in read(tmp_path, "records")] == ["X:vehicle:1"]  # the flawed row's only


def test_small_world_size(small):
    import yaml

    manifest = yaml.safe_load((small / "manifest.yaml").read_text(encoding="utf-8"))
    assert 35_000 <= manifest["records"] <= 70_000


def test_trace_origins_follow_the_trace_data(small):
    rows = list(csv.DictReader((small / "atf_trace_results.csv").open(encoding="utf-8")))
    foreign = sum(r["TRACE_STATUS"] == "FOREIGN - NO US RECORD" for r in rows) / len(rows)
    completed = sum(r["TRACE_STATUS"] == "COMPLETED" for r in rows) / len(rows)
    assert 0.13 <= foreign <= 0.21  # GAO-16-223: 17% foreign-made
    assert 0.36 <= completed <= 0.56  # ATF CY2016: 46% traced to a retail purchase


def test_weapon_mix_and_source_states(small):
    rows = list(csv.DictReader((small / "atf_trace_results.csv").open(encoding="utf-8")))
    kinds = Counter(r["WEAPON_TYPE"] for r in rows)
    total = sum(kinds.values())
    assert 0.38 <= kinds["PISTOL"] / total <= 0.58
    assert 0.25 <= kinds["RIFLE"] / total <= 0.48
    assert 0.08 <= kinds["REVOLVER"] / total <= 0.22
    states = Counter(r["PURCHASER_STATE"] for r in rows if r["TRACE_STATUS"] == "COMPLETED")
    known = sum(states.values())
    assert 0.32 <= states["TX"] / known <= 0.48  # Texas ~40%
    assert 0.25 <= (states["AZ"] + states["CA"] + states["NM"]) / known <= 0.42  # about one third


def test_time_to_crime(small):
    rows = list(csv.DictReader((small / "atf_trace_results.csv").open(encoding="utf-8")))
    days = [
        (
            dt.datetime.strptime(r["RECOVERY_DATE"], "%m/%d/%Y")
            - dt.datetime.strptime(r["PURCHASE_DATE"], "%m/%d/%Y")
        ).days
        for r in rows
        if r["TRACE_STATUS"] == "COMPLETED"
    ]
    short = sum(d < 3 * 365 for d in days) / len(days)
    assert 0.10 <= short <= 0.30  # 82% took 3 years or more


def test_port_shares_follow_traffic(small):
    import json

    ports = vocab.ports()
    total = sum(p.personal_vehicles_per_day for p in ports.values())
    seen = Counter()
    with (small / "truth" / "crossings.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            seen[row["port"]] += 1
    n = sum(seen.values())
    assert n > 4000
    for code in ("SAN-YSIDRO", "EL-PASO", "OTAY-MESA", "LAREDO"):
        expected = ports[code].personal_vehicles_per_day / total
        assert abs(seen[code] / n - expected) < 0.04, code
    assert json  # the feed itself is JSON Lines


def test_common_mexican_surnames_lead(small):
    people = [p for p in read(small, "persons") if p["nation"] == "MX"]
    top = [name for name, _ in Counter(p["paternal_surname"] for p in people).most_common(10)]
    assert top[0] == "Hernández"
    assert len({"García", "Martínez", "López", "González"} & set(top)) >= 3


def test_organizations_have_their_roles(small):
    members = read(small, "organizations")
    roles = Counter(m["role"] for m in members)
    orgs = {m["org_id"] for m in members}
    assert roles["leader"] == len(orgs)
    assert roles["straw_purchaser"] >= 3 * len(orgs)
    straw = read(small, "straw_guns")
    assert len(straw) >= 3 * roles["straw_purchaser"]


def test_us_sourced_share_and_front_companies(small):
    from stdnum.mx import rfc

    recoveries = read(small, "recoveries")
    origins = Counter(r["origin"] for r in recoveries)
    total = sum(origins.values())
    assert abs(origins["us"] / total - 0.70) < 0.04  # GAO-16-223
    assert abs(origins["foreign"] / total - 0.17) < 0.04
    straw = [r for r in recoveries if r["straw"] == "1"]
    assert straw and all(r["origin"] == "us" for r in straw)
    companies = read(small, "front_companies")
    assert companies and all(rfc.is_valid(c["rfc"]) and len(c["rfc"]) == 12 for c in companies)


def test_straw_purchasers_buy_in_the_border_states():
    from puente.synth.world import build_block

    for index in range(5):
        block = build_block(SEED, index)
        for org in block.orgs:
            for person, role in org.members:
                if role == "straw_purchaser":
                    assert person.address.state in {"US-TX", "US-AZ", "US-CA", "US-NM"}


def _person_sources(folder: Path) -> dict[str, set[str]]:
    """True person id -> the feeds (by their record-id prefix) whose person records name them."""
    prefixes = {
        "MX/FGR:person:FGR-": "fgr_aseguramientos",
        "MX/FGR:person:FED/": "fgr_carpetas",
        "MX/GN:": "gn_detenidos",
        "US/HSI:person:BEST-": "hsi_best_seizures",
        "US/CBP:": "cbp_crossings",
    }
    sources: dict[str, set[str]] = {}
    for r in read(folder, "records"):
        if r["record_type"] == "person":
            for prefix, feed in prefixes.items():
                if r["record_id"].startswith(prefix):
                    sources.setdefault(r["entity_id"], set()).add(feed)
    return sources


def test_cases_of_each_nation_name_people_the_other_nation_records(small):
    links = read(small, "case_links")
    sources = _person_sources(small)
    stored = {r["record_id"] for r in read(small, "records") if r["record_type"] == "case"}
    assert {link["case_record_id"] for link in links} == stored
    by_nation = {
        nation: {link["person_id"] for link in links if link["nation"] == nation} for nation in ("US", "MX")
    }
    assert all(link["case_record_id"].startswith("US/HSI:case:") for link in links if link["nation"] == "US")
    assert all(
        link["case_record_id"].startswith("MX/FGR:case:FED/") for link in links if link["nation"] == "MX"
    )
    # HSI case subjects detained or caught with a gun in Mexico
    us_in_mx = {p for p in by_nation["US"] if sources.get(p, set()) & {"fgr_aseguramientos", "gn_detenidos"}}
    # FGR imputados who drive south through a US port or are seized there
    mx_in_us = {p for p in by_nation["MX"] if sources.get(p, set()) & {"hsi_best_seizures", "cbp_crossings"}}
    assert len(us_in_mx) >= 12
    assert len(mx_in_us) >= 20
    assert any("hsi_best_seizures" in sources[p] for p in mx_in_us)


def test_case_subjects_lead_with_the_organization_leader():
    from puente.synth.world import build_block

    carpetas = 0
    for index in range(8):
        block = build_block(SEED, index)
        roles = {pid: role for pid, (_, role) in block.roles.items()}
        for case in block.cases:
            assert roles[case.subjects[0].person_id] == "leader"
            assert 3 <= len(case.subjects) <= 5
            assert {roles[p.person_id] for p in case.subjects} & {"transporter", "receiver"}
        for case in block.mx_cases:
            carpetas += 1
            named = [roles[p.person_id] for p in case.subjects]
            assert named[0] == "leader" and named[1] == "transporter" and 2 <= len(named) <= 4
            assert set(named[2:]) <= {"transporter", "receiver", "money_courier"}
            assert len({p.person_id for p in case.subjects}) == len(named)
    assert carpetas


def test_no_two_vehicles_share_a_vin_across_blocks():
    from puente.normalize.identifiers import normalize_vin
    from puente.synth.world import build_block

    owners: dict[str, set[str]] = {}
    for index in (0, 1, 999, 1000, 1001):  # the block's thousands move into the plant code
        block = build_block(SEED, index)
        vehicles = [c.vehicle for c in block.crossings] + block.stolen_us + block.stolen_mx
        for v in vehicles:
            owners.setdefault(normalize_vin(v.vin), set()).add(v.vehicle_id)
    assert len(owners) > 500 and all(len(ids) == 1 for ids in owners.values())
