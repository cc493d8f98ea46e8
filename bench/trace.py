"""Firearms tracing: accuracy on the synthetic world, and matching speed against 20M acquisitions.

Part A, accuracy. The four feeds tracing reads (ATF acquisitions and trace results, FGR
seizures, HSI border seizures) of the world of the bench scale are loaded into an SQLite file
once, their persons resolved (the file is cached in bench/.cache/trace/, keyed by the world's
generator version, seed and scale). Each run copies it and traces every recovered firearm an ATF
analyst may see (``trace_all``: the catalogue refresh, the requests and their matching; timed), then
scores the traces against the world's ground truth: every recovery traced at least once; whether
a recovery's trace completed agrees with whether it is traceable (US-made, sold at retail, serial
legible); whether a completed trace found the right gun's sale; and whether the top 50 of the
ranking of purchasers are members of a trafficking organisation (budget: precision >= 0.9).

Part B, speed: 100,000 traces against 20M acquisition records in 60 s at most. A catalogue of
synthetic sales (unique serial keys) is written straight into ``trace_acquisitions`` of an
upgraded SQLite file, built once and cached (bench/.cache/trace/catalogue-*.db, a few GB).
Each run adds the requests to it (70% of a catalogued serial and make, 30% of serials never
sold), times ``process_pending``, checks that exactly the catalogued ones completed, and then
removes what it added. Scales below 1m shrink both counts in proportion (100k: 2M sales and 10,000
traces). ``--profile`` runs the timed parts under cProfile (bench/.cache/profiles/trace-*.prof).
"""

from __future__ import annotations

import cProfile
import csv
import io
import json
import pstats
import random
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import REPO_DIR, cache_dir, figure, fresh_sqlite, log, scale_size

BUDGET_PRECISION_AT_50 = 0.9
BUDGET_MATCH_SECONDS = 60.0
SEED = 20230314
PURPOSE = "tracing benchmark"
RANK_LIMIT = 50
FEEDS = ("atf_acquisitions.csv", "atf_trace_results.csv", "fgr_aseguramientos.csv", "hsi_best_seizures.xlsx")
WORLD_DB_VERSION = 1  # bump when what the cached world database holds changes (feeds, resolution)

CATALOGUE_VERSION = 1  # bump when the synthetic catalogue changes: old fixtures are then ignored
CATALOGUE_ROWS = 20_000_000  # at 1m; smaller scales shrink it in proportion
MATCH_TRACES = 100_000  # at 1m; idem
MATCHING_SHARE = 0.7  # of the requests, those of a catalogued serial and make
FILL_CHUNK = 500_000  # sales per transaction while the catalogue is written
DEALERS = 50_000
RECOVERED_ON = "2024-06-01"  # every request's recovery date; every synthetic sale is earlier
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LETTERS = ALNUM[10:]


def _principal() -> Any:
    from puente.policy.principals import Principal, Role

    return Principal(
        user_id="bench.atf",
        name="Bench ATF",
        agency="US/ATF",
        roles=frozenset({Role.ANALYST}),
        certificates=frozenset({"tracing"}),
    )


@contextmanager
def _profiled(args: Any, name: str) -> Iterator[dict[str, Any]]:
    """Run the block under cProfile when ``--profile`` was given; the stats file and the top 15
    functions by cumulative time are logged, and the yielded dict gets ``cprofile``."""
    info: dict[str, Any] = {}
    if not getattr(args, "profile", False):
        yield info
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield info
    finally:
        profiler.disable()
        out = cache_dir("profiles") / f"trace-{name}-{args.scale}.prof"
        profiler.dump_stats(out)
        info["cprofile"] = str(out)
        log(f"cProfile of {name} written to {out}; top 15 by cumulative time:")
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(15)
        for line in text.getvalue().splitlines():
            if line.strip():
                log("  " + line)


