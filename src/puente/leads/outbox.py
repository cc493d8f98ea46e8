"""Telling agency systems of their leads: webhooks over HTTP and, when configured, NATS.

Every lead event is written to the outbox in the transaction that made it, one row per destination,
so a receiver that is down loses nothing: ``deliver`` retries each row with back-off until it is
accepted. The payload is composed at each attempt from what the recipient agency may see then (its
markings, never a person's approved requests), and carries a delivery id the receiver can use to
drop a repeat (a row whose acceptance was lost in transit is sent again).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import http.client
import os
import urllib.request
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, func, select, update

from puente.policy import audit
from puente.policy.access import require
from puente.policy.principals import SYSTEM, Principal
from puente.store.db import Database
from puente.store.repository import utcnow
from puente.store.schema import lead_events, leads, outbox, webhooks

NATS_URL_ENV = "PUENTE_NATS_URL"  # e.g. nats://127.0.0.1:4222; unset: nothing is published
MAX_BACKOFF_S = 3600
BATCH = 200


def nats_subject(agency: str) -> str:
    return "puente.leads." + agency.replace("/", ".")


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next attempt: 2, 4, 8 ... seconds, at most an hour."""
    return dt.timedelta(seconds=min(2**attempts, MAX_BACKOFF_S))


def enqueue(conn: Connection, event_id: int, lead_id: int, recipient: str, kind: str) -> int:
    """Queue one lead event for every active webhook of the recipient agency, and for NATS."""
    now = utcnow()
    destinations = [
        ("webhook", str(w))
        for w in conn.execute(
            select(webhooks.c.id).where(webhooks.c.agency == recipient, webhooks.c.active.is_(True))
        ).scalars()
    ]
    if os.environ.get(NATS_URL_ENV):
        destinations.append(("nats", nats_subject(recipient)))
    for channel, destination in destinations:
        conn.execute(
            outbox.insert().values(
                channel=channel, destination=destination, lead_event_id=event_id, payload="{}", attempts=0,
                next_attempt_at=now, created_at=now,
            )
        )  # fmt: skip
    return len(destinations)


def add_webhook(db: Database, principal: Principal, purpose: str, url: str) -> int:
    """Send the principal's agency's lead events to ``url`` (a supervisor or steward); audited."""
    require(db, principal, "manage_webhooks", purpose)
    if not url.startswith(("http://", "https://")):
        raise ValueError("a webhook is an http:// or https:// address")
    with db.engine.begin() as conn:
        hook = int(conn.execute(
            webhooks.insert().values(agency=principal.agency, url=url[:500], active=True,
                                     created_by=principal.user_id, created_at=utcnow())
            .returning(webhooks.c.id)
        ).scalar_one())  # fmt: skip
        audit.record(conn, principal.user_id, "add_webhook", purpose=purpose, detail={"webhook": hook})
    return hook


def _payload(conn: Connection, event_id: int, now: dt.datetime) -> tuple[bytes, str]:
    from puente.leads.views import compose, seen_by_agency

    event = conn.execute(select(lead_events).where(lead_events.c.id == event_id)).one()
    row = conn.execute(select(leads).where(leads.c.id == event.lead_id)).one()
    view = compose(conn, row, seen_by_agency(row.recipient), now)
    body = {"delivery": event_id, "event": event.kind, "actor": event.actor, "lead": view.as_dict()}
    return orjson.dumps(body), row.recipient


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    waiting: int = 0  # rows not yet due
    dropped: int = 0  # rows of a webhook removed since they were queued


def _post(url: str, body: bytes, delivery: int, timeout: float) -> None:
    request = urllib.request.Request(
        url, data=body, method="POST",
        headers={"Content-Type": "application/json", "Puente-Delivery": str(delivery)},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status}")


async def _publish(url: str, messages: list[tuple[int, str, int, bytes]], timeout: float) -> set[int]:
    import nats

    done: set[int] = set()
    # nats-py keeps retrying a first connection when max_reconnect_attempts is 0: one try, then fail
    client = await nats.connect(url, connect_timeout=timeout, allow_reconnect=False, max_reconnect_attempts=1,
                                reconnect_time_wait=0)  # fmt: skip
    try:
        for row_id, subject, event_id, body in messages:
            await client.publish(subject, body, headers={"Nats-Msg-Id": str(event_id)})
            done.add(row_id)
        await client.flush(timeout=timeout)
    finally:
        await client.close()
    return done


