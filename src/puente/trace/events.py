"""Events of completed traces: the purchaser is already a subject of a case.

A case's subjects are the person records that name it (``subject_of``), found through the search
index's link terms, which the faces keep level after every load. A subject is the purchaser when
both belong to one resolved entity, or, before resolution, share surname, given name and birth
date. An event reveals that a trace and a case meet, so it is visible only to the agencies that may
see both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, delete, select

from puente.policy import audit
from puente.policy.access import granted_sets, require
from puente.policy.principals import Principal
from puente.search.links import CaseHead, case_subjects
from puente.store.db import Database
from puente.store.repository import Repository, utcnow
from puente.store.schema import trace_events

Keys = Callable[[Connection, set[str]], tuple[dict[str, str], dict[str, dict[str, Any]]]]


def subjects_by_key(conn: Connection, keys_of: Keys) -> dict[str, list[tuple[str, CaseHead]]]:
    """Person key -> (subject record id, case) for every case subject."""
    subjects = case_subjects(conn)
    keys, _ = keys_of(conn, set(subjects))
    found: dict[str, list[tuple[str, CaseHead]]] = defaultdict(list)
    for subject_id, its_cases in subjects.items():
        if subject_id in keys:
            found[keys[subject_id]].extend((subject_id, case) for case in its_cases)
    return found


def raise_for(
    conn: Connection,
    processed: Sequence[int],
    completed: Sequence[tuple[int, str | None, set[str]]],
    memo: dict[str, Any],
    keys_of: Keys,
    marking_of: Callable[[set[str]], int],
) -> int:
    """Events of the ``completed`` among the ``processed`` traces (id, purchaser key, agencies that
    may see the trace), replacing whatever any processed trace raised before; returns how many."""
    ids = list(processed)
    for start in range(0, len(ids), 500):
        conn.execute(delete(trace_events).where(trace_events.c.trace_id.in_(ids[start : start + 500])))
    if not any(key for _, key, _ in completed):
        return 0
    if "subjects" not in memo:  # once per run: the cases do not change while it traces
        memo["subjects"] = subjects_by_key(conn, keys_of)
    subjects = memo["subjects"]
    now = utcnow()
    rows = []
    for trace_id, key, agencies in completed:
        for subject_id, case in subjects.get(key or "", []):
            shared = agencies & case.audience
            if not shared:
                continue
            case_id = case.record_id
            reason = {
                "en": f"the purchaser of this traced gun is a subject of case {case_id}",
                "es": f"quien compró esta arma rastreada es sujeto del caso {case_id}",
            }
            rows.append(
                (trace_id, "purchaser_in_case", case_id, subject_id, orjson.dumps(reason).decode(),
                 marking_of(shared), now)
            )  # fmt: skip
    columns = ("trace_id", "kind", "case_id", "subject_id", "reason", "marking_set_id", "created_at")
    Repository(conn).bulk_insert(trace_events, columns, rows)
    return len(rows)


def events(db: Database, principal: Principal, purpose: str) -> list[dict[str, Any]]:
    """The trace events this viewer may see; audited."""
    require(db, principal, "read_records", purpose)
    with db.engine.begin() as conn:
        found = [
            {"id": r.id, "trace_id": r.trace_id, "kind": r.kind, "case_id": r.case_id,
             "subject_id": r.subject_id, **orjson.loads(r.reason), "created_at": r.created_at.isoformat()}
            for r in conn.execute(
                select(trace_events).where(trace_events.c.marking_set_id.in_(granted_sets(principal))).order_by(trace_events.c.id)
            )
        ]  # fmt: skip
        audit.record(conn, principal.user_id, "trace_events", purpose=purpose, detail={"events": len(found)})
    return found
