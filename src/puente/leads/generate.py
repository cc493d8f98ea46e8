"""The lead rules (``data/rules.yaml``), fired over the store after loads and entity resolution.

- ``case_subject``: a record of one agency names a person resolved into the same entity as a subject
  of another agency's case (a Mexican seizure's detainee who is a subject of a US case, or a US port
  seizure's subject in a Mexican carpeta). The case's agency is told, routed to its case agent and
  to the task force of the record's port or state.
- ``possible_subject``: the same, for a person the model could not settle against the subject (a pair
  left for review): a low-priority lead that asks for the match to be confirmed or rejected.
- ``network``: a record names a person who shares a phone number or an address with a case subject.
- ``watch``: a record of another agency met a watch (``puente.watch``); its watcher is told.
- ``trace``: a completed trace found that the purchaser of a recovered gun is a case subject.

A lead exists only where its recipient may see the source record or be pointed to its holder: a
record marked for no one else makes no lead. Each connection is told once (a unique key), so a
run after no new data adds nothing; every new lead is queued for the agency's webhooks and NATS in
the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, select, update

from puente.leads import config
from puente.leads.outbox import enqueue
from puente.policy import audit
from puente.policy.access import audience
from puente.policy.principals import SYSTEM
from puente.resolve.review import load_decisions
from puente.search.links import Subjects, chunks, contents, namers, subject_entities
from puente.store.db import Database
from puente.store.repository import utcnow
from puente.store.schema import (
    entity_mentions,
    lead_events,
    leads,
    load_runs,
    marking_grants,
    records,
    review_pairs,
    search_docs,
    trace_events,
    traces,
    watch_hits,
    watches,
)


@dataclass(frozen=True)
class Source:
    record_id: str
    record_type: str
    owner: str
    disclosure: str
    audience: frozenset[str]
    day: str | None
    port: str | None
    state: str | None
    arrived_at: dt.datetime | None

    def may_tell(self, agency: str) -> bool:
        """Whether ``agency`` may learn that this record exists: it sees it, or may be pointed to it."""
        return agency in self.audience or self.disclosure == "pointer"


def _sources(conn: Connection, ids: set[str]) -> dict[str, Source]:
    found: dict[str, Source] = {}
    columns = (records.c.record_id, records.c.record_type, records.c.owner, records.c.disclosure,
               records.c.markings, search_docs.c.day, search_docs.c.port, search_docs.c.state,
               load_runs.c.finished_at, load_runs.c.started_at)  # fmt: skip
    for chunk in chunks(sorted(ids)):
        for r in conn.execute(
            select(*columns)
            .outerjoin(search_docs, search_docs.c.record_id == records.c.record_id)
            .outerjoin(load_runs, load_runs.c.id == records.c.load_run_id)
            .where(records.c.record_id.in_(chunk))
        ):
            found[r.record_id] = Source(
                r.record_id, r.record_type, r.owner, r.disclosure,
                frozenset(audience(r.owner, orjson.loads(r.markings))), r.day, r.port, r.state,
                r.finished_at or r.started_at,
            )  # fmt: skip
    return found


@dataclass(frozen=True)
class Found:
    rule: str
    recipient: str
    target_ref: str
    source: Source
    evidence: tuple[str, ...]
    agent: str | None = None
    assignee: str | None = None


def _agents(conn: Connection, case_ids: set[str]) -> dict[str, str]:
    """Case record id -> the lead agent it names."""
    return {r: str(c["lead_agent"]) for r, c in contents(conn, sorted(case_ids)) if c.get("lead_agent")}


CONTACTS = ("phone", "address")



def _subject_entities(conn: Connection, memo: dict[str, Any]) -> Subjects:
    """The case subjects, their entities and those entities' members, read once per run."""
    if "subjects" not in memo:
        memo["subjects"] = subject_entities(conn)
    return memo["subjects"]


def _told_of(
    conn: Connection, name: str, rule: config.Rule, links: set[tuple[str, str]], subjects: dict[str, Any],
    via: dict[tuple[str, str], str] | None = None,
) -> list[Found]:  # fmt: skip
    """The leads of (person record, case subject) links: the events that name the person (or the person
    row itself, when nothing names it), told to each case's agency where it may learn of them."""
    # a subject of another case is not an event: target deconfliction tells both cases of it
    links = {(p, s) for p, s in links if p not in subjects}
    touching = {p for p, _ in links}
    named = namers(conn, touching)
    sources = _sources(conn, touching | {n for ns in named.values() for n in ns})
    agents = _agents(conn, {c.record_id for _, s in links for c in subjects[s]})
    found = []
    for person_id, subject_id in sorted(links):
        person = sources.get(person_id)
        if person is None:
            continue
        naming = [sources[n] for n in sorted(named.get(person_id, ())) if n in sources]
        events = [e for e in naming if rule.priority(e.record_type) is not None]
        # a person record named by nothing that fires (a detention list's row) is its own event
        alone = not naming and person.record_type == "person"
        if not events and alone and rule.priority("person") is not None:
            events = [person]
        for case in subjects[subject_id]:
            for event in events:
                if event.owner == case.owner or not event.may_tell(case.owner):
                    continue
                how = (f"via:{via[(person_id, subject_id)]}",) if via else ()
                found.append(Found(name, case.owner, case.record_id, event,
                                   (event.record_id, person_id, subject_id, case.record_id, *how),
                                   agent=agents.get(case.record_id)))  # fmt: skip
    return found


