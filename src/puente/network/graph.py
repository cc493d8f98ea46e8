"""The network of resolved entities as one viewer may know it: who and what appear together in the
records that viewer may see.

Nodes are the viewer's entities (persons, organizations, vehicles, firearms, phones, addresses), under
the ids ``puente.resolve.entities`` shows them by, so a hidden record never joins two parts of one.
Edges come from records: an event record (a seizure, a crossing, a sale, a trace, a case) links every
entity it names or holds; a person's or organization's own record links it to the phones, addresses
and guns it carries and to the entity records it names. Every edge keeps the records behind it, and a
record the viewer may not see makes no node, no edge and no evidence: the graph is computed from the
visible records alone (the relations of a visible record to a hidden one are dropped, since even the
hidden record's id would tell of it).
"""

from __future__ import annotations

import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, func, or_, select

from puente.policy import access, audit
from puente.policy.principals import Principal
from puente.resolve.entities import memberships
from puente.search.links import chunks, contents
from puente.search.terms import LINK, link_term
from puente.store.db import Database
from puente.store.schema import (
    access_requests,
    load_runs,
    records,
    resolution_runs,
    search_docs,
    search_terms,
)

ENTITY_KINDS = ("person", "organization", "vehicle", "firearm", "phone", "address")
# Records that stand for an event: each links the entities it names or holds.
EVENT_TYPES = ("seizure", "crossing", "acquisition", "trace_request", "case")
# Ends an edge of an event may have: persons and organizations with anything, things with each other
# only when no person is named (the guns of one seizure are not a clique of their own).
ACTORS = ("person", "organization")


@dataclass
class Node:
    id: str
    kind: str
    label: str
    records: list[str] = field(default_factory=list)  # the visible member records
    first: str | None = None  # the earliest and latest day of its evidence
    last: str | None = None


@dataclass
class Edge:
    a: str
    b: str
    kind: str  # the evidence's record type (seizure, crossing ...) or what a record carries (phone ...)
    records: list[str] = field(default_factory=list)

    @property
    def weight(self) -> int:
        return len(self.records)


@dataclass
class Graph:
    nodes: dict[str, Node]
    edges: dict[tuple[str, str, str], Edge]
    docs: dict[str, tuple[str, str, str | None]]  # evidence record -> (record type, title, day)
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # derived once

    def days(self, record_ids: Iterable[str]) -> list[str]:
        """The days of the events among these records (a person's own record's day is a birth date:
        only events date a link)."""
        return [d for r in record_ids if self.docs[r][0] in EVENT_TYPES and (d := self.docs[r][2])]

    def adjacency(self) -> dict[str, list[Edge]]:
        """Node -> its edges (made once: the graph is not changed once built)."""
        if "adjacency" not in self.cache:
            adj: dict[str, list[Edge]] = defaultdict(list)
            for e in self.edges.values():
                adj[e.a].append(e)
                adj[e.b].append(e)
            self.cache["adjacency"] = adj
        return self.cache["adjacency"]  # type: ignore[no-any-return]


def build(db: Database, principal: Principal, purpose: str) -> Graph:
    """The viewer's whole graph, from the records they may see; the read is audited."""
    entity_of: dict[str, str] = {}  # visible member record -> shown entity id
    kind_of: dict[str, str] = {}  # shown entity id -> kind
    carried: dict[str, set[str]] = defaultdict(set)  # visible record -> entities it carries
    where: dict[str, tuple[str, str]] = {}  # a phone or address -> (first record carrying it, field)
    fields: dict[tuple[str, str], str] = {}  # (record, field) -> the entity the field carries
    for kind in ENTITY_KINDS:
        for m in memberships(db, principal, purpose, entity_type=kind):
            kind_of[m.entity_id] = kind
            if m.field:
                carried[m.record_id].add(m.entity_id)
                fields[(m.record_id, m.field)] = m.entity_id
                if kind in ("phone", "address") and m.entity_id not in where:
                    where[m.entity_id] = (m.record_id, m.field)
            else:
                entity_of[m.record_id] = m.entity_id
    seen = access.visible(principal)
    with db.engine.begin() as conn:
        tops = {_top(field_) for _, field_ in fields}
        hidden = _withheld(conn, seen, principal, tops)
        if hidden:  # a phone or address in a field withheld from the viewer links nothing for them
            for (record_id, field_), entity in list(fields.items()):
                if _top(field_) in hidden.get(record_id, ()):
                    carried[record_id].discard(entity)
                    if where.get(entity) == (record_id, field_):
                        del where[entity]
        docs = _visible_docs(conn, seen)
        names = _visible_links(conn, seen, docs)
        labels = _carried_labels(conn, principal, where, entity_of)
        audit.record(
            conn, principal.user_id, "read_graph", purpose=purpose,
            detail={"records": len(docs), "entities": len(kind_of)},
        )  # fmt: skip
    return assemble(docs, entity_of, kind_of, carried, names, labels)


