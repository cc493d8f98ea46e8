"""The inbox and a lead's life: new → assigned → actioned → closed with an outcome, comments, due
dates and escalation when overdue. A lead belongs to the agency told: only its people read or work
it, every step is audited and recorded in the lead's history (which the inbox streams live)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from puente.leads.generate import log
from puente.leads.views import OUTCOMES, LeadView, compose, seen_by
from puente.policy import audit
from puente.policy.access import Decision, Refused, require
from puente.policy.principals import Principal, Role, load
from puente.store.db import Database
from puente.store.repository import utcnow
from puente.store.schema import lead_events, leads


class LeadError(ValueError):
    def __init__(self, en: str, es: str) -> None:
        super().__init__(en)
        self.en, self.es = en, es


class LeadMissing(LookupError):
    """No such lead for the reader's agency (another agency's lead looks the same as none)."""

    en, es = "no such lead for your agency", "no existe esa pista para su dependencia"


@dataclass(frozen=True)
class InboxFilter:
    status: str | None = None  # one of STATUSES, or "open" (new or assigned)
    mine: bool = False  # assigned to the reader
    task_force: str | None = None


def inbox(
    db: Database, principal: Principal, purpose: str, filters: InboxFilter | None = None, limit: int = 200
) -> list[LeadView]:
    """The leads told to the reader's agency, highest priority and newest first; audited."""
    require(db, principal, "read_records", purpose)
    f = filters or InboxFilter()
    query = select(leads).where(leads.c.recipient == principal.agency)
    if f.status == "open":
        query = query.where(leads.c.status.in_(("new", "assigned")))
    elif f.status:
        query = query.where(leads.c.status == f.status)
    if f.mine:
        query = query.where(leads.c.assignee == principal.user_id)
    if f.task_force:
        query = query.where(leads.c.task_force == f.task_force)
    now = utcnow()
    seen = seen_by(principal)
    with db.engine.begin() as conn:
        rows = conn.execute(query.order_by(leads.c.priority, leads.c.id.desc()).limit(limit)).all()
        views = [compose(conn, r, seen, now) for r in rows]
        shown = [e.record_id for v in views for e in v.evidence if e.record_id]
        audit.record(conn, principal.user_id, "read_leads", purpose=purpose,
                     detail={"leads": [v.id for v in views][:500], "shown": shown[:500]})  # fmt: skip
    return views


def _row(conn: Connection, principal: Principal, lead_id: int):
    row = conn.execute(
        select(leads).where(leads.c.id == lead_id, leads.c.recipient == principal.agency)
    ).first()
    if row is None:
        raise LeadMissing(lead_id)
    return row


def read(db: Database, principal: Principal, purpose: str, lead_id: int) -> LeadView:
    """One lead with its history, as the reader may see it; audited with the evidence shown."""
    require(db, principal, "read_records", purpose)
    with db.engine.begin() as conn:
        try:
            view = compose(conn, _row(conn, principal, lead_id), seen_by(principal), utcnow(), history=True)
        except LeadMissing:
            audit.record(conn, principal.user_id, "read_lead", purpose=purpose,
                         detail={"lead": lead_id, "found": False})  # fmt: skip
            raise
        shown = [e.record_id for e in view.evidence if e.record_id]
        audit.record(
            conn, principal.user_id, "read_lead", purpose=purpose, detail={"lead": lead_id, "shown": shown}
        )
    return view


def _change(
    db: Database, principal: Principal, purpose: str, lead_id: int, kind: str, text: str, **values: object
) -> None:
    require(db, principal, "work_leads", purpose)
    with db.engine.begin() as conn:
        row = _row(conn, principal, lead_id)
        if row.status == "closed" and kind != "comment":
            raise LeadError("the lead is closed", "la pista está cerrada")
        if values:
            conn.execute(update(leads).where(leads.c.id == lead_id).values(**values))
        log(conn, lead_id, row.recipient, kind, principal.user_id, text)
        audit.record(conn, principal.user_id, f"lead_{kind}", purpose=purpose, detail={"lead": lead_id})


