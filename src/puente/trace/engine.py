"""The trace lifecycle: a recovered firearm becomes a request, is matched to its first retail sale, and
ends completed with a result or failed with a reason the requester can act on.

Requests come in bulk from the recoveries a requester may see (recovery reports and the firearm items
of seizures). Processing marks a chunk ``in_progress`` in its own transaction before matching it, so
a process stopped midway leaves requests that the next run picks up again. Matching is exact on the
normalised serial and never crosses makes; several sales left after model and caliber agree are an
ambiguous match, never a guess.

A trace reads the acquisition catalogue on the tracing centre's behalf (as eTrace does): its result
goes to the requester and to the tracing agency, and to whoever else may see both the recovery
record and the sale it was matched to.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from rapidfuzz import fuzz, process
from sqlalchemy import Connection, bindparam, select, update

from puente.model import vocab
from puente.policy import audit
from puente.policy.access import Pointer, audience, released, require, visible
from puente.policy.principals import Principal
from puente.store.db import Database
from puente.store.repository import Repository, utcnow
from puente.store.schema import entity_members, record_versions, records, trace_acquisitions, traces
from puente.trace.catalog import code, serial_key

TRACING_AGENCY = "US/ATF"  # the national tracing centre: every trace's result reaches it
SHORT_TIME_TO_CRIME = 3 * 365  # days; under three years is the classic diversion signal
CHUNK = 2_000
SOURCE_TYPES = ("trace_request", "seizure")
POSSESSOR_RELATIONS = ("detainee", "possessor", "subject", "arrested")

# Why a trace failed, and what the requester can do about it.
REASONS: dict[str, tuple[str, str]] = {
    "obliterated_serial": (
        "the serial was obliterated: send the gun to a laboratory to restore it, then trace again",
        "la matrícula está limada: envíe el arma a un laboratorio para restaurarla y vuelva a rastrear",
    ),
    "no_serial": (
        "no serial was given: read it off the frame and trace again",
        "no se indicó la matrícula: léala en el armazón y vuelva a rastrear",
    ),
    "no_make": (
        "the make is missing or unknown: a serial is only unique within one make; name the make",
        "falta la marca o no se reconoce: una matrícula solo es única dentro de una marca; indique la marca",
    ),
    "foreign_no_import": (
        "foreign-made and no US import or sale record: ask the maker's country for its records",
        "fabricada en el extranjero y sin registro de importación o venta en EE. UU.: solicite los "
        "registros al país del fabricante",
    ),
    "no_acquisition": (
        "no retail sale of this serial and make is on record: check the serial and make",
        "no hay registro de venta al menudeo de esta matrícula y marca: revise la matrícula y la marca",
    ),
    "not_released": (
        "the recovery's owner has not released it to the tracing centre: ask the owner to request the trace",
        "el dueño del aseguramiento no lo ha compartido con el centro de rastreo: pídale que solicite el "
        "rastreo",
    ),
    "ambiguous": (
        "several sales of different guns share this serial and make: add the model and caliber",
        "varias ventas de armas distintas comparten esta matrícula y marca: agregue el modelo y el calibre",
    ),
}
STATUSES = ("submitted", "in_progress", "completed", "failed")


@dataclass
class Recovery:
    """A recovered firearm as its record reports it."""

    source_id: str
    item: int
    source_type: str
    owner: str
    markings: dict[str, Any]
    firearm: dict[str, Any]
    recovered_on: str | None
    state: str | None
    city: str | None
    possessor_id: str | None = None

    def request(self) -> dict[str, Any]:
        return {
            "source_type": self.source_type,
            "firearm": self.firearm,
            "recovered_on": self.recovered_on,
            "recovery_place": {"state": self.state, "city": self.city},
            "possessor_id": self.possessor_id,
        }


def _recoveries_in(
    record_id: str, record_type: str, owner: str, markings: str, content: dict[str, Any]
) -> list[Recovery]:
    found: list[Recovery] = []
    marks = orjson.loads(markings)
    if record_type == "trace_request":
        place = content.get("recovery_place") or {}
        firearm = content.get("firearm") or {}
        if firearm:
            found.append(
                Recovery(
                    record_id,
                    0,
                    record_type,
                    owner,
                    marks,
                    firearm,
                    content.get("recovered_on"),
                    code(place.get("state")),
                    place.get("city") or place.get("municipality"),
                )
            )
        return found
    place = content.get("place") or {}
    possessor = next(
        (r["target"] for r in content.get("relations", []) if r["kind"] in POSSESSOR_RELATIONS), None
    )
    for index, item in enumerate(content.get("items", [])):
        if item.get("kind") != "firearm":
            continue
        found.append(
            Recovery(
                record_id,
                index,
                record_type,
                owner,
                marks,
                item.get("firearm") or {},
                content.get("seized_on"),
                code(place.get("state")),
                place.get("city") or place.get("municipality"),
                possessor,
            )
        )
    return found


def recoveries(
    conn: Connection, principal: Principal, source_ids: Sequence[str] | None = None
) -> list[Recovery]:
    """The recovered firearms reported by records this principal may see (only ``source_ids`` when
    given), in record order."""
    query = (
        select(
            records.c.record_id,
            records.c.record_type,
            records.c.owner,
            records.c.markings,
            record_versions.c.canonical,
        )
        .join(
            record_versions,
            (record_versions.c.record_id == records.c.record_id)
            & (record_versions.c.version == records.c.version),
        )
        .where(records.c.record_type.in_(SOURCE_TYPES), visible(principal))
        .order_by(records.c.record_id)
    )
    if source_ids is not None:
        query = query.where(records.c.record_id.in_(sorted(set(source_ids))))
    found: list[Recovery] = []
    for row in conn.execute(query):
        found.extend(
            _recoveries_in(
                row.record_id, row.record_type, row.owner, row.markings, orjson.loads(row.canonical)
            )
        )
    return found


# --- the completeness check --------------------------------------------------------------------------


def _suggest(text: str | None, choices: dict[str, Any]) -> dict[str, Any] | None:
    """The vocabulary entry closest to a text the vocabulary did not recognise, if it is close."""
    if not text:
        return None
    names: dict[str, str] = {}
    for entry in choices.values():
        for name in (entry.name_en, entry.name_es, entry.code, *getattr(entry, "aliases", ())):
            names.setdefault(name.upper(), entry.code)
    best = process.extractOne(text.upper(), list(names), scorer=fuzz.WRatio, score_cutoff=85)
    if best is None:
        return None
    return {"code": names[best[0]], "name": choices[names[best[0]]].name_en, "score": round(best[1])}


def check(firearm: dict[str, Any]) -> list[dict[str, Any]]:
    """What the request lacks or may have wrong, each with a suggestion, in English and Spanish."""
    notes: list[dict[str, Any]] = []
    serial = firearm.get("serial") or {}
    if serial.get("obliterated"):
        notes.append(
            {
                "code": "obliterated_serial",
                "en": "the serial is obliterated",
                "es": "la matrícula está limada",
            }
        )
    elif not serial.get("value"):
        notes.append({"code": "no_serial", "en": "no serial given", "es": "no se indicó la matrícula"})
    elif serial.get("partial"):
        notes.append(
            {
                "code": "partial_serial",
                "en": "the serial is partly legible",
                "es": "la matrícula es parcialmente legible",
            }
        )
    for key, table, en, es in (
        ("make", vocab.makes(), "make", "marca"),
        ("caliber", vocab.calibers(), "caliber", "calibre"),
    ):
        value = firearm.get(key)
        if code(value):
            continue
        text = value.get("text") if isinstance(value, dict) else value
        suggestion = _suggest(text, table)
        if suggestion is not None:
            notes.append(
                {
                    "code": f"suggest_{key}",
                    "suggestion": suggestion,
                    "en": f"{en} '{text}' is not known: did you mean {suggestion['name']}?",
                    "es": f"la {es} '{text}' no se reconoce: ¿quiso decir {suggestion['name']}?",
                }
            )
        else:
            notes.append(
                {
                    "code": f"no_{key}",
                    "en": f"the {en} is missing or unknown",
                    "es": f"falta la {es} o no se reconoce",
                }
            )
    make = vocab.makes().get(code(firearm.get("make")) or "")
    if make is not None and make.country != "US" and not make.us_importer:
        notes.append(
            {
                "code": "foreign_make",
                "en": f"{make.name_en} guns are made in {make.country}: "
                "only a US import or sale record can trace it",
                "es": f"las armas {make.name_es} se fabrican en {make.country}: solo un registro "
                "de importación o venta en EE. UU. permite rastrearla",
            }
        )
    return notes


# --- matching ----------------------------------------------------------------------------------------


@dataclass
class Sale:
    record_id: str
    make: str | None
    sold_on: str | None
    dealer_licence: str | None
    dealer_name: str | None
    dealer_state: str | None
    purchaser_id: str | None
    multiple_sale: bool
    firearm: dict[str, Any]


def sales_by_serial(conn: Connection, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[Sale]]:
    """The catalogued sales of each (serial, make) asked for. Looked up by serial alone, which the
    index answers directly (a list of serial-and-make pairs is scanned for by SQLite), then kept
    to the make asked for: a serial seldom repeats across makes."""
    pairs = set(wanted)
    serials = sorted({serial for serial, _ in pairs})
    found: dict[tuple[str, str], list[Sale]] = {}
    columns = [trace_acquisitions.c[name] for name in (
        "serial_key", "make", "record_id", "sold_on", "dealer_licence", "dealer_name", "dealer_state",
        "purchaser_id", "multiple_sale", "firearm",
    )]  # fmt: skip
    for start in range(0, len(serials), 500):
        chunk = serials[start : start + 500]
        for row in conn.execute(select(*columns).where(trace_acquisitions.c.serial_key.in_(chunk))):
            key = (row.serial_key, row.make)
            if key in pairs:
                found.setdefault(key, []).append(
                    Sale(row.record_id, row.make, row.sold_on, row.dealer_licence, row.dealer_name,
                         row.dealer_state, row.purchaser_id, bool(row.multiple_sale),
                         orjson.loads(row.firearm))
                )  # fmt: skip
    return found


def _fold(text: Any) -> str:
    return "".join(ch for ch in str(text or "").upper() if ch.isalnum())


def choose(
    firearm: dict[str, Any], recovered_on: str | None, sales: list[Sale]
) -> tuple[Sale | None, str | None]:
    """The first retail sale of this gun among sales of its serial, or why there is none."""
    serial = firearm.get("serial") or {}
    if serial.get("obliterated"):
        return None, "obliterated_serial"
    if not serial.get("value"):
        return None, "no_serial"
    make = code(firearm.get("make"))
    if make is None:
        return None, "no_make"
    candidates = [
        s
        for s in sales
        if s.make == make and (not recovered_on or not s.sold_on or s.sold_on <= recovered_on)
    ]
    model, caliber = _fold(firearm.get("model")), code(firearm.get("caliber"))
    if len(candidates) > 1 and model:
        candidates = [s for s in candidates if _fold(s.firearm.get("model")) in ("", model)] or candidates
    if len(candidates) > 1 and caliber:
        candidates = [
            s for s in candidates if code(s.firearm.get("caliber")) in (None, caliber)
        ] or candidates
    if not candidates:
        known = vocab.makes().get(make)
        foreign = known is not None and known.country != "US" and not known.us_importer
        return None, "foreign_no_import" if foreign else "no_acquisition"
    # a sale that leaves the model or caliber out may be of either gun: only two different stated
    # models (or calibers) make two guns
    models = {_fold(s.firearm.get("model")) for s in candidates} - {""}
    calibers = {code(s.firearm.get("caliber")) for s in candidates} - {None}
    if len(models) > 1 or len(calibers) > 1:
        return None, "ambiguous"
    # the same gun sold more than once: the trace is of its first retail sale
    return min(candidates, key=lambda s: (s.sold_on or "9999", s.record_id)), None


# --- who may see a trace -------------------------------------------------------------------------------


@dataclass
class _Markings:
    repo: Repository
    ids: dict[tuple[str, ...], int] = field(default_factory=dict)

    def of(self, agencies: set[str]) -> int:
        key = tuple(sorted(agencies))
        if key not in self.ids:
            text = orjson.dumps(
                {
                    "owner": TRACING_AGENCY,
                    "releasable_to": list(key),
                    "disclosure": "none",
                    "originator_controlled": False,
                    "restricted_fields": {},
                }
            ).decode()
            self.ids[key] = self.repo.marking_set(text, key)
        return self.ids[key]


# --- the lifecycle ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TraceRunReport:
    submitted: int
    processed: int
    completed: int
    failed: dict[str, int]


def submit(db: Database, principal: Principal, purpose: str, source_ids: Sequence[str] | None = None) -> int:
    """Requests for every recovered firearm this principal may see that has none yet (only in
    ``source_ids`` when given); each starts ``submitted``. Returns how many were made."""
    require(db, principal, "trace", purpose)
    with db.engine.begin() as conn:
        found = recoveries(conn, principal, source_ids)
        mine = select(traces.c.source_id, traces.c.item).where(traces.c.requester_agency == principal.agency)
        existing = {(source_id, item) for source_id, item in conn.execute(mine)}
        fresh = [r for r in found if (r.source_id, r.item) not in existing]
        markings = _Markings(Repository(conn))
        now = utcnow()
        rows = []
        for r in fresh:
            seen_by = audience(r.owner, r.markings)
            # a recovery its owner has not released to the tracing centre goes there only if the
            # owner itself asks: anyone else would pass the owner's record on
            held_back = principal.agency != r.owner and TRACING_AGENCY not in seen_by
            status, reason, result, done = "submitted", None, None, None
            shown_to = {principal.agency} if held_back else {principal.agency, TRACING_AGENCY, *seen_by}
            if held_back:
                en, es = REASONS["not_released"]
                status, reason, done = "failed", "not_released", now
                result = orjson.dumps({"reason": {"code": "not_released", "en": en, "es": es}}).decode()
            rows.append((
                r.source_id, r.item, principal.user_id, principal.agency, status, reason,
                serial_key(r.firearm), code(r.firearm.get("make")), r.recovered_on, r.state,
                r.possessor_id,
                orjson.dumps(r.request()).decode(), result,
                markings.of(shown_to),
                now, done,
            ))  # fmt: skip
        columns = (
            "source_id", "item", "requester", "requester_agency", "status", "reason", "serial_key", "make",
            "recovered_on", "recovery_state", "possessor_id", "request", "result", "marking_set_id",
            "submitted_at", "completed_at",
        )  # fmt: skip
        Repository(conn).bulk_insert(traces, columns, rows)
        audit.record(
            conn,
            principal.user_id,
            "trace_submit",
            purpose=purpose,
            detail={"recoveries_read": len(found), "submitted": len(rows)},
        )
    return len(rows)


def _purchaser_keys(conn: Connection, ids: set[str]) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Each purchaser's (or possessor's) key — their resolved entity, else name and birth date — and
    their record's content."""
    keys: dict[str, str] = {}
    content: dict[str, dict[str, Any]] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for rid, entity in conn.execute(
            select(entity_members.c.record_id, entity_members.c.entity_id).where(
                entity_members.c.record_id.in_(chunk)
            )
        ):
            keys[rid] = f"entity:{entity}"
        for rid, canonical in conn.execute(
            select(records.c.record_id, record_versions.c.canonical)
            .join(
                record_versions,
                (record_versions.c.record_id == records.c.record_id)
                & (record_versions.c.version == records.c.version),
            )
            .where(records.c.record_id.in_(chunk))
        ):
            person = orjson.loads(canonical)
            content[rid] = person
            if rid not in keys:
                name = person.get("name") or {}
                keys[rid] = (
                    f"name:{name.get('paternal_key')}|{name.get('given_key')}|{person.get('birth_date')}"
                )
    return keys, content