def case_subject(conn: Connection, rule: config.Rule, memo: dict[str, Any]) -> list[Found]:
    subjects, entity_of, members = _subject_entities(conn, memo)
    links = {(m, s) for s, e in entity_of.items() for m in members[e] if m != s}
    return _told_of(conn, "case_subject", rule, links, subjects)


def possible_subject(conn: Connection, rule: config.Rule, memo: dict[str, Any]) -> list[Found]:
    """A person record that the model could not settle (a pair left for review) against a member of a
    case subject's entity: a low-priority lead to confirm or reject the match."""
    subjects, entity_of, members = _subject_entities(conn, memo)
    entity_subjects: dict[str, list[str]] = defaultdict(list)
    for subject_id, entity in entity_of.items():
        entity_subjects[entity].append(subject_id)
    in_entity = {m: e for e, ms in members.items() for m in ms}
    settled = load_decisions(conn).settled  # a pair an analyst decided is no longer possible
    links: set[tuple[str, str]] = set()
    for chunk in chunks(sorted(in_entity)):
        for a, b in conn.execute(
            select(review_pairs.c.record_a, review_pairs.c.record_b).where(
                review_pairs.c.entity_type == "person",
                review_pairs.c.record_a.in_(chunk) | review_pairs.c.record_b.in_(chunk),
            )
        ):
            if settled(a, b):
                continue
            for near, other in ((a, b), (b, a)):
                entity = in_entity.get(near)
                if entity is not None and other not in members[entity]:
                    links.update((other, s) for s in entity_subjects[entity])
    return _told_of(conn, "possible_subject", rule, links, subjects)


def network(conn: Connection, rule: config.Rule, memo: dict[str, Any]) -> list[Found]:
    """A person of another entity who shares a phone number or an address (a resolved phone or
    address entity) with a case subject: an associate, the first step from a subject to the network."""
    subjects, entity_of, members = _subject_entities(conn, memo)
    person_of = {m: s for s, e in entity_of.items() for m in members[e]}  # a member -> its subject
    contact_of: dict[str, list[tuple[str, str]]] = defaultdict(
        list
    )  # phone/address entity -> (subject, kind)
    for chunk in chunks(sorted(person_of)):
        for record_id, kind, entity in conn.execute(
            select(entity_mentions.c.record_id, entity_mentions.c.entity_type, entity_mentions.c.entity_id)
            .where(entity_mentions.c.record_id.in_(chunk), entity_mentions.c.entity_type.in_(CONTACTS))
        ):  # fmt: skip
            contact_of[entity].append((person_of[record_id], kind))
    via: dict[tuple[str, str], str] = {}
    for chunk in chunks(sorted(contact_of)):
        for record_id, entity in conn.execute(
            select(entity_mentions.c.record_id, entity_mentions.c.entity_id).where(
                entity_mentions.c.entity_id.in_(chunk), entity_mentions.c.entity_type.in_(CONTACTS)
            )
        ):
            for subject_id, kind in contact_of[entity]:
                if record_id not in members[entity_of[subject_id]]:  # the subject himself is no associate
                    via.setdefault((record_id, subject_id), kind)
    return _told_of(conn, "network", rule, set(via), subjects, via)


def watch(conn: Connection, rule: config.Rule, memo: dict[str, Any]) -> list[Found]:
    rows = conn.execute(
        select(watch_hits.c.watch_id, watch_hits.c.record_id, watches.c.agency, watches.c.user_id)
        .join(watches, watches.c.id == watch_hits.c.watch_id)
        .join(records, records.c.record_id == watch_hits.c.record_id)
        .where(records.c.owner != watches.c.agency)
    ).all()
    sources = _sources(conn, {r.record_id for r in rows})
    found = []
    for r in rows:
        source = sources.get(r.record_id)
        if source and rule.priority(source.record_type) is not None and source.may_tell(r.agency):
            found.append(Found("watch", r.agency, f"watch:{r.watch_id}", source, (r.record_id,),
                               assignee=r.user_id))  # fmt: skip
    return found


