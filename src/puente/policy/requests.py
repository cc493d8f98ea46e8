"""Access requests: a viewer asks to see records their markings hide; the owner's steward decides.

An approval lets that one person see the named record until it expires or is revoked; both take
effect at the next read, because visibility is checked against the clock inside each query
(``access.visible``). A request can only name a record whose marking allows a pointer: a record
marked ``disclosure: none`` and an unknown id are refused alike, so that asking reveals nothing.
A request of kind ``export`` asks the owner to let a viewer pass on a record they can see but whose
marking is originator-controlled (further dissemination needs the owner's approval).
Every request, decision and refusal is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, insert, or_, select, update

from puente.policy import access, audit
from puente.policy.access import Decision, Refused, require
from puente.policy.principals import Principal, Role
from puente.store.db import Database
from puente.store.repository import as_utc, utcnow
from puente.store.schema import access_requests, records

MAX_DAYS = 90  # the longest an approval may run; a steward renews it with a new request


@dataclass(frozen=True)
class AccessRequest:
    id: int
    requester: str
    requester_agency: str
    record_id: str
    kind: str  # view: see a hidden record; export: pass on one under originator control
    owner: str
    reason: str
    status: str  # pending, approved, denied, revoked
    created_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    note: str | None
    expires_at: dt.datetime | None

    def active(self, now: dt.datetime | None = None) -> bool:
        now = now or utcnow()
        return self.status == "approved" and self.expires_at is not None and as_utc(self.expires_at) > now


def refuse(
    db: Database, principal: Principal, action: str, purpose: str, en: str, es: str, **detail: object
) -> Refused:
    """The refusal to raise, audited in a transaction of its own: the caller's rolls back."""
    with db.engine.begin() as conn:
        audit.record(
            conn, principal.user_id, f"refused:{action}", purpose=purpose, detail={"reason": en, **detail}
        )
    return Refused(Decision(False, en, es))


KINDS = ("view", "export")


def request_access(
    db: Database, principal: Principal, record_id: str, reason: str, purpose: str, kind: str = "view"
) -> int:
    """Ask the owner of a hidden record for access (or, ``kind="export"``, for leave to pass on a
    visible record under originator control); returns the request's id."""
    require(db, principal, "request_access", purpose)
    with db.engine.begin() as conn:
        if kind not in KINDS:
            raise refuse(
                db, principal, "request_access", purpose,
                f"unknown kind of request '{kind}'; known: {', '.join(KINDS)}",
                f"tipo de solicitud desconocido '{kind}'; conocidos: {', '.join(KINDS)}",
            )  # fmt: skip
        if not reason.strip():
            raise refuse(
                db, principal, "request_access", purpose,
                "say why you need the record: the owner's steward decides on your reason",
                "indique por qué necesita el registro: el responsable del dueño decide con ese motivo",
            )  # fmt: skip
        row = conn.execute(
            select(
                records.c.owner,
                records.c.disclosure,
                records.c.originator_controlled,
                access.visible(principal).label("visible"),
            ).where(records.c.record_id == record_id)
        ).first()
        if kind == "export":
            if row is None or not row.visible:
                raise refuse(
                    db, principal, "request_access", purpose,
                    "no record you can see has this id",
                    "ningún registro que usted pueda ver tiene este identificador",
                    record_id=record_id,
                )  # fmt: skip
            if row.owner == principal.agency or not row.originator_controlled:
                raise refuse(
                    db, principal, "request_access", purpose,
                    "this record is not under another agency's originator control: you may export it",
                    "este registro no está bajo control del originador de otra dependencia: puede exportarlo",
                    record_id=record_id,
                )  # fmt: skip
        elif row is None or (not row.visible and row.disclosure != "pointer"):
            # an unknown id and a record its owner keeps fully hidden look the same
            raise refuse(
                db, principal, "request_access", purpose,
                "no record that can be requested has this id",
                "no hay ningún registro que pueda solicitarse con este identificador",
                record_id=record_id,
            )  # fmt: skip
        elif row.visible:
            raise refuse(
                db, principal, "request_access", purpose,
                "you can see this record already", "usted ya puede ver este registro", record_id=record_id,
            )  # fmt: skip
        request_id = int(
            conn.execute(
                insert(access_requests)
                .values(
                    requester=principal.user_id,
                    requester_agency=principal.agency,
                    record_id=record_id,
                    kind=kind,
                    owner=row.owner,
                    reason=reason.strip(),
                    status="pending",
                    created_at=utcnow(),
                )
                .returning(access_requests.c.id)
            ).scalar_one()
        )
        audit.record(
            conn, principal.user_id, "request_access", purpose=purpose,
            detail={"request": request_id, "record_id": record_id, "owner": row.owner, "kind": kind},
        )  # fmt: skip
    return request_id


