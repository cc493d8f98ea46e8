"""Keeping the search index level with the store: every record's newest version, indexed once.

Incremental: a refresh reads only records whose newest version is not the one indexed (new
records, new versions, re-markings), so it is cheap after a load and changes nothing when run
again. The index holds terms and titles, never markings: who may see a hit is decided at query
time by the policy layer, against the record itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, delete, func, select

from puente.search.query import forget_vocabulary
from puente.search.terms import Doc, document
from puente.store.db import Database
from puente.store.repository import Repository
from puente.store.schema import record_versions, records, search_docs, search_terms

CHUNK = 20_000
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class IndexReport:
    indexed: int  # records (re)indexed by this refresh
    terms: int  # term rows written
    seconds: float


def _stale(conn: Connection, after: str) -> Iterator[tuple[str, int, str, str]]:
    """(record id, version, type, canonical) of records whose newest version is not indexed yet."""
    query = (
        select(records.c.record_id, records.c.version, records.c.record_type, record_versions.c.canonical)
        .join(
            record_versions,
            (record_versions.c.record_id == records.c.record_id)
            & (record_versions.c.version == records.c.version),
        )
        .outerjoin(search_docs, search_docs.c.record_id == records.c.record_id)
        .where((search_docs.c.version.is_(None)) | (search_docs.c.version != records.c.version))
        .where(records.c.record_id > after)
        .order_by(records.c.record_id)
        .limit(CHUNK)
    )
    return iter(conn.execute(query).all())  # type: ignore[arg-type]


def refresh(db: Database, progress: Progress | None = None) -> IndexReport:
    """Index every record whose newest version is not indexed; each chunk in its own transaction,
    so that an interrupted refresh keeps what it did and the next one goes on from there."""
    started = time.perf_counter()
    with db.engine.connect() as conn:
        expected = conn.execute(select(func.count()).select_from(records)).scalar_one()
        indexed_now = conn.execute(select(func.count()).select_from(search_docs)).scalar_one()
    todo = max(int(expected) - int(indexed_now), 0) or None
    indexed = terms = 0
    after = ""
    while True:
        with db.engine.begin() as conn:
            rows = list(_stale(conn, after))
            if not rows:
                break
            docs = [
                document(rid, version, rtype, orjson.loads(canonical))
                for rid, version, rtype, canonical in rows
            ]
            terms += _write(conn, docs)
        indexed += len(docs)
        after = rows[-1][0]
        if progress:
            progress(indexed, todo)
    if indexed:
        forget_vocabulary()  # the new words are close spellings to look for at once
    return IndexReport(indexed, terms, time.perf_counter() - started)


def _write(conn: Connection, docs: list[Doc]) -> int:
    ids = [d.record_id for d in docs]
    for start in range(0, len(ids), 500):  # bound the parameters of one statement
        part = ids[start : start + 500]
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
