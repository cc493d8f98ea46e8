"""A lane check that met some agency's interest (a wanted person, a vehicle a case's subject was
seen in, a watch): the lead that tells that agency at once, while the vehicle may still be at the
port, whichever agency's officer ran the check and whether or not that officer could see the case
(an officer who could not was told only to contact the holder)."""

from __future__ import annotations

import datetime as dt

import orjson
from sqlalchemy import Connection, select

from puente.leads import config
from puente.leads.generate import _agents, log
from puente.policy.principals import SYSTEM
from puente.screen.index import Entry
from puente.store.repository import as_utc
from puente.store.schema import leads, watches

RULE = "lane"
REPEAT_HOURS = 24
# the entries that are some agency's interest
REASONS = ("case_subject", "subject_vehicle", "suspect_firearm", "watch")


def source_ref(hit_id: int) -> str:
    """How a lead names the lane check it comes from (screen hits are not records)."""
    return f"screen:{hit_id}"


def _told_lately(conn: Connection, recipient: str, target: str, record_id: str, now: dt.datetime) -> bool:
    """Whether a lane lead of the same interest and record is still open from the last REPEAT_HOURS:
    a driver checked at two lanes, or twice, is one lead to work, not many (each hit is still
    recorded and audited)."""
    since = now - dt.timedelta(hours=REPEAT_HOURS)
    # by the unique key's leading columns alone, which the database then looks up by; the open ones
    # of the last hours are kept here (a filter on status would pick the index of every open lead)
    rows = conn.execute(
        select(leads.c.evidence, leads.c.status, leads.c.created_at).where(
            leads.c.rule == RULE, leads.c.recipient == recipient, leads.c.target_ref == target
        )
    ).all()  # fmt: skip
    return any(r.status in ("new", "assigned") and as_utc(r.created_at) >= since
               and orjson.loads(r.evidence)[2] == record_id for r in rows)  # fmt: skip


def raise_lead(conn: Connection, *, hit_id: int, entry: Entry, checked_by: str, port: str | None, how: str,
               now: dt.datetime) -> int | None:  # fmt: skip
    """Store and queue the lead for the agency whose interest the entry is (a wanted person's or a
    subject's vehicle's case, a watch); None when the entry is no one's interest or the rule is off."""
    settings = config.rules()
    rule = settings.rules.get(RULE)
    if rule is None or not rule.enabled or not entry.context or entry.reason not in REASONS:
        return None
    target = entry.context
    assignee = None
    if entry.reason == "watch":
        watcher = conn.execute(
            select(watches.c.agency, watches.c.user_id).where(watches.c.id == int(target.split(":", 1)[1]))
        ).first()
        if watcher is None:
            return None
        recipient, assignee = watcher.agency, watcher.user_id
    else:
        recipient = target.split(":", 1)[0]
    if _told_lately(conn, recipient, target, entry.record_id, now):
        return None
    evidence = [source_ref(hit_id), target, entry.record_id, f"how:{how}", f"port:{port or ''}",
                f"reason:{entry.reason}"]  # fmt: skip
    priority = rule.priority(entry.reason) or 1
    agent = None if entry.reason == "watch" else _agents(conn, {target}).get(target)
    lead_id = int(conn.execute(
        leads.insert().values(
            rule=RULE, recipient=recipient, target_ref=target, source_record_id=source_ref(hit_id),
            source_owner=checked_by, evidence=orjson.dumps(evidence).decode(), priority=priority,
            task_force=config.routing().task_force(recipient, port, None), agent=agent, assignee=assignee,
            status="assigned" if assignee else "new", source_day=now.date().isoformat(), arrived_at=now,
            due_at=now + dt.timedelta(days=settings.due_days.get(priority, 3)), created_at=now,
        ).returning(leads.c.id)
    ).scalar_one())  # fmt: skip
    log(conn, lead_id, recipient, "created", SYSTEM, f"lane check at {port or 'a port'}", now)
    return lead_id
