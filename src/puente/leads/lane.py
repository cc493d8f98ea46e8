"""A wanted person met at a lane: the lead that tells the case's agency at once, while the driver
may still be at the port, whichever agency's officer ran the check and whether or not that officer
could see the case (an officer who could not was told only to contact the holder)."""

from __future__ import annotations

import datetime as dt

import orjson
from sqlalchemy import Connection

from puente.leads import config
from puente.leads.generate import _agents, log
from puente.policy.principals import SYSTEM
from puente.store.schema import leads

RULE = "lane"


def source_ref(hit_id: int) -> str:
    """How a lead names the lane check it comes from (screen hits are not records)."""
    return f"screen:{hit_id}"


def raise_lead(conn: Connection, *, hit_id: int, case_id: str, subject_id: str, checked_by: str,
               port: str | None, how: str, now: dt.datetime) -> int | None:  # fmt: skip
    """Store and queue the lead for the case's agency; None when the rule is switched off."""
    settings = config.rules()
    rule = settings.rules.get(RULE)
    if rule is None or not rule.enabled:
        return None
    recipient = case_id.split(":", 1)[0]
    evidence = [source_ref(hit_id), case_id, subject_id, f"how:{how}", f"port:{port or ''}"]
    priority = rule.priority("screen") or 1
    lead_id = int(conn.execute(
        leads.insert().values(
            rule=RULE, recipient=recipient, target_ref=case_id, source_record_id=source_ref(hit_id),
            source_owner=checked_by,
            evidence=orjson.dumps(evidence).decode(),
            priority=priority, task_force=config.routing().task_force(recipient, port, None),
            agent=_agents(conn, {case_id}).get(case_id), assignee=None, status="new",
            source_day=now.date().isoformat(), arrived_at=now,
            due_at=now + dt.timedelta(days=settings.due_days.get(priority, 3)), created_at=now,
        ).returning(leads.c.id)
    ).scalar_one())  # fmt: skip
    log(conn, lead_id, recipient, "created", SYSTEM, f"lane check at {port or 'a port'}", now)
    return lead_id
