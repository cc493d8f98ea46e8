"""The hot lists, derived from the records and kept level with the loads (a watermark of the newest
load run read, as the tracing catalogue keeps).

Stolen vehicles come from any agency's vehicle records that carry a theft date (NCIC, REPUVE), or
one that could not be read; a new version of a vehicle record replaces its rows, so a recovery (a
recovery date, or a version without a theft date) removes it at once. Wanted persons are the
subjects of cases; with them, the vehicles they were seen in, the guns they bought, guns sold in
multiple sales, agencies' watches on identifiers, and the risk flags (``flags``). Each row carries
the markings of the records it comes from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import orjson
from sqlalchemy import Connection, delete, func, select

from puente.normalize.text import fold
from puente.screen import flags
from puente.screen.index import COLUMNS
from puente.screen.keys import (
    VIN_LENGTH,
    fuzzy,
    identifier_key,
    person_form_keys,
    person_key,
    plate_of,
    surnames_key,
    value_of,
    vehicle_rows,
)
from puente.screen.marks import Marks, marks
from puente.search.links import chunks, contents, namers, subject_entities
from puente.store.db import Database
from puente.store.repository import Repository
from puente.store.schema import (
    entity_members,
    hotlist,
    hotlist_state,
    load_runs,
    records,
    search_docs,
    trace_acquisitions,
    watches,
)

STOLEN_ON = "reported_stolen_on"


def reported_stolen(c: dict[str, Any]) -> bool:
    """Whether a vehicle record is a standing theft report: it has a theft date, or one its holder
    wrote but that could not be read (flagged at the load: an unreadable date must not let a stolen
    car cross unchecked), and no recovery on or after it. A recovery date, or a version without a
    theft date, takes the vehicle off the list at once; a theft after a recovery puts it back."""
    stolen = c.get(STOLEN_ON)
    if not stolen and not any(f.endswith(f":{STOLEN_ON}") for f in c.get("flags") or ()):
        return False
    recovered = c.get("recovered_on")
    return not recovered or bool(stolen and stolen > recovered)


def _vehicle_rows(record_id: str, head: Marks, c: dict[str, Any]) -> list[tuple]:
    if not reported_stolen(c):
        return []
    stolen = c.get(STOLEN_ON)  # the day shown, when it could be read
    reason = "stolen_mx" if head.owner.startswith("MX/") else "stolen_us"
    label = " ".join(str(x) for x in (c.get("make"), c.get("model"), c.get("year"), c.get("color")) if x)
    held = (record_id, head.owner, head.seen_by(), head.disclosure, reason, label, stolen, None)
    (plate, state), vin = plate_of(c.get("plate")), value_of(c.get("vin"))
    return vehicle_rows(plate, state, vin, held)


def _person_rows(record_id: str, held: tuple, c: dict[str, Any]) -> list[tuple]:
    """The keys a wanted person is looked up by (documents, name forms, birth date with the folded
    name), each row holding ``held``: record, owner, audience, disclosure, reason, label, since and
    context."""
    name = c.get("name") or {}
    surname, given, birth = name.get("paternal_surname"), name.get("given_names"), c.get("birth_date")
    keys = _lookup_keys(c)
    forms = sorted(person_form_keys(surname, given, birth))
    rows = [("person", k, k, None, *held) for k in keys if k] + [("name", k, k, None, *held) for k in forms]
    both = surnames_key(" ".join(x for x in (surname, name.get("maternal_surname")) if x), birth)
    if both:  # for a driver a record names by another of his given names
        rows.append(("surnames", both, both, None, *held))
    if surname and given and birth:  # for a driver whose name is written a little differently
        born = f"{birth}|{fold(surname)}|{fold(given)}"
        rows.append(("born", born, born, None, *held))
    return rows


def refresh(db: Database) -> int:
    """Bring the hot lists level with the store: vehicles loaded or changed since the last refresh;
    the risk flags of the record types loaded since; and, as resolution may have moved them without
    a load, everything that follows the case subjects' entities and the watches. Returns the rows
    written."""
    with db.engine.begin() as conn:
        newest = conn.execute(select(func.max(load_runs.c.id))).scalar() or 0
        state = conn.execute(select(hotlist_state).where(hotlist_state.c.id == 1)).first()
        # a list built by other derivations than these is read again whole
        read = state.run_id if state is not None and state.version == DERIVATIONS else None
        changed = list(conn.execute(
            select(records.c.record_id).where(records.c.record_type == "vehicle",
                                              records.c.load_run_id > (read or 0))
        ).scalars())  # fmt: skip
        loaded = None if read is None else set(conn.execute(
            select(records.c.record_type).where(records.c.load_run_id > read).distinct()
        ).scalars())  # fmt: skip
        subjects = _subject_records(conn)
        written = (_write_vehicles(conn, changed) + _write_subjects(conn, subjects)
                   + _write_subject_vehicles(conn, subjects) + _write_watches(conn)
                   + _write_firearms(conn, subjects, loaded) + _write_flags(conn, loaded))  # fmt: skip
        generation = (state.generation or 0) + 1 if state is not None else 1
        conn.execute(delete(hotlist_state))
        conn.execute(
            hotlist_state.insert().values(id=1, run_id=newest, version=DERIVATIONS, generation=generation)
        )
    return written


def _write_vehicles(conn: Connection, ids: list[str]) -> int:
    for chunk in chunks(ids):
        conn.execute(delete(hotlist).where(hotlist.c.record_id.in_(chunk)))
    heads = marks(conn, ids)
    rows = [row for rid, c in contents(conn, ids) for row in _vehicle_rows(rid, heads[rid], c)]
    Repository(conn).bulk_insert(hotlist, COLUMNS, rows)
    return len(rows)


def _write_subjects(conn: Connection, known: Subjects) -> int:
    """Each case subject by what the case's record says of him, and by what every other record
    resolved to him says (the name on a licence, a CURP, another form of his given name) when the
    case's agency may see that record: a lane then meets him under any name he is known by. Such an
    entry is the case's interest, disclosed as the case is, its details shown only to an officer who
    may see both; it counts from the day of the record that named him that way."""
    conn.execute(delete(hotlist).where(hotlist.c.reason == "case_subject"))
    subjects, subject_of, named, labels = known
    heads = marks(conn, sorted(subject_of))
    days = _days(conn, sorted({event for events in named.values() for event in events}))
    rows = []
    for record_id, content in contents(conn, sorted(subject_of)):
        head = heads[record_id]
        for subject in subject_of[record_id]:
            case = subjects[subject][0]
            label = _case_label(labels, subject, case.record_id)
            if record_id == subject:
                held = (record_id, head.owner, head.seen_by(), head.disclosure, "case_subject", label, None,
                        case.record_id)  # fmt: skip
            elif case.owner in head.audience:
                since = min((days[e] for e in named.get(record_id, ()) if days.get(e)), default=None)
                seen, context = head.seen_by(case.audience), case.record_id
                held = (record_id, case.owner, seen, case.disclosure, "case_subject", label, since, context)
            else:  # a record the case's agency may not see tells nothing on its behalf
                continue
            rows += _person_rows(record_id, held, content)
    Repository(conn).bulk_insert(hotlist, COLUMNS, rows)
    return len(rows)


def _case_label(labels: dict[str, str], subject: str, case_ref: str) -> str:
    """'<the subject as the case names him> · <case number>'."""
    return f"{labels.get(subject, subject.rsplit(':', 1)[-1])} · {case_ref.rsplit(':', 1)[-1]}"


def _days(conn: Connection, record_ids: list[str]) -> dict[str, str]:
    """Record -> the day it happened (a crossing's, a seizure's), as the search index holds it."""
    found = {}
    for chunk in chunks(record_ids):
        query = select(search_docs.c.record_id, search_docs.c.day).where(search_docs.c.record_id.in_(chunk))
        found.update({r.record_id: r.day for r in conn.execute(query) if r.day})
    return found


# the case subjects (subject record -> its cases), the person records resolved to them (record -> the
# subject records of its entity), the records naming each of those, and each subject's label
Subjects = tuple[dict[str, list[Any]], dict[str, list[str]], dict[str, set[str]], dict[str, str]]
# The version of the derivations below: raise it when what they write changes, and the next refresh
# reads every record again rather than those loaded since.
DERIVATIONS = 7


def _subject_records(conn: Connection) -> Subjects:
    """The case subjects (subject record -> its cases), and every person record resolved to them
    (the record -> the subject records of its entity: one man may be the subject of two agencies'
    cases): a subject is seen, and buys, under other agencies' records. Also the records that name
    each (a crossing he drove, a seizure) and the subjects' labels, read once for every list."""
    subjects, entity_of, members = subject_entities(conn)
    subject_of: dict[str, list[str]] = defaultdict(list)
    for subject in sorted(subjects):
        for person in sorted(members.get(entity_of.get(subject, ""), set()) | {subject}):
            subject_of[person].append(subject)
    named = namers(conn, set(subject_of))
    return subjects, dict(subject_of), named, dict(_subject_labels(conn, sorted(subjects)))


