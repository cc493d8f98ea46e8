"""Passing records on: exports, under originator control.

A viewer may export what they may see, with restricted fields withheld, except a record another
agency marked originator-controlled: passing that on needs its owner's approval, asked for with an
access request of kind ``export``. Such records are held back and named, so the viewer knows whom
to ask. The export is audited with what left, by owner agency.
"""

from __future__ import annotations

from dataclasses import dataclass

from puente.policy import access, audit
from puente.policy.access import RecordView
from puente.policy.principals import Principal
from puente.store.db import Database


@dataclass(frozen=True)
class Export:
    records: list[RecordView]
    held_back: list[RecordView]  # originator-controlled by another agency, with no export approval


def export_records(
    db: Database,
    principal: Principal,
    purpose: str,
    *,
    record_type: str | None = None,
    owner: str | None = None,
) -> Export:
    seen = access.visible_records(
        db, principal, purpose, record_type=record_type, owner=owner, operation="export", audit_action=None
    )
    controlled = [v for v in seen if v.originator_controlled and v.owner != principal.agency]
    with db.engine.begin() as conn:
        cleared = set(conn.execute(access.approved(principal, "export")).scalars()) if controlled else set()
        held = [v for v in controlled if v.record_id not in cleared]
        held_ids = {v.record_id for v in held}
        out = [v for v in seen if v.record_id not in held_ids]
        audit.record(
            conn, principal.user_id, "export", purpose=purpose,
            detail={
                "filters": {"record_type": record_type, "owner": owner},
                **access.records_detail(out),
                "held_back": access.records_detail(held),
            },
        )  # fmt: skip
    return Export(out, held)
