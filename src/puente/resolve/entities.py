"""What a viewer is shown of the resolved entities: computed from the records they may see.

A viewer's entity is a connected part of the links between visible records only, so that a
record hidden from them never joins two records they can see, and nothing about hidden members
(their count, their fields) reaches them. A part that is the whole entity keeps the entity's id;
a part of one gets an id of its own that says nothing of the rest.

Phones, addresses and firearms are joined by one exact key each record holds in its own content
(a firearm's serial with its make), so a viewer's part of one is simply the members and mentions
(the persons, organizations and seizures carrying the value or the gun) they may see; a record
carrying several shows once for each.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, literal, or_, select

from puente.policy import access, audit
from puente.policy.principals import Principal
from puente.resolve.contacts import KINDS as CONTACT_KINDS
from puente.store.db import Database
from puente.store.schema import entity_links, entity_members, entity_mentions, records

CARRIED_KINDS = (*CONTACT_KINDS, "firearm")  # kinds with mentions, each joined by one key


@dataclass(frozen=True)
class Membership:
    record_id: str
    owner: str
    entity_id: str
    field: str = ""  # a mention's field holding the phone, address or gun ("phones[1]"); "" for a member


def _part_id(entity_id: str, first_record: str) -> str:
    prefix = entity_id.split("-", 1)[0] + "-"  # the entity's own kind: EP- person, EF- firearm ...
    return prefix + hashlib.sha256(f"{entity_id}|{first_record}".encode()).hexdigest()[:16]


def memberships(
    db: Database, principal: Principal, purpose: str, entity_type: str = "person"
) -> list[Membership]:
    """Every visible record of this type with the entity it belongs to, as this viewer may know it;
    for phones, addresses and firearms, also every visible record that carries one, once each."""
    access.require(db, principal, "read_records", purpose)
    seen = access.visible(principal)
    if entity_type in CARRIED_KINDS:
        with db.engine.begin() as conn:
            shown = _carried(conn, seen, entity_type)
            _audit(conn, principal, purpose, entity_type, shown)
        return shown
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
        _audit(conn, principal, purpose, entity_type, rows)
    entity_of = {r.record_id: r.entity_id for r in rows}
    shown = _shown_parts(visible_ids, links, entity_of, total)
    return [Membership(r.record_id, r.owner, shown[r.record_id]) for r in rows]


def _shown_parts(
    visible_ids: set[str],
    links: list[tuple[str, str]],
    entity_of: dict[str, str],
    total: dict[str, int],
) -> dict[str, str]:
    """Record -> the id a viewer knows its entity by: the connected parts of the links between the
    records they see; a part that is the whole entity keeps its id, any other gets a part id."""
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
    shown: dict[str, str] = {}
    for part in parts.values():
        entity_id = entity_of[part[0]]
        whole = len(part) == total.get(entity_id, 0)
        name = entity_id if whole else _part_id(entity_id, min(part))
        for r in part:
            shown[r] = name
    return shown


@dataclass(frozen=True)
class EntityParts:
    """What a viewer may know of some entities: for each visible member, the id of the part it is in;
    for each entity, the hidden members whose markings let their holders be named."""

    shown: dict[str, str]  # visible record -> the viewer's id of its entity (or part of it)
    entity_of: dict[str, str]  # visible record -> its entity id (never shown: it keys pointers)
    pointers: dict[str, list[tuple[str, str]]]  # entity id -> [(holder agency, record id)]


def viewer_parts(conn: Connection, principal: Principal, entity_ids: Sequence[str]) -> EntityParts:
    """The viewer's parts of a few entities (those of a page of search hits, or of one profile),
    computed as ``memberships`` computes them for all, from the members they may see."""
    ids = sorted(set(entity_ids))
    if not ids:
        return EntityParts({}, {}, {})
    seen = access.visible(principal)
    members = conn.execute(
        select(entity_members.c.record_id, entity_members.c.entity_id, entity_members.c.entity_type,
               records.c.owner, records.c.disclosure, seen.label("visible"))
        .join(records, records.c.record_id == entity_members.c.record_id)
        .where(entity_members.c.entity_id.in_(ids))
    ).all()  # fmt: skip
    total: Counter[str] = Counter(m.entity_id for m in members)
    entity_of = {m.record_id: m.entity_id for m in members if m.visible}
    pointers: dict[str, list[tuple[str, str]]] = {}
    for m in members:
        if not m.visible and m.disclosure == "pointer":
            pointers.setdefault(m.entity_id, []).append((m.owner, m.record_id))
    carried = {m.entity_id for m in members if m.entity_type in CARRIED_KINDS}
    visible_ids = {r for r, e in entity_of.items() if e not in carried}
    links: list[tuple[str, str]] = []
    listed = sorted(visible_ids)
    for start in range(0, len(listed), 500):
        part = listed[start : start + 500]
        links += [
            (a, b)
            for a, b in conn.execute(
                select(entity_links.c.record_a, entity_links.c.record_b).where(
                    or_(entity_links.c.record_a.in_(part), entity_links.c.record_b.in_(part))
                )
            )
            if a in visible_ids and b in visible_ids
        ]
    shown = _shown_parts(visible_ids, links, entity_of, dict(total))
    if carried:  # joined by one key each record holds: what the viewer sees of one is one part
        mentions = conn.execute(
            select(entity_mentions.c.record_id, entity_mentions.c.entity_id, seen.label("visible"))
            .join(records, records.c.record_id == entity_mentions.c.record_id)
            .where(entity_mentions.c.entity_id.in_(sorted(carried)))
        ).all()
        seen_of: dict[str, list[str]] = {}
        for r, e in entity_of.items():
            if e in carried:
                seen_of.setdefault(e, []).append(r)
        for m in mentions:
            total[m.entity_id] += 1
            if m.visible:
                seen_of.setdefault(m.entity_id, []).append(m.record_id)
        for r, e in entity_of.items():
            if e in carried:
                whole = len(seen_of[e]) == total[e]
                shown[r] = e if whole else _part_id(e, min(seen_of[e]))
    return EntityParts(shown, entity_of, pointers)


def _audit(
    conn: Connection, principal: Principal, purpose: str, entity_type: str, rows: Sequence[Any]
) -> None:
    audit.record(
        conn, principal.user_id, "read_entities", purpose=purpose,
        detail={"entity_type": entity_type, "count": len(rows),
                "owners": dict(Counter(r.owner for r in rows))},
    )  # fmt: skip


def _carried(
    conn: Connection, seen: ColumnElement[bool], entity_type: str, entity_ids: Sequence[str] | None = None
) -> list[Membership]:
    """The visible members and mentions of phone, address or firearm entities (all of the type, or
    those of ``entity_ids``). Every record holds its key itself, so no hidden record stands between
    two visible ones; an entity with hidden occurrences is shown under a part id, which says
    nothing of them."""
    member_rows = select(
        entity_members.c.record_id, records.c.owner, entity_members.c.entity_id, literal("").label("field")
    ).join(records, records.c.record_id == entity_members.c.record_id)
    mention_rows = select(
        entity_mentions.c.record_id, records.c.owner, entity_mentions.c.entity_id, entity_mentions.c.field
    ).join(records, records.c.record_id == entity_mentions.c.record_id)
    rows = []
    for table, query in ((entity_members, member_rows), (entity_mentions, mention_rows)):
        query = query.where(table.c.entity_type == entity_type, seen)
        if entity_ids is not None:
            query = query.where(table.c.entity_id.in_(sorted(set(entity_ids))))
        rows += conn.execute(query).all()
    total: Counter[str] = Counter()
    for table in (entity_members, entity_mentions):
        counted = select(table.c.entity_id, func.count()).where(table.c.entity_type == entity_type)
        if entity_ids is not None:
            counted = counted.where(table.c.entity_id.in_(sorted(set(entity_ids))))
        for entity_id, n in conn.execute(counted.group_by(table.c.entity_id)):
            total[entity_id] += n
    visible = Counter(r.entity_id for r in rows)
    first: dict[str, str] = {}
    for r in rows:
        first[r.entity_id] = min(first.get(r.entity_id, r.record_id), r.record_id)
    shown = {e: e if visible[e] == total[e] else _part_id(e, first[e]) for e in visible}
    return sorted(
        (Membership(r.record_id, r.owner, shown[r.entity_id], r.field) for r in rows),
        key=lambda m: (m.record_id, m.field),
    )


def memberships_page(
    db: Database,
    principal: Principal,
    purpose: str,
    entity_type: str = "person",
    *,
    limit: int = 100,
    after: tuple[str, str] | None = None,
) -> list[Membership]:
    """One page of ``memberships`` (in (record id, field) order, after ``after``), with the same
    entity ids, computed from the entities on the page only: a page of a million-record store
    costs what the page holds, not what the store holds."""
    access.require(db, principal, "read_records", purpose)
    seen = access.visible(principal)
    low_record, low_field = after if after is not None else ("", "")
    with db.engine.begin() as conn:
        if entity_type in CARRIED_KINDS:
            keys = []
            for table, field in ((entity_members, literal("")), (entity_mentions, entity_mentions.c.field)):
                later = or_(table.c.record_id > low_record,
                            and_(table.c.record_id == low_record, field > low_field))  # fmt: skip
                query = (
                    select(table.c.record_id, field.label("field"), table.c.entity_id)
                    .join(records, records.c.record_id == table.c.record_id)
                    .where(table.c.entity_type == entity_type, seen, later)
                    .order_by(table.c.record_id, field)
                    .limit(limit)
                )
                keys += conn.execute(query).all()
            keys = sorted(keys, key=lambda k: (k.record_id, k.field))[:limit]
            wanted = {(k.record_id, k.field) for k in keys}
            page = [m for m in _carried(conn, seen, entity_type, [k.entity_id for k in keys])
                    if (m.record_id, m.field) in wanted]  # fmt: skip
        else:
            rows = conn.execute(
                select(entity_members.c.record_id, records.c.owner, entity_members.c.entity_id)
                .join(records, records.c.record_id == entity_members.c.record_id)
                .where(entity_members.c.entity_type == entity_type, seen)
                .where(entity_members.c.record_id > low_record)
                .order_by(entity_members.c.record_id)
                .limit(limit)
            ).all()  # fmt: skip
            parts = viewer_parts(conn, principal, [r.entity_id for r in rows])
            page = [Membership(r.record_id, r.owner, parts.shown[r.record_id]) for r in rows]
        _audit(conn, principal, purpose, entity_type, page)
    return page