def _top(path: str) -> str:
    """The top-level field of a mention's path ("phones[1]" -> "phones", "address.city" -> "address"):
    markings withhold whole top-level fields."""
    return path.split("[")[0].split(".")[0]


def _withheld(
    conn: Connection, seen: Any, principal: Principal, tops: set[str]
) -> dict[str, tuple[str, ...]]:
    """Visible record -> the top-level fields withheld from the viewer, among ``tops`` (the fields
    that carry a phone, an address or a gun); only records whose markings name one are read."""
    if not tops:
        return {}
    named = or_(*(records.c.markings.like(f'%"{top}%') for top in sorted(tops)))
    query = select(records.c.record_id, records.c.owner, records.c.markings).where(
        seen, records.c.markings.like('%"restricted_fields"%'), named
    )
    out = {}
    for r in conn.execute(query):
        paths = access.withheld_paths(orjson.loads(r.markings), principal, r.owner)
        if paths:
            out[r.record_id] = tuple(p.split(".")[0] for p in paths)
    return out


def _carried_labels(
    conn: Connection, principal: Principal, where: dict[str, tuple[str, str]], entity_of: dict[str, str]
) -> dict[str, str]:
    """A name for each phone and address known only from the records that carry it (no phone or
    location record of its own): the value as its first visible carrier holds it, unless that field
    is withheld from the viewer."""
    named = set(entity_of.values())
    where = {e: rf for e, rf in where.items() if e not in named}
    wanted = sorted({record_id for record_id, _ in where.values()})
    heads = {}
    columns = (records.c.record_id, records.c.owner, records.c.markings)
    for chunk in chunks(wanted):
        rows = conn.execute(select(*columns).where(records.c.record_id.in_(chunk)))
        heads.update({r.record_id: r for r in rows})
    shown = {rid: access.shown_content(c, orjson.loads(heads[rid].markings), principal, heads[rid].owner)
             for rid, c in contents(conn, wanted)}  # fmt: skip
    out = {}
    for entity, (record_id, field_) in where.items():
        value = _at(shown.get(record_id, {}), field_)
        if value:
            out[entity] = _describe(value)
    return out


def _at(content: Any, path: str) -> Any:
    """The value at a mention's field path ("phones[1]", "place", "addresses[0]")."""
    for name, index in re.findall(r"([A-Za-z_]+)(?:\[(\d+)\])?", path):
        content = content.get(name) if isinstance(content, dict) else None
        if index and isinstance(content, list):
            content = content[int(index)] if int(index) < len(content) else None
    return content


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        if value.get("value"):
            return str(value["value"])
        if value.get("text"):
            return str(value["text"])
        parts = [value.get(k) for k in ("street", "city", "municipality", "postal_code")]
        state = value.get("state")
        parts.append(state.get("code") if isinstance(state, dict) else state)
        return ", ".join(str(p) for p in parts if p)
    return str(value)


def _visible_docs(conn: Connection, seen: Any) -> dict[str, tuple[str, str, str | None]]:
    rows = conn.execute(
        select(records.c.record_id, records.c.record_type, search_docs.c.title, search_docs.c.day)
        .outerjoin(search_docs, search_docs.c.record_id == records.c.record_id)
        .where(seen)
    )
    return {r.record_id: (r.record_type, r.title or r.record_id.rsplit(":", 1)[-1], r.day) for r in rows}


def _visible_links(conn: Connection, seen: Any, docs: dict[str, Any]) -> list[tuple[str, str]]:
    """(naming record, named record) for each relation between two visible records, read from the
    index's link terms rather than by parsing every record."""
    target_of = {link_term(r): r for r in docs}
    query = (
        select(search_terms.c.record_id, search_terms.c.term)
        .join(records, records.c.record_id == search_terms.c.record_id)
        .where(search_terms.c.term >= LINK, search_terms.c.term < LINK[:-1] + chr(ord(LINK[-1]) + 1), seen)
    )
    return [(naming, target_of[term]) for naming, term in conn.execute(query) if term in target_of]


