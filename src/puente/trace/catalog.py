"""The acquisitions a trace is matched against: each sale's gun by normalised serial and make.

Derived from the acquisition records and kept level with them incrementally (only acquisitions whose
newest version is not the catalogued one are read), so refreshing after a load is cheap and
refreshing twice changes nothing. It holds no markings: a trace reads it on the tracing centre's
behalf, and what a trace's result may show is decided by the trace's own markings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, delete, func, select, update

from puente.store.db import Database
from puente.store.repository import Repository
from puente.store.schema import load_runs, record_versions, records, trace_acquisitions, trace_state

CHUNK = 20_000
COLUMNS = (
    "record_id", "version", "serial_key", "make", "sold_on", "dealer_licence", "dealer_name",
    "dealer_state", "purchaser_id", "multiple_sale", "firearm",
)  # fmt: skip


def code(value: Any) -> str | None:
    """The vocabulary code of a coded value ({"code": ..., "text": ...}), if it has one."""
    return value.get("code") if isinstance(value, dict) else None


def serial_key(firearm: dict[str, Any]) -> str | None:
    serial = firearm.get("serial") or {}
    return serial.get("value") or None


def catalogue_row(record_id: str, version: int, content: dict[str, Any]) -> tuple[Any, ...]:
    """A sale with no legible serial is catalogued with an empty key: no trace matches it, yet it
    counts among its dealer's sales (the dealer's trace rate)."""
    firearm = content.get("firearm") or {}
    key = serial_key(firearm) or ""
    purchaser = next((r["target"] for r in content.get("relations", []) if r["kind"] == "purchaser"), None)
    return (
        record_id, version, key, code(firearm.get("make")), content.get("sold_on"),
        content.get("dealer_licence"), content.get("dealer_name"), code(content.get("dealer_state")),
        purchaser, bool(content.get("multiple_sale")), orjson.dumps(firearm).decode(),
    )  # fmt: skip


@dataclass(frozen=True)
class CatalogueReport:
    catalogued: int  # acquisitions (re)read by this refresh


def _stale(conn: Connection, after: str) -> list[Any]:
    return conn.execute(
        select(records.c.record_id, records.c.version, record_versions.c.canonical)
        .join(record_versions, (record_versions.c.record_id == records.c.record_id)
              & (record_versions.c.version == records.c.version))
        .outerjoin(trace_acquisitions, trace_acquisitions.c.record_id == records.c.record_id)
        .where(records.c.record_type == "acquisition", records.c.record_id > after)
        .where(trace_acquisitions.c.version.is_(None) | (trace_acquisitions.c.version != records.c.version))
        .order_by(records.c.record_id)
        .limit(CHUNK)
    ).all()  # fmt: skip


def _level(conn: Connection) -> tuple[int | None, int | None]:
    """(the run the catalogue is level with, the newest run every record of which is stored): a
    run still loading holds the second back to just before it."""
    stored = conn.execute(select(trace_state.c.run_id).where(trace_state.c.id == 1)).scalar()
    newest = conn.execute(select(func.max(load_runs.c.id))).scalar()
    running = conn.execute(select(func.min(load_runs.c.id)).where(load_runs.c.status == "running")).scalar()
    return stored, (running - 1 if running is not None else newest)


def refresh(db: Database) -> CatalogueReport:
    """Bring the catalogue level with the acquisition records; one transaction per chunk, so an
    interrupted refresh keeps what it did. Records change only through loads (a re-marking makes a
    version of the same content), so with no load since the last refresh there is nothing to read."""
    with db.engine.begin() as conn:
        stored, level = _level(conn)
    if stored is not None and level is not None and stored >= level:
        return CatalogueReport(0)
    done, after = 0, ""
    while True:
        with db.engine.begin() as conn:
            rows = _stale(conn, after)
            if not rows:
                conn.execute(update(trace_state).where(trace_state.c.id == 1).values(run_id=level))
                return CatalogueReport(done)
            ids = [r.record_id for r in rows]
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                conn.execute(delete(trace_acquisitions).where(trace_acquisitions.c.record_id.in_(chunk)))
            fresh = [catalogue_row(r.record_id, r.version, orjson.loads(r.canonical)) for r in rows]
            Repository(conn).bulk_insert(trace_acquisitions, COLUMNS, fresh)
            done += len(rows)
            after = ids[-1]