def _revision() -> str | None:
    """The commit of the code measured, marked ``+changes`` when src/ differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_DIR, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "src"], cwd=REPO_DIR).returncode
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+changes" if dirty else "")


def _schema_gaps(db: Any) -> list[str]:
    """Tables and columns of the schema that an upgraded database lacks: a cached database made
    before a migration was changed in place is then rebuilt rather than failing midway."""
    from sqlalchemy import inspect

    from puente.store.schema import metadata

    inspector = inspect(db.engine)
    have = set(inspector.get_table_names())
    gaps: list[str] = []
    for name, table in metadata.tables.items():
        if name not in have:
            gaps.append(name)
            continue
        columns = {c["name"] for c in inspector.get_columns(name)}
        gaps += [f"{name}.{c.name}" for c in table.columns if c.name not in columns]
    return gaps


def _usable(path: Path) -> bool:
    """Whether a cached SQLite file, once upgraded, holds the whole schema."""
    from puente.store.db import connect

    db = connect(f"sqlite:///{path}", blob_dir=path.parent / f"{path.stem}-files")
    try:
        db.upgrade()
        gaps = _schema_gaps(db)
    finally:
        db.dispose()
    if gaps:
        log(f"{path.name} lacks {', '.join(gaps[:5])}{' ...' if len(gaps) > 5 else ''}: rebuilding it")
    return not gaps


# --- part A: accuracy on the synthetic world ---------------------------------------------------------


def _world_database(folder: Path, manifest: dict[str, Any]) -> tuple[Path, dict[str, Any], bool]:
    """The tracing feeds of the world loaded once into an SQLite file, persons resolved; its path,
    what loading it took, and whether it came from the cache."""
    from puente.ingest.pipeline import ingest_file
    from puente.ingest.profiles import load_profile
    from puente.resolve.batch import resolve_persons
    from puente.store.db import connect

    path = cache_dir("trace") / f"{folder.name}-v{WORLD_DB_VERSION}.db"
    done = path.with_suffix(".ready")
    if done.is_file() and path.is_file() and _usable(path):
        return path, json.loads(done.read_text(encoding="utf-8")), True
    done.unlink(missing_ok=True)
    blobs = fresh_sqlite(path)
    db = connect(f"sqlite:///{path}", blob_dir=blobs)
    info: dict[str, Any] = {"files": []}
    try:
        db.upgrade()
        feeds = {f["file"]: f for f in manifest["files"]}
        for name in FEEDS:
            feed = feeds[name]
            own = folder / "profiles" / f"{feed['profile']}.yaml"
            profile = load_profile(str(own) if own.is_file() else feed["profile"])
            log(f"loading {name}")
            started = time.perf_counter()
            report = ingest_file(db, folder / name, profile)
            info["files"].append(
                {
                    "file": name,
                    "seconds": round(time.perf_counter() - started, 1),
                    "records": report.records_stored,
                    "quarantined": report.rows_quarantined,
                    "status": report.status,
                }
            )
        info["load_seconds"] = round(sum(f["seconds"] for f in info["files"]), 1)
        log("resolving persons")
        started = time.perf_counter()
        resolved = resolve_persons(db)
        info["resolve_seconds"] = round(time.perf_counter() - started, 1)
        info["person_records"] = resolved.records
        info["person_entities"] = resolved.entities
    finally:
        db.dispose()
    done.write_text(json.dumps(info), encoding="utf-8")
    return path, info, False


def _copy_database(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    for suffix in ("-wal", "-shm"):
        extra = source.with_name(source.name + suffix)
        if extra.is_file():
            shutil.copyfile(extra, target.with_name(target.name + suffix))


class _Truth:
    """The world's ground truth that tracing is scored against."""

    def __init__(self, folder: Path) -> None:
        truth = folder / "truth"
        self.entity: dict[str, str] = {}  # record id -> recovery, sale, person or seizure id
        self.firearm: dict[str, str] = {}  # record id -> the gun it reports
        self.sold: set[str] = set()  # guns whose sale is among the records (its row not broken)
        self.reported: set[str] = set()  # recoveries some record reports (a row not broken)
        with (truth / "records.csv").open(encoding="utf-8") as handle:
            for r in csv.DictReader(handle):
                self.entity[r["record_id"]] = r["entity_id"]
                if r["firearm_id"]:
                    self.firearm[r["record_id"]] = r["firearm_id"]
                    if r["record_type"] == "acquisition":
                        self.sold.add(r["firearm_id"])
                if r["record_type"] in ("trace_request", "seizure"):
                    self.reported.add(r["entity_id"])
        with (truth / "recoveries.csv").open(encoding="utf-8") as handle:
            self.recoveries = {r["recovery_id"]: r for r in csv.DictReader(handle)}
        with (truth / "persons.csv").open(encoding="utf-8") as handle:
            self.role = {r["person_id"]: r["role"] for r in csv.DictReader(handle)}
        with (truth / "broken_rows.csv").open(encoding="utf-8") as handle:
            self.broken = Counter(r["file"] for r in csv.DictReader(handle))

    @staticmethod
    def traceable(recovery: dict[str, str]) -> bool:
        return recovery["origin"] == "us" and recovery["sold_on"] != "" and recovery["obliterated"] == "0"


