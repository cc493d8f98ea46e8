"""Load runs: read a file through its profile, store or quarantine every row, resumably.

Each batch of rows is written in one transaction together with the run's checkpoint, so a load
killed at any moment resumes after the last committed batch and ends with exactly what one clean
load gives. Idempotence comes from the records themselves: a record whose content hash matches its
newest version is unchanged; a content already stored from the same file is a re-delivery.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from puente.ingest.issues import LoadError, RowIssue
from puente.ingest.mapping import BuiltRecord, RowMapper
from puente.ingest.profiles import Profile
from puente.ingest.readers import InputRow, Source, open_source
from puente.store.db import Database
from puente.store.repository import Batch, Repository, utcnow

Progress = Callable[[int, int | None], None]  # rows done, rows expected (if known)
DEFAULT_BATCH = 5000


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
    # record_id -> (payload hash, row number) for every record this run has stored or confirmed
    seen: dict[str, tuple[str, int]] = field(default_factory=dict)


def _duplicate_issue(built: BuiltRecord, first_row: int) -> RowIssue:
    return RowIssue(
        "conflicting_duplicate",
        f"{built.record_type} '{built.record_id}' already appears at row {first_row} of this file with "
        "different content; which one is right?",
        f"{built.record_type} '{built.record_id}' ya aparece en la fila {first_row} de este archivo con "
        "contenido distinto; ¿cuál es el correcto?",
        "id",
    )


def _process(
    rows: list[InputRow], ctx: _Context, repo: Repository, run_id: int
) -> tuple[Batch, dict[str, int], dict[str, tuple[str, int]]]:
    counts = dict.fromkeys(
        (
            "rows_read",
            "records_new",
            "records_new_version",
            "records_unchanged",
            "rows_duplicate",
            "rows_quarantined",
        ),
        0,
    )
    counts["rows_read"] = len(rows)
    mapped: list[tuple[InputRow, list[BuiltRecord], list[RowIssue]]] = []
    for row in rows:
        if row.issue is not None or row.values is None:
            mapped.append((row, [], [row.issue] if row.issue else []))
        else:
            built, issues = ctx.mapper.map_row(row.values)
            mapped.append((row, built, issues))
    heads = repo.heads({b.record_id for _, built, _ in mapped for b in built if b.record_id not in ctx.seen})
    # a content that differs from the head may still be a re-delivery of an older version of this file
    maybe_old = {
        (b.record_id, b.payload_sha256)
        for _, built, _ in mapped
        for b in built
        if b.record_id in heads and heads[b.record_id].payload_sha256 != b.payload_sha256
    }
    redelivered = repo.stored_from_file(maybe_old, ctx.file_sha256)

    batch = Batch([], [], [], [], [], [])
    now = utcnow()
    markings = ctx.mapper.markings
    markings_json = ctx.mapper.markings_json.decode()
    owner, nation = markings.owner, markings.owner_nation
    disclosure, orcon = markings.disclosure.value, markings.originator_controlled
    pending: dict[str, tuple[str, int]] = {}
    for row, built, issues in mapped:
        if not issues and not built:
            issues = [
                RowIssue("no_records", "the row states no record", "la fila no contiene ningún registro")
            ]
        if not issues:
            for record in built:
                prior = pending.get(record.record_id) or ctx.seen.get(record.record_id)
                if prior is not None and prior[0] != record.payload_sha256:
                    issues.append(_duplicate_issue(record, prior[1]))
        if issues:
            batch.quarantined.append(_quarantine_row(row, issues, ctx, run_id))
            counts["rows_quarantined"] += 1
            continue
        raw_json: str | None = None
        row_is_duplicate = True
        for record in built:
            rid = record.record_id
            if rid in pending or rid in ctx.seen:
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
            if raw_json is None:
                raw_json = orjson.dumps(row.raw, default=str).decode()
            batch.versions.append(
                (
                    rid,
                    version,
                    record.record_type,
                    owner,
                    record.payload_sha256,
                    record.canonical,
                    raw_json,
                    markings_json,
                    ctx.file_sha256,
                    ctx.file_name,
                    row.sheet,
                    row.row_number,
                    ctx.profile.name,
                    run_id,
                    now,
                )
            )
            head_row = (
                rid,
                record.record_type,
                owner,
                nation,
                version,
                record.payload_sha256,
                ctx.file_sha256,
                markings_json,
                disclosure,
                orcon,
                run_id,
                now,
            )
            if head is None:
                batch.new_heads.append(head_row)
                counts["records_new"] += 1
            else:
                batch.changed_heads.append(head_row)
                counts["records_new_version"] += 1
        if row_is_duplicate:
            counts["rows_duplicate"] += 1
        if ctx.resolve_quarantine:
            batch.resolved.append((ctx.file_sha256, ctx.profile.name, row.sheet, row.row_number))
        if row.row_number in ctx.resubmitted:
            batch.resolved_ids.append(ctx.resubmitted[row.row_number])
    return batch, counts, pending


def _batches(rows: Iterator[InputRow], size: int) -> Iterator[list[InputRow]]:
    while chunk := list(islice(rows, size)):
        yield chunk


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
        else:
            run_id, checkpoint = (
                repo.create_run(
                    profile=profile.name,
                    profile_sha256=profile.sha256,
                    owner=profile.agency,
                    file_sha256=ctx.file_sha256,
                    file_name=ctx.file_name,
                    columns=source.columns,
                ),
                0,
            )
        ctx.resolve_quarantine = ctx.resolve_quarantine or repo.open_quarantine_exists(
            ctx.file_sha256, profile.name
        )
    rows = source.rows
    done = 0
    if checkpoint:
        # Rebuild what the committed part of this run has seen, without writing anything.
        for row in islice(rows, checkpoint):
            if row.values is None or row.issue is not None:
                continue
            built, issues = ctx.mapper.map_row(row.values)
            if issues:
                continue
            conflict = any(
                b.record_id in ctx.seen and ctx.seen[b.record_id][0] != b.payload_sha256 for b in built
            )
            if not conflict:
                for b in built:
                    ctx.seen.setdefault(b.record_id, (b.payload_sha256, row.row_number))
        done = checkpoint
        if progress:
            progress(done, expected)
    try:
        for chunk in _batches(rows, batch_size):
            with db.engine.begin() as conn:
                repo = Repository(conn)
                batch, counts, pending = _process(chunk, ctx, repo, run_id)
                repo.write(batch, run_id)
                done += len(chunk)
                repo.advance_run(run_id, counts, chunk[-1].seq + 1)
            ctx.seen.update(pending)
            if progress:
                progress(done, expected)
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
