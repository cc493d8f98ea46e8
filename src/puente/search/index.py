"""Keeping the search index level with the store: every record's newest version, indexed once.

Incremental: a refresh pages through every record's id and newest version and reads the content
of only those whose version is not the one indexed (new records, new versions, re-markings), so it
is cheap after a load and changes nothing when run again. The index holds terms and titles, never
markings: who may see a hit is decided at query time by the policy layer, against the record itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, delete, func, select

from puente.search.query import forget_vocabulary
from puente.search.terms import Doc, document
from puente.store.db import Database
from puente.store.repository import Repository
from puente.store.schema import record_versions, records, search_docs, search_terms

CHUNK = 20_000
ANALYZE_AFTER = 50_000  # records (re)indexed by one refresh past which the planner's statistics are renewed
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class IndexReport:
    indexed: int  # records (re)indexed by this refresh
    terms: int  # term rows written
    seconds: float


def _stale(conn: Connection, after: str) -> tuple[list[Doc], list[str], str | None]:
    """The next page of records after ``after`` (in id order): documents of those whose newest
    version is not the indexed one, the ids among them indexed before (their old terms go), and the
    page's last id (None past the end). Pages by id ranges of each table's own key, so that no
    query joins the whole store (a planner with stale statistics would scan it every page)."""
    page = conn.execute(
        select(records.c.record_id, records.c.version, records.c.record_type)
        .where(records.c.record_id > after)
        .order_by(records.c.record_id)
        .limit(CHUNK)
    ).all()
    if not page:
        return [], [], None
    last = page[-1].record_id
    indexed = dict(
        conn.execute(
            select(search_docs.c.record_id, search_docs.c.version).where(
                search_docs.c.record_id > after, search_docs.c.record_id <= last
            )
        ).all()
    )
    stale = [r for r in page if indexed.get(r.record_id) != r.version]
    docs: list[Doc] = []
    for start in range(0, len(stale), 1000):
        part = {r.record_id: r for r in stale[start : start + 1000]}
        rows = conn.execute(  # by id alone, which every planner takes to the key; versions sorted here
            select(record_versions.c.record_id, record_versions.c.version, record_versions.c.canonical).where(
                record_versions.c.record_id.in_(list(part))
            )
        )
        docs += [
            document(rid, version, part[rid].record_type, orjson.loads(canonical))
            for rid, version, canonical in rows
            if part[rid].version == version
        ]
    return docs, [r.record_id for r in stale if r.record_id in indexed], last


def refresh(db: Database, progress: Progress | None = None) -> IndexReport:
    """Index every record whose newest version is not indexed; each page in its own transaction,
    so that an interrupted refresh keeps what it did and the next one goes on from there."""
    started = time.perf_counter()
    with db.engine.connect() as conn:
        expected = conn.execute(select(func.count()).select_from(records)).scalar_one()
    indexed = terms = seen = 0
    after: str | None = ""
    while after is not None:
        with db.engine.begin() as conn:
            docs, replaced, last = _stale(conn, after)
            if docs:
                terms += _write(conn, docs, replaced)
        indexed += len(docs)
        seen += CHUNK
        after = last
        if progress:
            progress(min(seen, int(expected)), int(expected))
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
