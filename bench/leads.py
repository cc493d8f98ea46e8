"""Leads: the cross-border case-subject leads on the synthetic world, scored against its ground truth.

The world of the bench scale (the ingest benchmark's, loaded once by the resolution benchmark) is
copied into an SQLite file of its own (bench/.cache/leads/, keyed by the world and WORLD_DB_VERSION;
``--regenerate`` rebuilds it), its persons resolved and the store settled once as after loads
(``puente.settle.after_loads``: the search index, the watches, shared targets, the lead rules).
Each run then empties the leads and times one ``puente.leads.generate.generate`` over the whole
world, and a second one, which must add nothing.

The truth: a pair (case record C, person record P) where P is held by an agency of the other nation
than C's holder, P's true person is a subject of C (truth/case_links.csv), and P is not itself a
case's subject record. A lead of rule ``case_subject`` whose source is held in the other nation
than its recipient predicts the pair (its case, the person record that touched the subject).
Figures: precision and recall of the pairs (budget 0.9 each), recall over the pairs whose records
were stored (rows broken on purpose are quarantined), both split by direction (a Mexican record
meeting a US case, and the reverse), the leads by rule and by task force, and both generate times.
The missed pairs and false leads are classified (resolution split or false merge, no event, ...)
with examples on stderr.
"""

from __future__ import annotations

import csv
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import cache_dir, figure, fresh_sqlite, log, log_classes

BUDGET_PRECISION = 0.9
BUDGET_RECALL = 0.9
SEED = 20230314
WORLD_DB_VERSION = 2  # bump when what the cached world database holds changes
EXAMPLES = 5  # per class of miss or false lead, on stderr
DIRECTIONS = {"mx_to_us": "US", "us_to_mx": "MX"}  # direction -> the nation holding the case


def _nation(record_or_agency: str) -> str:
    return record_or_agency.split("/", 1)[0]


# --- the world database -------------------------------------------------------------------------------


def _world_database(args: Any) -> tuple[Path, Path, dict[str, Any], bool]:
    """The world's folder and its settled SQLite file (built once), what building it took, and
    whether it came from the cache."""
    from bench.ingest import dataset
    from bench.resolve import _loaded_database
    from bench.trace import _usable
    from puente.ingest.pipeline import LoadReport
    from puente.resolve.batch import resolve_contacts, resolve_persons
    from puente.settle import after_loads
    from puente.store import connect

    seed = getattr(args, "seed", SEED)
    folder, manifest, _ = dataset(seed, args.scale, getattr(args, "regenerate", False))
    if not any(f["profile"] == "fgr-carpetas" for f in manifest["files"]):
        log("this world has no FGR carpetas (generated before they existed): use --regenerate")
    path = cache_dir("leads") / f"{folder.name}-v{WORLD_DB_VERSION}.db"
    done = path.with_suffix(".ready")
    if getattr(args, "regenerate", False):
        done.unlink(missing_ok=True)  # persons resolved and the store settled again by the code as it is
    if done.is_file() and path.is_file() and _usable(path):
        return folder, path, json.loads(done.read_text(encoding="utf-8")), True
    done.unlink(missing_ok=True)
    loaded = _loaded_database(folder, manifest)
    log(f"copying the loaded world into {path.name}")
    blobs = fresh_sqlite(path, copy_of=loaded)
    db = connect(f"sqlite:///{path}", blob_dir=blobs)
    info: dict[str, Any] = {}
    try:
        db.upgrade()
        log("resolving persons")
        started = time.perf_counter()
        resolved = resolve_persons(db)
        info["resolve_seconds"] = round(time.perf_counter() - started, 1)
        info["person_records"], info["person_entities"] = resolved.records, resolved.entities
        started = time.perf_counter()
        for kind in ("phone", "address"):  # the shared contacts the network rule follows
            resolve_contacts(db, kind)
        info["contacts_seconds"] = round(time.perf_counter() - started, 1)
        with db.engine.connect() as conn:
            stored = conn.exec_driver_sql("SELECT count(*) FROM records").scalar_one()
        # the files were loaded by another benchmark: one report stands for all of them
        report = LoadReport(None, "world", "all", "completed", records_new=stored)
        log("settling the store as after loads (search index, watches, targets, leads)")
        started = time.perf_counter()
        settled = after_loads(db, [report])
        info["settle_seconds"] = round(time.perf_counter() - started, 1)
        info["settle"] = {"watch_hits": settled.watch_hits, "targets_told": settled.targets_told,
                          "leads": settled.leads}  # fmt: skip
    finally:
        db.dispose()
    done.write_text(json.dumps(info), encoding="utf-8")
    return folder, path, info, False


