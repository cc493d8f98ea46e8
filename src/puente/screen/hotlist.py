"""The hot lists, derived from the records and kept level with the loads (a watermark of the newest
load run read, as the tracing catalogue keeps), and the in-memory index a check reads.

Stolen vehicles come from any agency's vehicle records that carry a theft date (NCIC, REPUVE);
wanted persons are the subjects of cases. A new version of a vehicle record replaces its rows, so a
recovery (a version without a theft date) removes it at once.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
from sqlalchemy import Connection, delete, func, select

from puente.normalize.text import fold
from puente.policy.access import audience
from puente.resolve.namekeys import given_roots
from puente.screen import flags
from puente.search.links import case_subjects, chunks, contents, namers, subject_entities
from puente.store.db import Database
from puente.store.repository import Repository
from puente.store.schema import hotlist, hotlist_state, load_runs, records, watches

# The characters plate readers (and people) confuse, folded to one: O/Q/0, I/1, B/8, S/5, Z/2.
_CONFUSED = str.maketrans("OQIBSZ", "001852")
COLUMNS = ("kind", "key", "fuzzy", "state", "record_id", "owner", "audience", "disclosure", "reason", "label",
           "since", "context")  # fmt: skip


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
            ("vin", vin, fuzzy(vin), None, record_id, owner, seen_by, disclosure, reason, label, stolen, None)
        )
    number = _plate_number(plate)
    if number:
        state = (plate.get("issuer") or {}).get("code")
        held = (record_id, owner, seen_by, disclosure, reason, label, stolen, None)
        rows.append(("plate", number, fuzzy(number), state, *held))
    return rows


def _person_rows(record_id: str, owner: str, seen_by: str, disclosure: str, c: dict[str, Any],
                 case_ref: str) -> list[tuple]:  # fmt: skip
    name = c.get("name") or {}
    surname, given, birth = name.get("paternal_surname"), name.get("given_names"), c.get("birth_date")
    keys = _lookup_keys(c)
    label = _person_label(c)
    case_id = case_ref.rsplit(":", 1)[-1]
    held = (record_id, owner, seen_by, disclosure, "case_subject", f"{label} · {case_id}", None, case_ref)
    forms = sorted(person_form_keys(surname, given, birth))
    rows = [("person", k, k, None, *held) for k in keys if k] + [("name", k, k, None, *held) for k in forms]
    if surname and given and birth:  # for a driver whose name is written a little differently
        born = f"{birth}|{fold(surname)}|{fold(given)}"
        rows.append(("born", born, born, None, *held))
    return rows


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
        written = (_write_vehicles(conn, changed) + _write_subjects(conn) + _write_subject_vehicles(conn)
                   + _write_watches(conn) + _write_flags(conn))  # fmt: skip
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
                                heads[record_id].disclosure, content, case.record_id)
    ]  # fmt: skip
    Repository(conn).bulk_insert(hotlist, COLUMNS, rows)
    return len(rows)


def _plate_number(plate: dict[str, Any]) -> str | None:
    return _value(plate) or (plate.get("text") or "").replace(" ", "").replace("-", "").upper() or None


def _write_subject_vehicles(conn: Connection) -> int:
    """The vehicles case subjects were seen in: the plate and VIN of each record that names a person
    resolved to a subject (a crossing they drove, a seizure). The entry is the case's interest: it is
    disclosed as the case is (a pointer names the case's agency), tells that agency when met, and
    shows its details only to an officer who may see both the case and the record that saw the
    vehicle."""
    conn.execute(delete(hotlist).where(hotlist.c.reason == "subject_vehicle"))
    subjects, entity_of, members = subject_entities(conn)
    subject_of: dict[str, str] = {}  # every record of a subject's entity -> the subject record
    for subject in sorted(subjects):
        for person in sorted(members.get(entity_of.get(subject, ""), set()) | {subject}):
            subject_of.setdefault(person, subject)
    named = namers(conn, set(subject_of))
    seen_in = {event: person for person, events in named.items() for event in events}
    heads = _heads(conn, sorted(seen_in))
    labels = dict(_subject_labels(conn, sorted(subjects)))
    rows = []
    for record_id, c in contents(conn, sorted(seen_in)):
        plate, vin = _plate_number(c.get("plate") or {}), _value(c.get("vin"))
        if not plate and not vin:
            continue
        subject = subject_of[seen_in[record_id]]
        case = subjects[subject][0]
        event = heads[record_id]
        seen_by = sorted(case.audience & audience(event.owner, orjson.loads(event.markings)))
        day = (c.get("crossed_at") or c.get("seized_on") or "")[:10] or None
        label = f"{labels.get(subject, subject.rsplit(':', 1)[-1])} · {case.record_id.rsplit(':', 1)[-1]}"
        # a pointer names the case's agency alone, never the record that saw the vehicle
        held = (record_id, case.owner, orjson.dumps(seen_by).decode(), case.disclosure, "subject_vehicle",
                label, day, case.record_id)  # fmt: skip
        if vin:
            rows.append(("vin", vin, fuzzy(vin), None, *held))
        if plate:
            state = ((c.get("plate") or {}).get("issuer") or {}).get("code")
            rows.append(("plate", plate, fuzzy(plate), state, *held))
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
    """An agency's watches on identifiers, as lookouts: the identifier read as a plate, a VIN or a
    driver's document. Only the watching agency is told what the watch is; any other officer is told
    to contact it, and the watcher gets a lead when the lookout is met."""
    conn.execute(delete(hotlist).where(hotlist.c.reason == "watch"))
    rows = []
    for w in conn.execute(select(watches).where(watches.c.active.is_(True), watches.c.kind == "identifier")):
        key = identifier_key(w.value)
        if not key:
            continue
        held = (f"watch:{w.id}", w.agency, orjson.dumps([w.agency]).decode(), "pointer", "watch", w.label,
                w.created_at.date().isoformat(), f"watch:{w.id}")  # fmt: skip
        kinds = ("plate", "person") + (("vin",) if len(key) == VIN_LENGTH else ())
        rows += [(kind, key, fuzzy(key) if kind != "person" else key, None, *held) for kind in kinds]
    Repository(conn).bulk_insert(hotlist, COLUMNS, rows)
    return len(rows)


def _lookup_keys(c: dict[str, Any]) -> list[str]:
    """The keys a person record is looked up by at a lane: its identifiers, and its first surname,
    first given name and birth date."""
    name = c.get("name") or {}
    keys = [identifier_key(_value(c.get(k))) for k in ("curp", "ssn", "passport", "driver_licence")]
    keys.append(person_key(name.get("paternal_surname"), name.get("given_names"), c.get("birth_date")))
    return [k for k in dict.fromkeys(keys) if k]


def _write_flags(conn: Connection) -> int:
    conn.execute(delete(hotlist).where(hotlist.c.reason.in_(flags.REASONS)))
    rows = flags.seizure_rows(conn) + flags.southbound_rows(conn)
    rows += flags.multiple_sale_rows(conn, _lookup_keys)
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
    context: str | None = None  # the record it comes by: a wanted person's case


_KINDS = ("vin", "plate", "person", "name", "born")
VIN_LENGTH = 17
_LOAD_CHUNK = 200_000  # rows read and packed at a time while loading
_PLATE_WIDTH = 16  # the longest plate partial plates are looked up among (plates have up to 10)


class Index:
    """The hot lists in memory, packed in columns so that 10M entries take about a gigabyte rather
    than the eight that Python objects took (measured by bench/screen.py), and so that the collector
    has nothing to walk.

    Per entry: its kind, its plate's state and its record (small codes), its key's text (one byte
    string and offsets), and two sorted hash arrays with the entries they point to: one of the exact
    keys, one of the keys with confusable characters folded. A lookup finds the hash by bisection
    and confirms the key's text, so a hash collision cannot make a false hit. Per record: its id,
    label and since (one byte string), owner, reason and disclosure (codes) and its audience (a
    bitmask over the agencies). Plates, folded, are kept sorted forwards and backwards for partial
    plates. Entries are made into :class:`Entry` objects only when a check finds them.

    Wanted persons also come as "born" rows (key: birth date, folded surnames and given names); a
    driver with that birth date and a similar name is a candidate. They are few next to vehicles and
    are kept as a plain mapping."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._codes: dict[str, dict[Any, int]] = {"state": {None: 0}, "owner": {}, "reason": {},
                                                  "disclosure": {}, "agency": {}}  # fmt: skip
        # grown in place (arrays and byte strings): the build holds no object per entry either
        kinds, states, recs, exact, folded = array("B"), array("H"), array("i"), array("q"), array("q")
        keys, key_at = bytearray(), array("q", [0])
        owners, reasons, disclosures, masks = array("B"), array("B"), array("B"), array("Q")
        texts, text_at = bytearray(), array("q", [0])
        forwards, backwards = bytearray(), bytearray()
        self.born: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        last: tuple[Any, ...] | None = None
        for n, e in enumerate(entries):
            record = (e.record_id, e.owner, e.audience, e.disclosure, e.reason, e.label, e.since, e.context)
            if record != last:  # an entry of the same record as the one before shares its details
                owners.append(self._code("owner", e.owner))
                reasons.append(self._code("reason", e.reason))
                disclosures.append(self._code("disclosure", e.disclosure))
                masks.append(self._mask(e.audience))
                texts += f"{e.record_id}\x1f{e.label}\x1f{e.since or ''}\x1f{e.context or ''}".encode()
                text_at.append(len(texts))
                last = record
            kinds.append(_KINDS.index(e.kind))
            states.append(self._code("state", e.state))
            recs.append(len(text_at) - 2)
            keys += e.key.encode()
            key_at.append(len(keys))
            fold_key = fuzzy(e.key)
            exact.append(hash((e.kind, e.key)))
            folded.append(hash((e.kind, fold_key)))
            if e.kind == "plate" and len(fold_key) <= _PLATE_WIDTH:
                forwards += fold_key.encode().ljust(_PLATE_WIDTH, b"\0")
                backwards += fold_key[::-1].encode().ljust(_PLATE_WIDTH, b"\0")
            elif e.kind == "born":
                birth, surnames, given = e.key.split("|")
                self.born[birth].append((surnames, given, n))
        self._kinds = np.frombuffer(kinds, dtype=np.uint8)
        self._states = np.frombuffer(states, dtype=np.uint16)
        self._recs = np.frombuffer(recs, dtype=np.int32)
        self._keys, self._key_at = bytes(keys), np.frombuffer(key_at, dtype=np.int64)
        del keys
        self._exact = _sorted_hashes(exact)
        self._folded = _sorted_hashes(folded)
        self._owners = np.frombuffer(owners, dtype=np.uint8)
        self._reasons = np.frombuffer(reasons, dtype=np.uint8)
        self._disclosures = np.frombuffer(disclosures, dtype=np.uint8)
        self._masks = np.frombuffer(masks, dtype=np.uint64)
        self._texts, self._text_at = bytes(texts), np.frombuffer(text_at, dtype=np.int64)
        del texts
        self._forwards = np.unique(np.frombuffer(bytes(forwards), dtype=f"S{_PLATE_WIDTH}"))
        self._backwards = np.unique(np.frombuffer(bytes(backwards), dtype=f"S{_PLATE_WIDTH}"))
        self._names = {kind: [v for v, _ in sorted(codes.items(), key=lambda kv: kv[1])]
                       for kind, codes in self._codes.items()}  # fmt: skip
        self._audiences: dict[int, frozenset[str]] = {}

    def _code(self, kind: str, value: Any) -> int:
        codes = self._codes[kind]
        if value not in codes:
            codes[value] = len(codes)
        return codes[value]

    def _mask(self, agencies: frozenset[str]) -> int:
        mask = 0
        for agency in agencies:
            code = self._code("agency", agency)
            if code >= 64:
                raise ValueError("the hot lists' audience mask holds 64 agencies at most")
            mask |= 1 << code
        return mask

    def __len__(self) -> int:
        return len(self._kinds)

    @classmethod
    def load(cls, db: Database) -> Index:
        """The hot lists as stored, read in chunks (ordered by record, so a record's entries share
        its details)."""

        def rows() -> Iterator[Entry]:
            audiences: dict[str, frozenset[str]] = {}
            with db.engine.connect() as conn:
                result = conn.execution_options(stream_results=True, yield_per=_LOAD_CHUNK).execute(
                    select(*(hotlist.c[c] for c in COLUMNS)).order_by(hotlist.c.record_id, hotlist.c.id)
                )
                for r in result:
                    seen_by = audiences.get(r.audience)
                    if seen_by is None:
                        seen_by = audiences[r.audience] = frozenset(orjson.loads(r.audience))
                    yield Entry(r.kind, r.key, r.state, r.record_id, r.owner, seen_by, r.disclosure, r.reason,
                                r.label, r.since, r.context)  # fmt: skip

        return cls(rows())

    def entry(self, n: int) -> Entry:
        """The n-th entry, made from its columns."""
        rec = int(self._recs[n])
        record_id, label, since, context = self._text(self._texts, self._text_at, rec).split("\x1f")
        mask = int(self._masks[rec])
        audience = self._audiences.get(mask)
        if audience is None:
            agencies = self._names["agency"]
            audience = frozenset(a for i, a in enumerate(agencies) if mask >> i & 1)
            self._audiences[mask] = audience
        names = self._names
        return Entry(_KINDS[self._kinds[n]], self._text(self._keys, self._key_at, n),
                     names["state"][self._states[n]], record_id, names["owner"][self._owners[rec]], audience,
                     names["disclosure"][self._disclosures[rec]], names["reason"][self._reasons[rec]], label,
                     since or None, context or None)  # fmt: skip

    @staticmethod
    def _text(blob: bytes, at: Any, n: int) -> str:
        return blob[int(at[n]) : int(at[n + 1])].decode()

    def _find(self, table: tuple[Any, Any], kind: str, key: str, folded: bool) -> list[int]:
        hashes, order = table
        wanted = hash((kind, key))
        found = []
        at = int(np.searchsorted(hashes, wanted))
        while at < len(hashes) and hashes[at] == wanted:
            n = int(order[at])
            text = self._text(self._keys, self._key_at, n)
            if _KINDS[self._kinds[n]] == kind and (fuzzy(text) if folded else text) == key:
                found.append(n)
            at += 1
        return found

    def find(self, kind: str, key: str) -> list[int]:
        """The entries of this kind with exactly this key."""
        return self._find(self._exact, kind, key, folded=False)

    def find_folded(self, kind: str, key: str) -> list[int]:
        """The entries of this kind whose key, folded, is ``key`` (already folded)."""
        return self._find(self._folded, kind, key, folded=True)

    def partial(self, part: str, limit: int = 50) -> list[str]:
        """Plate keys (folded) that begin or end with ``part`` (folded); with a ``*`` inside (7NL*858),
        those that begin with what comes before it and end with what comes after."""
        part = fuzzy(part)
        head, star, tail = part.partition("*")
        if star and head and tail:
            return [k for k in self._prefixed(self._forwards, head.encode(), None)
                    if k.endswith(tail) and len(k) >= len(head) + len(tail)][:limit]  # fmt: skip
        part = part.replace("*", "")
        found = self._prefixed(self._forwards, part.encode(), limit)
        found += [k[::-1] for k in self._prefixed(self._backwards, part[::-1].encode(), limit - len(found))]
        return found[:limit]

    @staticmethod
    def _prefixed(keys: Any, probe: bytes, limit: int | None) -> list[str]:
        if not probe or limit == 0:
            return []
        lo = int(np.searchsorted(keys, probe))
        hi = int(np.searchsorted(keys, probe + b"\xff"))
        hi = hi if limit is None else min(hi, lo + limit)
        return [k.decode() for k in keys[lo:hi].tolist()]


def _sorted_hashes(hashes: array) -> tuple[Any, Any]:
    """Hashes sorted, and the entry each came from."""
    values = np.frombuffer(hashes, dtype=np.int64)
    order = np.argsort(values, kind="stable").astype(np.int32)
    return values[order], order
