"""Screen: the southbound check of a plate, VIN or driver against the hot lists, scored and timed.

The world of the bench scale, loaded and settled once by the leads benchmark (bench/leads.py), is
copied into an SQLite file of its own (bench/.cache/screen/, keyed by the leads database and
SCREEN_DB_VERSION; ``--regenerate`` rebuilds it) and its hot lists rebuilt there
(``puente.screen.lanes.rebuild``, as after loads), not in the leads benchmark's file.

Recall: every stored southbound crossing is checked, as a CBP officer would, with the plate, state
and VIN it stored (what the plate reader reported). Truth: the crossing's vehicle is stolen
(truth/crossings.csv). Figures: the stolen recall (budget 0.999; also over the crossings whose theft
report was stored, as some are broken on purpose, and over every crossing: one CBP's feed broke on
purpose was never stored, but its raw plate and VIN are what the lane read), the stale hits on
stolen vehicles found and given back before they crossed (budget 0), the hits on crossings whose
vehicle is not stolen, the matches by how they matched and why. Subjects: the southbound crossings
of a case's subject or of a vehicle a subject drove on an earlier day, checked with plate, state,
VIN and driver (budget 0.999; an entry counts only from a record of an earlier day, never the
crossing checked); apart, those of a subject's vehicle (the transporters' load vehicles, driven
again until seized; budget 0.999), and of those the ones whose tie to the subject the markings let
the case's agency know (its case file names the vehicle, or it may see the crossings that saw him
drive it); and the recall of the driver check alone (name and birth date). Plate reader: each stolen
crossing whose theft report was stored is read again by plate alone, misread (one confusable
character), without its state and in part (five characters); recall by kind of read (budget 0.999),
and the stolen-list candidates the same reads of as many clean crossings bring. Risk flags: how many
southbound crossings are flagged (from records of earlier days) and the share of the flagged that
carried contraband against the share of all (truth/crossings.csv). Misses and false hits are
classified with examples on stderr.

Latency: ``puente.screen.check.check`` in process, single thread, over CHECKS checks drawn from the
world's crossings (stolen ones over-drawn, so hits and misses mix), and over synthetic hot lists of
random plates and VINs built in memory (1M, 3M, and 10M when its projected memory fits; first,
while the process holds little): p50/p99 and the index's build time and memory (budget for 10M
entries: INDEX_10M_BUDGET_MIB).
"""

from __future__ import annotations

import contextlib
import csv
import gc
import json
import math
import random
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench.common import figure, log, log_classes, peak_rss_mib

BUDGET_RECALL = 0.999
BUDGET_P99_MS = 2.0
SEED = 20230314
SCREEN_DB_VERSION = 18  # bump when what the cached screen database holds changes
CHECKS = 20_000
WARM_UP = 1_000  # checks run before timing: a lane's index is warm
STOLEN_SHARE = 0.2  # of the world's timed checks drawn from stolen crossings (about 4% are stolen)
SYNTHETIC_SIZES = (1_000_000, 3_000_000)  # their growth projects the memory 10M would take
SYNTHETIC_TARGET = 10_000_000
MEMORY_LIMIT_GIB = 8.0  # the most the 10M index may be projected to need
INDEX_10M_BUDGET_MIB = 2048  # the bound a lane server's 10M-entry hot list is held to
MEMORY_AVAILABLE_SHARE = 0.7  # nor more than this share of what the machine has free
EXAMPLES = 5
# The stolen-vehicle feeds: file -> (the agency holding its records, delimiter, encoding, VIN column)
STOLEN_FEEDS = {
    "ncic_stolen_vehicles.csv": ("US/FBI", ",", "utf-8", "VIN"),
    "repuve_robados.csv": ("MX/SSPC", "|", "cp1252", "NIV"),
}
OFFICER_AGENCY = "US/CBP"
CASE_FILE_VEHICLES = ("US/HSI:vehicle:", "MX/FGR:vehicle:")  # the subjects' vehicles case files name
STOLEN_REASONS = ("stolen_us", "stolen_mx")


