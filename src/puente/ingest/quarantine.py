"""The quarantine a data steward works from: list, show, export to fix, and re-submit."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select

from puente.ingest.issues import LoadError
from puente.ingest.mapping import RowMapper
from puente.ingest.pipeline import LoadReport, _Context, file_sha256, run_load
from puente.ingest.profiles import load_profile
from puente.ingest.readers import flatten_json, rows_from_records
from puente.store.db import Database
from puente.store.schema import load_runs, quarantine

QUARANTINE_ID = "_quarantine_id"
_READER_META = {"_fields", "_line", "_error", "_beyond_header"}  # what readers add to a raw row
_EXPORT_META = (QUARANTINE_ID, "_file", "_row", "_reason_en", "_reason_es")


@dataclass(frozen=True)
class Entry:
    id: int
    file_name: str
    sheet: str
    row_number: int
    profile: str
    owner: str
    code: str
    field: str | None
    reason_en: str
    reason_es: str
    errors: list[dict[str, Any]]
    raw: Any
    status: str
    load_run_id: int


def _entry(row: Any) -> Entry:
    return Entry(
        id=row.id,
        file_name=row.file_name,
        sheet=row.sheet,
        row_number=row.row_number,
        profile=row.profile,
        owner=row.owner,
        code=row.code,
        field=row.field,
        reason_en=row.reason_en,
        reason_es=row.reason_es,
        errors=orjson.loads(row.errors),
        raw=orjson.loads(row.raw),
        status=row.status,
        load_run_id=row.load_run_id,
    )


def list_entries(
    db: Database,
    *,
    owner: str | None = None,
    status: str | None = "open",
    file_name: str | None = None,
    limit: int | None = None,
) -> list[Entry]:
    query = select(quarantine).order_by(quarantine.c.id)
    if owner:
        query = query.where(quarantine.c.owner == owner)
    if status:
        query = query.where(quarantine.c.status == status)
    if file_name:
        query = query.where(quarantine.c.file_name == file_name)
    if limit:
        query = query.limit(limit)
    with db.engine.connect() as conn:
        return [_entry(r) for r in conn.execute(query)]


def get_entry(db: Database, entry_id: int) -> Entry | None:
    with db.engine.connect() as conn:
        row = conn.execute(select(quarantine).where(quarantine.c.id == entry_id)).first()
    return _entry(row) if row else None


def _header_of(db: Database, run_id: int) -> list[str]:
    with db.engine.connect() as conn:
        columns = conn.execute(
            select(load_runs.c.columns).where(load_runs.c.id == run_id)
        ).scalar_one_or_none()
    return orjson.loads(columns) if columns else []


def _as_columns(entry: Entry, header: list[str]) -> dict[str, str]:
    """The row as the steward's editor should show it: one cell per original column."""
    raw = entry.raw
    if isinstance(raw, dict) and "_fields" in raw and isinstance(raw["_fields"], list):
        fields = [str(v) for v in raw["_fields"]]
        cells = dict(zip(header, fields, strict=False))
        if len(fields) > len(header):
            cells["_extra"] = " | ".join(fields[len(header) :])
        return cells
    if isinstance(raw, dict) and "_line" in raw:
        return {"_line": str(raw["_line"])}
    if isinstance(raw, dict):
        # the columns the profile saw: nested JSON objects flattened to dotted names, as the reader does
        return {k: v for k, v in flatten_json(raw).items() if k not in _READER_META}
    return {"_line": str(raw)}


def export_entries(db: Database, entries: list[Entry], out: Path) -> int:
    """Write entries to a UTF-8 CSV a steward can fix and re-submit; one CSV per profile is simplest."""
    rows: list[dict[str, str]] = []
    columns: list[str] = list(_EXPORT_META)
    headers: dict[int, list[str]] = {}
    for entry in entries:
        if entry.load_run_id not in headers:
            headers[entry.load_run_id] = _header_of(db, entry.load_run_id)
        cells = _as_columns(entry, headers[entry.load_run_id])
        for name in cells:
            if name not in columns:
                columns.append(name)
        rows.append(
            {
                QUARANTINE_ID: str(entry.id),
                "_file": entry.file_name,
                "_row": str(entry.row_number),
                "_reason_en": entry.reason_en,
                "_reason_es": entry.reason_es,
                **cells,
            }
        )
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def resubmit(db: Database, path: Path) -> list[LoadReport]:
    """Load a fixed export: each row goes through the profile of the load that quarantined it.

    A row that now loads resolves its quarantine entry; one that fails again is quarantined
    against the re-submitted file, with the new reason.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or QUARANTINE_ID not in reader.fieldnames:
            raise LoadError(
                "not_an_export",
                f"{path.name} has no '{QUARANTINE_ID}' column: export it with "
                "'puente quarantine export' and fix it there",
                f"{path.name} no tiene la columna '{QUARANTINE_ID}': expórtelo con "
                "'puente quarantine export' y corríjalo ahí",
            )
        fixed = list(reader)
    by_profile: dict[str, list[tuple[Entry, dict[str, str]]]] = defaultdict(list)
    numbers: dict[str, list[int]] = defaultdict(list)
    for number, row in enumerate(fixed, start=2):
        try:
            entry = get_entry(db, int(row.get(QUARANTINE_ID) or ""))
        except ValueError:
            entry = None
        if entry is None:
            raise LoadError(
                "unknown_entry",
                f"{path.name} line {number}: unknown quarantine id '{row.get(QUARANTINE_ID)}'",
                f"{path.name} línea {number}: identificador de cuarentena desconocido "
                f"'{row.get(QUARANTINE_ID)}'",
            )
        values = {
            k: v for k, v in row.items() if k and k not in _EXPORT_META and k not in ("_extra", "_line")
        }
        by_profile[entry.profile].append((entry, values))
        numbers[entry.profile].append(number)
    sha = file_sha256(path)
    reports = []
    for profile_name, items in by_profile.items():
        profile = load_profile(profile_name)
        source = rows_from_records([values for _, values in items], profile, numbers[profile_name])
        ctx = _Context(
            profile,
            RowMapper(profile),
            sha,
            path.name,
            resolve_quarantine=False,
            resubmitted={n: entry.id for n, (entry, _) in zip(numbers[profile_name], items, strict=True)},
        )
        reports.append(
            run_load(db, source, ctx, file_path=path, size=path.stat().st_size, expected=len(items))
        )
    return reports