def derived_world(
    args: Any, folder_name: str, suffix: str, prepare: Callable[[Any], dict[str, Any]]
) -> tuple[Path, Path, dict[str, Any], bool]:
    """The world's folder and a copy of its settled database (``_world_database``) that ``prepare``
    has brought further once (built hot lists, resolved things), cached in bench/.cache/<folder_name>/
    under ``suffix``; what building both took, and whether it came from the cache."""
    from bench.trace import _usable
    from puente.store import connect

    folder, source, built, _ = _world_database(args)
    path = cache_dir(folder_name) / f"{source.stem}-{suffix}.db"
    done = path.with_suffix(".ready")
    if getattr(args, "regenerate", False):
        done.unlink(missing_ok=True)
    if done.is_file() and path.is_file() and _usable(path):
        return folder, path, json.loads(done.read_text(encoding="utf-8")), True
    done.unlink(missing_ok=True)
    log(f"copying the settled world {source.name} into {path.name}")
    blobs = fresh_sqlite(path, copy_of=source)
    db = connect(f"sqlite:///{path}", blob_dir=blobs)
    try:
        db.upgrade()
        info = {"world": built, **prepare(db)}
    finally:
        db.dispose()
    done.write_text(json.dumps(info), encoding="utf-8")
    return folder, path, info, False


# --- the truth ------------------------------------------------------------------------------------------


class _Truth:
    """Cross-border connections of the world: (case record, person record of the other nation)."""

    def __init__(self, folder: Path) -> None:
        truth = folder / "truth"
        self.holder: dict[str, str] = {}  # case record id -> the nation holding it
        self.cases_of: dict[str, set[str]] = defaultdict(set)  # true person -> cases naming them
        with (truth / "case_links.csv").open(encoding="utf-8") as handle:
            for r in csv.DictReader(handle):
                self.holder[r["case_record_id"]] = r["nation"]
                self.cases_of[r["person_id"]].add(r["case_record_id"])
        # a case's subject record is "<agency>:person:<case number>-<n>" of its case "<agency>:case:<number>"
        subject_stems = {c.replace(":case:", ":person:", 1) for c in self.holder}
        self.person: dict[str, str] = {}  # person record id -> true person
        self.subjects: dict[str, str] = {}  # case subject record id -> its case
        with (truth / "records.csv").open(encoding="utf-8") as handle:
            for r in csv.DictReader(handle):
                if r["record_type"] != "person":
                    continue
                rid = r["record_id"]
                self.person[rid] = r["entity_id"]
                stem = rid.rsplit("-", 1)[0]
                if stem in subject_stems and rid.rsplit("-", 1)[1].isdigit():
                    self.subjects[rid] = stem.replace(":person:", ":case:", 1)
        self.pairs: set[tuple[str, str]] = set()
        for rid, person in self.person.items():
            if rid in self.subjects:
                continue
            for case in self.cases_of.get(person, ()):
                if self.holder[case] != _nation(rid):
                    self.pairs.add((case, rid))
        with (truth / "broken_rows.csv").open(encoding="utf-8") as handle:
            self.broken = sum(1 for _ in csv.DictReader(handle))
        with (truth / "persons.csv").open(encoding="utf-8") as handle:
            self.org = {r["person_id"]: r["org_id"] for r in csv.DictReader(handle) if r["org_id"]}

    def same_network(self, person_record: str, subject_record: str) -> bool:
        """Whether two person records are of one true organization (members of one network)."""
        org = self.org.get(self.person.get(person_record, ""))
        return org is not None and org == self.org.get(self.person.get(subject_record, ""))