def _principal() -> Any:
    from puente.policy.principals import Principal, Role

    return Principal(
        user_id="bench.cbp", name="bench", agency=OFFICER_AGENCY, roles=frozenset({Role.OFFICER})
    )


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _percentile(ordered: list[float], q: float) -> float | None:
    """Nearest-rank percentile of sorted values."""
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def _rss_mib() -> float:
    """Resident set size now (Linux), or the peak where /proc is missing."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * 4096 / 2**20
    except OSError:
        return peak_rss_mib()


def _available_mib() -> float | None:
    """Memory the kernel says is available; None where /proc/meminfo cannot be read (then only the
    fixed limit guards the 10M index)."""
    with contextlib.suppress(OSError), open("/proc/meminfo", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return None


# --- the world database --------------------------------------------------------------------------------


def _screen_database(args: Any) -> tuple[Path, Path, dict[str, Any], bool]:
    """The world's folder and a copy of its settled database with the hot lists built (once), what
    building it took, and whether it came from the cache."""
    from bench.leads import derived_world
    from puente.screen.lanes import rebuild
    from puente.trace.catalog import refresh as catalogue

    def prepare(db: Any) -> dict[str, Any]:
        log("cataloguing the firearms sales and building the hot lists (as after loads)")
        started = time.perf_counter()
        catalogue(db)
        rows = rebuild(db)
        return {"hotlist_rows": rows, "rebuild_seconds": round(time.perf_counter() - started, 1)}

    return derived_world(args, "screen", f"s{SCREEN_DB_VERSION}", prepare)


def _crossings(conn: Any) -> list[dict[str, Any]]:
    """Each stored crossing: its direction, plate, state and VIN as stored, and its driver's name
    and birth date (None when it names no driver record)."""
    from sqlalchemy import select

    from puente.search.links import contents
    from puente.store.schema import records

    ids = list(conn.execute(select(records.c.record_id).where(records.c.record_type == "crossing")).scalars())
    found: list[dict[str, Any]] = []
    drivers: dict[str, str] = {}  # driver record -> crossing record
    for record_id, c in contents(conn, ids):
        plate, vin = c.get("plate") or {}, c.get("vin") or {}
        found.append({
            "record_id": record_id, "direction": c.get("direction"),
            "plate": plate.get("text") or plate.get("value"),
            "state": (plate.get("issuer") or {}).get("code"),
            "vin": vin.get("text") or vin.get("value"), "driver": None,
            "day": (c.get("crossed_at") or "")[:10],
        })  # fmt: skip
        for relation in c.get("relations") or ():
            if relation.get("kind") == "driver":
                drivers[relation["target"]] = record_id
    by_id = {c["record_id"]: c for c in found}
    for record_id, p in contents(conn, sorted(drivers)):
        name = p.get("name") or {}
        by_id[drivers[record_id]]["driver"] = {
            "surname": name.get("paternal_surname"), "given": name.get("given_names"),
            "birth": p.get("birth_date"),
        }  # fmt: skip
    return found


def _hot_rows(conn: Any) -> list[Any]:
    from sqlalchemy import select

    from puente.store.schema import hotlist

    columns = ("kind", "key", "state", "record_id", "owner", "audience", "disclosure", "reason")
    return list(conn.execute(select(*(hotlist.c[c] for c in columns))).all())


def _visible(row: Any) -> bool:
    """Whether the officer is told of a hot-list row at all (shown, or "contact the holder")."""
    return OFFICER_AGENCY in json.loads(row.audience) or row.disclosure == "pointer"


# --- the truth -----------------------------------------------------------------------------------------


class _Truth:
    """Crossings, stolen vehicles and case subjects of the world, and the stolen-vehicle rows broken
    on purpose."""

    def __init__(self, folder: Path) -> None:
        truth = folder / "truth"
        with (truth / "crossings.csv").open(encoding="utf-8") as handle:
            self.crossings = {r["record_id"]: r for r in csv.DictReader(handle)}
        holders = {agency for agency, *_ in STOLEN_FEEDS.values()}
        self.stolen_records: dict[str, set[str]] = defaultdict(set)  # vehicle -> its stolen records
        self.person: dict[str, str] = {}  # person record -> true person
        self.case_vehicles: set[str] = set()  # vehicles a case file names as its subject's
        with (truth / "records.csv").open(encoding="utf-8") as handle:
            for r in csv.DictReader(handle):
                if r["record_type"] == "vehicle" and r["record_id"].split(":", 1)[0] in holders:
                    self.stolen_records[r["vehicle_id"]].add(r["record_id"])
                elif r["record_type"] == "vehicle" and r["record_id"].startswith(CASE_FILE_VEHICLES):
                    self.case_vehicles.add(r["vehicle_id"])
                elif r["record_type"] == "person":
                    self.person[r["record_id"]] = r["entity_id"]
        with (truth / "case_links.csv").open(encoding="utf-8") as handle:
            links = list(csv.DictReader(handle))
        self.subjects = {r["person_id"] for r in links}
        # subjects of a US case: HSI may see CBP's crossings, so what they drove may be its to know
        self.us_subjects = {r["person_id"] for r in links if r["nation"] == "US"}
        self.quarantined = self._quarantined(folder)
        with (truth / "recovered_vehicles.csv").open(encoding="utf-8") as handle:
            self.recovered = {r["vehicle_id"]: r["recovered_on"] for r in csv.DictReader(handle)}

    def stolen(self, crossing_id: str) -> bool:
        row = self.crossings.get(crossing_id)
        return row is not None and (
            row["stolen_vehicle"] == "1"
            or (row["vehicle_id"] in self.stolen_records and row["vehicle_id"] not in self.recovered)
        )

    def recovered_before(self, crossing: dict[str, Any]) -> bool:
        """Whether the crossing's vehicle was stolen but found and given back before it crossed."""
        row = self.crossings.get(crossing["record_id"])
        found = self.recovered.get(row["vehicle_id"]) if row else None
        return bool(found and found < crossing["day"])

    @staticmethod
    def _quarantined(folder: Path) -> dict[str, str]:
        """VIN -> the code of a stolen-vehicle row broken on purpose (the row is quarantined)."""
        broken: dict[str, dict[int, str]] = defaultdict(dict)
        with (folder / "truth" / "broken_rows.csv").open(encoding="utf-8") as handle:
            for r in csv.DictReader(handle):
                if r["file"] in STOLEN_FEEDS:
                    broken[r["file"]][int(r["row_number"])] = r["code"]
        found: dict[str, str] = {}
        for file, rows in broken.items():
            _, delimiter, encoding, vin_column = STOLEN_FEEDS[file]
            with (folder / file).open(encoding=encoding, errors="replace", newline="") as handle:
                # a CSV row's number is its line: the header is line 1
                for number, r in enumerate(csv.DictReader(handle, delimiter=delimiter), start=2):
                    if number in rows and r.get(vin_column):
                        found[r[vin_column]] = f"{file}:{number} {rows[number]}"
        return found


# --- scoring on the world ------------------------------------------------------------------------------


def _describe(c: dict[str, Any]) -> str:
    return f"{c['record_id']} plate {c['plate']} ({c['state']}) VIN {c['vin']}"


def _stolen_miss(c: dict[str, Any], truth: _Truth, hot_by_record: dict[str, list[Any]]) -> tuple[str, str]:
    """Why a stolen crossing's check found nothing, and an example."""
    vehicle = truth.crossings[c["record_id"]]["vehicle_id"]
    records = sorted(truth.stolen_records.get(vehicle, ()))
    rows = [row for r in records for row in hot_by_record.get(r, ())]
    if not records:
        code = truth.quarantined.get(c["vin"] or "")
        if code:
            return "the stolen record was quarantined on purpose (a broken row)", f"{_describe(c)}: {code}"
        return "the vehicle has no stored stolen record (not a quarantined row either)", _describe(c)
    if not rows:
        return "the stolen record is stored but not on the hot list", f"{_describe(c)}: {', '.join(records)}"
    if not any(_visible(row) for row in rows):
        return (
            "on the hot list, but withheld from CBP by its markings",
            f"{_describe(c)}: {', '.join(records)}",
        )
    keys = ", ".join(f"{row.kind} {row.key} ({row.state})" for row in rows)
    return "on the hot list under a plate and VIN the crossing did not read", f"{_describe(c)} ~ {keys}"


