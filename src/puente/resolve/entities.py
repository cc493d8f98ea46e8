"""What a viewer is shown of the resolved entities: computed from the records they may see.

A viewer's entity is a connected part of the links between visible records only, so that a
record hidden from them never joins two records they can see, and nothing about hidden members
(their count, their fields) reaches them. A part that is the whole entity keeps the entity's id;
a part of one gets an id of its own that says nothing of the rest.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from puente.policy import access, audit
from puente.policy.principals import Principal
from puente.store.db import Database
from puente.store.schema import entity_links, entity_members, records


@dataclass(frozen=True)
class Membership:
    record_id: str
    owner: str
    entity_id: str


def _part_id(entity_id: str, first_record: str) -> str:
    prefix = entity_id.split("-", 1)[0] + "-"  # the entity's own kind: EP- person, EF- firearm ...
    return prefix + hashlib.sha256(f"{entity_id}|{first_record}".encode()).hexdigest()[:16]


def memberships(
    db: Database, principal: Principal, purpose: str, entity_type: str = "person"
) -> list[Membership]:
    """Every visible record of this type with the entity it belongs to, as this viewer may know it."""
    access.require(db, principal, "read_records", purpose)
    seen = access.visible(principal)
    with db.engine.begin() as conn:
        rows = conn.execute(
            select(entity_members.c.record_id, records.c.owner, entity_members.c.entity_id)
            .join(records, records.c.record_id == entity_members.c.record_id)
            .where(entity_members.c.entity_type == entity_type, seen)
            .order_by(entity_members.c.record_id)
        ).all()
        total = dict(
            conn.execute(
                select(entity_members.c.entity_id, func.count())
                .where(entity_members.c.entity_type == entity_type)
                .group_by(entity_members.c.entity_id)
            ).all()
        )
        visible_ids = {r.record_id for r in rows}
        links = [
            (a, b)
            for a, b in conn.execute(
                select(entity_links.c.record_a, entity_links.c.record_b).where(
                    entity_links.c.entity_type == entity_type
                )
            )
            if a in visible_ids and b in visible_ids
        ]
        audit.record(
            conn, principal.user_id, "read_entities", purpose=purpose,
            detail={"entity_type": entity_type, "count": len(rows),
                    "owners": dict(Counter(r.owner for r in rows))},
        )  # fmt: skip
    parent = {r: r for r in visible_ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    parts: dict[str, list[str]] = {}
    for r in visible_ids:
        parts.setdefault(find(r), []).append(r)
    entity_of = {r.record_id: r.entity_id for r in rows}
    shown: dict[str, str] = {}
    for part in parts.values():
        entity_id = entity_of[part[0]]
        whole = len(part) == total.get(entity_id, 0)
        name = entity_id if whole else _part_id(entity_id, min(part))
        for r in part:
            shown[r] = name
    return [Membership(r.record_id, r.owner, shown[r.record_id]) for r in rows]