def assign(
    db: Database, principal: Principal, purpose: str, lead_id: int, assignee: str | None = None
) -> None:
    """Take a lead (no assignee: the reader), or, as a supervisor, give it to someone of the agency."""
    to = assignee or principal.user_id
    if to != principal.user_id:
        if Role.SUPERVISOR not in principal.roles:
            raise Refused(Decision(False, "only a supervisor assigns a lead to someone else",
                                   "solo un supervisor asigna una pista a otra persona"))  # fmt: skip
        with db.engine.begin() as conn:
            other = load(conn, to)
        if other is None or other.agency != principal.agency or not other.active:
            raise LeadError(f"{to} is not an active member of {principal.agency}",
                            f"{to} no es integrante activo de {principal.agency}")  # fmt: skip
    _change(db, principal, purpose, lead_id, "assigned", to, assignee=to, status="assigned")


def act(db: Database, principal: Principal, purpose: str, lead_id: int, note: str) -> None:
    """Record the action taken on a lead."""
    if not note.strip():
        raise LeadError("say what was done", "indique qué se hizo")
    _change(
        db, principal, purpose, lead_id, "actioned", note.strip(), status="actioned", actioned_at=utcnow()
    )


def close(
    db: Database, principal: Principal, purpose: str, lead_id: int, outcome: str, note: str = ""
) -> None:
    if outcome not in OUTCOMES:
        raise LeadError(f"the outcome is one of: {', '.join(OUTCOMES)}",
                        f"el resultado es uno de: {', '.join(OUTCOMES)}")  # fmt: skip
    now = utcnow()
    _change(db, principal, purpose, lead_id, "closed", f"{outcome}: {note.strip()}".strip(": "),
            status="closed", outcome=outcome, closed_at=now)  # fmt: skip


def comment(db: Database, principal: Principal, purpose: str, lead_id: int, text: str) -> None:
    if not text.strip():
        raise LeadError("the comment is empty", "el comentario está vacío")
    _change(db, principal, purpose, lead_id, "comment", text.strip())


def escalate(db: Database, now: dt.datetime | None = None) -> int:
    """Mark every open lead past its due date escalated (once), recorded in its history so that the
    agency's supervisors see it in the inbox. Returns how many were escalated."""
    now = now or utcnow()
    with db.engine.begin() as conn:
        overdue = conn.execute(
            select(leads.c.id, leads.c.recipient, leads.c.due_at).where(
                leads.c.status.in_(("new", "assigned")), leads.c.escalated_at.is_(None), leads.c.due_at < now
            )
        ).all()
        for r in overdue:
            conn.execute(update(leads).where(leads.c.id == r.id).values(escalated_at=now))
            log(conn, r.id, r.recipient, "escalated", "system", "overdue", now)
        audit.record(conn, "system", "escalate_leads", purpose="leads", detail={"escalated": len(overdue)})
    return len(overdue)


def changes(db: Database, principal: Principal, after: int, limit: int = 100) -> list[dict[str, object]]:
    """Lead events of the reader's agency after event id ``after`` (for the live inbox): ids and
    kinds only; the reader fetches the leads themselves through ``read``."""
    with db.engine.begin() as conn:
        rows = conn.execute(
            select(lead_events.c.id, lead_events.c.lead_id, lead_events.c.kind)
            .where(lead_events.c.recipient == principal.agency, lead_events.c.id > after)
            .order_by(lead_events.c.id).limit(limit)
        ).all()  # fmt: skip
    return [{"id": r.id, "lead_id": r.lead_id, "kind": r.kind} for r in rows]


def last_change(db: Database, principal: Principal) -> int:
    with db.engine.begin() as conn:
        rows = conn.execute(
            select(lead_events.c.id).where(lead_events.c.recipient == principal.agency)
            .order_by(lead_events.c.id.desc()).limit(1)
        ).scalar()  # fmt: skip
    return int(rows or 0)
