"""Target deconfliction: two agencies' cases hold the same target — one resolved entity, or a
shared identifier (CURP, SSN, phone) of their subjects. Each side is told whom to call, never the
other's case: and only when the other case's marking allows at least a pointer to it."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, select

from puente.deconflict.alerts import contact, tell
from puente.policy import audit
from puente.policy.principals import SYSTEM, Principal
from puente.search.links import CaseHead, case_subjects, chunks, contents
from puente.store.db import Database
from puente.store.schema import entity_members

WHAT = {  # the kind of target two cases share, as each side is told it
    "entity": ("the same person", "la misma persona"),
    "curp": ("the same CURP", "la misma CURP"),
    "ssn": ("the same SSN", "el mismo SSN"),
    "phone": ("the same phone number", "el mismo número de teléfono"),
}


def _identifiers(person: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for kind in ("curp", "ssn"):
        value = (person.get(kind) or {}).get("value")
        if value:
            found.append((kind, value))
    for phone in person.get("phones") or []:
        value = phone.get("value") if isinstance(phone, dict) else None
        if value:
            found.append(("phone", value))
    return found


def _targets(conn: Connection) -> dict[tuple[str, str], set[CaseHead]]:
    """(kind, value) of every target -> the cases holding it (their subjects' entities and identifiers)."""
    subject_cases = case_subjects(conn)
    held: dict[tuple[str, str], set[CaseHead]] = defaultdict(set)
    for chunk in chunks(sorted(subject_cases)):
        for record_id, entity in conn.execute(
            select(entity_members.c.record_id, entity_members.c.entity_id).where(
                entity_members.c.record_id.in_(chunk)
            )
        ):
            held[("entity", entity)].update(subject_cases[record_id])
        for record_id, content in contents(conn, chunk):
            for target in _identifiers(content):
                held[target].update(subject_cases[record_id])
    return held


def deconflict_targets(db: Database, actor: Principal | None = None, purpose: str = "deconfliction") -> int:
    """Tell both sides of every target two agencies' cases share (once each); returns how many
    agencies were told something new. Run after loads and entity resolution."""
    told = 0
    with db.engine.begin() as conn:
        for (kind, _value), holders in _targets(conn).items():
            for mine in holders:
                for theirs in holders:
                    if theirs.owner == mine.owner:
                        continue
                    # the other case may be pointed to this side, or this side may see it
                    if theirs.disclosure != "pointer" and mine.owner not in theirs.audience:
                        continue
                    what_en, what_es = WHAT[kind]
                    call_en, call_es = contact(theirs.owner)
                    told += tell(conn, "target", mine.owner, mine.record_id, theirs.owner, theirs.record_id, {
                        "en": f"a subject of your case {mine.record_id} is {what_en} as a target of "
                              f"{theirs.owner}: call {call_en}",
                        "es": f"un sujeto de su caso {mine.record_id} es {what_es} que un objetivo de "
                              f"{theirs.owner}: llame a {call_es}",
                    })  # fmt: skip
        who = actor.user_id if actor else SYSTEM
        audit.record(conn, who, "deconflict_targets", purpose=purpose, detail={"told": told})
    return told