@contextmanager
def _step_timer(seconds: dict[str, float]) -> Iterator[None]:
    """Time the steps ``trace_all`` runs (catalogue refresh, submit, process_pending) while it runs."""
    from puente.trace import catalog, engine

    originals = {
        "refresh": catalog.refresh,
        "submit": engine.submit,
        "process_pending": engine.process_pending,
    }

    def timed(name: str, function: Any) -> Any:
        def wrapper(*a: Any, **k: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started

        return wrapper

    catalog.refresh = timed("catalogue_refresh", originals["refresh"])
    engine.submit = timed("submit", originals["submit"])
    engine.process_pending = timed("process_pending", originals["process_pending"])
    try:
        yield
    finally:
        catalog.refresh = originals["refresh"]
        engine.submit = originals["submit"]
        engine.process_pending = originals["process_pending"]


def _accuracy(args: Any) -> list[dict[str, Any]]:
    from sqlalchemy import func, select

    from bench.ingest import GENERATOR_VERSION, dataset
    from puente.store.db import connect
    from puente.store.schema import trace_acquisitions, traces
    from puente.trace.analysis import ranking, read_traces
    from puente.trace.catalog import refresh
    from puente.trace.engine import trace_all

    seed = getattr(args, "seed", SEED)
    folder, manifest, _ = dataset(seed, args.scale, getattr(args, "regenerate", False))
    started = time.perf_counter()
    db_path, loaded, cached = _world_database(folder, manifest)
    took = time.perf_counter() - started
    log(f"world database {'from cache' if cached else 'loaded'} in {took:.1f}s: {loaded}")
    truth = _Truth(folder)
    principal = _principal()
    common: dict[str, Any] = {
        "seed": seed,
        "generator_version": GENERATOR_VERSION,
        "engine": "sqlite",
        "revision": _revision(),
    }
    if getattr(args, "profile", False):
        common["profiled"] = True
    with tempfile.TemporaryDirectory(prefix="puente-bench-trace-") as tmp:
        work = Path(tmp) / "puente.db"
        _copy_database(db_path, work)
        db = connect(f"sqlite:///{work}", blob_dir=Path(tmp) / "files")
        try:
            db.upgrade()
            log("tracing every recovery the ATF analyst may see")
            steps: dict[str, float] = {}
            with _profiled(args, "world") as prof, _step_timer(steps):
                started = time.perf_counter()
                report = trace_all(db, principal, PURPOSE)
                seconds = time.perf_counter() - started
            log(
                f"trace_all: {seconds:.1f}s, submitted {report.submitted:,}, completed {report.completed:,}, "
                f"failed {sum(report.failed.values()):,} {report.failed}; steps {steps}"
            )
            # what every later run (and each request typed into a form) pays to bring the
            # catalogue level when no acquisition changed
            started = time.perf_counter()
            refresh(db)
            idle_refresh_seconds = time.perf_counter() - started
            with db.engine.connect() as conn:
                rows = conn.execute(
                    select(
                        traces.c.source_id,
                        traces.c.item,
                        traces.c.status,
                        traces.c.reason,
                        traces.c.acquisition_id,
                    )
                ).all()
                catalogued = conn.execute(select(func.count()).select_from(trace_acquisitions)).scalar_one()
            started = time.perf_counter()
            views = read_traces(db, principal, PURPOSE)
            ranked = ranking(views, limit=RANK_LIMIT)
            rank_seconds = time.perf_counter() - started
        finally:
            db.dispose()

    # -- recoveries traced, agreement with traceability
    by_recovery: dict[str, list[Any]] = {}
    other_sources = Counter()  # traces whose source is not a recovery of the truth (border seizures)
    for r in rows:
        entity = truth.entity.get(r.source_id, "")
        if entity in truth.recoveries:
            by_recovery.setdefault(entity, []).append(r)
        else:
            other_sources[r.status] += 1
    recoveries = truth.recoveries
    untraced = [rid for rid in recoveries if rid not in by_recovery]
    confusion = Counter()
    failed_traceable_reasons = Counter()
    failed_traceable_sale_broken = 0  # ... whose sale's row was broken on purpose: nothing to match
    completed_untraceable_kinds = Counter()
    for rid, rec in recoveries.items():
        mine = by_recovery.get(rid)
        if not mine:
            continue
        completed = any(r.status == "completed" for r in mine)
        traceable = truth.traceable(rec)
        confusion[(completed, traceable)] += 1
        if traceable and not completed:
            failed_traceable_reasons.update({r.reason or r.status for r in mine})
            failed_traceable_sale_broken += rec["firearm_id"] not in truth.sold
        if completed and not traceable:
            sold = "yes" if rec["sold_on"] else "no"
            kind = f"origin={rec['origin']},sold={sold},obliterated={rec['obliterated']}"
            completed_untraceable_kinds[kind] += 1
    scored = sum(confusion.values())
    agree = confusion[(True, True)] + confusion[(False, False)]
    world_traced = sum(1 for rec in recoveries.values() if rec["traced"] == "1")
    traceable_total = sum(1 for rec in recoveries.values() if truth.traceable(rec))

    # -- completed traces that found the right gun's sale
    right = wrong = unknown = 0
    for r in rows:
        if r.status != "completed":
            continue
        gun, sold = truth.firearm.get(r.source_id), truth.firearm.get(r.acquisition_id or "")
        if not gun or not sold:
            unknown += 1
        elif gun == sold:
            right += 1
        else:
            wrong += 1

    # -- the ranking: are the top purchasers members of an organisation?
    def person_of(record_ids: list[str]) -> str | None:
        people = Counter(truth.entity[i] for i in record_ids if truth.entity.get(i, "").startswith("P"))
        return people.most_common(1)[0][0] if people else None

    hits, members_found = 0, set()
    top = []
    for c in ranked:
        person = person_of(c.purchaser_ids)
        role = truth.role.get(person or "", "")
        hits += bool(role)
        if role:
            members_found.add(person)
        top.append({"score": c.score, "guns": c.guns, "person": person, "role": role or None})
    # members of an organisation who bought at least one gun whose trace completed (the findable ones)
    traced_buyers: dict[str, str] = {}
    for v in views:
        if v.status == "completed" and v.purchaser_id:
            person = truth.entity.get(v.purchaser_id, "")
            if truth.role.get(person):
                traced_buyers[person] = truth.role[person]
    findable = len(traced_buyers)
    straw_findable = sum(1 for role in traced_buyers.values() if role == "straw_purchaser")
    recall_base = min(RANK_LIMIT, findable)
    completed_traces = sum(1 for r in rows if r.status == "completed")
    world_quarantined = {f: truth.broken.get(f, 0) for f in FEEDS}

    return [
        figure(
            args,
            "trace.recoveries_traced",
            (len(recoveries) - len(untraced)) / len(recoveries) if recoveries else None,
            "share",
            recoveries=len(recoveries),
            untraced=len(untraced),
            untraced_rows_broken=sum(1 for rid in untraced if rid not in truth.reported),
            untraced_sample=untraced[:5],
            traces=len(rows),
            traces_of_other_sources=dict(other_sources),
            rows_broken_on_purpose=world_quarantined,
            note="untraced_rows_broken: recoveries whose every reporting row was broken on purpose "
            "(quarantined, so never stored)",
            **common,
        ),
        figure(
            args,
            "trace.agreement",
            agree / scored if scored else None,
            "share",
            recoveries_scored=scored,
            completed_traceable=confusion[(True, True)],
            completed_untraceable=confusion[(True, False)],
            failed_traceable=confusion[(False, True)],
            failed_untraceable=confusion[(False, False)],
            completed_share=(confusion[(True, True)] + confusion[(True, False)]) / scored if scored else None,
            traceable_share=traceable_total / len(recoveries) if recoveries else None,
            world_atf_traced_share=world_traced / len(recoveries) if recoveries else None,
            failed_by_reason=dict(sorted(report.failed.items(), key=lambda kv: -kv[1])),
            failed_traceable_reasons=dict(failed_traceable_reasons.most_common()),
            failed_traceable_sale_row_broken=failed_traceable_sale_broken,
            completed_untraceable_kinds=dict(completed_untraceable_kinds.most_common()),
            definition="a recovery agrees when (some trace of it completed) == (truth: origin us, "
            "sold at retail, serial not obliterated)",
            **common,
        ),
        figure(
            args,
            "trace.completed_correct",
            right / (right + wrong) if right + wrong else None,
            "share",
            completed=completed_traces,
            right=right,
            wrong=wrong,
            without_truth=unknown,
            definition="completed traces whose matched acquisition's true gun is the recovered gun",
            **common,
        ),
        figure(
            args,
            "trace.precision_at_50",
            hits / len(ranked) if ranked else None,
            "share",
            BUDGET_PRECISION_AT_50,
            candidates=len(ranked),
            hits=hits,
            top=top[:10],
            roles=dict(Counter(t["role"] or "none" for t in top).most_common()),
            definition="a candidate is a hit when the true person of most of its purchaser records "
            "has a role in a trafficking organisation",
            **common,
        ),
        figure(
            args,
            "trace.recall_at_50",
            len(members_found) / recall_base if recall_base else None,
            "share",
            members_found=len(members_found),
            findable_members=findable,
            findable_straw_purchasers=straw_findable,
            denominator=recall_base,
            definition="distinct organisation members among the top 50 / min(50, organisation members "
            "who bought at least one gun whose trace completed)",
            **common,
        ),
        figure(
            args,
            "trace.seconds_world",
            seconds,
            "s",
            higher_is_better=False,
            traces=len(rows),
            submitted=report.submitted,
            processed=report.processed,
            completed=report.completed,
            steps={k: round(v, 2) for k, v in steps.items()},
            steps_note="timed while trace_all ran them; a refresh the engine runs inside another step "
            "is counted in both",
            catalogued_acquisitions=catalogued,
            idle_refresh_seconds=idle_refresh_seconds,
            read_and_rank_seconds=rank_seconds,
            viewed_traces=len(views),
            world_db_cached=cached,
            world_db_load_seconds=loaded.get("load_seconds"),
            world_db_resolve_seconds=loaded.get("resolve_seconds"),
            **prof,
            **common,
        ),
    ]


# --- part B: matching speed against a large catalogue ----------------------------------------------------


def _sizes(scale: str) -> tuple[int, int]:
    """Catalogue rows and traces of a scale: 20M and 100k at 1m, in proportion below (never above)."""
    share = min(1.0, scale_size(scale) / scale_size("1m"))
    return max(1000, round(CATALOGUE_ROWS * share)), max(100, round(MATCH_TRACES * share))


def _base36(table: list[str], value: int) -> str:
    """Six base-36 digits of a value below 36**6."""
    return table[value // 1_679_616] + table[(value // 1296) % 1296] + table[value % 1296]


def _catalogue_rows(start: int, count: int, rng: random.Random, pools: dict[str, Any]) -> Iterator[tuple]:
    """Sales ``start`` .. ``start + count - 1``. A serial key is 2-4 random letters and six base-36
    digits of a permutation of the sale's number: 8-10 characters, unique, always starting with a letter."""
    pairs, makes, models, calibers = pools["pairs"], pools["makes"], pools["models"], pools["calibers"]
    days, dealers, prefixes = pools["days"], pools["dealers"], pools["prefixes"]
    choice, randrange, rand = rng.choice, rng.randrange, rng.random
    for n in range(start, start + count):
        key = choice(prefixes) + _base36(pairs, (n * 1_000_003 + 12_345) % 2_176_782_336)
        make = choice(makes)
        model = choice(models[make])
        caliber = choice(calibers)
        licence, name, state = dealers[randrange(len(dealers))]
        firearm = (
            f'{{"make":{{"code":"{make}","text":"{make}"}},"model":"{model}",'
            f'"caliber":{{"code":"{caliber}","text":"{caliber}"}},'
            f'"serial":{{"text":"{key}","value":"{key}","obliterated":false,"partial":false}}}}'
        )
        yield (
            f"US/ATF:acquisition:X{n:09d}", 1, key, make, choice(days), licence, name, state,
            f"US/ATF:person:X{n}-purchaser", rand() < 0.08, firearm,
        )  # fmt: skip


def _pools(rng: random.Random) -> dict[str, Any]:
    import datetime as dt

    from puente.model import vocab

    makes = sorted(vocab.makes())
    first, last = dt.date(1995, 1, 1).toordinal(), dt.date.fromisoformat(RECOVERED_ON).toordinal() - 1
    us_states = sorted(code for code, s in vocab.states().items() if s.nation == "US")
    dealers = []
    for i in range(DEALERS):
        state = rng.choice(us_states)
        licence = f"{rng.randrange(1, 10)}-{rng.randrange(10, 99)}-{rng.randrange(1, 999):03d}-"
        licence += f"{rng.choice(('01', '02', '07'))}-{rng.choice(ALNUM[1:])}{rng.choice(LETTERS)}-{i:05d}"
        dealers.append((licence, f"Dealer {i} {state[3:]}", state))
    prefixes = sorted({"".join(rng.choice(LETTERS) for _ in range(rng.randrange(2, 5))) for _ in range(5000)})
    return {
        "pairs": [a + b for a in ALNUM for b in ALNUM],
        "makes": makes,
        "models": {m: [f"M{rng.randrange(10, 999)}{rng.choice(LETTERS)}" for _ in range(6)] for m in makes},
        "calibers": sorted(vocab.calibers()),
        "days": [dt.date.fromordinal(d).isoformat() for d in range(first, last + 1)],
        "dealers": dealers,
        "prefixes": prefixes,
    }


def _catalogue(rows: int) -> tuple[Path, dict[str, Any], bool]:
    """The SQLite fixture whose ``trace_acquisitions`` holds ``rows`` synthetic sales (built once)."""
    from puente.store.db import connect

    folder = cache_dir("trace")
    path = folder / f"catalogue-v{CATALOGUE_VERSION}-{rows}.db"
    ready = path.with_suffix(".ready")
    if path.is_file() and ready.is_file() and _usable(path):
        return path, json.loads(ready.read_text(encoding="utf-8")), True
    ready.unlink(missing_ok=True)
    partial = folder / f".{path.name}.partial"
    for stale in (
        path,
        partial,
        partial.with_name(partial.name + "-wal"),
        partial.with_name(partial.name + "-shm"),
    ):
        stale.unlink(missing_ok=True)
    free = shutil.disk_usage(folder).free
    log(f"building the catalogue fixture: {rows:,} sales ({free / 2**30:.0f} GiB free in {folder})")
    started = time.perf_counter()
    db = connect(f"sqlite:///{partial}", blob_dir=folder / "catalogue-files")
    db.upgrade()
    db.dispose()
    info: dict[str, Any] = {"rows": rows, "schema_seconds": round(time.perf_counter() - started, 1)}
    raw = sqlite3.connect(partial, isolation_level=None)
    try:
        raw.execute("PRAGMA journal_mode=DELETE")
        raw.execute("PRAGMA journal_mode=OFF")  # a bench fixture: rebuilt from scratch if interrupted
        raw.execute("PRAGMA synchronous=OFF")
        raw.execute("PRAGMA cache_size=-1048576")
        indexes = raw.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'trace_acquisitions' "
            "AND sql IS NOT NULL"
        ).fetchall()
        for name, _sql in indexes:
            raw.execute(f'DROP INDEX "{name}"')
        rng = random.Random(SEED)
        pools = _pools(rng)
        columns = (
            "record_id, version, serial_key, make, sold_on, dealer_licence, dealer_name, dealer_state, "
            "purchaser_id, multiple_sale, firearm"
        )
        statement = f"INSERT INTO trace_acquisitions ({columns}) VALUES ({', '.join('?' * 11)})"
        mark = time.perf_counter()
        next_log = 0.0
        for start in range(0, rows, FILL_CHUNK):
            count = min(FILL_CHUNK, rows - start)
            raw.execute("BEGIN")
            raw.executemany(statement, _catalogue_rows(start, count, rng, pools))
            raw.execute("COMMIT")
            elapsed = time.perf_counter() - mark
            if elapsed >= next_log or start + count == rows:
                log(f"catalogue: {start + count:,}/{rows:,} sales written, {elapsed:.0f}s")
                next_log = elapsed + 30
        info["fill_seconds"] = round(time.perf_counter() - mark, 1)
        mark = time.perf_counter()
        for name, sql in indexes:
            log(f"catalogue: creating index {name}")
            raw.execute(sql)
        info["index_seconds"] = round(time.perf_counter() - mark, 1)
        info["indexes"] = [name for name, _ in indexes]
        info["audit_seq"] = raw.execute("SELECT coalesce(max(seq), 0) FROM audit_log").fetchone()[0]
        info["marking_set_id"] = raw.execute("SELECT coalesce(max(id), 0) FROM marking_sets").fetchone()[0]
    finally:
        raw.close()
    partial.rename(path)
    info["build_seconds"] = round(time.perf_counter() - started, 1)
    info["bytes"] = path.stat().st_size
    ready.write_text(json.dumps(info), encoding="utf-8")
    log(
        f"catalogue fixture built in {info['build_seconds']:.0f}s (fill {info['fill_seconds']:.0f}s, "
        f"indexes {info['index_seconds']:.0f}s), {info['bytes'] / 2**30:.1f} GiB"
    )
    return path, info, False


def _restore(db: Any, info: dict[str, Any]) -> None:
    """Remove what a run added to the fixture: its traces, audit entries and marking sets."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM traces")
        conn.exec_driver_sql("DELETE FROM audit_log WHERE seq > ?", (info["audit_seq"],))
        conn.exec_driver_sql("DELETE FROM marking_grants WHERE marking_set_id > ?", (info["marking_set_id"],))
        conn.exec_driver_sql("DELETE FROM marking_sets WHERE id > ?", (info["marking_set_id"],))


def _requests(db: Any, rows: int, count: int) -> tuple[list[tuple], int]:
    """``count`` requests, shuffled: a share of catalogued serials and makes, the rest of serials
    that no sale has (they start with a digit; every catalogued one starts with a letter)."""
    import orjson

    from puente.model import vocab
    from puente.store.repository import Repository, utcnow

    rng = random.Random(SEED + 1)
    matching = round(count * MATCHING_SHARE)
    wanted = rng.sample(range(1, rows + 1), matching)
    pairs: list[tuple[str, str]] = []
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            cursor.execute(f"SELECT serial_key, make FROM trace_acquisitions WHERE rowid IN ({marks})", chunk)
            pairs += cursor.fetchall()
        cursor.close()
    finally:
        raw.close()
    makes = sorted(vocab.makes())
    for _ in range(count - matching):
        key = rng.choice(ALNUM[:10]) + "".join(rng.choice(ALNUM) for _ in range(rng.randrange(7, 10)))
        pairs.append((key, rng.choice(makes)))
    rng.shuffle(pairs)
    now = utcnow()
    with db.engine.begin() as conn:
        marking = Repository(conn).marking_set('{"owner":"US/ATF","releasable_to":["US/ATF"]}', ["US/ATF"])
    out = []
    for n, (key, make) in enumerate(pairs):
        request = {
            "source_type": "trace_request",
            "firearm": {
                "serial": {"text": key, "value": key, "obliterated": False, "partial": False},
                "make": {"code": make, "text": make},
            },
            "recovered_on": RECOVERED_ON,
            "recovery_place": {"state": "MX-JAL", "city": "Guadalajara"},
            "possessor_id": None,
        }
        out.append(
            (
                f"US/ATF:trace_request:BENCH{n:07d}", 0, "bench.atf", "US/ATF", "submitted", key, make,
                RECOVERED_ON, "MX-JAL", None, orjson.dumps(request).decode(), marking, now,
            )
        )  # fmt: skip
    return out, len(wanted)


def _speed(args: Any) -> list[dict[str, Any]]:
    from sqlalchemy import func, select

    from puente.store.db import connect
    from puente.store.repository import Repository
    from puente.store.schema import traces
    from puente.trace.engine import process_pending

    rows, count = _sizes(args.scale)
    path, built, cached = _catalogue(rows)
    db = connect(f"sqlite:///{path}", blob_dir=path.parent / "catalogue-files")
    common: dict[str, Any] = {"engine": "sqlite", "revision": _revision()}
    if getattr(args, "profile", False):
        common["profiled"] = True
    try:
        db.upgrade()
        _restore(db, built)  # what an interrupted run may have left
        started = time.perf_counter()
        requests, matching = _requests(db, rows, count)
        columns = (
            "source_id", "item", "requester", "requester_agency", "status", "serial_key", "make",
            "recovered_on", "recovery_state", "possessor_id", "request", "marking_set_id", "submitted_at",
        )  # fmt: skip
        with db.engine.begin() as conn:
            Repository(conn).bulk_insert(traces, columns, requests)
        log(f"{count:,} requests ({matching:,} catalogued) added in {time.perf_counter() - started:.1f}s")
        log(f"matching {count:,} traces against {rows:,} acquisitions")
        with _profiled(args, "match") as prof:
            started = time.perf_counter()
            report = process_pending(db, _principal(), PURPOSE)
            seconds = time.perf_counter() - started
        with db.engine.connect() as conn:
            statuses = dict(
                conn.execute(select(traces.c.status, func.count()).group_by(traces.c.status)).all()
            )
        if report.completed != matching or statuses.get("completed") != matching:
            log(
                f"CHECK FAILED: {report.completed:,} traces completed ({statuses}); "
                f"{matching:,} requests were of catalogued sales"
            )
        else:
            log(f"check: the {matching:,} requests of catalogued sales completed, the others failed")
        rate = report.processed / seconds if seconds else 0.0
        log(f"process_pending: {seconds:.1f}s, {rate:,.0f} traces/s; failed {report.failed}")
    finally:
        try:
            _restore(db, built)
        finally:
            db.dispose()
    return [
        figure(
            args,
            "trace.match_100k_seconds",
            seconds,
            "s",
            BUDGET_MATCH_SECONDS,
            higher_is_better=False,
            traces=report.processed,
            acquisitions=rows,
            completed=report.completed,
            expected_completed=matching,
            failed=sum(report.failed.values()),
            failed_by_reason=report.failed,
            traces_per_s=report.processed / seconds if seconds else None,
            fixture_cached=cached,
            fixture_build_seconds=built.get("build_seconds"),
            fixture_fill_seconds=built.get("fill_seconds"),
            fixture_index_seconds=built.get("index_seconds"),
            fixture_bytes=built.get("bytes"),
            nominal="100,000 traces against 20M acquisitions at 1m; in proportion below",
            note="the fixture holds the catalogue only (no records): work whose cost grows with the "
            "records table (the catalogue refresh, events' case look-up) is measured on the world",
            **prof,
            **common,
        )
    ]


def run(args: Any) -> list[dict[str, Any]]:
    return _accuracy(args) + _speed(args)