def _write_subject_vehicles(conn: Connection, known: Subjects) -> int:
    """The vehicles case subjects were seen in or are known to use: the plate and VIN of each record
    that names a person resolved to a subject (a crossing they drove, a seizure, a vehicle the case
    file names), when the case's agency may see that record. The entry is the case's interest: it is
    disclosed as the case is (a pointer names the case's agency), tells that agency when met, and
    shows its details only to an officer who may see both the case and the record that saw the
    vehicle."""
    conn.execute(delete(hotlist).where(hotlist.c.reason == "subject_vehicle"))
    subjects, subject_of, named, labels = known
    seen_in = {event: person for person, events in named.items() for event in events}
    heads = marks(conn, sorted(seen_in))
    opened = _days(conn, sorted({cases[0].record_id for cases in subjects.values()}))
    rows = []
    for record_id, c in contents(conn, sorted(seen_in)):
        (plate, state), vin = plate_of(c.get("plate")), value_of(c.get("vin"))
        if not plate and not vin:
            continue
        seen = (c.get("crossed_at") or c.get("seized_on") or "")[:10] or None
        for subject in subject_of[seen_in[record_id]]:
            case = subjects[subject][0]
            if case.owner not in heads[record_id].audience:  # a record the case's agency may not see
                continue  # tells it nothing: the lane would otherwise pass on what it was not given
            day = seen or opened.get(case.record_id)  # a vehicle the case file names counts from its opening
            label = _case_label(labels, subject, case.record_id)
            # a pointer names the case's agency alone, never the record that saw the vehicle
            held = (record_id, case.owner, heads[record_id].seen_by(case.audience), case.disclosure,
                    "subject_vehicle", label, day, case.record_id)  # fmt: skip
            rows += vehicle_rows(plate, state, vin, held)
    Repository(conn).bulk_insert(hotlist, COLUMNS, rows)
    return len(rows)


