"""The hot lists, derived from the records and kept level with the loads (a watermark of the newest
load run read, as the tracing catalogue keeps), and the in-memory index a check reads.

Stolen vehicles come from any agency's vehicle records that carry a theft date (NCIC, REPUVE);
wanted persons are the subjects of cases. A new version of a vehicle record replaces its rows, so a
recovery (a version without a theft date) removes it at once.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, delete, func, select

from puente.normalize.text import fold
from puente.policy.access import audience
from puente.resolve.namekeys import given_roots
from puente.search.links import case_subjects, chunks, contents
from puente.store.db import Database
from puente.store.repository import Repository
from puente.store.schema import hotlist, hotlist_state, load_runs, records

# The characters plate readers (and people) confuse, folded to one: O/Q/0, I/1, B/8, S/5, Z/2.
_CONFUSED = str.maketrans("OQIBSZ", "001852")
COLUMNS = ("kind", "key", "fuzzy", "state", "record_id", "owner", "audience", "disclosure", "reason", "label",
           "since")  # fmt: skip


def fuzzy(key: str) -> str:
    return key.upper().translate(_CONFUSED)


def identifier_key(value: str | None) -> str | None:
    """An identifier as looked up: letters and digits only (an SSN is stored with its hyphens)."""
    key = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    return key or None


def person_key(surname: str | None, given: str | None, birth: str | None) -> str | None:
    """A wanted person looked up by first surname, first given name and birth date."""
    first_surname = (fold(surname or "").split() or [""])[0]
    first_given = (fold(given or "").split() or [""])[0]
    return f"{first_surname}|{first_given}|{birth}" if first_surname and first_given and birth else None


def person_form_keys(surname: str | None, given: str | None, birth: str | None) -> set[str]:
    """The keys of the given name's other forms and words: a subject recorded as José Luis is met by
    a driver's licence reading "Pepe" or "Luis", one recorded as Roberto by "Bob" (the name-form
    table resolution uses). Both the list and the check use them, so a form meets its full name
    whichever side holds which."""
    first_surname = (fold(surname or "").split() or [""])[0]
    if not first_surname or not birth:
        return set()
    return {f"{first_surname}|{root.split()[0]}|{birth}" for root in given_roots(given)}


def _value(node: Any) -> str | None:
    return node.get("value") if isinstance(node, dict) else None


def _vehicle_rows(
    record_id: str, owner: str, seen_by: str, disclosure: str, c: dict[str, Any]
) -> list[tuple]:
    stolen = c.get("reported_stolen_on")
    if not stolen:
        return []
    reason = "stolen_mx" if owner.startswith("MX/") else "stolen_us"
    plate = c.get("plate") or {}
    label = " ".join(str(x) for x in (c.get("make"), c.get("model"), c.get("year"), c.get("color")) if x)
    rows = []
    vin = _value(c.get("vin"))
    if vin:
        rows.append(
            ("vin", vin, fuzzy(vin), None, record_id, owner, seen_by, disclosure, reason, label, stolen)
        )
    number = _value(plate) or (plate.get("text") or "").replace(" ", "").replace("-", "").upper() or None
    if number:
        state = (plate.get("issuer") or {}).get("code")
        held = (record_id, owner, seen_by, disclosure, reason, label, stolen)
        rows.append(("plate", number, fuzzy(number), state, *held))
    return rows


def _person_rows(record_id: str, owner: str, seen_by: str, disclosure: str, c: dict[str, Any],
                 case_id: str) -> list[tuple]:  # fmt: skip
    name = c.get("name") or {}
    keys = [identifier_key(_value(c.get(k))) for k in ("curp", "ssn", "passport", "driver_licence")]
    surname, given, birth = name.get("paternal_surname"), name.get("given_names"), c.get("birth_date")
    keys.append(person_key(surname, given, birth))
    label = name.get("original") or " ".join(
        x for x in (name.get("given_names"), name.get("paternal_surname")) if x
    )
    held = (record_id, owner, seen_by, disclosure, "case_subject", f"{label} · {case_id}", None)
    forms = sorted(person_form_keys(surname, given, birth))
    return [("person", k, k, None, *held) for k in keys if k] + [("name", k, k, None, *held) for k in forms]


def refresh(db: Database) -> int:
    """Bring the hot lists level with the store: vehicles loaded or changed since the last refresh,
    and every case's subjects. Returns the rows written."""
    with db.engine.begin() as conn:
        newest = conn.execute(select(func.max(load_runs.c.id))).scalar() or 0
        read = conn.execute(select(hotlist_state.c.run_id).where(hotlist_state.c.id == 1)).scalar()
        changed = list(conn.execute(
            select(records.c.record_id).where(records.c.record_type == "vehicle",
                                              records.c.load_run_id > (read or 0))
        ).scalars())  # fmt: skip
        written = _write_vehicles(conn, changed) + _write_subjects(conn)
        if read is None:
            conn.execute(hotlist_state.insert().values(id=1, run_id=newest))
        else:
            conn.execute(hotlist_state.update().where(hotlist_state.c.id == 1).values(run_id=newest))
    return written


