"""Keeping the search index level with the store: every record's newest version, indexed once.

Incremental: a refresh reads only records whose newest version is not the one indexed (new
records, new versions, re-markings), so it is cheap after a load and changes nothing when run
again. The index holds terms and titles, never
markings: who may see a hit is decided at query time by the policy layer, against the record itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, delete, func, select, update

from puente.search.query import forget_vocabulary
from puente.search.terms import Doc, document
from puente.store.db import Database
from puente.store.repository import Repository, utcnow
from puente.store.schema import record_versions, records, search_docs, search_state, search_terms

CHUNK = 20_000
ANALYZE_AFTER = 50_000  # records (re)indexed by one refresh past which the planner's statistics are renewed
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class IndexReport:
    indexed: int  # records (re)indexed by this refresh
    terms: int  # term rows written
    seconds: float


def _stale(conn: Connection, after: str) -> tuple[list[Doc], list[str], str | None]:
    """The next records after ``after`` (in id order) whose newest version is not the indexed one,
    as documents; the ids among them indexed before (their old terms go); and the last id read
    (None when there is nothing left). One query each time, which stops at CHUNK rows: a refresh
    with nothing to do reads the store once."""
    rows = conn.execute(
        select(
            records.c.record_id, records.c.version, records.c.record_type, record_versions.c.canonical,
            search_docs.c.version.label("indexed"),
        )
        .join(record_versions, (record_versions.c.record_id == records.c.record_id)
              & (record_versions.c.version == records.c.version))
        .outerjoin(search_docs, search_docs.c.record_id == records.c.record_id)
        .where(records.c.record_id > after)
        .where(search_docs.c.version.is_(None) | (search_docs.c.version != records.c.version))
        .order_by(records.c.record_id)
        .limit(CHUNK)
    ).all()  # fmt: skip
    if not rows:
        return [], [], None
    docs = [document(r.record_id, r.version, r.record_type, orjson.loads(r.canonical)) for r in rows]
    return docs, [r.record_id for r in rows if r.indexed is not None], rows[-1].record_id


def refresh(db: Database, progress: Progress | None = None) -> IndexReport:
    """Index every record whose newest version is not indexed; each page in its own transaction,
    so that an interrupted refresh keeps what it did and the next one goes on from there."""
    started = time.perf_counter()
    with db.engine.connect() as conn:
        expected = conn.execute(select(func.count()).select_from(records)).scalar_one()
        indexed_before = conn.execute(select(func.count()).select_from(search_docs)).scalar_one()
    todo = max(int(expected) - int(indexed_before), 0) or None
    indexed = terms = analyzed = 0
    after: str | None = ""
    while after is not None:
        with db.engine.begin() as conn:
            # first a write: another refresh waits here until this transaction ends, then reads
            # what it wrote (without it, both would index the same records)
            conn.execute(update(search_state).where(search_state.c.id == 1).values(refreshed_at=utcnow()))
            docs, replaced, after = _stale(conn, after)
            if docs:
                terms += _write(conn, docs, replaced)
        indexed += len(docs)
        if indexed - analyzed >= 10 * CHUNK:  # a growing index keeps the planner's picture of it true
            db.analyze("search_docs", "search_terms")
            analyzed = indexed
        if progress and docs:
            progress(indexed, todo)
    if indexed:
        forget_vocabulary()  # the new words are close spellings to look for at once
        if indexed >= ANALYZE_AFTER:
            db.analyze("search_terms", "search_docs")
    return IndexReport(indexed, terms, time.perf_counter() - started)


def _write(conn: Connection, docs: list[Doc], replaced: list[str]) -> int:
    for start in range(0, len(replaced), 500):  # bound the parameters of one statement
        part = replaced[start : start + 500]
        conn.execute(delete(search_terms).where(search_terms.c.record_id.in_(part)))
        conn.execute(delete(search_docs).where(search_docs.c.record_id.in_(part)))
    repo = Repository(conn)
    repo.bulk_insert(
        search_docs,
        ("record_id", "version", "record_type", "title", "day", "port", "state"),
        [(d.record_id, d.version, d.record_type, d.title, d.day, d.port, d.state) for d in docs],
    )
    # in key order: a B-tree takes sorted keys far faster than scattered ones (pages stay in cache)
    rows = sorted((term, d.record_id) for d in docs for term in d.terms)
    repo.bulk_insert(search_terms, ("term", "record_id"), rows)
    return len(rows)