def _person_label(c: dict[str, Any]) -> str:
    name = c.get("name") or {}
    parts = (name.get("given_names"), name.get("paternal_surname"))
    return name.get("original") or " ".join(x for x in parts if x)


def _subject_labels(conn: Connection, subject_ids: list[str]) -> Iterator[tuple[str, str]]:
    for record_id, c in contents(conn, subject_ids):
        yield record_id, _person_label(c) or record_id.rsplit(":", 1)[-1]


def _write_watches(conn: Connection) -> int:
    """An agency's watches, as lookouts. A watch on an identifier is read as a plate, a VIN or a
    driver's document; a watch on an entity by what its member records say of it (a person's
    documents, name and birth date; a vehicle's plate and VIN), from the members the watching agency
    may see alone, so a lookout never carries what another agency withheld from it. Only the watching
    agency is told what the watch is; any other officer is told to contact it, and the watcher gets
    a lead when the lookout is met."""
    conn.execute(delete(hotlist).where(hotlist.c.reason == "watch"))
    active = conn.execute(select(watches).where(watches.c.active.is_(True))).all()
    members: dict[str, list[str]] = defaultdict(list)
    entities = sorted({w.value for w in active if w.kind == "entity"})
    member = (entity_members.c.record_id, entity_members.c.entity_id)
    for chunk in chunks(entities):
        for record_id, entity in conn.execute(select(*member).where(entity_members.c.entity_id.in_(chunk))):
            members[entity].append(record_id)
    heads = marks(conn, sorted({r for rs in members.values() for r in rs}))
    said = dict(contents(conn, sorted(heads)))
    rows = []
    for w in active:
        held = (f"watch:{w.id}", w.agency, orjson.dumps([w.agency]).decode(), "pointer", "watch", w.label,
                w.created_at.date().isoformat(), f"watch:{w.id}")  # fmt: skip
        keys: set[tuple[str, str, str | None]] = set()
        if w.kind == "identifier" and (key := identifier_key(w.value)):
            kinds = ("plate", "person") + (("vin",) if len(key) == VIN_LENGTH else ())
            keys |= {(kind, key, None) for kind in kinds}
        for record_id in members.get(w.value, []) if w.kind == "entity" else []:
            head = heads.get(record_id)
            if head is None or w.agency not in head.audience:
                continue
            c = said.get(record_id, {})
            keys |= {("person", key, None) for key in _lookup_keys(c)}
            (plate, state), vin = plate_of(c.get("plate")), value_of(c.get("vin"))
            keys |= {("plate", plate, state)} if plate else set()
            keys |= {("vin", vin, None)} if vin else set()
        rows += [(kind, key, key if kind == "person" else fuzzy(key), state, *held)
                 for kind, key, state in sorted(keys, key=str)]  # fmt: skip
    Repository(conn).bulk_insert(hotlist, COLUMNS, rows)
    return len(rows)


