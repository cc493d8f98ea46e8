"""Oversight for stewards: who viewed, looked for or exported their agency's records.

Read from the audit log itself, so that it shows exactly what the hash chain vouches for. A record
id starts with its owner agency (``US/CBP:crossing:...``) and a multi-record read names its counts
by owner, which is how an entry is attributed to an agency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import orjson
from sqlalchemy import select

from puente.policy import audit
from puente.policy.access import require
from puente.policy.principals import Principal
from puente.store.db import Database
from puente.store.schema import audit_log

VIEW_ACTIONS = ("read_record", "read_records", "export", "request_access")


@dataclass(frozen=True)
class View:
    seq: int
    at: str
    user_id: str
    action: str
    purpose: str
    origin: str
    outcome: str  # record, pointer, nothing (a single read); listed or exported (many)
    count: int  # how many of the agency's records the entry covers
    record_ids: tuple[str, ...]  # those it names (a large read gives counts only)


def _attribute(
    agency: str, action: str, detail: dict[str, object]
) -> tuple[str, int, tuple[str, ...]] | None:
    prefix = agency + ":"
    if action in ("read_record", "request_access"):
        record_id = detail.get("record_id")
        if isinstance(record_id, str) and record_id.startswith(prefix):
            return str(detail.get("outcome", "requested")), 1, (record_id,)
        return None
    owners = detail.get("owners")
    count = owners.get(agency, 0) if isinstance(owners, dict) else 0
    if not count:
        return None
    ids = detail.get("record_ids")
    named = (
        tuple(i for i in ids if isinstance(i, str) and i.startswith(prefix)) if isinstance(ids, list) else ()
    )
    return ("exported" if action == "export" else "listed"), int(count), named


def views_of_agency(
    db: Database, steward: Principal, purpose: str, *, since: dt.datetime | None = None, limit: int = 200
) -> list[View]:
    """The newest entries (up to ``limit``) in which anyone read, was pointed to, asked for or
    exported records of the steward's agency."""
    require(db, steward, "audit_own_agency", purpose)
    agency = steward.agency
    query = (
        select(audit_log)
        .where(audit_log.c.action.in_(VIEW_ACTIONS), audit_log.c.detail.contains(f'"{agency}'))
        .order_by(audit_log.c.seq.desc())
    )
    if since is not None:
        query = query.where(audit_log.c.at >= since.astimezone(dt.UTC).isoformat(timespec="microseconds"))
    found: list[View] = []
    with db.engine.begin() as conn:
        for row in conn.execute(query):
            attributed = _attribute(agency, row.action, orjson.loads(row.detail))
            if attributed is None:
                continue
            outcome, count, ids = attributed
            found.append(
                View(row.seq, row.at, row.user_id, row.action, row.purpose, row.origin, outcome, count, ids)
            )
            if len(found) >= limit:
                break
        audit.record(
            conn, steward.user_id, "audit_own_agency", purpose=purpose,
            detail={"agency": agency, "entries": len(found)},
        )  # fmt: skip
    return found
