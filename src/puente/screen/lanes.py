"""Screening as officers use it: the check against the current hot lists (kept in memory, reloaded
when a refresh has changed them), every hit recorded and audited, the officer's action on each hit, and
each rule's hit rate for supervisors."""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import queue
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import OperationalError

from puente.leads.lane import raise_lead
from puente.policy import audit
from puente.policy.access import require
from puente.policy.principals import Principal
from puente.screen.check import Answer, check
from puente.screen.hotlist import refresh
from puente.screen.index import Index
from puente.store.db import Database
from puente.store.repository import utcnow
from puente.store.schema import hotlist_state, screen_hits

ACTIONS = ("inspected", "seized", "released", "false_hit")
RECHECK_S = 1.0  # how stale the in-memory lists may be while loads run
CHECKPOINT_S = 1.0  # how often the hits' log is copied back into an SQLite file
RECORD_WAIT_S = 10.0  # the longest a lane waits for its hits to be committed before it is told so
_cache: dict[str, tuple[int | None, float, Index]] = {}
_lock = threading.Lock()


def fresh(db: Database) -> Index | None:
    """The hot lists in memory if they were checked against the store within the last second, else
    None (then :func:`current` reads the watermark, and reloads if a load has moved it)."""
    cached = _cache.get(db.url)
    return cached[2] if cached is not None and time.monotonic() - cached[1] < RECHECK_S else None


def current(db: Database) -> Index:
    """The hot lists in memory, reloaded once a refresh has changed them (checked at most every
    second)."""
    index = fresh(db)
    if index is not None:
        return index
    url = db.url
    now = time.monotonic()
    with db.engine.connect() as conn:
        # moved by every refresh, whichever process ran it and whether or not a load came first
        run = conn.execute(select(hotlist_state.c.generation).where(hotlist_state.c.id == 1)).scalar()
    with _lock:
        cached = _cache.get(url)
        if cached is None or cached[0] != run:
            cached = (run, now, Index.load(db))
            # millions of long-lived entries: keep them out of the collector's full passes, which
            # would otherwise stall a lane for seconds
            gc.freeze()
        _cache[url] = (cached[0], now, cached[2])
        return cached[2]


def rebuild(db: Database) -> int:
    """Bring the hot lists level with the store (after loads); the next check reads them."""
    written = refresh(db)
    _cache.pop(db.url, None)
    return written


def lookup(index: Index, db: Database, principal: Principal, purpose: str, **query: Any) -> Answer:
    """One check (``query``: plate, state, vin, surname, given, birth, identifier) in memory; its
    hits are not yet recorded (:func:`record`)."""
    require(db, principal, "screen", purpose)
    return check(index, principal, **query)


Checked = tuple[Principal, str, Answer, str | None]  # who checked, for what purpose, the answer, the port


def _write(conn: Connection, checks: list[Checked]) -> None:
    """The checks' hits, in one statement, and one audit entry per officer and purpose listing each
    check's records shown (many lanes' hits commit together under load)."""
    now = utcnow()
    rows = [{"at": now, "user_id": principal.user_id, "agency": principal.agency, "port": port,
             "record_id": m.record_id or f"held:{m.holder}", "reason": m.reason, "match": m.how}
            for principal, _, answer, port in checks for m in answer.matches]  # fmt: skip
    if not rows:
        return
    ids = iter(conn.execute(
        screen_hits.insert().returning(screen_hits.c.id, sort_by_parameter_order=True), rows
    ).scalars().all())  # fmt: skip
    by_reader: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for principal, purpose, answer, port in checks:
        answer.hit_ids.extend(next(ids) for _ in answer.matches)
        told: set[str | None] = {None}  # one lead per interest a check meets: its best match tells it
        for hit_id, match, entry in zip(answer.hit_ids, answer.matches, answer.held, strict=True):
            if entry.context not in told:
                told.add(entry.context)
                raise_lead(conn, hit_id=hit_id, entry=entry, checked_by=principal.agency, port=port,
                           how=match.how, now=now)  # fmt: skip
        if answer.matches:
            by_reader[(principal.user_id, purpose)].append({
                "port": port, "hits": answer.hit_ids,
                "shown": [m.record_id for m in answer.matches if m.record_id],
                "pointers": sum(1 for m in answer.matches if m.record_id is None),
            })  # fmt: skip
    for (user_id, purpose), seen in by_reader.items():
        audit.record(conn, user_id, "screen", purpose=purpose, detail={"checks": seen})


def record(db: Database, principal: Principal, purpose: str, answer: Answer, port: str | None) -> None:
    """Record the answer's hits for the officer's feedback (their ids go into ``answer.hit_ids``)
    and audit the records shown."""
    if answer.matches:
        with db.engine.begin() as conn:
            _write(conn, [(principal, purpose, answer, port)])