def _days(start: str | None, end: str | None) -> int | None:
    if not start or not end:
        return None
    return (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days


def _summary(person: dict[str, Any] | None) -> dict[str, Any] | None:
    if person is None:
        return None
    name = person.get("name") or {}
    address = (person.get("addresses") or [{}])[0]
    return {
        "name": name.get("original")
        or " ".join(
            p
            for p in (name.get("given_names"), name.get("paternal_surname"), name.get("maternal_surname"))
            if p
        ),
        "birth_date": person.get("birth_date"),
        "city": address.get("city"),
        "state": code(address.get("state")),
    }


def process_pending(
    db: Database,
    principal: Principal,
    purpose: str,
    limit: int | None = None,
    only: Sequence[int] | None = None,
) -> TraceRunReport:
    """Match every submitted (or interrupted) request of this principal's agency (only the ``only``
    ids when given); chunk by chunk, each marked in progress first, against the acquisitions as
    they are now (the catalogue is brought level first: only new and changed sales are read)."""
    from puente.trace.catalog import refresh

    require(db, principal, "trace", purpose)
    refresh(db)
    subjects: dict[str, Any] = {}  # the cases' subjects, read once for the whole run
    processed = completed = 0
    failed: dict[str, int] = {}
    while limit is None or processed < limit:
        with db.engine.begin() as conn:
            pending = select(traces.c.id).where(
                traces.c.requester_agency == principal.agency,
                traces.c.status.in_(("submitted", "in_progress")),
            )
            if only is not None:
                pending = pending.where(traces.c.id.in_(list(only)))
            ids = list(conn.execute(pending.order_by(traces.c.id).limit(CHUNK)).scalars())
            if not ids:
                break
            conn.execute(update(traces).where(traces.c.id.in_(ids)).values(status="in_progress"))
        with db.engine.begin() as conn:
            done, ok, fails = _process(conn, principal, ids, subjects)
            audit.record(
                conn,
                principal.user_id,
                "trace_process",
                purpose=purpose,
                detail={"traces": len(ids), "completed": ok},
            )
        processed += done
        completed += ok
        for reason, n in fails.items():
            failed[reason] = failed.get(reason, 0) + n
    return TraceRunReport(0, processed, completed, failed)


def _process(
    conn: Connection, principal: Principal, ids: list[int], subjects: dict[str, Any]
) -> tuple[int, int, dict[str, int]]:
    rows = conn.execute(
        select(
            traces.c.id,
            traces.c.source_id,
            traces.c.request,
            traces.c.serial_key,
            traces.c.make,
            traces.c.marking_set_id,
            records.c.owner,
            records.c.markings,
        )
        .outerjoin(records, records.c.record_id == traces.c.source_id)
        .where(traces.c.id.in_(ids))
    ).all()
    sales = sales_by_serial(conn, [(r.serial_key, r.make) for r in rows if r.serial_key and r.make])
    requests = {r.id: orjson.loads(r.request) for r in rows}
    chosen: dict[int, tuple[Sale | None, str | None]] = {}
    for r in rows:
        req = requests[r.id]
        chosen[r.id] = choose(req["firearm"], req.get("recovered_on"), sales.get((r.serial_key, r.make), []))
    people = {s.purchaser_id for s, _ in chosen.values() if s and s.purchaser_id}
    people |= {req["possessor_id"] for req in requests.values() if req.get("possessor_id")}
    keys, persons = _purchaser_keys(conn, people)
    acquisition_marks = _acquisition_markings(conn, [s.record_id for s, _ in chosen.values() if s])
    markings = _Markings(Repository(conn))
    now = utcnow()
    completed = 0
    failed: dict[str, int] = {}
    changes: list[dict[str, Any]] = []
    raised: list[tuple[int, str | None, set[str]]] = []
    for r in rows:
        req = requests[r.id]
        sale, reason = chosen[r.id]
        result: dict[str, Any] = {"checks": check(req["firearm"])}
        values: dict[str, Any] = dict.fromkeys(_RESULT_COLUMNS)
        values.update(tid=r.id, completed_at=now, marking_set_id=r.marking_set_id)
        if sale is None:
            assert reason is not None
            failed[reason] = failed.get(reason, 0) + 1
            en, es = REASONS[reason]
            result["reason"] = {"code": reason, "en": en, "es": es}
            values.update(status="failed", reason=reason)
        elif _withheld(principal, *acquisition_marks.get(sale.record_id, (TRACING_AGENCY, {}))):
            completed += 1
            owner = acquisition_marks[sale.record_id][0]
            contact = Pointer.of(owner)
            result["withheld"] = {
                "holder": owner,
                "en": f"a sale of this gun is on record, but its holder releases it to no one: ask "
                f"{contact.contact_en}",
                "es": f"hay una venta de esta arma en los registros, pero su titular no la comparte: "
                f"consulte a {contact.contact_es}",
            }
            values.update(status="completed", reason="withheld")
        else:
            completed += 1
            possessor = req.get("possessor_id")
            same = None
            if possessor and sale.purchaser_id:
                same = keys.get(possessor) is not None and keys.get(possessor) == keys.get(sale.purchaser_id)
            ttc = _days(sale.sold_on, req.get("recovered_on"))
            result.update(
                {
                    "manufacturer": sale.firearm.get("make"),
                    "importer": sale.firearm.get("importer"),
                    "country_of_manufacture": sale.firearm.get("country_of_manufacture"),
                    "acquisition_id": sale.record_id,
                    "dealer": {
                        "licence": sale.dealer_licence,
                        "name": sale.dealer_name,
                        "state": sale.dealer_state,
                    },
                    "purchaser_id": sale.purchaser_id,
                    "purchaser": _summary(persons.get(sale.purchaser_id or "")),
                    "purchased_on": sale.sold_on,
                    "time_to_crime_days": ttc,
                    "multiple_sale": sale.multiple_sale,
                    "recovery": req.get("recovery_place"),
                    "recovered_on": req.get("recovered_on"),
                    "possessor_is_purchaser": same,
                }
            )
            owner, marks = acquisition_marks.get(sale.record_id, (TRACING_AGENCY, {}))
            source = audience(r.owner, orjson.loads(r.markings)) if r.owner else set()
            seen_by = {principal.agency, TRACING_AGENCY} | (source & audience(owner, marks))
            raised.append((r.id, keys.get(sale.purchaser_id or ""), seen_by))
            values.update(
                status="completed",
                reason=None,
                acquisition_id=sale.record_id,
                purchaser_id=sale.purchaser_id,
                purchaser_key=keys.get(sale.purchaser_id or ""),
                dealer_licence=sale.dealer_licence,
                dealer_state=sale.dealer_state,
                purchased_on=sale.sold_on,
                time_to_crime_days=ttc,
                marking_set_id=markings.of(seen_by),
            )
        values["result"] = orjson.dumps(result).decode()
        changes.append(values)
    statement = update(traces).where(traces.c.id == bindparam("tid"))
    conn.execute(
        statement.values({c: bindparam(c) for c in (*_RESULT_COLUMNS, "completed_at", "marking_set_id")}),
        changes,
    )
    from puente.trace.events import raise_for

    raise_for(conn, [r.id for r in rows], raised, subjects, _purchaser_keys, markings.of)
    return len(rows), completed, failed


_RESULT_COLUMNS = (
    "status",
    "reason",
    "acquisition_id",
    "purchaser_id",
    "purchaser_key",
    "dealer_licence",
    "dealer_state",
    "purchased_on",
    "time_to_crime_days",
    "result",
)


def _withheld(principal: Principal, owner: str, markings: dict[str, Any]) -> bool:
    """A sale its holder releases to no one (disclosure 'none') is not shown to a requester outside
    its audience: the trace says a sale exists and whom to ask, as a pointer would. Any other sale
    is disclosed to the requester, as eTrace discloses a trace's result."""
    return markings.get("disclosure") == "none" and principal.agency not in audience(owner, markings)


def _acquisition_markings(conn: Connection, ids: list[str]) -> dict[str, tuple[str, dict[str, Any]]]:
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for start in range(0, len(ids), 500):
        chunk = sorted(set(ids[start : start + 500]))
        for rid, owner, markings in conn.execute(
            select(records.c.record_id, records.c.owner, records.c.markings).where(
                records.c.record_id.in_(chunk)
            )
        ):
            found[rid] = (owner, orjson.loads(markings))
    return found


def firearm_from_text(
    make: str, model: str, caliber: str, serial: str, firearm_type: str = ""
) -> dict[str, Any]:
    """A firearm description from what a requester typed, through the same normalisers a load uses."""
    from puente.normalize.firearms import canonical_caliber, canonical_firearm_type, canonical_make
    from puente.normalize.identifiers import normalize_serial

    firearm: dict[str, Any] = {}
    if serial.strip():
        read = normalize_serial(serial)
        firearm["serial"] = {
            "text": serial.strip(),
            "value": read.normalized,
            "obliterated": read.obliterated,
            "partial": read.partial,
        }
    for key, text, lookup in (
        ("make", make, canonical_make),
        ("caliber", caliber, canonical_caliber),
        ("firearm_type", firearm_type, canonical_firearm_type),
    ):
        if text.strip():
            found = lookup(text)
            firearm[key] = {"text": text.strip(), **({"code": found} if found else {})}
    if model.strip():
        firearm["model"] = model.strip()
    return firearm


def submit_one(
    db: Database,
    principal: Principal,
    purpose: str,
    firearm: dict[str, Any],
    recovered_on: str | None = None,
    state: str | None = None,
    city: str | None = None,
) -> int:
    """A request typed in by the requester (a form, the API), traced at once; returns its id."""
    require(db, principal, "trace", purpose)
    recovery = Recovery(
        f"request:{principal.agency}:{uuid.uuid4().hex[:16]}",
        0,
        "request",
        principal.agency,
        {},
        firearm,
        recovered_on or None,
        state or None,
        city or None,
    )
    with db.engine.begin() as conn:
        marking = _Markings(Repository(conn)).of({principal.agency, TRACING_AGENCY})
        trace_id = int(
            conn.execute(
                traces.insert()
                .values(
                    source_id=recovery.source_id,
                    item=0,
                    requester=principal.user_id,
                    requester_agency=principal.agency,
                    status="submitted",
                    serial_key=serial_key(firearm),
                    make=code(firearm.get("make")),
                    recovered_on=recovery.recovered_on,
                    recovery_state=recovery.state,
                    request=orjson.dumps(recovery.request()).decode(),
                    marking_set_id=marking,
                    submitted_at=utcnow(),
                )
                .returning(traces.c.id)
            ).scalar_one()
        )
        audit.record(conn, principal.user_id, "trace_submit", purpose=purpose, detail={"trace": trace_id})
    process_pending(db, principal, purpose, only=[trace_id])
    return trace_id


def trace_all(
    db: Database, principal: Principal, purpose: str, source_ids: Sequence[str] | None = None
) -> TraceRunReport:
    """Bulk tracing: submit every recovery this principal may see that is not traced yet, then
    match every pending request."""
    submitted = submit(db, principal, purpose, source_ids)
    report = process_pending(db, principal, purpose)
    return TraceRunReport(submitted, report.processed, report.completed, report.failed)


def visible_traces(principal: Principal) -> Any:
    """SQL condition on ``traces``: the requester's agency, or a marking that releases it to the viewer."""
    return released(traces.c.requester_agency, traces.c.marking_set_id, principal)
