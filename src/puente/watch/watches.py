"""Watches and their hits. A watch on an identifier (VIN, plate, phone, serial, CURP...) is met by the
records the search index finds by that identifier; a watch on an entity, by the records resolved
into it. Only data loaded after the watch was set is new to it. The watcher sees a hit whole when
they may see the record, as a pointer to its holder when its marking allows one, and not at all
otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from puente.policy import audit
from puente.policy.access import Pointer, require, visible
from puente.policy.principals import Principal
from puente.search.terms import IDENT, REVERSED, identifier_key
from puente.store.db import Database
from puente.store.repository import Repository, utcnow
from puente.store.schema import (
    entity_members,
    load_runs,
    records,
    search_docs,
    search_terms,
    watch_hits,
    watches,
)

KINDS = ("identifier", "entity")
SUFFIX_LENGTH = 8  # an identifier this long is also met as the end of a longer one


class WatchError(ValueError):
    def __init__(self, en: str, es: str, missing: bool = False) -> None:
        super().__init__(en)
        self.en, self.es, self.missing = en, es, missing  # missing: what it names does not exist


@dataclass(frozen=True)
class Hit:
    watch_id: int
    label: str
    record_id: str | None  # None when the watcher may learn only that a holder has it
    record_type: str | None
    title: str | None
    holder: str
    contact_en: str | None  # whom to ask, for a record the watcher may not see
    contact_es: str | None
    at: str
    new: bool


def add(
    db: Database, principal: Principal, purpose: str, kind: str, value: str, label: str = "",
    case_id: str | None = None,
) -> int:  # fmt: skip
    """Watch an identifier (as typed: it is compared as search compares it) or an entity id."""
    require(db, principal, "read_records", purpose)
    if kind not in KINDS:
        raise WatchError(f"a watch is on one of: {', '.join(KINDS)}", f"se vigila uno de: {', '.join(KINDS)}")
    key = identifier_key(value) if kind == "identifier" else value.strip()
    if len(key) < 2:
        raise WatchError(
            "give at least two letters or digits to watch", "indique al menos dos letras o dígitos"
        )
    with db.engine.begin() as conn:
        if (
            kind == "entity"
            and conn.execute(
                select(entity_members.c.record_id).where(entity_members.c.entity_id == key).limit(1)
            ).first()
            is None
        ):
            raise WatchError(f"no entity {key}", f"no existe la entidad {key}", missing=True)
        since = conn.execute(select(func.max(load_runs.c.id))).scalar() or 0
        watch_id = int(conn.execute(
            watches.insert().values(
                user_id=principal.user_id, agency=principal.agency, case_id=case_id, kind=kind, value=key,
                label=(label or value).strip()[:300], since_run_id=since, active=True, created_at=utcnow(),
            ).returning(watches.c.id)
        ).scalar_one())  # fmt: skip
        audit.record(
            conn, principal.user_id, "watch_add", purpose=purpose, detail={"watch": watch_id, "kind": kind}
        )
    return watch_id


def check(db: Database) -> int:
    """Record the hits of every active watch: records loaded after it was set that meet it (run after
    loads, once the search index and the entities are level). Returns the new hits."""
    new = 0
    with db.engine.begin() as conn:
        repo = Repository(conn)
        for w in conn.execute(select(watches).where(watches.c.active.is_(True))).all():
            if w.kind == "identifier":
                term = search_terms.c.term == IDENT + w.value
                if len(w.value) >= SUFFIX_LENGTH:  # a phone typed without its country code, a VIN's end
                    term = term | search_terms.c.term.startswith(REVERSED + w.value[::-1], autoescape=True)
                met = select(search_terms.c.record_id).where(term)
            else:
                met = select(entity_members.c.record_id).where(entity_members.c.entity_id == w.value)
            known = select(watch_hits.c.record_id).where(watch_hits.c.watch_id == w.id)
            fresh = conn.execute(
                select(records.c.record_id).where(
                    records.c.record_id.in_(met), records.c.load_run_id > w.since_run_id,
                    records.c.record_id.not_in(known),
                )
            ).scalars().all()  # fmt: skip
            now = utcnow()
            repo.bulk_insert(
                watch_hits, ("watch_id", "record_id", "created_at"), [(w.id, r, now) for r in fresh]
            )
            new += len(fresh)
    return new


def hits(db: Database, principal: Principal, purpose: str) -> list[Hit]:
    """The hits of this person's watches, newest first, as they may see them; read ones stay, marked
    no longer new. Audited with the records shown."""
    require(db, principal, "read_records", purpose)
    with db.engine.begin() as conn:
        rows = conn.execute(
            select(watch_hits.c.id, watch_hits.c.watch_id, watch_hits.c.record_id, watch_hits.c.created_at,
                   watch_hits.c.seen_at, watches.c.label, records.c.record_type, records.c.owner,
                   records.c.disclosure, visible(principal).label("seen"), search_docs.c.title)
            .join(watches, watches.c.id == watch_hits.c.watch_id)
            .join(records, records.c.record_id == watch_hits.c.record_id)
            .outerjoin(search_docs, search_docs.c.record_id == watch_hits.c.record_id)
            .where(watches.c.user_id == principal.user_id)
            .order_by(watch_hits.c.id.desc())
        ).all()  # fmt: skip
        out: list[Hit] = []
        for r in rows:
            at, new = r.created_at.isoformat(), r.seen_at is None
            if r.seen:
                out.append(
                    Hit(
                        r.watch_id, r.label, r.record_id, r.record_type, r.title, r.owner, None, None, at, new
                    )
                )
            elif r.disclosure == "pointer":
                pointer = Pointer.of(r.owner)
                out.append(Hit(r.watch_id, r.label, None, None, None, r.owner, pointer.contact_en,
                               pointer.contact_es, at, new))  # fmt: skip
        ids = [r.id for r in rows if r.seen_at is None]
        if ids:
            conn.execute(update(watch_hits).where(watch_hits.c.id.in_(ids)).values(seen_at=utcnow()))
        audit.record(conn, principal.user_id, "watch_hits", purpose=purpose,
                     detail={"shown": [h.record_id for h in out if h.record_id][:500],
                             "pointers": sum(1 for h in out if h.record_id is None)})  # fmt: skip
    return out


@dataclass(frozen=True)
class Watch:
    id: int
    kind: str
    value: str
    label: str
    case_id: str | None
    active: bool
    created_at: str


def mine(db: Database, principal: Principal, purpose: str) -> list[Watch]:
    """The watches this person set, newest first."""
    require(db, principal, "read_records", purpose)
    with db.engine.begin() as conn:
        rows = conn.execute(
            select(watches).where(watches.c.user_id == principal.user_id).order_by(watches.c.id.desc())
        ).all()
        audit.record(conn, principal.user_id, "read_watches", purpose=purpose, detail={"watches": len(rows)})
    return [
        Watch(r.id, r.kind, r.value, r.label, r.case_id, r.active, r.created_at.isoformat()) for r in rows
    ]


def stop(db: Database, principal: Principal, purpose: str, watch_id: int) -> bool:
    """Turn off one of this person's watches; False when they have no such watch."""
    require(db, principal, "read_records", purpose)
    with db.engine.begin() as conn:
        done = conn.execute(
            update(watches)
            .where(watches.c.id == watch_id, watches.c.user_id == principal.user_id)
            .values(active=False)
        ).rowcount
        audit.record(conn, principal.user_id, "watch_stop", purpose=purpose,
                     detail={"watch": watch_id, "stopped": bool(done)})  # fmt: skip
    return bool(done)
