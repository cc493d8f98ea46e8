"""Writes and reads of records, load runs and the quarantine.

Bulk writes go through the driver directly (sqlite3 ``executemany``; PostgreSQL ``COPY``) inside
the SQLAlchemy transaction: the ORM-level paths cost more per row than the whole validation of a
row, and ingest has a budget of 50,000 records/s.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, Table, func, insert, select, update

from puente.model.provenance import Provenance
from puente.store.schema import (
    load_runs,
    marking_grants,
    marking_sets,
    quarantine,
    record_versions,
    records,
    source_files,
    source_rows,
)

VERSION_COLUMNS = (
    "record_id",
    "version",
    "record_type",
    "owner",
    "payload_sha256",
    "canonical",
    "markings",
    "file_sha256",
    "file_name",
    "sheet",
    "row_number",
    "profile",
    "load_run_id",
    "received_at",
    "remarked_by",
)
HEAD_COLUMNS = (
    "record_id",
    "record_type",
    "owner",
    "owner_nation",
    "version",
    "payload_sha256",
    "file_sha256",
    "markings",
    "disclosure",
    "originator_controlled",
    "load_run_id",
    "updated_at",
    "marking_set_id",
    "remarked_by",
)
QUARANTINE_COLUMNS = (
    "file_sha256",
    "file_name",
    "sheet",
    "row_number",
    "profile",
    "owner",
    "load_run_id",
    "code",
    "field",
    "reason_en",
    "reason_es",
    "errors",
    "raw",
    "status",
    "created_at",
)
RUN_COUNTERS = (
    "rows_read",
    "records_new",
    "records_new_version",
    "records_unchanged",
    "rows_duplicate",
    "rows_quarantined",
)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored moment as an aware UTC time: SQLite hands back naive ones (they are stored in UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def holder_alive(holder: str) -> bool:
    """Whether the process named ``host:pid`` still runs. Another host's process is presumed alive."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


class RunInProgress(RuntimeError):
    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder


@dataclass(frozen=True, slots=True)
class Head:
    version: int
    payload_sha256: str
    file_sha256: str
    # a steward's re-marking (who, and the marking chosen), kept by later versions from loads
    remarked_by: str | None = None
    markings: str = ""
    disclosure: str = ""
    originator_controlled: bool = False
    marking_set_id: int | None = None


@dataclass
class Batch:
    """Everything one committed step of a load writes."""

    versions: list[tuple[Any, ...]]
    rows: list[
        tuple[str, str, int, str]
    ]  # (file_sha256, sheet, row_number, raw JSON) of rows with new versions
    new_heads: list[tuple[Any, ...]]
    changed_heads: list[tuple[Any, ...]]
    quarantined: list[tuple[Any, ...]]
    resolved: list[tuple[str, str, str, int]]  # (file_sha256, profile, sheet, row_number) now stored
    resolved_ids: list[int]  # quarantine entries fixed by a re-submission


def _sqlite_time(value: dt.datetime) -> str:
    # The text form SQLAlchemy's SQLite DateTime type reads back.
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")


def _sqlite_rows(rows: list[tuple[Any, ...]], at: int = -1) -> list[tuple[Any, ...]]:
    """Rows with the time at position ``at`` as SQLite text (the rows of a batch share it)."""
    memo: dict[dt.datetime, str] = {}
    out = []
    for row in rows:
        when = row[at]
        text = memo.get(when)
        if text is None:
            text = memo[when] = _sqlite_time(when)
        values = list(row)
        values[at] = text
        out.append(tuple(values))
    return out


def _placeholders(n: int) -> str:
    return ", ".join("?" * n)


