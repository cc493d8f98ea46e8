"""Screening as officers use it: the check against the current hot lists (kept in memory, reloaded
when a load has moved them), every hit recorded and audited, the officer's action on each hit, and
each rule's hit rate for supervisors."""

from __future__ import annotations

import gc
import threading
import time
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select, update

from puente.policy import audit
from puente.policy.access import require
from puente.policy.principals import Principal
from puente.screen.check import Answer, check
from puente.screen.hotlist import Index, refresh
from puente.store.db import Database
from puente.store.repository import utcnow
from puente.store.schema import hotlist_state, screen_hits

ACTIONS = ("inspected", "seized", "released", "false_hit")
RECHECK_S = 1.0  # how stale the in-memory lists may be while loads run
_cache: dict[str, tuple[int | None, float, Index]] = {}
_lock = threading.Lock()


def current(db: Database) -> Index:
    """The hot lists in memory, reloaded once a load has moved them (checked at most every second)."""
    url = str(db.engine.url)
    now = time.monotonic()
    cached = _cache.get(url)
    if cached is not None and now - cached[1] < RECHECK_S:
        return cached[2]
    with db.engine.connect() as conn:
        run = conn.execute(select(hotlist_state.c.run_id).where(hotlist_state.c.id == 1)).scalar()
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
    _cache.pop(str(db.engine.url), None)
    return written


def screen(
    db: Database, principal: Principal, purpose: str, *, port: str | None = None, **query: Any
) -> Answer:
    """One check (``query``: plate, state, vin, surname, given, birth, identifier), its hits
    recorded for the officer's feedback and audited with the records shown."""
    require(db, principal, "screen", purpose)
    answer = check(current(db), principal, **query)
    if answer.matches:
        now = utcnow()
        with db.engine.begin() as conn:
            for m in answer.matches:
                answer.hit_ids.append(int(conn.execute(
                    screen_hits.insert().values(at=now, user_id=principal.user_id, agency=principal.agency,
                                                port=port, record_id=m.record_id or f"held:{m.holder}",
                                                reason=m.reason, match=m.how).returning(screen_hits.c.id)
                ).scalar_one()))  # fmt: skip
            shown = [m.record_id for m in answer.matches if m.record_id]
            pointers = sum(1 for m in answer.matches if m.record_id is None)
            audit.record(conn, principal.user_id, "screen", purpose=purpose,
                         detail={"port": port, "shown": shown, "pointers": pointers})  # fmt: skip
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