def _heads(conn: Connection, ids: list[str]) -> dict[str, Any]:
    found = {}
    for chunk in chunks(ids):
        for r in conn.execute(
            select(records.c.record_id, records.c.owner, records.c.disclosure, records.c.markings).where(
                records.c.record_id.in_(chunk)
            )
        ):
            found[r.record_id] = r
    return found


def _seen_by(head: Any) -> str:
    return orjson.dumps(sorted(audience(head.owner, orjson.loads(head.markings)))).decode()


def _write_vehicles(conn: Connection, ids: list[str]) -> int:
    for chunk in chunks(ids):
        conn.execute(delete(hotlist).where(hotlist.c.record_id.in_(chunk)))
    heads = _heads(conn, ids)
    rows = [
        row
        for record_id, content in contents(conn, ids)
        for row in _vehicle_rows(record_id, heads[record_id].owner, _seen_by(heads[record_id]),
                                 heads[record_id].disclosure, content)
    ]  # fmt: skip
    Repository(conn).bulk_insert(hotlist, COLUMNS, rows)
    return len(rows)


def _write_subjects(conn: Connection) -> int:
    conn.execute(delete(hotlist).where(hotlist.c.reason == "case_subject"))
    subjects = case_subjects(conn)
    heads = _heads(conn, sorted(subjects))
    rows = [
        row
        for record_id, content in contents(conn, sorted(subjects))
        for case in subjects[record_id][:1]
        for row in _person_rows(record_id, heads[record_id].owner, _seen_by(heads[record_id]),
                                heads[record_id].disclosure, content, case.record_id.rsplit(":", 1)[-1])
    ]  # fmt: skip
    Repository(conn).bulk_insert(hotlist, COLUMNS, rows)
    return len(rows)


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str
    key: str
    state: str | None
    record_id: str
    owner: str
    audience: frozenset[str]
    disclosure: str
    reason: str
    label: str
    since: str | None


class Index:
    """The hot lists in memory: exact keys, keys with confusable characters folded, and plate keys
    sorted forwards and backwards for partial plates (a beginning or an end of at least 3)."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.exact: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.folded: dict[tuple[str, str], list[int]] = defaultdict(list)
        for n, e in enumerate(entries):
            self.exact[(e.kind, e.key)].append(n)
            self.folded[(e.kind, fuzzy(e.key))].append(n)
        plates = sorted({fuzzy(e.key) for e in entries if e.kind == "plate"})
        self.forwards = plates
        self.backwards = sorted(p[::-1] for p in plates)

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def load(cls, db: Database) -> Index:
        with db.engine.connect() as conn:
            rows = conn.execute(select(*(hotlist.c[c] for c in COLUMNS))).all()
        return cls([Entry(r.kind, r.key, r.state, r.record_id, r.owner, frozenset(orjson.loads(r.audience)),
                          r.disclosure, r.reason, r.label, r.since) for r in rows])  # fmt: skip

    def partial(self, part: str, limit: int = 50) -> list[str]:
        """Plate keys (folded) that begin or end with ``part`` (folded)."""
        part = fuzzy(part)
        found: list[str] = []
        for keys, probe, turn in ((self.forwards, part, False), (self.backwards, part[::-1], True)):
            at = bisect.bisect_left(keys, probe)
            while at < len(keys) and keys[at].startswith(probe) and len(found) < limit:
                found.append(keys[at][::-1] if turn else keys[at])
                at += 1
        return found