@contextlib.contextmanager
def _file_lock(path: str) -> Iterator[None]:
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Recorder:
    """Records the hits of many checks in one transaction (group commit), on a thread of its own: lanes
    that hit at once then wait for one commit instead of queueing for the write lock one by one. A
    check is answered only once its hits and audit entry are committed (``submit`` gives the future)."""

    BATCH = 256

    def __init__(self, db: Database) -> None:
        self.db = db
        self._kept: Connection | None = None
        self.queue: queue.SimpleQueue[tuple[Checked, Future[None]]] = queue.SimpleQueue()
        threading.Thread(target=self._run, name="screen-hits", daemon=True).start()

    def submit(self, principal: Principal, purpose: str, answer: Answer, port: str | None) -> Future[None]:
        done: Future[None] = Future()
        if not answer.matches:
            done.set_result(None)
        else:
            self.queue.put(((principal, purpose, answer, port), done))
        return done

    def _sqlite_file(self) -> str | None:
        path = self.db.engine.url.database
        return path if self.db.engine.dialect.name == "sqlite" and path and path != ":memory:" else None

    def _connection(self) -> Connection:
        """The recorder's own SQLite connection, opened on first use and again after a failure."""
        if self._kept is None:
            kept = self.db.engine.connect()
            kept.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
            kept.commit()
            self._kept = kept
        return self._kept

    def _run(self) -> None:
        # SQLite: the processes serving one file take turns to write through a file lock. SQLite's
        # own busy wait polls with sleeps of up to 100 ms, and one worker committing batch after
        # batch could starve the other's lanes for seconds; the kernel wakes a waiter as soon as the
        # lock is free. The recorder's connection never checkpoints (a 256 MB checkpoint in a commit
        # held every lane's hits for seconds): a thread of its own copies the log back each second,
        # beside the writes. PostgreSQL queues its own locks.
        path = self._sqlite_file()
        if path is not None:
            threading.Thread(target=self._checkpoints, name="screen-checkpoints", daemon=True).start()
        while True:
            batch = [self.queue.get()]
            while len(batch) < self.BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            checks = [checked for checked, _ in batch]
            try:
                if path is not None:
                    conn = self._connection()
                    with _file_lock(f"{path}-lanes.lock"), conn.begin():
                        _write(conn, checks)
                else:
                    with self.db.engine.begin() as conn:
                        _write(conn, checks)
            # any failure: each waiting check is told (none is answered as recorded), and the thread
            # lives on for the next ones, on a new connection
            except Exception as exc:
                if self._kept is not None:
                    with contextlib.suppress(Exception):  # a broken connection may fail to close too
                        self._kept.close()
                    self._kept = None
                for _, done in batch:
                    done.set_exception(exc)
            else:
                for _, done in batch:
                    done.set_result(None)

    def _checkpoints(self) -> None:
        path = self._sqlite_file()
        while path is not None:
            time.sleep(CHECKPOINT_S)
            if not os.path.exists(path):  # the file was removed (a test's): nothing left to copy
                return
            # PASSIVE neither waits for nor blocks readers and writers: what it cannot copy now, it
            # copies next time; a file removed since the look above is ended by the next look
            with contextlib.suppress(OperationalError), self.db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")


_recorders: dict[int, Recorder] = {}
_recorders_lock = threading.Lock()  # not the index's lock: a reload holds that for as long as it takes


def recorder(db: Database) -> Recorder:
    """The database's hit recorder (one writer thread per database and process)."""
    with _recorders_lock:
        if id(db) not in _recorders:
            _recorders[id(db)] = Recorder(db)
        return _recorders[id(db)]


def screen(
    db: Database, principal: Principal, purpose: str, *, port: str | None = None, **query: Any
) -> Answer:
    """One check against the current hot lists, its hits recorded and audited."""
    answer = lookup(current(db), db, principal, purpose, **query)
    record(db, principal, purpose, answer, port)
    return answer


def act(db: Database, principal: Principal, purpose: str, hit_id: int, action: str) -> bool:
    """Record what the officer did about a hit of their agency's; False when there is no such hit."""
    require(db, principal, "screen", purpose)
    if action not in ACTIONS:
        raise ValueError(f"the action is one of: {', '.join(ACTIONS)}")
    with db.engine.begin() as conn:
        done = conn.execute(
            update(screen_hits)
            .where(screen_hits.c.id == hit_id, screen_hits.c.agency == principal.agency)
            .values(action=action, action_at=utcnow())
        ).rowcount
        audit.record(conn, principal.user_id, "screen_action", purpose=purpose,
                     detail={"hit": hit_id, "action": action, "found": bool(done)})  # fmt: skip
    return bool(done)


def rates(db: Database, principal: Principal, purpose: str) -> dict[str, dict[str, Any]]:
    """Each rule's hits at the supervisor's agency, by the action taken, and its false-hit rate."""
    require(db, principal, "audit_own_agency", purpose)
    with db.engine.begin() as conn:
        rows = conn.execute(
            select(screen_hits.c.reason, screen_hits.c.action).where(screen_hits.c.agency == principal.agency)
        ).all()
        audit.record(conn, principal.user_id, "screen_rates", purpose=purpose, detail={"hits": len(rows)})
    by_rule: dict[str, Counter[str]] = defaultdict(Counter)
    for reason, action in rows:
        by_rule[reason][action or "open"] += 1
    out = {}
    for reason, counts in sorted(by_rule.items()):
        judged = sum(n for a, n in counts.items() if a != "open")
        rate = round(counts["false_hit"] / judged, 3) if judged else None
        out[reason] = {"hits": sum(counts.values()), "actions": dict(counts), "false_hit_rate": rate}
    return out