def _score_unstored(
    index: Any, principal: Any, folder: Path, truth: _Truth, stored: set[str]
) -> tuple[int, int]:
    """Stolen vehicles whose southbound crossing CBP's feed broke on purpose (an unknown port, no
    time): the crossing was never stored, but the lane read the car all the same. Each is checked by
    the plate and VIN of its raw row. (crossings, hit)"""
    from puente.screen.check import check

    crossings = found = 0
    with (folder / "cbp_crossings.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            record_id = f"US/CBP:crossing:{row.get('crossing_id')}"
            if record_id in stored or not truth.stolen(record_id):
                continue
            if truth.crossings[record_id]["direction"] != "southbound":
                continue
            vehicle = row.get("vehicle") or {}
            answer = check(index, principal, plate=vehicle.get("plate"), vin=vehicle.get("vin"))
            crossings += 1
            found += any(m.reason in STOLEN_REASONS for m in answer.matches)
    return crossings, found


def _score_vehicles(index: Any, principal: Any, southbound: list[dict[str, Any]], truth: _Truth,
                    hot_by_record: dict[str, list[Any]]) -> dict[str, Any]:  # fmt: skip
    from puente.screen.check import check

    out: dict[str, Any] = {
        "stolen": 0, "found": 0, "stored": 0, "found_stored": 0, "right_record": 0, "clean": 0, "false": 0,
        "by_how": Counter(), "by_reason": Counter(), "by_how_reason": Counter(), "pointers": 0,
        "false_by": Counter(), "missed_by": Counter(), "after_recovery": 0, "stale": 0,
    }  # fmt: skip
    missed_examples: dict[str, list[str]] = defaultdict(list)
    false_examples: dict[str, list[str]] = defaultdict(list)
    for c in southbound:
        answer = check(index, principal, plate=c["plate"], state=c["state"], vin=c["vin"])
        # the stolen-vehicle lists alone: subjects' vehicles and watches are scored by _score_subjects
        answer.matches = [m for m in answer.matches if m.reason in STOLEN_REASONS]
        answer.hit = bool(answer.matches)
        for m in answer.matches:
            out["by_how"][m.how] += 1
            out["by_reason"][m.reason] += 1
            out["by_how_reason"][f"{m.how}/{m.reason}"] += 1
            out["pointers"] += m.record_id is None
        if truth.stolen(c["record_id"]):
            mine = truth.stolen_records.get(truth.crossings[c["record_id"]]["vehicle_id"], set())
            out["stolen"] += 1
            out["stored"] += bool(mine)  # the theft report itself was stored (not broken on purpose)
            if answer.hit:
                out["found"] += 1
                out["found_stored"] += bool(mine)
                holders = {r.split(":", 1)[0] for r in mine}
                out["right_record"] += any(
                    m.record_id in mine or (m.record_id is None and m.holder in holders)
                    for m in answer.matches
                )
            else:
                reason, example = _stolen_miss(c, truth, hot_by_record)
                out["missed_by"][reason] += 1
                if len(missed_examples[reason]) < EXAMPLES:
                    missed_examples[reason].append(example)
            continue
        out["clean"] += 1
        if truth.recovered_before(c):  # a stolen car found and given back: a hit now would be stale
            out["after_recovery"] += 1
            out["stale"] += answer.hit
            if answer.hit:
                log(f"stale hit: {_describe(c)} ~ {[(m.record_id, m.how, m.since) for m in answer.matches]}")
        if answer.hit:
            out["false"] += 1
            m = answer.matches[0]
            reason = f"{m.how}/{m.reason}"
            out["false_by"][reason] += 1
            if len(false_examples[reason]) < EXAMPLES:
                held = m.record_id or f"held by {m.holder}"
                false_examples[reason].append(f"{_describe(c)} ~ {held} {m.label or ''}".rstrip())
    log_classes(f"missed stolen southbound crossings ({sum(out['missed_by'].values()):,})", out["missed_by"],
                 missed_examples)  # fmt: skip
    log_classes(f"hits on crossings whose vehicle is not stolen ({out['false']:,})", out["false_by"],
                 false_examples)  # fmt: skip
    return out


def _forms(given: str) -> frozenset[str]:
    """A given name's word and the full names it may stand for, or be recorded under."""
    from puente.resolve.namekeys import given_roots

    return given_roots(given) | {given}


_ONE_DIFFERS = {
    "surname": "the surname differs (a typo)",
    "given": "the given name differs (a typo, or a form the name-form table lacks)",
    "birth": "the birth date differs (day and month swapped, or a typo)",
}


def _name_difference(mine: str, theirs: list[str]) -> str:
    """Why a driver's key ("SURNAME|GIVEN|BIRTH") met none of a subject's keys, by the nearest."""
    surname, given, birth = mine.split("|")
    reasons = []
    for key in theirs:
        s, g, b = key.split("|")
        if (surname, given) == (g, s):
            reasons.append((1, "surname and given name swapped"))
            continue
        differs = [part for part, same in (("surname", surname == s), ("given", given == g),
                                           ("birth", birth == b)) if not same]  # fmt: skip
        if differs == ["given"] and _forms(given) & _forms(g):
            reasons.append((1, "the given name in another form (John for Juan) the name-form table knows"))
        elif len(differs) == 1:
            reasons.append((1, _ONE_DIFFERS[differs[0]]))
        else:
            reasons.append((len(differs), f"{' and '.join(differs)} differ"))
    return min(reasons)[1] if reasons else "the subject's records carry no name and birth date"


def _score_drivers(index: Any, principal: Any, crossings: list[dict[str, Any]], truth: _Truth,
                   hot_rows: list[Any]) -> dict[str, Any] | None:  # fmt: skip
    """Crossings driven by a case subject, checked by the driver's stored name and birth date: which
    hit with reason case_subject (all directions; southbound apart). Also what a lookup by the given
    name's other forms on both sides (the table resolution uses: John for Juan, Mary for María) would
    add, right and wrong."""
    from puente.screen.check import check
    from puente.screen.keys import person_key

    subject_rows: dict[str, list[Any]] = defaultdict(list)  # true person -> their hot-list rows
    by_surname_birth: dict[tuple[str, str], list[tuple[frozenset[str], str]]] = defaultdict(list)
    for row in hot_rows:
        if row.reason != "case_subject":
            continue
        if row.record_id in truth.person:
            subject_rows[truth.person[row.record_id]].append(row)
        if row.key.count("|") == 2 and _visible(row):
            s, g, b = row.key.split("|")
            by_surname_birth[(s, b)].append((_forms(g), row.record_id))

    def by_forms(key: str | None) -> set[str]:
        """Subject records a check would meet if it also matched the given name's other forms."""
        if not key:
            return set()
        s, g, b = key.split("|")
        mine = _forms(g)
        return {record for forms, record in by_surname_birth.get((s, b), ()) if forms & mine}

    out: dict[str, Any] = {"truth": Counter(), "found": Counter(), "no_driver": 0, "false": Counter(),
                           "missed_by": Counter(), "pointers": 0, "forms_found": 0,
                           "forms_false": 0}  # fmt: skip
    examples: dict[str, list[str]] = defaultdict(list)
    for c in crossings:
        row = truth.crossings.get(c["record_id"])
        if row is None:
            continue
        subject = row["driver"] in truth.subjects
        d = c["driver"]
        if d is None:
            out["no_driver"] += subject
            continue
        named = {"surname": d["surname"], "given": d["given"], "birth": d["birth"]}
        answer = check(index, principal, today=c["day"], **named)
        # as in _score_subjects: only what records of earlier days said of the subject counts
        hits = [e for e in answer.met if e.reason == "case_subject" and (e.since or "") < c["day"]]
        mine = person_key(d["surname"], d["given"], d["birth"])
        directions = ("all", c["direction"])
        if not subject:
            for key in directions:
                out["false"][key] += bool(hits)
            out["forms_false"] += not hits and bool(by_forms(mine))
            continue
        for key in directions:
            out["truth"][key] += 1
            out["found"][key] += bool(hits)
        told = [m for m in answer.matches if m.reason == "case_subject"]
        out["pointers"] += sum(1 for m in told if m.record_id is None)
        if hits:
            continue
        rows = subject_rows.get(row["driver"], [])
        keys = sorted({r.key for r in rows if r.key.count("|") == 2})
        if not rows:
            reason = "no subject record of this person is on the hot list (case or subject not stored)"
        elif not any(_visible(r) for r in rows):
            reason = "on the hot list, but withheld from CBP by its markings"
        elif not mine:
            reason = "the crossing's driver record lacks a surname, given name or birth date"
        else:
            reason = _name_difference(mine, keys)
            out["forms_found"] += bool(by_forms(mine) & {r.record_id for r in rows})
        out["missed_by"][reason] += 1
        if len(examples[reason]) < EXAMPLES:
            examples[reason].append(
                f"{c['record_id']} driver {mine} (true {row['driver']}) ~ {', '.join(keys)}"
            )
    if not out["truth"]["all"]:
        log("no crossing of the world is driven by a case subject: the driver recall is skipped")
        return None
    log_classes(f"missed crossings driven by a case subject ({sum(out['missed_by'].values()):,})",
                 out["missed_by"], examples)  # fmt: skip
    log(f"matching the given name's other forms too would find {out['forms_found']:,} of the missed, "
        f"and hit {out['forms_false']:,} crossings of drivers who are no case's subject")  # fmt: skip
    return out


def _score_subjects(
    index: Any, principal: Any, crossings: list[dict[str, Any]], truth: _Truth
) -> dict[str, Any]:
    """Southbound crossings of a case's subject or of a vehicle a subject drove on an earlier day
    (truth), checked as a lane would: plate, state, VIN and the driver's name and birth date. A hit
    is a wanted-person entry, or a subject's-vehicle entry that came from another record of an
    earlier day: the hot lists are built from everything stored, and a lane could not have known of
    a crossing that had not happened yet, nor of the one it is checking."""
    from puente.screen.check import check

    driven: dict[str, list[tuple[str, str]]] = defaultdict(list)  # vehicle -> (day, subject) it was driven
    for c in crossings:
        row = truth.crossings.get(c["record_id"])
        if row is not None and row["driver"] in truth.subjects and c["day"]:
            driven[row["vehicle_id"]].append((c["day"], row["driver"]))
    out: dict[str, Any] = {"truth": 0, "found": 0, "by": Counter(), "found_by": Counter(), "false": 0,
                           "missed_by": Counter(), "false_by": Counter(), "by_vehicle_alone": 0,
                           "releasable": 0, "releasable_found": 0}  # fmt: skip
    examples: dict[str, list[str]] = defaultdict(list)
    false_examples: dict[str, list[str]] = defaultdict(list)
    for c in crossings:
        row = truth.crossings.get(c["record_id"])
        if row is None or c["direction"] != "southbound":
            continue
        by_driver = row["driver"] in truth.subjects
        before = [subject for day, subject in driven.get(row["vehicle_id"], ()) if day < c["day"]]
        by_vehicle = bool(before)
        # markings let the case's agency know the vehicle: its case file names it, or the agency may
        # see the crossings that saw its subject drive it (CBP releases crossings to the US alone)
        releasable = row["vehicle_id"] in truth.case_vehicles or bool(truth.us_subjects.intersection(before))
        driver = c["driver"] or {}
        vehicle = {"plate": c["plate"], "state": c["state"], "vin": c["vin"]}
        answer = check(index, principal, today=c["day"], **vehicle, **driver)
        # an entry counts when it came from a record of an earlier day: the lists are built from
        # everything stored, and a lane could not have known of a crossing not yet happened, nor of
        # the one it checks (its driver's record names the subject as the document does)
        met = sorted({e.reason for e in answer.met
                      if e.reason in ("case_subject", "subject_vehicle") and e.record_id != c["record_id"]
                      and (e.since or "") < c["day"]})  # fmt: skip
        if not (by_driver or by_vehicle):
            out["false"] += bool(met)
            hows = sorted({f"{m.reason}/{m.how}" for m in answer.matches if m.reason in met})
            for how in hows:
                out["false_by"][how] += 1
                if len(false_examples[how]) < EXAMPLES:
                    told = [m.en for m in answer.matches if f"{m.reason}/{m.how}" == how][:1]
                    false_examples[how].append(f"{_describe(c)} driver {driver} ~ {told}")
            continue
        kind = "driver and vehicle" if by_driver and by_vehicle else "driver" if by_driver else "vehicle"
        out["truth"] += 1
        out["by"][kind] += 1
        out["releasable"] += by_vehicle and releasable
        if met:
            out["found"] += 1
            out["found_by"][kind] += 1
            # a subject's vehicle met though the driver check alone would not have been
            out["by_vehicle_alone"] += by_vehicle and met == ["subject_vehicle"]
            out["releasable_found"] += by_vehicle and releasable
            continue
        if by_vehicle and not releasable:
            kind += ", the vehicle known only from records its case's agency may not see"
        reason = f"a subject's {kind}, met by nothing"
        out["missed_by"][reason] += 1
        if len(examples[reason]) < EXAMPLES:
            true = f"true {row['driver']}, {row['vehicle_id']}"
            examples[reason].append(f"{_describe(c)} driver {driver} ({true})")
    missed = sum(out["missed_by"].values())
    title = f"missed southbound crossings of a subject or a subject's vehicle ({missed:,})"
    log_classes(title, out["missed_by"], examples)
    title = f"subject hits on southbound crossings of no subject nor subject's vehicle ({out['false']:,})"
    log_classes(title, out["false_by"], false_examples)
    return out


def _reads(plate: str, rng: random.Random) -> dict[str, tuple[str, str | None] | None]:
    """What a plate reader may report instead of the plate (state kept unless said): one character
    read as one it is confused with, no state, or the first five characters only."""
    number = "".join(ch for ch in plate.upper() if ch.isalnum())
    spots = [i for i, ch in enumerate(number) if ch in _MISREAD]
    at = rng.choice(spots) if spots else None
    misread = number[:at] + _MISREAD[number[at]] + number[at + 1 :] if at is not None else None
    return {
        "misread": (misread, "keep") if misread else None,
        "no_state": (number, None),
        "partial": (number[:5] + "*", "keep") if len(number) > 5 else None,
    }


def _score_reader(index: Any, principal: Any, southbound: list[dict[str, Any]], truth: _Truth,
                  seed: int) -> dict[str, Any]:  # fmt: skip
    """The stolen vehicles again, by plate alone as a plate reader misreports it (no VIN: a reader sees
    only the plate): each stolen crossing whose theft report was stored is read misread, without its
    state and in part; found when the stolen record is among the candidates. The same reads of as many
    clean crossings count the candidates an officer would have to set aside."""
    from puente.screen.check import check

    rng = random.Random(seed)
    stolen = [c for c in southbound if c["plate"] and truth.stolen(c["record_id"])
              and truth.stolen_records.get(truth.crossings[c["record_id"]]["vehicle_id"])]  # fmt: skip
    clean = [c for c in southbound if c["plate"] and not truth.stolen(c["record_id"])]
    clean = rng.sample(clean, min(len(clean), len(stolen)))
    out: dict[str, Any] = {k: Counter() for k in ("truth", "found", "clean", "candidates")}
    for group, rows in (("stolen", stolen), ("clean", clean)):
        for c in rows:
            mine = truth.stolen_records.get(truth.crossings[c["record_id"]]["vehicle_id"], set())
            for kind, read in _reads(c["plate"], rng).items():
                if read is None:
                    continue
                number, state = read
                answer = check(index, principal, plate=number, state=c["state"] if state == "keep" else None)
                held = {e.record_id for e in answer.held if e.reason in STOLEN_REASONS}
                if group == "stolen":
                    out["truth"][kind] += 1
                    out["found"][kind] += bool(held & mine)
                else:
                    out["clean"][kind] += 1
                    out["candidates"][kind] += len(held)
    return out


def _score_flags(
    index: Any, principal: Any, crossings: list[dict[str, Any]], truth: _Truth
) -> dict[str, Any]:
    """Risk flags on southbound crossings, as a lane would weigh them (plate, state, VIN, driver), from
    records of an earlier day only; against the truth of which crossings carried contraband: the
    share carrying it among the flagged and among the rest, by rule."""
    from puente.screen.check import check, is_flag

    out: dict[str, Any] = {"crossings": 0, "carrying": 0, "flagged": Counter(), "flagged_carrying": Counter()}
    for c in crossings:
        row = truth.crossings.get(c["record_id"])
        if row is None or c["direction"] != "southbound":
            continue
        driver = c["driver"] or {}
        answer = check(index, principal, plate=c["plate"], state=c["state"], vin=c["vin"], today=c["day"],
                       **driver)  # fmt: skip
        rules = {e.reason for e in answer.held if is_flag(e.reason) and (e.since or "") < c["day"]}
        carrying = bool(row["contraband"])
        out["crossings"] += 1
        out["carrying"] += carrying
        for rule in rules | ({"any"} if rules else set()):
            out["flagged"][rule] += 1
            out["flagged_carrying"][rule] += carrying
    return out


# --- latency -------------------------------------------------------------------------------------------


def _timed(index: Any, principal: Any, queries: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-check latency (each call timed) and single-thread throughput (a second, untimed pass)."""
    from puente.screen.check import check

    for q in queries[:WARM_UP]:
        check(index, principal, **q)
    clock = time.perf_counter_ns
    timings: list[float] = []
    hits = 0
    for q in queries:
        start = clock()
        answer = check(index, principal, **q)
        timings.append((clock() - start) / 1e6)
        hits += answer.hit
    start = time.perf_counter()
    for q in queries:
        check(index, principal, **q)
    seconds = time.perf_counter() - start
    timings.sort()
    return {"p50": _percentile(timings, 0.5), "p99": _percentile(timings, 0.99), "max": timings[-1],
            "hits": hits, "checks": len(queries), "per_s": len(queries) / seconds}  # fmt: skip


def _world_queries(
    crossings: list[dict[str, Any]], truth: _Truth, rng: random.Random
) -> list[dict[str, Any]]:
    """Lane checks drawn from the crossings (plate, state, VIN and driver as stored), stolen ones
    over-drawn so that hits are frequent enough to weigh in the percentiles."""
    stolen = [c for c in crossings if truth.stolen(c["record_id"])]
    others = [c for c in crossings if not truth.stolen(c["record_id"])]
    queries = []
    for _ in range(CHECKS):
        c = rng.choice(stolen if stolen and rng.random() < STOLEN_SHARE else others)
        q = {"plate": c["plate"], "state": c["state"], "vin": c["vin"]}
        if c["driver"]:
            q.update(c["driver"])
        queries.append(q)
    return queries


# --- the synthetic hot lists ---------------------------------------------------------------------------

_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # as plate series use them: no I, O, Q
_DIGITS = "0123456789"
_US_PLATE = ("123456789", _LETTERS, _LETTERS, _LETTERS, _DIGITS, _DIGITS, _DIGITS)  # 7ABC123
_MX_PLATE = (_LETTERS, _LETTERS, _LETTERS, _DIGITS, _DIGITS, _DIGITS, "ABCDE")  # ABC123A
_US_STATES = ("US-TX", "US-CA", "US-AZ", "US-NM")
_MX_STATES = ("MX-BCN", "MX-SON", "MX-CHH", "MX-COA", "MX-NLE", "MX-TAM", "MX-JAL", "MX-CMX")
_MISREAD = dict(zip("01852BSZ", "OIBSZ852", strict=True))  # a character read as one it is confused with
CHUNK = 1_000_000  # vehicles generated at a time: the arrays of a chunk are freed before the next


def _random_vehicles(gen: Any, count: int) -> tuple[list[str], list[str], list[str], list[bool]]:
    """VINs (with a correct check digit, first character 1-5 as North-American ones), plates, their
    states, and whether each is Mexican (a third of them), drawn in bulk with numpy."""
    import numpy as np

    from puente.synth.world import _VIN_CHARS, _VIN_VALUES, _VIN_WEIGHTS

    def pick(alphabet: str, shape: Any) -> Any:
        return np.frombuffer(alphabet.encode("ascii"), dtype=np.uint8)[gen.integers(0, len(alphabet), shape)]

    def text(chars: Any) -> list[str]:
        return chars.view(f"S{chars.shape[1]}").ravel().astype(f"U{chars.shape[1]}").tolist()

    vin = pick(_VIN_CHARS, (count, 17))
    vin[:, 0] = pick("12345", count)
    values = np.zeros(256, dtype=np.int64)
    for char, value in _VIN_VALUES.items():
        values[ord(char)] = value
    total = (values[vin] * np.array(_VIN_WEIGHTS, dtype=np.int64)).sum(axis=1) % 11  # position 9 weighs 0
    vin[:, 8] = np.frombuffer(b"0123456789X", dtype=np.uint8)[total]
    mexican = gen.random(count) < 1 / 3
    plate = np.where(
        mexican[:, None],
        np.stack([pick(a, count) for a in _MX_PLATE], axis=1),
        np.stack([pick(a, count) for a in _US_PLATE], axis=1),
    )
    us_states, mx_states = np.array(_US_STATES), np.array(_MX_STATES)
    states = np.where(
        mexican, mx_states[gen.integers(0, len(mx_states), count)], us_states[gen.integers(0, 4, count)]
    )
    return (
        text(np.ascontiguousarray(vin)),
        text(np.ascontiguousarray(plate)),
        states.tolist(),
        mexican.tolist(),
    )


def _synthetic_index(size: int, gen: Any) -> tuple[Any, float, float, float]:
    """An index of ``size`` entries (a VIN and a plate of each of size/2 stolen vehicles), built in
    memory from Entry objects; its build time, the memory it took (MiB) and how long one full garbage
    collection then takes."""
    from puente.screen.index import Entry, Index

    holders = {
        False: ("US/FBI", frozenset({"US/FBI", "US/CBP", "US/ICE", "MX/SSPC", "MX/ANAM"}), "stolen_us"),
        True: ("MX/SSPC", frozenset({"MX/SSPC", "MX/FGR", "MX/GN", "US/CBP", "US/FBI"}), "stolen_mx"),
    }
    labels = {False: "FORD F-150 2019 WHITE", True: "NISSAN VERSA 2018 GRAY"}
    before = _rss_mib()
    timings = {"generate": 0.0}

    def entries() -> Any:  # streamed, as a load reads them: the index never holds Entry objects
        for first in range(0, size // 2, CHUNK):
            mark = time.perf_counter()
            vins, plates, states, mexican = _random_vehicles(gen, min(CHUNK, size // 2 - first))
            timings["generate"] += time.perf_counter() - mark
            drawn = zip(vins, plates, states, mexican, strict=True)
            for n, (vin, plate, state, mx) in enumerate(drawn, first):
                owner, seen_by, reason = holders[mx]
                record = f"{owner}:vehicle:S{n:09d}"
                held = (record, owner, seen_by, "pointer", reason, labels[mx], "2023-05-01")
                yield Entry("vin", vin, None, *held)
                yield Entry("plate", plate, state, *held)

    started = time.perf_counter()
    index = Index(entries())
    built = time.perf_counter() - started - timings["generate"]
    # a service that loaded the index meets one full collection soon after; timing starts past it
    mark = time.perf_counter()
    gc.collect()
    collected = time.perf_counter() - mark
    log(f"synthetic hot list of {size:,}: generated in {timings['generate']:.1f}s, indexed in {built:.1f}s, "
        f"a full garbage collection then takes {collected:.2f}s")  # fmt: skip
    return index, built, _rss_mib() - before, collected


def _synthetic_queries(index: Any, gen: Any) -> list[dict[str, Any]]:
    """Lane checks against a synthetic list: a listed vehicle's plate, state and VIN (45%), a listed
    plate misread (4%), a partial plate (1%), an unlisted vehicle (50%)."""
    vins, plates, states, _ = _random_vehicles(gen, CHECKS)  # the unlisted ones
    draws = gen.random(CHECKS).tolist()
    picks = gen.integers(0, len(index) // 2, CHECKS).tolist()
    queries = []
    for k, (draw, n) in enumerate(zip(draws, picks, strict=True)):
        vin, plate = index.entry(2 * n), index.entry(2 * n + 1)
        if draw < 0.45:
            queries.append({"plate": plate.key, "state": plate.state, "vin": vin.key})
        elif draw < 0.49:
            at = next((i for i, ch in enumerate(plate.key) if ch in _MISREAD), 0)
            misread = plate.key[:at] + _MISREAD.get(plate.key[at], plate.key[at]) + plate.key[at + 1 :]
            queries.append({"plate": misread, "state": plate.state})
        elif draw < 0.50:
            queries.append({"plate": plate.key[:4] + "*", "state": plate.state})
        else:
            queries.append({"plate": plates[k], "state": states[k], "vin": vins[k]})
    return queries


def _measure(size: int, gen: Any, principal: Any) -> dict[str, Any]:
    """Build a synthetic index of ``size``, time checks against it, and free it."""
    index, built, grown, collected = _synthetic_index(size, gen)
    timed = _timed(index, principal, _synthetic_queries(index, gen))
    del index
    gc.collect()
    log(f"  {size:,} entries: +{grown:,.0f} MiB, p50 {timed['p50']:.3f} ms, p99 {timed['p99']:.3f} ms, "
        f"{timed['per_s']:,.0f} checks/s")  # fmt: skip
    # rounded here: figure() rounds only its top-level values
    rounded = {k: round(timed[k], 3) for k in ("p50", "p99", "max")} | {"per_s": round(timed["per_s"])}
    return {"build_s": round(built, 1), "full_gc_s": round(collected, 2), "rss_growth_mib": round(grown),
            **timed, **rounded}  # fmt: skip


def _synthetic(args: Any, principal: Any) -> list[dict[str, Any]]:
    """Latency against synthetic hot lists of 1M and 3M entries, and of 10M when its memory,
    projected from how the index grew between them, fits; otherwise the growth is what is reported."""
    import numpy as np

    gen = np.random.default_rng(getattr(args, "seed", SEED))
    small, large = SYNTHETIC_SIZES
    by_size = {size: _measure(size, gen, principal) for size in SYNTHETIC_SIZES}
    a, b = by_size[small], by_size[large]
    # the slope between two sizes leaves out what the first build costs once (arenas, imports)
    per_million = (b["rss_growth_mib"] - a["rss_growth_mib"]) / ((large - small) / 1e6)
    projected = b["rss_growth_mib"] + per_million * (SYNTHETIC_TARGET - large) / 1e6
    available = _available_mib()
    fits = projected <= MEMORY_LIMIT_GIB * 1024 and (
        available is None or projected <= MEMORY_AVAILABLE_SHARE * available
    )
    log(f"the index grows {per_million:,.0f} MiB per million entries: {SYNTHETIC_TARGET:,} projected at "
        f"{projected:,.0f} MiB ({available or 0:,.0f} MiB free, limit {MEMORY_LIMIT_GIB} GiB)")  # fmt: skip
    if fits:
        by_size[SYNTHETIC_TARGET] = _measure(SYNTHETIC_TARGET, gen, principal)
    else:
        log(f"{SYNTHETIC_TARGET:,} entries would not fit in memory reasonably: measured at "
            f"{small:,} and {large:,} only")  # fmt: skip
    figures = [
        figure(args, "screen.index_growth", per_million, "MiB per million entries", None,
               projected_10m_mib=round(projected), by_size={f"{n:,}": v for n, v in by_size.items()}),
    ]  # fmt: skip
    if not fits:
        figures += [
            figure(args, "screen.p99_ms_10m", None, "ms", BUDGET_P99_MS, higher_is_better=False,
                   skipped="projected memory over the limit", projected_10m_mib=round(projected),
                   p99_ms_at_3m=b["p99"], p99_ms_at_1m=a["p99"]),
            figure(args, "screen.index_10m_rss_mib", None, "MiB", None, peak_rss_mib=round(peak_rss_mib())),
        ]  # fmt: skip
        return figures
    c = by_size[SYNTHETIC_TARGET]
    figures += [
        figure(args, "screen.p99_ms_10m", c["p99"], "ms", BUDGET_P99_MS, higher_is_better=False,
               p50_ms=c["p50"], max_ms=c["max"], checks=c["checks"], hits=c["hits"],
               checks_per_s=round(c["per_s"]), entries=SYNTHETIC_TARGET, p99_ms_at_1m=a["p99"],
               p99_ms_at_3m=b["p99"]),
        figure(args, "screen.index_10m_build_s", c["build_s"], "s", None, entries=SYNTHETIC_TARGET,
               at_1m_s=a["build_s"], at_3m_s=b["build_s"], full_gc_s=c["full_gc_s"]),
        figure(args, "screen.index_10m_rss_mib", peak_rss_mib(), "MiB", INDEX_10M_BUDGET_MIB,
               higher_is_better=False, index_growth_mib=c["rss_growth_mib"], projected_mib=round(projected),
               what="peak resident memory of the process that built the 1M, 3M and 10M lists"),
    ]  # fmt: skip
    return figures


# --- the benchmark -------------------------------------------------------------------------------------


def run(args: Any) -> list[dict[str, Any]]:
    from bench.ingest import GENERATOR_VERSION
    from bench.trace import _revision
    from puente.screen.index import Index
    from puente.store import connect

    principal = _principal()
    # first, while the process holds little: the growth it measures is then the index's alone
    log("timing checks against synthetic hot lists")
    synthetic = _synthetic(args, principal)
    started = time.perf_counter()
    folder, path, built, cached = _screen_database(args)
    took = time.perf_counter() - started
    log(f"screen database {'from cache' if cached else 'built'} in {took:.1f}s: {built}")
    truth = _Truth(folder)
    db = connect(f"sqlite:///{path}", blob_dir=path.parent / f"{path.stem}-files")
    try:
        db.upgrade()
        mark = time.perf_counter()
        index = Index.load(db)
        load_seconds = time.perf_counter() - mark
        with db.engine.connect() as conn:
            crossings = _crossings(conn)
            hot_rows = _hot_rows(conn)
    finally:
        db.dispose()
    by_kind = Counter(f"{r.kind}/{r.reason}" for r in hot_rows)
    log(f"hot list: {len(index):,} entries loaded in {load_seconds:.2f}s ({dict(by_kind)}); "
        f"{len(crossings):,} crossings stored")  # fmt: skip
    hot_by_record: dict[str, list[Any]] = defaultdict(list)
    for row in hot_rows:
        hot_by_record[row.record_id].append(row)

    southbound = [c for c in crossings if c["direction"] == "southbound"]
    stored = {c["record_id"] for c in crossings}
    truth_stolen = [
        r for r, row in truth.crossings.items() if row["direction"] == "southbound" and truth.stolen(r)
    ]
    log(f"checking {len(southbound):,} southbound crossings by plate, state and VIN")
    mark = time.perf_counter()
    v = _score_vehicles(index, principal, southbound, truth, hot_by_record)
    score_seconds = time.perf_counter() - mark
    unread, unread_found = _score_unstored(index, principal, folder, truth, stored)
    common: dict[str, Any] = {"seed": getattr(args, "seed", SEED), "generator_version": GENERATOR_VERSION,
                              "revision": _revision()}  # fmt: skip
    figures = [
        figure(args, "screen.hotlist_entries", len(index), "entries", None, by_kind_reason=dict(by_kind),
               load_s=load_seconds, db_cached=cached, rebuild_s=built.get("rebuild_seconds"), **common),
        figure(args, "screen.stolen_recall", _ratio(v["found"], v["stolen"]), "ratio", BUDGET_RECALL,
               found=v["found"], truth=v["stolen"], right_record=v["right_record"],
               truth_all=len(truth_stolen),
               crossings_not_stored=sum(1 for r in truth_stolen if r not in stored),
               missed_by_reason=dict(v["missed_by"])),
        figure(args, "screen.stolen_recall_stored", _ratio(v["found_stored"], v["stored"]), "ratio",
               BUDGET_RECALL, found=v["found_stored"], truth=v["stored"]),
        figure(args, "screen.stolen_recall_every_crossing",
               _ratio(v["found"] + unread_found, v["stolen"] + unread), "ratio", BUDGET_RECALL,
               found=v["found"] + unread_found, truth=v["stolen"] + unread, crossings_not_stored=unread,
               found_not_stored=unread_found),
        figure(args, "screen.stale_hits", v["stale"], "crossings", 0, higher_is_better=False,
               crossings_after_recovery=v["after_recovery"]),
        figure(args, "screen.false_hits", v["false"], "crossings", None,
               per_10k=_ratio(10_000 * v["false"], v["clean"]), clean_crossings=v["clean"],
               by_how_reason=dict(v["false_by"])),
        figure(args, "screen.hits_by_how", sum(v["by_how"].values()), "matches", None,
               crossings=len(southbound), by_how=dict(v["by_how"]), by_reason=dict(v["by_reason"]),
               by_how_reason=dict(v["by_how_reason"]), contact_the_holder_matches=v["pointers"],
               seconds=score_seconds),
    ]  # fmt: skip
    lane = _score_subjects(index, principal, crossings, truth)
    vehicles = ("vehicle", "driver and vehicle")  # the crossings of a vehicle a subject drove before
    figures += [
        figure(args, "screen.subject_vehicle_recall",
               _ratio(sum(lane["found_by"][k] for k in vehicles), sum(lane["by"][k] for k in vehicles)),
               "ratio", BUDGET_RECALL, found=sum(lane["found_by"][k] for k in vehicles),
               truth=sum(lane["by"][k] for k in vehicles), by_vehicle_alone=lane["by_vehicle_alone"]),
        # those whose tie to the subject its case's agency may know (the markings let it)
        figure(args, "screen.subject_vehicle_recall_releasable",
               _ratio(lane["releasable_found"], lane["releasable"]), "ratio", BUDGET_RECALL,
               found=lane["releasable_found"], truth=lane["releasable"]),
        figure(args, "screen.subject_recall", _ratio(lane["found"], lane["truth"]), "ratio", BUDGET_RECALL,
               found=lane["found"], truth=lane["truth"], truth_by=dict(lane["by"]),
               found_by=dict(lane["found_by"]), false_hits=lane["false"], false_by=dict(lane["false_by"]),
               missed_by_reason=dict(lane["missed_by"])),
    ]  # fmt: skip
    r = _score_reader(index, principal, southbound, truth, getattr(args, "seed", SEED))
    for kind in ("misread", "no_state", "partial"):
        figures.append(
            figure(args, f"screen.reader_{kind}_recall", _ratio(r["found"][kind], r["truth"][kind]), "ratio",
                   BUDGET_RECALL, found=r["found"][kind], truth=r["truth"][kind],
                   candidates_per_clean_read=_ratio(r["candidates"][kind], r["clean"][kind]),
                   clean_reads=r["clean"][kind])
        )  # fmt: skip
    found = {k: _ratio(r["found"][k], r["truth"][k]) for k in r["truth"]}
    candidates = {k: _ratio(r["candidates"][k], r["clean"][k]) for k in r["clean"]}
    log(f"plate-reader reads of stolen plates found: {found}; candidates per clean read: {candidates}")
    f = _score_flags(index, principal, crossings, truth)
    base = _ratio(f["carrying"], f["crossings"])
    by_rule = {rule: {"flagged": n, "carrying": f["flagged_carrying"][rule],
                      "share_carrying": _ratio(f["flagged_carrying"][rule], n)}
               for rule, n in f["flagged"].items()}  # fmt: skip
    figures.append(
        figure(args, "screen.flagged_crossings", f["flagged"]["any"], "crossings", None,
               southbound=f["crossings"], share_carrying_when_flagged=_ratio(f["flagged_carrying"]["any"],
                                                                             f["flagged"]["any"]),
               share_carrying_overall=base, by_rule=by_rule)
    )  # fmt: skip
    flagged_share = by_rule.get("any", {}).get("share_carrying")
    log(f"risk flags on {f['flagged']['any']:,} of {f['crossings']:,} southbound crossings; carrying "
        f"contraband: {flagged_share} of the flagged, {base} of all ({by_rule})")  # fmt: skip
    d = _score_drivers(index, principal, crossings, truth, hot_rows)
    if d is not None:
        figures.append(
            figure(args, "screen.subject_driver_recall",
                   _ratio(d["found"]["southbound"], d["truth"]["southbound"]), "ratio", None,
                   found=d["found"]["southbound"], truth=d["truth"]["southbound"],
                   all_directions=_ratio(d["found"]["all"], d["truth"]["all"]), found_all=d["found"]["all"],
                   truth_all=d["truth"]["all"], contact_the_holder_matches=d["pointers"],
                   false_hits=d["false"]["southbound"], false_hits_all=d["false"]["all"],
                   subject_crossings_without_driver=d["no_driver"], missed_by_reason=dict(d["missed_by"]),
                   found_by_given_name_forms=d["forms_found"], false_by_given_name_forms=d["forms_false"])
        )  # fmt: skip

    log(f"timing {CHECKS:,} checks drawn from the world's crossings")
    gc.collect()  # what loading and scoring left behind is not the checks' to collect
    timed = _timed(
        index, principal, _world_queries(crossings, truth, random.Random(getattr(args, "seed", SEED)))
    )
    log(f"  p50 {timed['p50']:.3f} ms, p99 {timed['p99']:.3f} ms, {timed['per_s']:,.0f} checks/s, "
        f"{timed['hits']:,} hits")  # fmt: skip
    figures += [
        figure(args, "screen.p50_ms", timed["p50"], "ms", None, checks=timed["checks"], hits=timed["hits"],
               entries=len(index)),
        figure(args, "screen.p99_ms", timed["p99"], "ms", BUDGET_P99_MS, higher_is_better=False,
               max_ms=timed["max"], checks=timed["checks"], hits=timed["hits"], entries=len(index)),
        figure(args, "screen.checks_per_s_inprocess", timed["per_s"], "checks/s", None, threads=1,
               entries=len(index)),
    ]  # fmt: skip
    return figures + synthetic
