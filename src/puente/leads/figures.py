"""Follow-up figures of an agency's leads: how fast data became a lead and a lead became action,
and where leads went and how they ended. Computed from the reader's agency's leads only."""

from __future__ import annotations

import contextlib
import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from puente.policy import audit
from puente.policy.access import require
from puente.policy.principals import Principal
from puente.store.db import Database
from puente.store.repository import as_utc
from puente.store.schema import leads


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


@dataclass(frozen=True)
class Figures:
    leads: int
    by_status: dict[str, int]
    by_outcome: dict[str, int]
    by_task_force: dict[str, int]
    by_rule: dict[str, int]
    event_to_lead_days: float | None  # median: the seizure (or crossing...) happened -> lead
    arrival_to_lead_hours: float | None  # median: the record was loaded -> lead
    lead_to_action_hours: float | None  # median, of the leads acted on
    overdue_escalated: int

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def figures(db: Database, principal: Principal, purpose: str) -> Figures:
    require(db, principal, "read_records", purpose)
    with db.engine.begin() as conn:
        rows = conn.execute(select(leads).where(leads.c.recipient == principal.agency)).all()
        audit.record(conn, principal.user_id, "lead_figures", purpose=purpose, detail={"leads": len(rows)})
    to_lead_days, arrival_hours, action_hours = [], [], []
    for r in rows:
        created = as_utc(r.created_at)
        # a source day the index could not read as a date gives no figure, rather than a wrong one
        with contextlib.suppress(ValueError):
            happened = dt.datetime.fromisoformat(r.source_day or "").replace(tzinfo=dt.UTC)
            to_lead_days.append((created - happened).total_seconds() / 86400)
        if r.arrived_at is not None:
            arrival_hours.append(max(0.0, (created - as_utc(r.arrived_at)).total_seconds() / 3600))
        if r.actioned_at is not None:
            action_hours.append((as_utc(r.actioned_at) - created).total_seconds() / 3600)
    return Figures(
        len(rows),
        dict(Counter(r.status for r in rows)),
        dict(Counter(r.outcome for r in rows if r.outcome)),
        dict(Counter(r.task_force for r in rows).most_common()),
        dict(Counter(r.rule for r in rows)),
        _median(to_lead_days),
        _median(arrival_hours),
        _median(action_hours),
        sum(1 for r in rows if r.escalated_at is not None),
    )
