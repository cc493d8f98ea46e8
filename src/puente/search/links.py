"""Which records name which: the subjects of every case, their resolved entities, and the records
that name a person, found through the index's link terms (a subject names its case in its relations)
and its record type index, never by a scan of the store."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, select

from puente.policy.access import audience
from puente.search.terms import link_term
from puente.store.schema import entity_members, record_versions, records, search_docs, search_terms

CHUNK = 500


@dataclass(frozen=True)
class CaseHead:
    record_id: str
    owner: str
    disclosure: str
    audience: frozenset[str]  # the agencies that may see the case


def chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def contents(conn: Connection, record_ids: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(record id, content of its current version) of each of ``record_ids`` that exists."""
    for chunk in chunks(record_ids):
        for record_id, canonical in conn.execute(
            select(records.c.record_id, record_versions.c.canonical)
            .join(record_versions, (record_versions.c.record_id == records.c.record_id)
                  & (record_versions.c.version == records.c.version))
            .where(records.c.record_id.in_(chunk))
        ):  # fmt: skip
            yield record_id, orjson.loads(canonical)


def case_subjects(conn: Connection) -> dict[str, list[CaseHead]]:
    """Subject person record id -> the cases that name it as their subject."""
    case_ids = list(
        conn.execute(select(search_docs.c.record_id).where(search_docs.c.record_type == "case")).scalars()
    )
    cases: dict[str, CaseHead] = {}
    columns = (records.c.record_id, records.c.owner, records.c.disclosure, records.c.markings)
    for chunk in chunks(case_ids):
        for r in conn.execute(select(*columns).where(records.c.record_id.in_(chunk))):
            cases[link_term(r.record_id)] = CaseHead(
                r.record_id, r.owner, r.disclosure, frozenset(audience(r.owner, orjson.loads(r.markings)))
            )
    subjects: dict[str, list[CaseHead]] = defaultdict(list)
    for chunk in chunks(sorted(cases)):
        for term, record_id in conn.execute(
            select(search_terms.c.term, search_terms.c.record_id)
            .join(records, records.c.record_id == search_terms.c.record_id)
            .where(search_terms.c.term.in_(chunk), records.c.record_type == "person")
        ):
            subjects[record_id].append(cases[term])
    return subjects


def namers(conn: Connection, person_ids: set[str]) -> dict[str, set[str]]:
    """Person record id -> the records that name it in their relations (its seizure, its crossing)."""
    by_term = {link_term(p): p for p in person_ids}
    named: dict[str, set[str]] = defaultdict(set)
    for chunk in chunks(sorted(by_term)):
        for term, record_id in conn.execute(
            select(search_terms.c.term, search_terms.c.record_id).where(search_terms.c.term.in_(chunk))
        ):
            named[by_term[term]].add(record_id)
    return named


MEMBER = (entity_members.c.record_id, entity_members.c.entity_id)
Subjects = tuple[dict[str, list[CaseHead]], dict[str, str], dict[str, set[str]]]


def subject_entities(conn: Connection) -> Subjects:
    """The case subjects, the entity of each, and the member records of those entities."""
    subjects = case_subjects(conn)
    entity_of: dict[str, str] = {}
    for chunk in chunks(sorted(subjects)):
        for record_id, entity in conn.execute(select(*MEMBER).where(entity_members.c.record_id.in_(chunk))):
            entity_of[record_id] = entity
    members: dict[str, set[str]] = defaultdict(set)
    for chunk in chunks(sorted(set(entity_of.values()))):
        for record_id, entity in conn.execute(select(*MEMBER).where(entity_members.c.entity_id.in_(chunk))):
            members[entity].add(record_id)
    return subjects, entity_of, members
