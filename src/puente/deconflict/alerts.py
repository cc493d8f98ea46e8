"""What deconfliction told an agency, and the telling itself (both sides in one transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, select

from puente.policy import audit
from puente.policy.access import Pointer, require
from puente.policy.principals import Principal
from puente.store.db import Database
from puente.store.repository import utcnow
from puente.store.schema import deconfliction_alerts


@dataclass(frozen=True)
class Alert:
    id: int
    kind: str  # operation, target
    own_ref: str  # the viewer's own operation or case
    other_agency: str
    contact_en: str
    contact_es: str
    en: str
    es: str
    created_at: str


def tell(conn: Connection, kind: str, agency: str, own_ref: str, other_agency: str, other_ref: str,
         reason: dict[str, str]) -> bool:  # fmt: skip
    """Tell ``agency`` once that its ``own_ref`` meets another agency's; False when already told."""
    told = conn.execute(
        select(deconfliction_alerts.c.id).where(
            deconfliction_alerts.c.kind == kind, deconfliction_alerts.c.agency == agency,
            deconfliction_alerts.c.own_ref == own_ref, deconfliction_alerts.c.other_ref == other_ref,
        )
    ).first()  # fmt: skip
    if told is not None:
        return False
    conn.execute(
        deconfliction_alerts.insert().values(
            kind=kind, agency=agency, own_ref=own_ref, other_agency=other_agency, other_ref=other_ref,
            reason=orjson.dumps(reason).decode(), created_at=utcnow(),
        )
    )  # fmt: skip
    return True


def contact(agency: str) -> tuple[str, str]:
    pointer = Pointer.of(agency)
    return pointer.contact_en, pointer.contact_es


def alerts(db: Database, principal: Principal, purpose: str) -> list[Alert]:
    """What deconfliction told the viewer's agency, newest first; audited."""
    require(db, principal, "read_records", purpose)
    with db.engine.begin() as conn:
        rows = conn.execute(
            select(deconfliction_alerts)
            .where(deconfliction_alerts.c.agency == principal.agency)
            .order_by(deconfliction_alerts.c.id.desc())
        ).all()
        audit.record(conn, principal.user_id, "deconfliction_alerts", purpose=purpose,
                     detail={"alerts": len(rows)})  # fmt: skip
    out = []
    for r in rows:
        reason: dict[str, Any] = orjson.loads(r.reason)
        en, es = contact(r.other_agency)
        out.append(Alert(r.id, r.kind, r.own_ref, r.other_agency, en, es, reason["en"], reason["es"],
                         r.created_at.isoformat()))  # fmt: skip
    return out