def _own_request(
    db: Database,
    conn: Connection,
    steward: Principal,
    request_id: int,
    action: str,
    purpose: str,
    status: str,
) -> AccessRequest:
    found = conn.execute(select(access_requests).where(access_requests.c.id == request_id)).mappings().first()
    if found is None or found["owner"] != steward.agency:
        # another agency's requests are not this steward's to see, let alone decide
        raise refuse(
            db, steward, action, purpose,
            f"no request {request_id} for records of {steward.agency}",
            f"no hay ninguna solicitud {request_id} sobre registros de {steward.agency}",
            request=request_id,
        )  # fmt: skip
    request = AccessRequest(**found)
    if request.status != status:
        raise refuse(
            db, steward, action, purpose,
            f"request {request_id} is {request.status}, not {status}",
            f"la solicitud {request_id} está en estado {request.status}, no {status}",
            request=request_id,
        )  # fmt: skip
    return request


def decide(
    db: Database,
    steward: Principal,
    request_id: int,
    *,
    approve: bool,
    purpose: str,
    days: int = 30,
    note: str = "",
) -> AccessRequest:
    """The owner's steward approves (for ``days``) or denies a pending request."""
    require(db, steward, "decide_access", purpose)
    with db.engine.begin() as conn:
        if approve and not 1 <= days <= MAX_DAYS:
            raise refuse(
                db, steward, "decide_access", purpose,
                f"an approval runs 1 to {MAX_DAYS} days, not {days}",
                f"una aprobación dura de 1 a {MAX_DAYS} días, no {days}",
            )  # fmt: skip
        _own_request(db, conn, steward, request_id, "decide_access", purpose, "pending")
        now = utcnow()
        conn.execute(
            update(access_requests)
            .where(access_requests.c.id == request_id)
            .values(
                status="approved" if approve else "denied",
                decided_by=steward.user_id,
                decided_at=now,
                note=note or None,
                expires_at=now + dt.timedelta(days=days) if approve else None,
            )
        )
        audit.record(
            conn, steward.user_id, "approve_access" if approve else "deny_access", purpose=purpose,
            detail={"request": request_id, "days": days if approve else None},
        )  # fmt: skip
        return _load(conn, request_id)


def revoke(db: Database, steward: Principal, request_id: int, purpose: str, note: str = "") -> AccessRequest:
    """End an approval at once."""
    require(db, steward, "decide_access", purpose)
    with db.engine.begin() as conn:
        _own_request(db, conn, steward, request_id, "revoke_access", purpose, "approved")
        conn.execute(
            update(access_requests)
            .where(access_requests.c.id == request_id)
            .values(status="revoked", decided_by=steward.user_id, decided_at=utcnow(), note=note or None)
        )
        audit.record(conn, steward.user_id, "revoke_access", purpose=purpose, detail={"request": request_id})
        return _load(conn, request_id)


def list_requests(db: Database, principal: Principal, purpose: str) -> list[AccessRequest]:
    """A viewer's own requests; for a steward, also those made for the agency's records."""
    require(db, principal, "request_access", purpose)
    mine = access_requests.c.requester == principal.user_id
    condition = (
        or_(mine, access_requests.c.owner == principal.agency) if Role.STEWARD in principal.roles else mine
    )
    with db.engine.begin() as conn:
        rows = conn.execute(
            select(access_requests).where(condition).order_by(access_requests.c.id)
        ).mappings()
        found = [AccessRequest(**r) for r in rows]
        audit.record(
            conn, principal.user_id, "list_access_requests", purpose=purpose, detail={"count": len(found)}
        )
    return found


def _load(conn: Connection, request_id: int) -> AccessRequest:
    row = conn.execute(select(access_requests).where(access_requests.c.id == request_id)).mappings().one()
    return AccessRequest(**row)
