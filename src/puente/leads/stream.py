"""The live inbox as server-sent events: each change to the agency's leads (event id, lead, kind), a
comment line while idle, and an end after a while so that the browser reconnects with the last id
(nothing is missed across reconnects)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import orjson

from puente.leads.workflow import changes, last_change
from puente.policy.principals import Principal
from puente.store.db import Database

STREAM_SECONDS = 25.0


def start_from(db: Database, principal: Principal, after: int | None, last_event_id: str | None) -> int:
    """Where a stream starts: the id asked for, the browser's last event, or now."""
    if after is not None:
        return after
    if (last_event_id or "").isdigit():
        return int(last_event_id or 0)
    return last_change(db, principal)


async def events(
    db: Database, principal: Principal, after: int, seconds: float = STREAM_SECONDS
) -> AsyncIterator[bytes]:
    yield b"retry: 1000\n\n"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = await asyncio.to_thread(changes, db, principal, after)
        for change in found:
            after = int(change["id"])  # type: ignore[call-overload]
            yield b"id: %d\nevent: lead\ndata: %s\n\n" % (after, orjson.dumps(change))
        if not found:
            yield b": idle\n\n"
            await asyncio.sleep(1.0)