def assemble(
    docs: dict[str, tuple[str, str, str | None]],
    entity_of: dict[str, str],
    kind_of: dict[str, str],
    carried: dict[str, set[str]],
    names: Iterable[tuple[str, str]],
    labels: dict[str, str] | None = None,
) -> Graph:
    """The graph from what the viewer may see: the visible records (type, title, day), the entity of
    each visible member record, the entities each visible record carries, and the relations between
    visible records."""
    # only what the visible records say: a membership or mention of any other record is dropped
    entity_of = {r: e for r, e in entity_of.items() if r in docs}
    carried = {r: es for r, es in carried.items() if r in docs}
    named: dict[str, set[str]] = defaultdict(set)
    named_by: dict[str, set[str]] = defaultdict(set)
    for naming, target in names:
        if naming not in docs or target not in docs:
            continue
        named[naming].add(target)
        named_by[target].add(naming)
    titles: dict[str, Counter[str]] = defaultdict(Counter)
    nodes: dict[str, Node] = {}
    for record_id, entity in sorted(entity_of.items()):
        node = nodes.get(entity) or nodes.setdefault(entity, Node(entity, kind_of[entity], ""))
        node.records.append(record_id)
        # named as its own records name it (a vehicle by its plate), before the events it is in
        titles[entity][docs[record_id][1]] += 1 if docs[record_id][0] in EVENT_TYPES else 1000
    for records_ in carried.values():
        for entity in records_:
            nodes.setdefault(entity, Node(entity, kind_of[entity], ""))
    edges: dict[tuple[str, str, str], Edge] = {}
    for hub in sorted(set(carried) | set(named) | set(named_by)):
        hub_type = docs[hub][0]
        if hub_type in EVENT_TYPES:  # an event: everything it names, holds, or is named by
            # a sale or a trace is itself a member of its gun's entity, a crossing of none
            around = named[hub] | named_by[hub] | {hub}
            linked = {entity_of[r] for r in around if r in entity_of} | carried.get(hub, set())
            _link(edges, kind_of, linked, hub_type, hub)
        elif hub in entity_of:  # an entity's own record: what it carries and the entities it names
            own = entity_of[hub]
            for other in carried.get(hub, set()) | {entity_of[r] for r in named[hub] if r in entity_of}:
                if other != own:
                    _add(edges, own, other, kind_of[other], hub)
    for entity, counted in titles.items():
        nodes[entity].label = counted.most_common(1)[0][0]
    for node in nodes.values():
        if not node.label:  # a phone or address only carried: named by the value it is
            node.label = (labels or {}).get(node.id) or node.id
    evidence = {r for e in edges.values() for r in e.records} | {r for n in nodes.values() for r in n.records}
    graph = Graph(nodes, edges, {r: docs[r] for r in evidence})
    days: dict[str, list[str]] = defaultdict(list)
    for e in edges.values():
        for day in graph.days(e.records):
            days[e.a].append(day)
            days[e.b].append(day)
    for entity, ds in days.items():
        nodes[entity].first, nodes[entity].last = min(ds), max(ds)
    return graph


def _link(edges: dict[tuple[str, str, str], Edge], kind_of: dict[str, str], linked: set[str], kind: str,
          record_id: str) -> None:  # fmt: skip
    ordered = sorted(linked)
    actors = [e for e in ordered if kind_of[e] in ACTORS]
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if not actors or kind_of[a] in ACTORS or kind_of[b] in ACTORS:
                _add(edges, a, b, kind, record_id)


def _add(edges: dict[tuple[str, str, str], Edge], a: str, b: str, kind: str, record_id: str) -> None:
    a, b = min(a, b), max(a, b)
    edge = edges.get((a, b, kind)) or edges.setdefault((a, b, kind), Edge(a, b, kind))
    if not edge.records or edge.records[-1] != record_id:
        edge.records.append(record_id)


# --- one graph per viewer, while what they may see is unchanged ------------------------------------


def fingerprint(db: Database, principal: Principal) -> tuple[Any, ...]:
    """What the viewer's graph depends on: the loads, the resolution runs, every re-marking (it moves
    a record's update time), and the viewer's approved access requests that have not expired."""
    with db.engine.connect() as conn:
        loads = conn.execute(select(func.max(load_runs.c.id))).scalar()
        runs = conn.execute(select(func.max(resolution_runs.c.id))).scalar()
        changed = conn.execute(select(func.max(records.c.updated_at), func.count())).one()
        approved = sorted(conn.execute(access.approved(principal, "view")).scalars())
        requests = conn.execute(select(func.max(access_requests.c.id))).scalar()
    return (principal.user_id, principal.agency, tuple(sorted(principal.grantees)), loads, runs,
            str(changed[0]), changed[1], tuple(approved), requests)  # fmt: skip


_CACHE: dict[tuple[str, tuple[Any, ...]], Graph] = {}
_CACHE_LOCK = threading.Lock()  # the API answers from a pool of threads
CACHED = 8


def viewer_graph(db: Database, principal: Principal, purpose: str) -> Graph:
    """The viewer's graph, built again only when something it depends on changed. Each call is
    audited as a read, whether built or kept."""
    key = (str(db.url), fingerprint(db, principal))
    with _CACHE_LOCK:
        graph = _CACHE.get(key)
    if graph is None:
        graph = build(db, principal, purpose)
        with _CACHE_LOCK:
            while len(_CACHE) >= CACHED:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[key] = graph
    else:
        access.require(db, principal, "read_records", purpose)
        with db.engine.begin() as conn:
            audit.record(conn, principal.user_id, "read_graph", purpose=purpose,
                         detail={"entities": len(graph.nodes), "kept": True})  # fmt: skip
    return graph