# --- scoring ----------------------------------------------------------------------------------------------


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _split(
    person: str, subjects: list[str], entity: dict[str, str], members: dict[str, set[str]],
    queued: dict[tuple[str, str], float], threshold: float,
) -> tuple[str, str]:  # fmt: skip
    """Why resolution kept a person apart from the case subjects, by the strongest pair between
    their entities that the review queue holds: a join refused (some two records of the would-be
    entity clearly differ), or evidence too weak; none when every pair was in conflict or never
    compared. Also that pair, for the examples."""
    mine = members.get(entity[person], {person})
    theirs = {m for s in subjects for m in members.get(entity.get(s, ""), {s})}
    best = max(
        ((w, a, b) for a in mine for b in theirs if (w := queued.get((a, b))) is not None), default=None
    )
    if best is None:
        return "resolution split them: no pair between them worth review (in conflict, or never compared)", ""
    where = f"{best[1]} ~ {best[2]}: {best[0]:.1f}"
    if best[0] >= threshold:
        return "resolution split them: a join above the threshold was refused", where
    return "resolution split them: the best pair between them is below the threshold", where


def _classify_misses(
    truth: _Truth, missed: list[tuple[str, str]], entity: dict[str, str], stored: set[str],
    events: dict[tuple[str, str], list[str]], queued: dict[tuple[str, str], float],
) -> tuple[Counter, dict[str, list[str]]]:  # fmt: skip
    """Why each truth pair (both records stored) made no cross-border lead."""
    from puente.resolve.batch import THRESHOLD

    reasons: Counter = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    subjects_by_case: dict[str, list[str]] = defaultdict(list)
    for s, c in truth.subjects.items():
        subjects_by_case[c].append(s)
    members: dict[str, set[str]] = defaultdict(set)
    for record_id, entity_id in entity.items():
        members[entity_id].add(record_id)
    for case, person in missed:
        true, pair = truth.person[person], ""
        subjects = [s for s in subjects_by_case[case] if truth.person[s] == true]
        kept = [s for s in subjects if s in stored]
        if not kept:
            reason = "the case's subject record was not stored"
        elif person not in entity:
            reason = "the person record is in no entity"
        elif not any(entity.get(s) == entity[person] for s in kept):
            reason, pair = _split(person, kept, entity, members, queued, THRESHOLD)
        elif (case, person) in events:
            reason = "a lead was made, but by a source held in the case's own nation"
        else:
            reason = "same entity as the subject, but no lead"
        reasons[reason] += 1
        if len(examples[reason]) < EXAMPLES:
            where = ", ".join(f"{s} in {entity.get(s)}" for s in kept) or "-"
            pair = f"; best pair {pair}" if pair else ""
            examples[reason].append(f"{case} / {person} in {entity.get(person)} (subjects: {where}{pair})")
    return reasons, examples


def _classify_false(
    truth: _Truth, false: list[tuple[str, str]], entity: dict[str, str]
) -> tuple[Counter, dict[str, list[str]]]:
    reasons: Counter = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for case, person in false:
        true = truth.person.get(person)
        if true is None:
            reason = "the person record is not in the truth"
        elif case in truth.cases_of.get(true, ()):
            reason = "a true subject, but the pair is not cross-border by the truth"
        else:
            reason = "false merge: the person is not a subject of the case"
        reasons[reason] += 1
        if len(examples[reason]) < EXAMPLES:
            examples[reason].append(f"{case} / {person} (true person {true}, entity {entity.get(person)})")
    return reasons, examples


