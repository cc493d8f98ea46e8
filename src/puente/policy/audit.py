"""The audit log: append-only and hash-chained.

Each entry's hash covers its own fields and the previous entry's hash, so that changing, removing or
reordering an entry breaks the chain from that point on, even when done directly in the database.
Writers serialise on the newest entry so that two appends cannot share a predecessor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, select

from puente.store.db import Database
from puente.store.schema import audit_log

GENESIS = "0" * 64


def entry_hash(
    prev_hash: str, at: str, user_id: str, action: str, purpose: str, detail: str, origin: str
) -> str:
    payload = orjson.dumps([prev_hash, at, user_id, action, purpose, detail, origin])
    return hashlib.sha256(payload).hexdigest()


def record(
    conn: Connection,
    user_id: str,
    action: str,
    *,
    purpose: str = "",
    detail: dict[str, Any] | None = None,
    origin: str = "cli",
) -> str:
    """Append one entry inside the caller's transaction; returns its hash."""
    query = select(audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
    prev = conn.execute(query).scalar_one_or_none() or GENESIS
    at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    text = orjson.dumps(detail or {}, option=orjson.OPT_SORT_KEYS).decode()
    digest = entry_hash(prev, at, user_id, action, purpose, text, origin)
    conn.execute(
        audit_log.insert().values(
            at=at,
            user_id=user_id,
            action=action,
            purpose=purpose,
            detail=text,
            origin=origin,
            prev_hash=prev,
            hash=digest,
        )
    )
    return digest


@dataclass
class Verification:
    entries: int = 0
    head: str = GENESIS
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(db: Database, expect_head: str | None = None) -> Verification:
    """Walk the chain in sequence order and report every break.

    A removed or reordered entry shows as a predecessor mismatch; a changed one as a hash mismatch.
    Removing the newest entries leaves a shorter valid chain: compare the head with a copy kept
    elsewhere (``expect_head``) to detect that too.
    """
    result = Verification()
    prev = GENESIS
    with db.engine.connect() as conn:
        rows = conn.execute(select(audit_log).order_by(audit_log.c.seq))
        for row in rows:
            result.entries += 1
            if row.prev_hash != prev:
                result.problems.append(
                    {
                        "seq": row.seq,
                        "problem": "broken_link",
                        "en": f"entry {row.seq} does not follow the entry before it: an entry was "
                        "removed, inserted or reordered",
                        "es": f"la entrada {row.seq} no sigue a la anterior: se eliminó, insertó o "
                        "reordenó una entrada",
                    }
                )
            expected = entry_hash(
                row.prev_hash, row.at, row.user_id, row.action, row.purpose, row.detail, row.origin
            )
            if row.hash != expected:
                result.problems.append(
                    {
                        "seq": row.seq,
                        "problem": "altered",
                        "en": f"entry {row.seq} was altered after it was written",
                        "es": f"la entrada {row.seq} fue alterada después de escribirse",
                    }
                )
            prev = row.hash
    result.head = prev
    if expect_head is not None and expect_head != prev:
        result.problems.append(
            {
                "seq": None,
                "problem": "head_mismatch",
                "en": "the newest entry is not the one expected: entries were removed from the end",
                "es": "la entrada más reciente no es la esperada: se eliminaron entradas del final",
            }
        )
    return result
