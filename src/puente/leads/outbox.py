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
import os
import urllib.error
import urllib.request
from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, select, update

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


def add_webhook(db: Database, agency: str, url: str, created_by: str) -> int:
    if not url.startswith(("http://", "https://")):
        raise ValueError("a webhook is an http:// or https:// address")
    with db.engine.begin() as conn:
        return int(conn.execute(
            webhooks.insert().values(agency=agency, url=url[:500], active=True, created_by=created_by,
                                     created_at=utcnow()).returning(webhooks.c.id)
        ).scalar_one())  # fmt: skip


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


def _post(url: str, body: bytes, delivery: int, timeout: float) -> None:
    request = urllib.request.Request(
        url, data=body, method="POST",
        headers={"Content-Type": "application/json", "Puente-Delivery": str(delivery)},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status}")


async def _publish(url: str, messages: list[tuple[int, str, bytes]], timeout: float) -> set[int]:
    import nats

    done: set[int] = set()
    client = await nats.connect(url, connect_timeout=timeout, max_reconnect_attempts=0, allow_reconnect=False)
    try:
        for row_id, subject, body in messages:
            await client.publish(subject, body, headers={"Nats-Msg-Id": str(row_id)})
            done.add(row_id)
        await client.flush(timeout=timeout)
    finally:
        await client.close()
    return done


def deliver(db: Database, now: dt.datetime | None = None, timeout: float = 5.0) -> Delivery:
    """Send what is due from the outbox, oldest first. A destination that fails is not tried again
    in this pass, so each receiver gets its events in order."""
    now = now or utcnow()
    report = Delivery()
    with db.engine.begin() as conn:
        due = conn.execute(
            select(outbox).where(outbox.c.delivered_at.is_(None), outbox.c.next_attempt_at <= now)
            .order_by(outbox.c.id).limit(BATCH)
        ).all()  # fmt: skip
        report.waiting = len(
            conn.execute(select(outbox.c.id).where(outbox.c.delivered_at.is_(None))).all()
        ) - len(due)
        urls = {r.id: r.url for r in conn.execute(select(webhooks.c.id, webhooks.c.url))}
        payloads = {r.id: _payload(conn, r.lead_event_id, now)[0] for r in due}
    failed_destinations: set[tuple[str, str]] = set()
    outcome: dict[int, str | None] = {}
    nats_rows = [r for r in due if r.channel == "nats"]
    for r in due:
        if r.channel != "webhook":
            continue
        if (r.channel, r.destination) in failed_destinations:
            outcome[r.id] = "an earlier event to this receiver is not delivered yet"
            continue
        try:
            _post(urls[int(r.destination)], payloads[r.id], r.lead_event_id, timeout)
            outcome[r.id] = None
        except (OSError, urllib.error.URLError, KeyError, ValueError) as exc:
            failed_destinations.add((r.channel, r.destination))
            outcome[r.id] = str(getattr(exc, "reason", exc))[:500] or type(exc).__name__
    if nats_rows:
        url = os.environ.get(NATS_URL_ENV, "")
        try:
            messages = [(r.id, r.destination, payloads[r.id]) for r in nats_rows]
            done = asyncio.run(_publish(url, messages, timeout)) if url else set()
            error = "NATS is not configured"
        except Exception as exc:
            done, error = set(), (str(exc) or type(exc).__name__)[:500]
        for r in nats_rows:
            outcome[r.id] = None if r.id in done else error
    with db.engine.begin() as conn:
        for r in due:
            error = outcome.get(r.id, "not attempted")
            if error is None:
                done_at, body = utcnow(), payloads[r.id].decode()
                conn.execute(update(outbox).where(outbox.c.id == r.id).values(
                    delivered_at=done_at, attempts=r.attempts + 1, payload=body, last_error=None)
                )  # fmt: skip
                report.sent += 1
            else:
                later = now + backoff(r.attempts + 1)
                conn.execute(update(outbox).where(outbox.c.id == r.id).values(
                    attempts=r.attempts + 1, next_attempt_at=later, last_error=error))  # fmt: skip
                report.failed += 1
    return report


def pending(db: Database) -> int:
    with db.engine.begin() as conn:
        return len(conn.execute(select(outbox.c.id).where(outbox.c.delivered_at.is_(None))).all())