def run(args: Any) -> list[dict[str, Any]]:
    import orjson
    from sqlalchemy import select

    from bench.ingest import GENERATOR_VERSION
    from bench.trace import _revision
    from puente.leads.generate import generate
    from puente.store import connect
    from puente.store.schema import entity_members, leads, records, review_pairs

    started = time.perf_counter()
    folder, path, built, cached = _world_database(args)
    took = time.perf_counter() - started
    log(f"world database {'from cache' if cached else 'built'} in {took:.1f}s: {built}")
    truth = _Truth(folder)
    log(f"truth: {len(truth.pairs):,} cross-border pairs over {len(truth.holder):,} cases")
    db = connect(f"sqlite:///{path}", blob_dir=path.parent / f"{path.stem}-files")
    try:
        db.upgrade()
        with db.engine.begin() as conn:
            for table in ("outbox", "lead_events", "leads"):
                conn.exec_driver_sql(f"DELETE FROM {table}")
        log("generating leads from an empty leads table")
        mark = time.perf_counter()
        new = generate(db)
        seconds = time.perf_counter() - mark
        mark = time.perf_counter()
        again = generate(db)
        rerun_seconds = time.perf_counter() - mark
        log(f"generate: {new:,} leads in {seconds:.1f}s; again: {again:,} in {rerun_seconds:.1f}s")
        with db.engine.connect() as conn:
            rows = conn.execute(
                select(leads.c.rule, leads.c.recipient, leads.c.target_ref, leads.c.source_record_id,
                       leads.c.source_owner, leads.c.evidence, leads.c.task_force)
            ).all()  # fmt: skip
            stored = set(
                conn.execute(
                    select(records.c.record_id).where(records.c.record_type.in_(("person", "case")))
                ).scalars()
            )
            entity = dict(
                conn.execute(
                    select(entity_members.c.record_id, entity_members.c.entity_id).where(
                        entity_members.c.entity_type == "person"
                    )
                ).all()
            )
            queued: dict[tuple[str, str], float] = {}
            for a, b, w in conn.execute(
                select(review_pairs.c.record_a, review_pairs.c.record_b, review_pairs.c.weight).where(
                    review_pairs.c.entity_type == "person"
                )
            ):
                queued[(a, b)] = queued[(b, a)] = w
    finally:
        db.dispose()

    predicted: set[tuple[str, str]] = set()
    domestic: set[tuple[str, str]] = set()  # case-subject leads within one nation (not scored)
    events: dict[tuple[str, str], list[str]] = defaultdict(list)  # pair -> sources of any nation
    for r in rows:
        if r.rule != "case_subject":
            continue
        pair = (r.target_ref, orjson.loads(r.evidence)[1])
        events[pair].append(r.source_record_id)
        if _nation(r.source_owner) != _nation(r.recipient):
            predicted.add(pair)
        else:
            domestic.add(pair)
    domestic -= predicted
    # possible matches (a pair the model left for review): low-priority leads, scored on their own
    possible = {
        (r.target_ref, orjson.loads(r.evidence)[1])
        for r in rows
        if r.rule == "possible_subject" and _nation(r.source_owner) != _nation(r.recipient)
    } - predicted
    kept = {p for p in truth.pairs if p[0] in stored and p[1] in stored}
    hits = predicted & truth.pairs
    common: dict[str, Any] = {"seed": getattr(args, "seed", SEED), "generator_version": GENERATOR_VERSION,
                              "engine": "sqlite", "revision": _revision()}  # fmt: skip
    figures = [
        figure(args, "leads.cross_border_truth", len(truth.pairs), "pairs", None, stored=len(kept),
               cases=len(truth.holder), broken_rows=truth.broken, **common),
        figure(args, "leads.cross_border_leads", len(predicted), "pairs", None,
               case_subject_leads=sum(1 for r in rows if r.rule == "case_subject"),
               domestic_pairs=len(domestic)),
        figure(args, "leads.precision", _ratio(len(hits), len(predicted)), "ratio", BUDGET_PRECISION,
               true=len(hits), predicted=len(predicted)),
        figure(args, "leads.recall", _ratio(len(hits), len(truth.pairs)), "ratio", BUDGET_RECALL,
               found=len(hits), truth=len(truth.pairs)),
        figure(args, "leads.recall_stored", _ratio(len(hits & kept), len(kept)), "ratio", BUDGET_RECALL,
               found=len(hits & kept), truth=len(kept)),
    ]  # fmt: skip
    for direction, holder in DIRECTIONS.items():
        pred = {p for p in predicted if _nation(p[0]) == holder}
        want = {p for p in truth.pairs if _nation(p[0]) == holder}
        want_kept = want & kept
        # by the agency holding the person record: each feed reaches the case by its own path
        agencies = Counter(p.split(":", 1)[0] for _, p in want)
        found = Counter(p.split(":", 1)[0] for _, p in pred & want)
        by_agency = {a: {"found": found[a], "truth": n, "recall": round(found[a] / n, 3)}
                     for a, n in agencies.most_common()}  # fmt: skip
        figures += [
            figure(args, f"leads.{direction}.precision", _ratio(len(pred & want), len(pred)), "ratio",
                   BUDGET_PRECISION, true=len(pred & want), predicted=len(pred)),
            figure(args, f"leads.{direction}.recall", _ratio(len(pred & want), len(want)), "ratio",
                   BUDGET_RECALL, found=len(pred & want), truth=len(want),
                   recall_stored=_ratio(len(pred & want_kept), len(want_kept)), truth_stored=len(want_kept),
                   by_agency=by_agency),
        ]  # fmt: skip
    either = (predicted | possible) & truth.pairs
    to_us = {p for p in truth.pairs if _nation(p[0]) == "US"}
    figures += [
        figure(args, "leads.possible.precision", _ratio(len(possible & truth.pairs), len(possible)), "ratio",
               None, true=len(possible & truth.pairs), predicted=len(possible)),
        figure(args, "leads.with_possible.recall", _ratio(len(either), len(truth.pairs)), "ratio",
               BUDGET_RECALL, found=len(either), truth=len(truth.pairs),
               mx_to_us=_ratio(len(either & to_us), len(to_us))),
    ]  # fmt: skip
    # associates (a shared phone or address with a case subject): of the subject's organization?
    associates = {
        (orjson.loads(r.evidence)[1], orjson.loads(r.evidence)[2]) for r in rows if r.rule == "network"
    }
    members = sum(1 for person, subject in associates if truth.same_network(person, subject))
    figures.append(figure(args, "leads.network.precision", _ratio(members, len(associates)), "ratio", None,
                          same_organization=members, associates=len(associates)))  # fmt: skip
    by_task_force = Counter(r.task_force for r in rows)
    figures += [
        figure(args, "leads.total", len(rows), "leads", None, by_rule=dict(Counter(r.rule for r in rows)),
               by_recipient=dict(Counter(r.recipient for r in rows)),
               by_source_owner=dict(Counter(r.source_owner for r in rows))),
        figure(args, "leads.task_forces", len(by_task_force), "task forces", None,
               top_10=dict(by_task_force.most_common(10))),
        figure(args, "leads.seconds_generate", seconds, "s", None, new=new, world_cached=cached,
               resolve_seconds=built.get("resolve_seconds"), settle_seconds=built.get("settle_seconds"),
               settle=built.get("settle")),
        figure(args, "leads.seconds_rerun", rerun_seconds, "s", None, new=again),
        figure(args, "leads.rerun_new", again, "leads", 0, higher_is_better=False),
    ]  # fmt: skip
    log("leads by task force (top 10): " + ", ".join(f"{k}: {v:,}" for k, v in by_task_force.most_common(10)))
    missed = sorted(kept - hits)
    reasons, examples = _classify_misses(truth, missed, entity, stored, events, queued)
    log_classes(f"missed cross-border pairs whose records were stored ({len(missed):,})", reasons, examples)
    false = sorted(predicted - truth.pairs)
    wrong, wrong_examples = _classify_false(truth, false, entity)
    log_classes(f"false cross-border leads ({len(false):,})", wrong, wrong_examples)
    figures[3]["missed_stored_by_reason"] = dict(reasons)
    figures[2]["false_by_reason"] = dict(wrong)
    return figures