def _due(conn: Connection, now: dt.datetime) -> list[Any]:
    """Rows due now, oldest first, less those queued behind an earlier row of their destination that
    is still waiting out its back-off: a receiver gets its events in order."""
    due = conn.execute(
        select(outbox).where(outbox.c.delivered_at.is_(None), outbox.c.next_attempt_at <= now)
        .order_by(outbox.c.id).limit(BATCH)
    ).all()  # fmt: skip
    held = {
        (r.channel, r.destination): r.first
        for r in conn.execute(
            select(outbox.c.channel, outbox.c.destination, func.min(outbox.c.id).label("first"))
            .where(outbox.c.delivered_at.is_(None), outbox.c.next_attempt_at > now)
            .group_by(outbox.c.channel, outbox.c.destination)
        )
    }
    return [r for r in due if r.id < held.get((r.channel, r.destination), r.id + 1)]


def deliver(db: Database, now: dt.datetime | None = None, timeout: float = 5.0) -> Delivery:
    """Send what is due from the outbox, oldest first. A destination that fails is not tried again
    in this pass (its later rows wait untouched behind it), so each receiver gets its events in
    order. Rows of a webhook removed since are dropped."""
    now = now or utcnow()
    report = Delivery()
    with db.engine.begin() as conn:
        due = _due(conn, now)
        report.waiting = pending_in(conn) - len(due)
        urls = {r.id: r.url for r in conn.execute(select(webhooks).where(webhooks.c.active.is_(True)))}
        payloads = {r.id: _payload(conn, r.lead_event_id, now)[0] for r in due}
    failed: set[tuple[str, str]] = set()
    outcome: dict[int, str | None] = {}  # row id -> None (delivered) or why not
    dropped: set[int] = set()
    for r in due:
        if r.channel != "webhook" or (r.channel, r.destination) in failed:
            continue
        url = urls.get(int(r.destination))
        if url is None:
            dropped.add(r.id)
            continue
        try:
            _post(url, payloads[r.id], r.lead_event_id, timeout)
            outcome[r.id] = None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            failed.add((r.channel, r.destination))
            outcome[r.id] = str(getattr(exc, "reason", exc))[:500] or type(exc).__name__
    nats_rows = [r for r in due if r.channel == "nats"]
    if nats_rows:
        url = os.environ.get(NATS_URL_ENV, "")
        try:
            messages = [(r.id, r.destination, r.lead_event_id, payloads[r.id]) for r in nats_rows]
            done = asyncio.run(_publish(url, messages, timeout)) if url else set()
            error = "NATS is not configured"
        except Exception as exc:  # whatever the client raises, the rows wait for the next pass
            done, error = set(), (str(exc) or type(exc).__name__)[:500]
        for r in nats_rows:
            outcome[r.id] = None if r.id in done else error
    with db.engine.begin() as conn:
        for r in due:
            if r.id in dropped:
                conn.execute(update(outbox).where(outbox.c.id == r.id).values(
                    delivered_at=utcnow(), last_error="the webhook was removed"))  # fmt: skip
                report.dropped += 1
            elif r.id not in outcome:
                continue  # behind a failed row of its receiver: untouched
            elif outcome[r.id] is None:
                body, attempts = payloads[r.id].decode(), r.attempts + 1
                conn.execute(update(outbox).where(outbox.c.id == r.id).values(
                    delivered_at=utcnow(), attempts=attempts, payload=body, last_error=None))  # fmt: skip
                shown = [e["record_id"] for e in orjson.loads(body)["lead"]["evidence"] if e["record_id"]]
                audit.record(conn, SYSTEM, "lead_delivered", purpose="leads",
                             detail={"outbox": r.id, "channel": r.channel, "shown": shown})  # fmt: skip
                report.sent += 1
            else:
                later = now + backoff(r.attempts + 1)
                conn.execute(update(outbox).where(outbox.c.id == r.id).values(
                    attempts=r.attempts + 1, next_attempt_at=later, last_error=outcome[r.id]))  # fmt: skip
                report.failed += 1
    return report


def pending_in(conn: Connection) -> int:
    return int(
        conn.execute(select(func.count()).select_from(outbox).where(outbox.c.delivered_at.is_(None))).scalar()
        or 0
    )


def pending(db: Database) -> int:
    """Rows not delivered yet."""
    with db.engine.begin() as conn:
        return pending_in(conn)