def _granted(conn: Connection, marking_set_id: int, agency: str) -> bool:
    grantees = (agency, agency.split("/")[0])
    return conn.execute(
        select(marking_grants.c.grantee).where(
            marking_grants.c.marking_set_id == marking_set_id, marking_grants.c.grantee.in_(grantees)
        ).limit(1)
    ).first() is not None  # fmt: skip


def trace(conn: Connection, rule: config.Rule, memo: dict[str, Any]) -> list[Found]:
    rows = conn.execute(
        select(trace_events.c.trace_id, trace_events.c.case_id, trace_events.c.subject_id,
               trace_events.c.marking_set_id, traces.c.source_id, records.c.owner)
        .join(traces, traces.c.id == trace_events.c.trace_id)
        .join(records, records.c.record_id == trace_events.c.case_id)
    ).all()  # fmt: skip
    sources = _sources(conn, {r.source_id for r in rows})
    agents = _agents(conn, {r.case_id for r in rows})
    found = []
    for r in rows:
        source = sources.get(r.source_id)
        # the event is released to the agencies that may see both the trace and the case
        if source is None or not _granted(conn, r.marking_set_id, r.owner):
            continue
        found.append(Found("trace", r.owner, r.case_id, source,
                           (r.source_id, r.subject_id, r.case_id, f"trace:{r.trace_id}"),
                           agent=agents.get(r.case_id)))  # fmt: skip
    return found


RULES = {
    "case_subject": case_subject, "possible_subject": possible_subject, "network": network, "watch": watch,
    "trace": trace,
}  # fmt: skip


def generate(db: Database, now: dt.datetime | None = None) -> int:
    """Fire every enabled rule; store and queue the leads not told before. Returns how many are new."""
    settings, routing = config.rules(), config.routing()
    now = now or utcnow()
    new = 0
    with db.engine.begin() as conn:
        keys = (leads.c.rule, leads.c.recipient, leads.c.target_ref, leads.c.source_record_id)
        known = {tuple(r) for r in conn.execute(select(*keys))}
        memo: dict[str, Any] = {}  # what several rules read, read once
        for name, fire in RULES.items():
            rule = settings.rules.get(name)
            if rule is None or not rule.enabled:
                continue
            for f in fire(conn, rule, memo):
                key = (f.rule, f.recipient, f.target_ref, f.source.record_id)
                if key in known:
                    continue
                known.add(key)
                priority = rule.priority(f.source.record_type) or 2
                lead_id = int(conn.execute(
                    leads.insert().values(
                        rule=f.rule, recipient=f.recipient, target_ref=f.target_ref,
                        source_record_id=f.source.record_id, source_owner=f.source.owner,
                        evidence=orjson.dumps(list(f.evidence)).decode(), priority=priority,
                        task_force=routing.task_force(f.recipient, f.source.port, f.source.state),
                        agent=f.agent, assignee=f.assignee, status="assigned" if f.assignee else "new",
                        source_day=f.source.day, arrived_at=f.source.arrived_at,
                        due_at=now + dt.timedelta(days=settings.due_days.get(priority, 7)), created_at=now,
                    ).returning(leads.c.id)
                ).scalar_one())  # fmt: skip
                log(conn, lead_id, f.recipient, "created", SYSTEM, "", now)
                new += 1
                if f.rule == "case_subject":
                    _supersede(conn, f, lead_id, now)
        audit.record(conn, SYSTEM, "generate_leads", purpose="leads", detail={"new": new})
    return new


def _supersede(conn: Connection, found: Found, lead_id: int, now: dt.datetime) -> None:
    """Close the open possible lead the model has now settled into this one (the same case and
    record), pointing to it, so that the connection is worked once."""
    earlier = conn.execute(
        select(leads.c.id).where(
            leads.c.rule == "possible_subject", leads.c.recipient == found.recipient,
            leads.c.target_ref == found.target_ref, leads.c.source_record_id == found.source.record_id,
            leads.c.status.in_(("new", "assigned")),
        )
    ).scalars().all()  # fmt: skip
    for possible in earlier:
        conn.execute(
            update(leads)
            .where(leads.c.id == possible)
            .values(status="closed", outcome="superseded", closed_at=now)
        )
        log(conn, possible, found.recipient, "closed", SYSTEM, f"superseded by lead {lead_id}", now)


def log(conn: Connection, lead_id: int, recipient: str, kind: str, actor: str, text: str,
        now: dt.datetime | None = None) -> int:  # fmt: skip
    """Record what happened to a lead and queue it for the recipient's systems."""
    event_id = int(conn.execute(
        lead_events.insert().values(lead_id=lead_id, recipient=recipient, kind=kind, actor=actor,
                                    text=text[:2000], created_at=now or utcnow()).returning(lead_events.c.id)
    ).scalar_one())  # fmt: skip
    enqueue(conn, event_id, lead_id, recipient, kind)
    return event_id