def _lookup_keys(c: dict[str, Any]) -> list[str]:
    """The keys a person record is looked up by at a lane: its identifiers, and its first surname,
    first given name and birth date."""
    name = c.get("name") or {}
    keys = [identifier_key(value_of(c.get(k))) for k in ("curp", "ssn", "passport", "driver_licence")]
    keys.append(person_key(name.get("paternal_surname"), name.get("given_names"), c.get("birth_date")))
    return [k for k in dict.fromkeys(keys) if k]


def _write_firearms(conn: Connection, known: Subjects, loaded: set[str] | None) -> int:
    """Suspect firearms, by serial: guns sold in a multiple sale (read again when sales were loaded),
    and guns bought by a person resolved to a case's subject (read every time: resolution moves
    them; the case's interest, disclosed as the case is, its agency told when a lane meets the gun)."""
    subjects, subject_of, _, _ = known
    cases_of = {person: [subjects[s][0] for s in mine] for person, mine in subject_of.items()}
    t = trace_acquisitions.c
    columns = (t.record_id, t.serial_key, t.make, t.sold_on, t.dealer_name, t.purchaser_id)
    sales: list[tuple[Any, Any]] = []  # (sale, the case whose subject bought it, or None)
    guns = hotlist.c.reason == "suspect_firearm"
    if loaded is None or "acquisition" in loaded:
        conn.execute(delete(hotlist).where(guns, hotlist.c.context.is_(None)))
        multiple = select(*columns).where(t.serial_key != "", t.multiple_sale.is_(True))
        sales += [(r, None) for r in conn.execute(multiple)]
    conn.execute(delete(hotlist).where(guns, hotlist.c.context.is_not(None)))
    for chunk in chunks(sorted(cases_of)):
        query = select(*columns).where(t.serial_key != "", t.purchaser_id.in_(chunk))
        sales += [(r, case) for r in conn.execute(query) for case in cases_of[r.purchaser_id]]
    heads = marks(conn, sorted({r.record_id for r, _ in sales}))
    rows = []
    for r, case in sorted(sales, key=lambda rc: (rc[0].record_id, rc[1].record_id if rc[1] else "")):
        head = heads[r.record_id]
        if case is not None and case.owner not in head.audience:  # a sale the case's agency may not
            continue  # see tells it nothing
        what = " ".join(x for x in (r.make, r.serial_key, r.sold_on, r.dealer_name) if x)
        if case is not None:  # the case's interest: shown only to whom may see the case as well
            label = f"{what} · {case.record_id.rsplit(':', 1)[-1]}"
            owner, seen_by = case.owner, head.seen_by(case.audience)
            disclosure, context = case.disclosure, case.record_id
        else:
            label = f"{what} · multiple sale"
            owner, seen_by, disclosure, context = head.owner, head.seen_by(), head.disclosure, None
        held = (r.record_id, owner, seen_by, disclosure, "suspect_firearm", label, r.sold_on, context)
        rows.append(("firearm", r.serial_key, fuzzy(r.serial_key), None, *held))
    Repository(conn).bulk_insert(hotlist, COLUMNS, rows)
    return len(rows)


def _write_flags(conn: Connection, loaded: set[str] | None) -> int:
    """The risk flags whose records were loaded since the last refresh (``loaded``: their types; None:
    all): each flag is read from records of its types alone, so the others stand."""
    derivations = (
        (("seizure",), ("flag_network", "flag_cash"), flags.seizure_rows),
        (("crossing",), ("flag_southbound",), flags.southbound_rows),
        # a sale's purchaser record comes with it, in the same load
        (("acquisition",), ("flag_multiple_sale",), lambda c: flags.multiple_sale_rows(c, _lookup_keys)),
    )
    written = 0
    for types, reasons, derive in derivations:
        if loaded is not None and loaded.isdisjoint(types):
            continue
        conn.execute(delete(hotlist).where(hotlist.c.reason.in_(reasons)))
        rows = derive(conn)
        Repository(conn).bulk_insert(hotlist, COLUMNS, rows)
        written += len(rows)
    return written
