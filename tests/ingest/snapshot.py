"""What a load leaves in the database, minus timestamps: for comparing two loads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from puente.store import Database
from puente.store.schema import quarantine, record_versions, records, source_rows


def snapshot(db: Database) -> dict[str, Any]:
    with db.engine.connect() as conn:
        versions = conn.execute(
            select(
                record_versions.c.record_id,
                record_versions.c.version,
                record_versions.c.record_type,
                record_versions.c.payload_sha256,
                record_versions.c.canonical,
                record_versions.c.markings,
                record_versions.c.file_sha256,
                record_versions.c.sheet,
                record_versions.c.row_number,
            ).order_by(record_versions.c.record_id, record_versions.c.version)
        ).all()
        heads = conn.execute(
            select(
                records.c.record_id, records.c.version, records.c.payload_sha256, records.c.owner
            ).order_by(records.c.record_id)
        ).all()
        rows = conn.execute(select(source_rows).order_by(*source_rows.primary_key.columns)).all()
        held = conn.execute(
            select(
                quarantine.c.file_sha256,
                quarantine.c.sheet,
                quarantine.c.row_number,
                quarantine.c.code,
                quarantine.c.errors,
                quarantine.c.raw,
                quarantine.c.status,
            ).order_by(quarantine.c.file_sha256, quarantine.c.sheet, quarantine.c.row_number)
        ).all()
    return {
        "versions": [tuple(r) for r in versions],
        "heads": [tuple(r) for r in heads],
        "quarantine": [tuple(r) for r in held],
        "rows": [tuple(r) for r in rows],
    }
