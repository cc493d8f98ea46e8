"""Load runs: read a file through its profile, store or quarantine every row, resumably.

Each batch of rows is written in one transaction together with the run's checkpoint, so a load
killed at any moment resumes after the last committed batch and ends with exactly what one clean
load gives. Idempotence comes from the records themselves: a record whose content hash matches its
newest version is unchanged; a content already stored from the same file is a re-delivery.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import pickle
import shutil
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import orjson

from puente.ingest.columnar import BatchMapper
from puente.ingest.issues import LoadError, RowIssue
from puente.ingest.mapping import BuiltRecord, RowMapper
from puente.ingest.profiles import Profile
from puente.ingest.readers import InputRow, Source, open_source
from puente.store.db import Database
from puente.store.repository import RUN_COUNTERS, Batch, Repository, RunInProgress, utcnow

Progress = Callable[[int, int | None], None]  # rows done, rows expected (if known)
DEFAULT_BATCH = 5000
ANALYZE_AFTER = 50_000  # records stored by loads past which the planner's statistics are renewed


@dataclass
class LoadReport:
    run_id: int | None
    file: str
    profile: str
    status: str  # completed, failed
    rows_read: int = 0
    records_new: int = 0
    records_new_version: int = 0
    records_unchanged: int = 0
    rows_duplicate: int = 0
    rows_quarantined: int = 0
    resumed: bool = False
    unmapped_columns: list[str] = field(default_factory=list)
    error: dict[str, str] | None = None

    @property
    def records_stored(self) -> int:
        return self.records_new + self.records_new_version

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["records_stored"] = self.records_stored
        return data


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def keep_original(db: Database, path: Path, sha256: str) -> Path:
    """Keep the original bytes, content-addressed, so any row can be re-read as received."""
    target = db.blob_dir / sha256[:2] / sha256
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        shutil.copyfile(path, partial)
        partial.replace(target)
    return target


def _count_lines(path: Path) -> int | None:
    if path.suffix.lower() == ".xlsx":
        return None
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return max(count - 1, 0)


def _quarantine_row(row: InputRow, issues: list[RowIssue], ctx: _Context, run_id: int) -> tuple[Any, ...]:
    first = issues[0]
    return (
        ctx.file_sha256,
        ctx.file_name,
        row.sheet,
        row.row_number,
        ctx.profile.name,
        ctx.profile.agency,
        run_id,
        first.code,
        first.field,
        first.en,
        first.es,
        orjson.dumps([i.as_dict() for i in issues]).decode(),
        orjson.dumps(row.raw, default=str).decode(),
        "open",
        utcnow(),
    )


@dataclass
class _Context:
    profile: Profile
    mapper: RowMapper
    file_sha256: str
    file_name: str
    resolve_quarantine: bool
    # re-submitted rows: row number -> the quarantine entry they fix
    resubmitted: dict[int, int] = field(default_factory=dict)
    marking_set_id: int = 0
    # record_id -> (payload hash, row number) for every record this run has stored or confirmed
    seen: dict[str, tuple[str, int]] = field(default_factory=dict)


def _duplicate_issue(record_type: str, rid: str, first_row: int) -> RowIssue:
    return RowIssue(
        "conflicting_duplicate",
        f"{record_type} '{rid}' already appears at row {first_row} of this file with different content; "
        "which one is right?",
        f"{record_type} '{rid}' ya aparece en la fila {first_row} de este archivo con contenido distinto; "
        "¿cuál es el correcto?",
        "id",
    )


# --- mapping, in worker processes for large loads -------------------------------------------------

Mapped = tuple[list[BuiltRecord], list[RowIssue]]
_WORKER_MAPPER: BatchMapper | None = None
_WORKER_COLUMNS: list[str] = []


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the loading process dies, so that a killed load leaves no
    workers behind (they would keep its database socket, and its locks, open)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers still exit when their queue closes
        pass


def _init_worker(profile: Profile, columns: list[str]) -> None:
    _die_with_parent()
    global _WORKER_MAPPER, _WORKER_COLUMNS
    _WORKER_MAPPER = BatchMapper(RowMapper(profile))
    _WORKER_COLUMNS = columns


def _map_values(
    values: list[tuple[Any, ...] | dict[str, Any] | None],
) -> list[tuple[list[tuple], list[RowIssue]]]:
    """Map rows sent as plain tuples (or dicts when a row's columns are its own) and answer with
    plain tuples: pickling them costs a fraction of what dicts and dataclasses cost."""
    mapper, columns = _WORKER_MAPPER, _WORKER_COLUMNS
    assert mapper is not None
    rows = [dict(zip(columns, v, strict=True)) if isinstance(v, tuple) else v for v in values]
    return [([tuple(b) for b in built], issues) for built, issues in mapper.map_rows(rows)]


def _as_mapped(answer: list[tuple[list[tuple], list[RowIssue]]]) -> list[Mapped]:
    return [([BuiltRecord._make(b) for b in built], issues) for built, issues in answer]


def _wire(row: InputRow, columns: list[str]) -> tuple[Any, ...] | dict[str, Any] | None:
    if row.issue is not None or row.values is None:
        return None
    values = row.values
    if len(values) == len(columns) and list(values) == columns:
        return tuple(values.values())
    return values


def _map_in_process(mapper: BatchMapper, rows: list[InputRow]) -> list[Mapped]:
    return mapper.map_rows([r.values if r.issue is None else None for r in rows])


def workers_for(expected: int | None, batch_size: int) -> int:
    """Worker processes for mapping: none for small loads, where starting them costs more."""
    configured = os.environ.get("PUENTE_INGEST_WORKERS")
    if configured is not None:
        return max(0, int(configured))
    if expected is not None and expected < 2 * batch_size:
        return 0
    cores = os.cpu_count() or 1
    return cores if cores > 1 else 0


def _worker_died() -> LoadError:
    return LoadError(
        "worker_died",
        "a mapping worker process died (out of memory?); run the load again to resume it",
        "un proceso de mapeo terminó de golpe (¿sin memoria?); ejecute la carga otra vez para reanudarla",
    )


def _worker_main(conn: Connection, profile: Profile, columns: list[str]) -> None:
    """A mapping process: batches in, their mapping out, until told to stop (None)."""
    _init_worker(profile, columns)
    while (values := conn.recv()) is not None:
        try:
            answer: tuple[str, Any] = ("ok", _map_values(values))
        except Exception as exc:  # handed to the loading process, which raises it
            answer = ("error", exc)
        try:
            conn.send(answer)
        except (TypeError, AttributeError, pickle.PicklingError):  # an exception that cannot be pickled
            conn.send(("error", RuntimeError(repr(answer[1]))))


class _Workers:
    """Forked mapping processes, each fed over a pipe with one batch at a time.

    Pipes rather than a process pool: a pool answers through helper threads in this process, and any
    thread beside the one that writes to the database makes it wait for the interpreter lock on every
    row SQLite steps through (each step lets go of the lock). Here this thread alone sends, receives
    and writes. A worker's next batch goes out as soon as its answer is in, before that answer is
    written, so the workers map while this process writes.
    """

    def __init__(self, count: int, profile: Profile, columns: list[str]) -> None:
        context = multiprocessing.get_context("fork")  # the workers need only the profile
        self.conns: list[Connection] = []
        self.procs: list[multiprocessing.process.BaseProcess] = []
        for _ in range(count):
            ours, theirs = context.Pipe()
            proc = context.Process(target=_worker_main, args=(theirs, profile, columns), daemon=True)
            proc.start()
            theirs.close()
            self.conns.append(ours)
            self.procs.append(proc)

    def send(self, worker: int, values: list[Any]) -> None:
        try:
            self.conns[worker].send(values)
        except (BrokenPipeError, ConnectionResetError, EOFError):
            raise _worker_died() from None

    def receive(self, worker: int) -> list[Mapped]:
        try:
            status, answer = self.conns[worker].recv()
        except (EOFError, ConnectionResetError, OSError):
            raise _worker_died() from None
        if status == "error":
            raise answer
        return _as_mapped(answer)

    def close(self, abort: bool = False) -> None:
        """Stop the workers: ask them to finish, or (``abort``) end them at once, since a worker
        still mapping a batch nobody will read would wait on its answer until killed anyway."""
        for conn, proc in zip(self.conns, self.procs, strict=True):
            if not abort:
                with suppress(OSError):  # a worker that died has nothing left to stop
                    conn.send(None)
                proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join()
            conn.close()


def _mapped_batches(
    rows: Iterator[InputRow], columns: list[str], ctx: _Context, batch_size: int, workers: int
) -> Iterator[tuple[list[InputRow], list[Mapped]]]:
    """Batches of rows with their mapping, in file order; one batch in flight per worker."""
    if workers == 0:
        mapper = BatchMapper(ctx.mapper)
        for chunk in _batches(rows, batch_size):
            yield chunk, _map_in_process(mapper, chunk)
        return
    pool = _Workers(workers, ctx.profile, columns)
    try:
        in_flight: deque[tuple[list[InputRow], int]] = deque()
        for index, chunk in enumerate(_batches(rows, batch_size)):
            worker = index % workers
            values = [_wire(r, columns) for r in chunk]
            if len(in_flight) < workers:
                pool.send(worker, values)
                in_flight.append((chunk, worker))
                continue
            done, from_worker = in_flight.popleft()  # the same worker: batches go round in turn
            mapped = pool.receive(from_worker)
            pool.send(worker, values)
            in_flight.append((chunk, worker))
            yield done, mapped
        while in_flight:
            done, from_worker = in_flight.popleft()
            yield done, pool.receive(from_worker)
    except BaseException:
        pool.close(abort=True)
        raise
    pool.close()


# --- deciding what each row means for the store ------------------------------------------------------


def _process(
    rows: list[InputRow], mapped: list[Mapped], ctx: _Context, repo: Repository, run_id: int
) -> tuple[Batch, dict[str, int], dict[str, tuple[str, int]]]:
    counts = dict.fromkeys(RUN_COUNTERS, 0)
    counts["rows_read"] = len(rows)
    seen = ctx.seen
    heads = repo.heads({b.record_id for built, _ in mapped for b in built if b.record_id not in seen})
    # a content that differs from the head may still be a re-delivery of an older version of this file
    maybe_old = {
        (b.record_id, b.payload_sha256)
        for built, _ in mapped
        for b in built
        if b.record_id in heads and heads[b.record_id].payload_sha256 != b.payload_sha256
    }
    redelivered = repo.stored_from_file(maybe_old, ctx.file_sha256)

    batch = Batch([], [], [], [], [], [], [])
    now = utcnow()
    markings = ctx.mapper.markings
    markings_json = ctx.mapper.markings_json.decode()
    owner, nation = markings.owner, markings.owner_nation
    disclosure, orcon = markings.disclosure.value, markings.originator_controlled
    file_sha, file_name, profile_name = ctx.file_sha256, ctx.file_name, ctx.profile.name
    pending: dict[str, tuple[str, int]] = {}
    for row, (built, issues) in zip(rows, mapped, strict=True):
        if row.issue is not None:
            issues = [row.issue]
        elif not issues and not built:
            issues = [
                RowIssue("no_records", "the row states no record", "la fila no contiene ningún registro")
            ]
        if not issues:
            for record in built:
                prior = pending.get(record.record_id) or seen.get(record.record_id)
                if prior is not None and prior[0] != record.payload_sha256:
                    issues.append(_duplicate_issue(record.record_type, record.record_id, prior[1]))
        if issues:
            batch.quarantined.append(_quarantine_row(row, issues, ctx, run_id))
            counts["rows_quarantined"] += 1
            continue
        row_is_duplicate = True
        row_has_version = False
        for record in built:
            rid = record.record_id
            if rid in pending or rid in seen:
                continue  # same content already handled in this run
            row_is_duplicate = False
            pending[rid] = (record.payload_sha256, row.row_number)
            head = heads.get(rid)
            if head is not None and (
                head.payload_sha256 == record.payload_sha256 or (rid, record.payload_sha256) in redelivered
            ):
                counts["records_unchanged"] += 1
                continue
            version = 1 if head is None else head.version + 1
            row_has_version = True
            if head is not None and head.remarked_by:  # a steward's marking outlives the profile's
                marked = (head.markings, head.disclosure, head.originator_controlled, head.marking_set_id)
                remarked_by = head.remarked_by
            else:
                marked = (markings_json, disclosure, orcon, ctx.marking_set_id)
                remarked_by = None
            batch.versions.append(
                (
                    rid,
                    version,
                    record.record_type,
                    owner,
                    record.payload_sha256,
                    record.canonical,
                    marked[0],
                    file_sha,
                    file_name,
                    row.sheet,
                    row.row_number,
                    profile_name,
                    run_id,
                    now,
                    None,
                )
            )
            head_row = (
                rid,
                record.record_type,
                owner,
                nation,
                version,
                record.payload_sha256,
                file_sha,
                marked[0],
                marked[1],
                marked[2],
                run_id,
                now,
                marked[3],
                remarked_by,
            )
            if head is None:
                batch.new_heads.append(head_row)
                counts["records_new"] += 1
            else:
                batch.changed_heads.append(head_row)
                counts["records_new_version"] += 1
        if row_has_version:
            raw = orjson.dumps(row.raw, default=str)
            batch.rows.append(
                (file_sha, row.sheet, row.row_number, raw.decode(), hashlib.sha256(raw).hexdigest())
            )
        if row_is_duplicate:
            counts["rows_duplicate"] += 1
        if ctx.resolve_quarantine:
            batch.resolved.append((file_sha, profile_name, row.sheet, row.row_number))
        if row.row_number in ctx.resubmitted:
            batch.resolved_ids.append(ctx.resubmitted[row.row_number])
    return batch, counts, pending


def _remember(ctx: _Context, rows: list[InputRow], mapped: list[Mapped]) -> None:
    """Rebuild what a committed part of an interrupted run saw, without writing anything."""
    for row, (built, issues) in zip(rows, mapped, strict=True):
        if row.issue is not None or issues:
            continue
        if any(b.record_id in ctx.seen and ctx.seen[b.record_id][0] != b.payload_sha256 for b in built):
            continue
        for b in built:
            ctx.seen.setdefault(b.record_id, (b.payload_sha256, row.row_number))


def _batches(rows: Iterator[InputRow], size: int) -> Iterator[list[InputRow]]:
    while chunk := list(islice(rows, size)):
        yield chunk


class _Committer:
    """Writes batches in file order, each in one transaction with the run's checkpoint.

    In the loading thread itself: a writer thread would wait for the interpreter lock after every
    row SQLite steps through while another thread maps or reads, which made writing several times
    slower than the work it was meant to overlap.
    """

    def __init__(
        self,
        db: Database,
        ctx: _Context,
        run_id: int,
        checkpoint: int,
        expected: int | None,
        progress: Progress | None,
    ) -> None:
        self.db, self.ctx, self.run_id, self.checkpoint = db, ctx, run_id, checkpoint
        self.expected, self.progress = expected, progress
        self.done = 0

    def commit(self, chunk: list[InputRow], mapped: list[Mapped]) -> None:
        ctx, checkpoint = self.ctx, self.checkpoint
        if chunk[0].seq < checkpoint:  # committed before an interruption: only remember it
            cut = next((i for i, r in enumerate(chunk) if r.seq >= checkpoint), len(chunk))
            _remember(ctx, chunk[:cut], mapped[:cut])
            self.done += cut
            chunk, mapped = chunk[cut:], mapped[cut:]
            if not chunk:
                return
        with self.db.engine.begin() as conn:
            repo = Repository(conn)
            batch, counts, pending = _process(chunk, mapped, ctx, repo, self.run_id)
            repo.write(batch, self.run_id)
            repo.advance_run(self.run_id, counts, chunk[-1].seq + 1)
        ctx.seen.update(pending)
        self.done += len(chunk)
        if self.progress:
            self.progress(self.done, self.expected)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """A load makes millions of short-lived objects and keeps large caches alive: the cycle
    collector would rescan those caches over and over (a third of a load's time, measured), while
    what a load throws away has no cycles and is freed by reference counting anyway. Forked mapping
    workers inherit the setting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run_load(
    db: Database,
    source: Source,
    ctx: _Context,
    *,
    file_path: Path | None,
    size: int,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    expected: int | None = None,
) -> LoadReport:
    profile = ctx.profile
    with db.engine.begin() as conn:
        repo = Repository(conn)
        if file_path is not None:
            blob = keep_original(db, file_path, ctx.file_sha256)
            repo.register_source_file(ctx.file_sha256, ctx.file_name, size, str(blob))
        resumable = repo.resumable_run(ctx.file_sha256, profile.name, profile.sha256)
        if resumable:
            run_id, checkpoint = int(resumable["id"]), int(resumable["checkpoint"])
            try:
                repo.take_over(resumable)
            except RunInProgress as exc:
                raise LoadError(
                    "load_in_progress",
                    f"{ctx.file_name} is being loaded now by {exc.holder} (run {run_id}); wait for it",
                    f"{ctx.file_name} se está cargando ahora en {exc.holder} (carga {run_id}); espere",
                ) from None
        else:
            run_id = repo.create_run(
                profile=profile.name,
                profile_sha256=profile.sha256,
                owner=profile.agency,
                file_sha256=ctx.file_sha256,
                file_name=ctx.file_name,
                columns=source.columns,
            )
            checkpoint = 0
        ctx.resolve_quarantine = ctx.resolve_quarantine or repo.open_quarantine_exists(
            ctx.file_sha256, profile.name
        )
        ctx.marking_set_id = repo.marking_set(
            ctx.mapper.markings_json.decode(), ctx.mapper.markings.releasable_to
        )
    workers = workers_for(expected, batch_size)
    if workers:
        db.engine.dispose()  # forked workers must not inherit open database connections
    committer = _Committer(db, ctx, run_id, checkpoint, expected, progress)
    try:
        with _no_cycle_collection():
            for chunk, mapped in _mapped_batches(source.rows, source.columns, ctx, batch_size, workers):
                committer.commit(chunk, mapped)
    except LoadError as exc:
        with db.engine.begin() as conn:
            Repository(conn).finish_run(run_id, "failed", exc.en)
        raise
    with db.engine.begin() as conn:
        repo = Repository(conn)
        repo.finish_run(run_id, "completed")
        run = repo.run(run_id)
    known = profile.known_columns()
    return LoadReport(
        run_id=run_id,
        file=ctx.file_name,
        profile=profile.name,
        status="completed",
        rows_read=run["rows_read"],
        records_new=run["records_new"],
        records_new_version=run["records_new_version"],
        records_unchanged=run["records_unchanged"],
        rows_duplicate=run["rows_duplicate"],
        rows_quarantined=run["rows_quarantined"],
        resumed=bool(resumable),
        unmapped_columns=[c for c in source.columns if c and c not in known],
    )


def renew_statistics(db: Database, reports: Sequence[LoadReport]) -> None:
    """After loads that stored many records, PostgreSQL's planner statistics of the record tables
    (see ``Database.analyze``). Called once by whoever ran a batch of loads (the CLI, the pages,
    the API), after them rather than inside each, since it takes seconds on a large store."""
    if sum(r.records_stored for r in reports) >= ANALYZE_AFTER:
        db.analyze("records", "record_versions", "source_rows")


def ingest_file(
    db: Database,
    path: Path,
    profile: Profile,
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> LoadReport:
    """Load one agency file through its profile. Raises LoadError when the load cannot run."""
    path = Path(path)
    mapper = RowMapper(profile)
    try:
        source = open_source(path, profile)
    except LoadError as exc:
        _record_failure(db, path, profile, exc)
        raise
    sha = file_sha256(path)
    ctx = _Context(profile, mapper, sha, path.name, resolve_quarantine=False)
    return run_load(
        db,
        source,
        ctx,
        file_path=path,
        size=path.stat().st_size,
        batch_size=batch_size,
        progress=progress,
        expected=_count_lines(path),
    )


def _record_failure(db: Database, path: Path, profile: Profile, exc: LoadError) -> None:
    """A load that could not run is still on record for the steward, with its reason."""
    if not path.is_file():
        return
    sha = file_sha256(path)
    with db.engine.begin() as conn:
        repo = Repository(conn)
        blob = keep_original(db, path, sha)
        repo.register_source_file(sha, path.name, path.stat().st_size, str(blob))
        repo.create_run(
            profile=profile.name,
            profile_sha256=profile.sha256,
            owner=profile.agency,
            file_sha256=sha,
            file_name=path.name,
            columns=[],
            status="failed",
            error=f"{exc.code}: {exc.en}",
        )
