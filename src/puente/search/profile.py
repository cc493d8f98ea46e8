"""An entity's profile as one viewer may know it: its records they may see, a timeline, the records
and entities linked to it, and pointers to the other holders they may ask.

Opened from one visible record: the profile is the viewer's part of that record's entity (see
``puente.resolve.entities``), so a record hidden from them never joins what they see, and the
profile of a record they may not see is the same nothing as that of an unknown one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from puente.policy import access, audit
from puente.policy.principals import Principal
from puente.resolve.entities import viewer_parts
from puente.search.query import HeldElsewhere
from puente.search.terms import link_term
from puente.store.db import Database
from puente.store.schema import entity_members, records, search_docs, search_terms

MAX_LINKED = 200


@dataclass(frozen=True)
class ProfileRecord:
    view: access.RecordView
    title: str
    day: str | None


@dataclass(frozen=True)
class Linked:
    """A record linked to the entity: it names one of the entity's records, or one names it."""

    record_id: str
    record_type: str
    owner: str
    title: str
    day: str | None
    relation: str  # the relation's kind as the naming record states it (purchaser, driver, vehicle ...)
    entity_id: str | None  # the viewer's id of the linked record's own entity, if it has one


@dataclass(frozen=True)
class Profile:
    entity_id: str | None  # None: the record belongs to no entity
    kind: str
    title: str
    records: list[ProfileRecord]
    linked: list[Linked]
    pointers: list[HeldElsewhere]

    def timeline(self) -> list[tuple[str, str, str, str]]:
        """(day, record id, record type, title) of the entity's records and linked ones, oldest first."""
        events = [(r.day, r.view.record_id, r.view.record_type, r.title) for r in self.records if r.day]
        events += [(ln.day, ln.record_id, ln.record_type, ln.title) for ln in self.linked if ln.day]
        return sorted(set(events))  # type: ignore[arg-type]


def _docs(conn: Connection, ids: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        for row in conn.execute(select(search_docs).where(search_docs.c.record_id.in_(part))):
            out[row.record_id] = row
    return out


def profile(db: Database, principal: Principal, record_id: str, purpose: str) -> Profile | None:
    """The profile of the entity ``record_id`` belongs to, as this viewer may know it; None when the
    record is unknown or hidden from them (alike)."""
    access.require(db, principal, "read_records", purpose)
    seen = access.visible(principal)
    with db.engine.begin() as conn:
        row = conn.execute(
            select(records.c.record_id, seen.label("visible")).where(records.c.record_id == record_id)
        ).first()
        if row is None or not row.visible:
            audit.record(conn, principal.user_id, "read_profile", purpose=purpose,
                         detail={"record_id": record_id, "outcome": "nothing"})  # fmt: skip
            return None
        member = conn.execute(
            select(entity_members.c.entity_id, entity_members.c.entity_type).where(
                entity_members.c.record_id == record_id
            )
        ).first()
        pointers: list[HeldElsewhere] = []
        if member is None:
            part = [record_id]
            shown_id, kind = None, None
        else:
            parts = viewer_parts(conn, principal, [member.entity_id])
            shown_id = parts.shown[record_id]
            kind = member.entity_type
            part = sorted(r for r, s in parts.shown.items() if s == shown_id)
            pointers = [HeldElsewhere.of(h, r) for h, r in sorted(parts.pointers.get(member.entity_id, []))]
        named_by = _naming(conn, part)
    views = access.visible_records(db, principal, purpose, record_ids=part, audit_action=None)
    names = {r["target"] for v in views for r in v.content.get("relations") or [] if r.get("target")}
    linked_ids = sorted((named_by | names) - set(part))[:MAX_LINKED]
    views += access.visible_records(db, principal, purpose, record_ids=linked_ids, audit_action=None)
    with db.engine.begin() as conn:
        audit.record(conn, principal.user_id, "read_profile", purpose=purpose,
                     detail={"record_id": record_id, **access.records_detail(views)})  # fmt: skip
    by_id = {v.record_id: v for v in views}
    with db.engine.begin() as conn:
        docs = _docs(conn, sorted(by_id))
        linked_entities = conn.execute(
            select(entity_members.c.record_id, entity_members.c.entity_id).where(
                entity_members.c.record_id.in_(sorted(r for r in linked_ids if r in by_id))
            )
        ).all()
        linked_parts = viewer_parts(conn, principal, [e for _, e in linked_entities])
    members = [ProfileRecord(by_id[r], _title(docs, r), _day(docs, r)) for r in part if r in by_id]
    relation_of = _relations(by_id, part)
    linked = [
        Linked(r, by_id[r].record_type, by_id[r].owner, _title(docs, r), _day(docs, r),
               relation_of.get(r, ""), linked_parts.shown.get(r))
        for r in sorted(linked_ids) if r in by_id and r not in set(part)
    ]  # fmt: skip
    title = members[0].title if members else record_id
    if kind == "person":  # the fullest name its records give
        title = max((m.title for m in members if m.view.record_type == "person"), key=len, default=title)
    return Profile(shown_id, kind or by_id[record_id].record_type, title, members, linked, pointers)


def _title(docs: dict[str, Any], record_id: str) -> str:
    doc = docs.get(record_id)
    return doc.title if doc is not None else record_id


def _day(docs: dict[str, Any], record_id: str) -> str | None:
    doc = docs.get(record_id)
    return doc.day if doc is not None else None


def _naming(conn: Connection, part: list[str]) -> set[str]:
    """Records that name one of ``part`` in their relations (visible or not: the caller filters)."""
    found: set[str] = set()
    terms = [link_term(r) for r in part]
    for start in range(0, len(terms), 500):
        found.update(
            conn.execute(
                select(search_terms.c.record_id)
                .where(search_terms.c.term.in_(terms[start : start + 500]))
                .limit(MAX_LINKED)
            ).scalars()
        )
    return found


def _relations(by_id: dict[str, access.RecordView], part: list[str]) -> dict[str, str]:
    """Linked record -> the kind of relation that links it (as stated by whichever side names the other)."""
    members = set(part)
    out: dict[str, str] = {}
    for rid, view in by_id.items():
        for relation in view.content.get("relations") or []:
            target = relation.get("target")
            if rid in members and target not in members:
                out.setdefault(target, relation.get("kind", ""))
            elif rid not in members and target in members:
                out.setdefault(rid, relation.get("kind", ""))
    return out