class Repository:
    """Record and load-run persistence over one SQLAlchemy connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name

    def bulk_insert(self, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Insert many plain rows (text, numbers) inside the caller's transaction: executemany on
        SQLite, COPY on PostgreSQL; several times cheaper than SQLAlchemy's parameter handling."""
        raw = self.conn.connection.driver_connection
        names = ", ".join(columns)
        if self.dialect == "sqlite":
            cursor = raw.cursor()  # type: ignore[union-attr]
            try:
                cursor.executemany(
                    f"INSERT INTO {table.name} ({names}) VALUES ({_placeholders(len(columns))})", rows
                )
            finally:
                cursor.close()
            return
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)

    # --- source files and load runs ---------------------------------------------------------

    def register_source_file(self, sha256: str, name: str, size: int, blob_path: str) -> None:
        exists = self.conn.execute(
            select(source_files.c.sha256).where(source_files.c.sha256 == sha256)
        ).first()
        if not exists:
            self.conn.execute(
                insert(source_files).values(
                    sha256=sha256, name=name, size=size, blob_path=blob_path, received_at=utcnow()
                )
            )

    def resumable_run(self, file_sha256: str, profile: str, profile_sha256: str) -> dict[str, Any] | None:
        row = (
            self.conn.execute(
                select(load_runs)
                .where(
                    load_runs.c.file_sha256 == file_sha256,
                    load_runs.c.profile == profile,
                    load_runs.c.profile_sha256 == profile_sha256,
                    # a run killed midway, or stopped by an error after some batches were committed
                    (load_runs.c.status == "running")
                    | ((load_runs.c.status == "failed") & (load_runs.c.checkpoint > 0)),
                )
                .order_by(load_runs.c.id.desc())
            )
            .mappings()
            .first()
        )
        return dict(row) if row else None

    def create_run(
        self,
        *,
        profile: str,
        profile_sha256: str,
        owner: str,
        file_sha256: str,
        file_name: str,
        columns: Sequence[str],
        status: str = "running",
        error: str | None = None,
    ) -> int:
        now = utcnow()
        values: dict[str, Any] = {
            "profile": profile,
            "profile_sha256": profile_sha256,
            "owner": owner,
            "file_sha256": file_sha256,
            "file_name": file_name,
            "columns": orjson.dumps(list(columns)).decode(),
            "status": status,
            "started_at": now,
            "finished_at": now if status != "running" else None,
            "checkpoint": 0,
            "error": error,
            "holder": this_process() if status == "running" else None,
        }
        values.update(dict.fromkeys(RUN_COUNTERS, 0))
        result = self.conn.execute(insert(load_runs).values(**values).returning(load_runs.c.id))
        return int(result.scalar_one())

    def take_over(self, run: dict[str, Any]) -> None:
        """Resume an interrupted run in this process, unless the process that runs it is alive."""
        holder = run.get("holder")
        if run["status"] == "running" and holder and holder != this_process() and holder_alive(holder):
            raise RunInProgress(holder)
        self.conn.execute(
            update(load_runs)
            .where(load_runs.c.id == run["id"])
            .values(status="running", finished_at=None, error=None, holder=this_process())
        )

    def advance_run(self, run_id: int, increments: dict[str, int], checkpoint: int) -> None:
        values: dict[str, Any] = {
            name: load_runs.c[name] + amount for name, amount in increments.items() if amount
        }
        values["checkpoint"] = checkpoint
        self.conn.execute(update(load_runs).where(load_runs.c.id == run_id).values(**values))

    def finish_run(self, run_id: int, status: str, error: str | None = None) -> None:
        self.conn.execute(
            update(load_runs)
            .where(load_runs.c.id == run_id)
            .values(status=status, finished_at=None if status == "running" else utcnow(), error=error)
        )

    def run(self, run_id: int) -> dict[str, Any]:
        return dict(self.conn.execute(select(load_runs).where(load_runs.c.id == run_id)).mappings().one())

    def runs(
        self, limit: int = 50, owner: str | None = None, run_id: int | None = None
    ) -> list[dict[str, Any]]:
        """The newest load runs, of one owner agency or all, or the one with this id."""
        query = select(load_runs).order_by(load_runs.c.id.desc()).limit(limit)
        if owner is not None:
            query = query.where(load_runs.c.owner == owner)
        if run_id is not None:
            query = query.where(load_runs.c.id == run_id)
        return [dict(r) for r in self.conn.execute(query).mappings()]

    # --- records -------------------------------------------------------------------------------

    def marking_set(self, markings_json: str, grantees: Iterable[str]) -> int:
        """The id of this exact marking (stored once, with a grant row per nation or agency)."""
        digest = hashlib.sha256(markings_json.encode("utf-8")).hexdigest()
        found = self.conn.execute(select(marking_sets.c.id).where(marking_sets.c.sha256 == digest)).scalar()
        if found is not None:
            return int(found)
        new_id = int(
            self.conn.execute(
                insert(marking_sets)
                .values(sha256=digest, markings=markings_json)
                .returning(marking_sets.c.id)
            ).scalar_one()
        )
        for grantee in sorted(set(grantees)):
            self.conn.execute(insert(marking_grants).values(marking_set_id=new_id, grantee=grantee))
        return new_id

    def heads(self, record_ids: Iterable[str]) -> dict[str, Head]:
        ids = list(record_ids)
        found: dict[str, Head] = {}
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            for start in range(0, len(ids), 5000):
                chunk = ids[start : start + 5000]
                columns = (
                    "SELECT record_id, version, payload_sha256, file_sha256, remarked_by, "
                    "CASE WHEN remarked_by IS NULL THEN '' ELSE markings END, disclosure, "
                    "originator_controlled, marking_set_id FROM records "
                )
                if self.dialect == "sqlite":
                    cursor.execute(columns + f"WHERE record_id IN ({_placeholders(len(chunk))})", chunk)
                else:
                    cursor.execute(columns + "WHERE record_id = ANY(%s)", (chunk,))
                for rid, version, digest, file_sha, by, marks, disclosure, orcon, set_id in cursor:
                    found[rid] = Head(version, digest, file_sha, by, marks, disclosure, bool(orcon), set_id)
        finally:
            cursor.close()
        return found

    def stored_from_file(self, pairs: Iterable[tuple[str, str]], file_sha256: str) -> set[tuple[str, str]]:
        """Which (record_id, payload_sha256) pairs some version from this file already holds."""
        wanted = set(pairs)
        if not wanted:
            return set()
        ids = sorted({rid for rid, _ in wanted})
        rows = self.conn.execute(
            select(record_versions.c.record_id, record_versions.c.payload_sha256).where(
                record_versions.c.record_id.in_(ids), record_versions.c.file_sha256 == file_sha256
            )
        )
        return {(r, h) for r, h in rows if (r, h) in wanted}

    def open_quarantine_exists(self, file_sha256: str, profile: str) -> bool:
        row = self.conn.execute(
            select(quarantine.c.id)
            .where(
                quarantine.c.file_sha256 == file_sha256,
                quarantine.c.profile == profile,
                quarantine.c.status == "open",
            )
            .limit(1)
        ).first()
        return row is not None

    def _new_source_rows(
        self, rows: list[tuple[str, str, int, str, str]]
    ) -> list[tuple[str, str, int, str, str]]:
        """Rows not yet kept: a row re-read under a changed profile is already there."""
        if not rows:
            return rows
        keys = {(r[0], r[1]) for r in rows}
        present: set[tuple[str, str, int]] = set()
        for file_sha, sheet in keys:
            numbers = [r[2] for r in rows if r[0] == file_sha and r[1] == sheet]
            found = self.conn.execute(
                select(source_rows.c.row_number).where(
                    source_rows.c.file_sha256 == file_sha,
                    source_rows.c.sheet == sheet,
                    source_rows.c.row_number.between(min(numbers), max(numbers)),
                )
            )
            present.update((file_sha, sheet, n) for (n,) in found)
        return [r for r in rows if (r[0], r[1], r[2]) not in present]

    def write(self, batch: Batch, run_id: int) -> None:
        batch.rows = self._new_source_rows(batch.rows)
        raw = self.conn.connection.driver_connection
        if self.dialect == "sqlite":
            self._write_sqlite(raw, batch)
        else:
            self._write_postgres(raw, batch)
        if batch.resolved_ids:
            self.conn.execute(
                update(quarantine)
                .where(quarantine.c.id.in_(batch.resolved_ids), quarantine.c.status == "open")
                .values(status="resolved", resolved_run_id=run_id)
            )
        if batch.resolved:
            for file_sha, profile, sheet, row_number in batch.resolved:
                self.conn.execute(
                    update(quarantine)
                    .where(
                        quarantine.c.file_sha256 == file_sha,
                        quarantine.c.profile == profile,
                        quarantine.c.sheet == sheet,
                        quarantine.c.row_number == row_number,
                        quarantine.c.status == "open",
                    )
                    .values(status="resolved", resolved_run_id=run_id)
                )

    def _write_sqlite(self, raw: Any, batch: Batch) -> None:
        cursor = raw.cursor()
        try:
            if batch.rows:
                cursor.executemany(
                    "INSERT INTO source_rows (file_sha256, sheet, row_number, raw, raw_sha256) "
                    "VALUES (?, ?, ?, ?, ?)",
                    batch.rows,
                )
            if batch.versions:
                cursor.executemany(
                    f"INSERT INTO record_versions ({', '.join(VERSION_COLUMNS)}) "
                    f"VALUES ({_placeholders(len(VERSION_COLUMNS))})",
                    _sqlite_rows(batch.versions, at=13),
                )
            if batch.new_heads:
                cursor.executemany(
                    f"INSERT INTO records ({', '.join(HEAD_COLUMNS)}) "
                    f"VALUES ({_placeholders(len(HEAD_COLUMNS))})",
                    _sqlite_rows(batch.new_heads, at=11),
                )
            if batch.changed_heads:
                cursor.executemany(
                    "UPDATE records SET version = ?, payload_sha256 = ?, file_sha256 = ?, markings = ?, "
                    "disclosure = ?, originator_controlled = ?, load_run_id = ?, updated_at = ?, "
                    "marking_set_id = ?, remarked_by = ? "
                    "WHERE record_id = ?",
                    [
                        (r[4], r[5], r[6], r[7], r[8], r[9], r[10], _sqlite_time(r[11]), r[12], r[13], r[0])
                        for r in batch.changed_heads
                    ],
                )
            if batch.quarantined:
                cursor.executemany(
                    f"INSERT OR IGNORE INTO quarantine ({', '.join(QUARANTINE_COLUMNS)}) "
                    f"VALUES ({_placeholders(len(QUARANTINE_COLUMNS))})",
                    _sqlite_rows(batch.quarantined),
                )
        finally:
            cursor.close()

    def _write_postgres(self, raw: Any, batch: Batch) -> None:
        with raw.cursor() as cursor:
            if batch.rows:
                with cursor.copy(
                    "COPY source_rows (file_sha256, sheet, row_number, raw, raw_sha256) FROM STDIN"
                ) as copy:
                    for row in batch.rows:
                        copy.write_row(row)
            if batch.versions:
                with cursor.copy(f"COPY record_versions ({', '.join(VERSION_COLUMNS)}) FROM STDIN") as copy:
                    for row in batch.versions:
                        copy.write_row(row)
            if batch.new_heads:
                with cursor.copy(f"COPY records ({', '.join(HEAD_COLUMNS)}) FROM STDIN") as copy:
                    for row in batch.new_heads:
                        copy.write_row(row)
            if batch.changed_heads:
                cursor.executemany(
                    "UPDATE records SET version = %s, payload_sha256 = %s, file_sha256 = %s, markings = %s, "
                    "disclosure = %s, originator_controlled = %s, load_run_id = %s, updated_at = %s, "
                    "marking_set_id = %s, remarked_by = %s "
                    "WHERE record_id = %s",
                    [
                        (r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[0])
                        for r in batch.changed_heads
                    ],
                )
            if batch.quarantined:
                cursor.executemany(
                    f"INSERT INTO quarantine ({', '.join(QUARANTINE_COLUMNS)}) "
                    f"VALUES ({', '.join(['%s'] * len(QUARANTINE_COLUMNS))}) ON CONFLICT DO NOTHING",
                    batch.quarantined,
                )

    # --- status --------------------------------------------------------------------------------

    def counts_by_type_and_owner(self) -> list[tuple[str, str, int]]:
        rows = self.conn.execute(
            select(records.c.record_type, records.c.owner, func.count())
            .group_by(records.c.record_type, records.c.owner)
            .order_by(records.c.owner, records.c.record_type)
        )
        return [(t, o, int(n)) for t, o, n in rows]

    def quarantine_counts(self) -> list[tuple[str, str, int]]:
        rows = self.conn.execute(
            select(quarantine.c.owner, quarantine.c.status, func.count())
            .group_by(quarantine.c.owner, quarantine.c.status)
            .order_by(quarantine.c.owner, quarantine.c.status)
        )
        return [(o, s, int(n)) for o, s, n in rows]

    def provenance(self, record_id: str, version: int | None = None) -> tuple[Provenance, str] | None:
        """Where a version of a record came from, and the row as read (newest version by default)."""
        query = (
            select(record_versions, source_rows.c.raw, source_rows.c.raw_sha256)
            .join(
                source_rows,
                (source_rows.c.file_sha256 == record_versions.c.file_sha256)
                & (source_rows.c.sheet == record_versions.c.sheet)
                & (source_rows.c.row_number == record_versions.c.row_number),
            )
            .where(record_versions.c.record_id == record_id)
            .order_by(record_versions.c.version.desc())
        )
        if version is not None:
            query = query.where(record_versions.c.version == version)
        row = self.conn.execute(query.limit(1)).mappings().first()
        if row is None:
            return None
        provenance = Provenance(
            file_name=row["file_name"],
            file_sha256=row["file_sha256"],
            row_number=row["row_number"],
            sheet=row["sheet"] or None,
            load_run_id=row["load_run_id"],
            profile=row["profile"],
            received_at=row["received_at"],
            payload_sha256=row["payload_sha256"],
            raw_sha256=row["raw_sha256"],
        )
        return provenance, row["raw"]

    def version_count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(record_versions)).scalar_one())
