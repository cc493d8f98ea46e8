"""A lead as one reader sees it. The evidence and the explanation are composed at read time from the
records the reader may see now: a record hidden from them is shown as its holder and whom to ask
(when its marking allows a pointer) and is never described; a re-marking after the lead was made is
respected at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, Row, select

from puente.model.labels import record_type_label
from puente.policy.access import Pointer, audience, visible
from puente.policy.principals import Principal
from puente.screen.check import HOW
from puente.store.schema import lead_events, records, search_docs, watches

Seen = Callable[[Connection, set[str]], set[str]]
OUTCOMES = ("arrest", "seizure", "case_opened", "no_action")  # a person's choice; "superseded" is the rules'
SHARED = {  # how an associate is tied to a case subject, as the explanation puts it
    "phone": ("who shares a phone number with", "que comparte un número de teléfono con"),
    "address": ("who shares an address with", "que comparte un domicilio con"),
}
STATUSES = ("new", "assigned", "actioned", "closed")


def seen_by(principal: Principal) -> Seen:
    """The ids among ``ids`` this person may see (their markings and approved requests)."""

    def seen(conn: Connection, ids: set[str]) -> set[str]:
        if not ids:
            return set()
        return set(
            conn.execute(
                select(records.c.record_id).where(records.c.record_id.in_(sorted(ids)), visible(principal))
            ).scalars()
        )

    return seen


def seen_by_agency(agency: str) -> Seen:
    """The ids among ``ids`` an agency's systems may receive: by marking alone (no one's requests)."""

    def seen(conn: Connection, ids: set[str]) -> set[str]:
        if not ids:
            return set()
        rows = conn.execute(
            select(records.c.record_id, records.c.owner, records.c.markings).where(
                records.c.record_id.in_(sorted(ids))
            )
        )
        return {r.record_id for r in rows if agency in audience(r.owner, orjson.loads(r.markings))}

    return seen


@dataclass(frozen=True)
class Evidence:
    record_id: str | None  # None: a record the reader may not see, only its holder
    record_type: str | None
    title: str | None
    holder: str
    contact_en: str | None = None
    contact_es: str | None = None


@dataclass(frozen=True)
class LeadView:
    id: int
    rule: str
    status: str
    priority: int
    task_force: str
    agent: str | None
    assignee: str | None
    outcome: str | None
    source_day: str | None
    due_at: str
    overdue: bool
    escalated: bool
    created_at: str
    actioned_at: str | None
    closed_at: str | None
    en: str
    es: str
    evidence: list[Evidence]
    history: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self, lang: str) -> str:
        return self.es if lang == "es" else self.en


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return (value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value).isoformat()


def _docs(conn: Connection, ids: Iterable[str]) -> dict[str, Any]:
    found = {}
    for r in conn.execute(
        select(records.c.record_id, records.c.record_type, records.c.owner, records.c.disclosure,
               search_docs.c.title, search_docs.c.day, search_docs.c.port, search_docs.c.state)
        .outerjoin(search_docs, search_docs.c.record_id == records.c.record_id)
        .where(records.c.record_id.in_(sorted(set(ids))))
    ):  # fmt: skip
        found[r.record_id] = r
    return found


def _kind(record_type: str) -> tuple[str, str]:
    return record_type_label(record_type, "en").lower(), record_type_label(record_type, "es").lower()


def _place(doc: Any) -> str:
    return " · ".join(x for x in (doc.day, doc.port or doc.state) if x)


def _explain_lane(row: Row[Any], evidence: list[str], owner: str, pointer: Pointer, case_label: str, who: str,
                  label: str) -> tuple[str, str]:  # fmt: skip
    """A lane check met the reader's interest: what it met, how, where and whom to call now."""
    said = dict(e.split(":", 1) for e in evidence if e.startswith(("how:", "port:", "reason:")))
    how_en, how_es = HOW.get(said.get("how", ""), ("", ""))
    port_en, port_es = (said["port"], said["port"]) if said.get("port") else ("a port", "un puerto")
    met_en, met_es = {
        "case_subject": (f"a driver who matched {who}, a subject of your case {case_label}",
                         f"a un conductor que coincidió con {who}, sujeto de su caso {case_label}"),
        "subject_vehicle": (f"a vehicle a subject of your case {case_label} was seen in or is known to "
                            f"use ({who})",
                            f"un vehículo en el que se vio a un sujeto de su caso {case_label}, o que se "
                            f"sabe que usa ({who})"),
        "suspect_firearm": (f"a firearm bought by a subject of your case {case_label} ({who})",
                            f"un arma comprada por un sujeto de su caso {case_label} ({who})"),
        "watch": (f"what your watch “{label}” looks out for", f"lo que su vigilancia “{label}” busca"),
    }[said.get("reason", "case_subject")]  # fmt: skip
    return (f"An officer of {owner} checked {met_en} at {port_en} on {row.source_day} ({how_en}). It may "
            f"still be at the port: call {pointer.contact_en}.",
            f"Un oficial de {owner} revisó {met_es} en {port_es} el {row.source_day} ({how_es}). Puede "
            f"seguir en el puerto: llame a {pointer.contact_es}.")  # fmt: skip


def _explain(rule: str, row: Row[Any], docs: dict[str, Any], seen: set[str], label: str) -> tuple[str, str]:
    """The explanation in both languages, naming only what the reader may see."""
    evidence = orjson.loads(row.evidence)
    source = docs.get(row.source_record_id)
    owner = row.source_owner
    pointer = Pointer.of(owner)
    if rule == "watch":
        if source is not None and row.source_record_id in seen:
            en_t, es_t = _kind(source.record_type)
            return (f"A {en_t} held by {owner} ({source.title}) met your watch “{label}”.",
                    f"Un registro de tipo {es_t} de {owner} ({source.title}) coincidió con su "
                    f"vigilancia “{label}”.")  # fmt: skip
        return (f"A record held by {owner} met your watch “{label}”: ask {pointer.contact_en}.",
                f"Un registro de {owner} coincidió con su vigilancia “{label}”: "
                f"consulte a {pointer.contact_es}.")  # fmt: skip
    case_id = row.target_ref
    case = docs.get(case_id)
    case_label = case.title if case is not None and case_id in seen else case_id.rsplit(":", 1)[-1]
    subject_id = evidence[1] if rule == "trace" else evidence[2]
    subject = docs.get(subject_id)
    who = subject.title if subject is not None and subject_id in seen else subject_id.rsplit(":", 1)[-1]
    if rule == "trace":
        place = _place(source) if source is not None and row.source_record_id in seen else ""
        at_en, at_es = (f" (recovered {place})", f" (recuperada {place})") if place else ("", "")
        return (f"A completed trace of a gun{at_en} found that its purchaser is {who}, a subject of your "
                f"case {case_label}.",
                f"Un rastreo concluido de un arma{at_es} encontró que quien la compró es {who}, sujeto de su "
                f"caso {case_label}.")  # fmt: skip
    if rule == "lane":
        return _explain_lane(row, evidence, owner, pointer, case_label, who, label)
    # a possible match is one the model could not settle: say so, and what to do about it
    sure = rule != "possible_subject"
    is_en, is_es = ("resolved as", "resuelta como") if sure else ("who may be", "que podría ser")
    then_en = "" if sure else " Confirm or reject the match in review."
    then_es = "" if sure else " Confirme o descarte la coincidencia en la revisión."
    if rule == "network":  # an associate: the evidence says what they share
        shared = next((e[4:] for e in evidence if e.startswith("via:")), "phone")
        is_en, is_es = SHARED[shared]
    if source is not None and row.source_record_id in seen:
        en_t, es_t = _kind(source.record_type)
        place = _place(source)
        at = f" ({place})" if place else ""
        return (f"A {en_t} held by {owner}{at} names a person {is_en} {who}, a subject of your case "
                f"{case_label}.{then_en}",
                f"Un registro de tipo {es_t} de {owner}{at} nombra a una persona {is_es} {who}, "
                f"sujeto de su caso {case_label}.{then_es}")  # fmt: skip
    return (f"A record held by {owner} names a person {is_en} {who}, a subject of your case "
            f"{case_label}: ask {pointer.contact_en}.{then_en}",
            f"Un registro de {owner} nombra a una persona {is_es} {who}, sujeto de su caso "
            f"{case_label}: consulte a {pointer.contact_es}.{then_es}")  # fmt: skip


NOT_RECORDS = ("trace:", "via:", "screen:", "how:", "port:")  # evidence items that name no record


def compose(
    conn: Connection, row: Row[Any], seen: Seen, now: dt.datetime, *, history: bool = False
) -> LeadView:
    """One lead row as the reader whose ``seen`` is given may see it."""
    ids = {i for i in orjson.loads(row.evidence) if not i.startswith(NOT_RECORDS)}
    docs = _docs(conn, ids)
    visible_ids = seen(conn, set(docs))
    evidence = []
    for record_id in orjson.loads(row.evidence):
        doc = docs.get(record_id)
        if doc is None:
            continue
        if record_id in visible_ids:
            evidence.append(Evidence(record_id, doc.record_type, doc.title, doc.owner))
        elif doc.disclosure == "pointer":
            p = Pointer.of(doc.owner)
            evidence.append(Evidence(None, None, None, doc.owner, p.contact_en, p.contact_es))
    label = ""
    if row.target_ref.startswith("watch:"):
        label = conn.execute(
            select(watches.c.label).where(watches.c.id == int(row.target_ref.split(":", 1)[1]))
        ).scalar() or ""  # fmt: skip
    en, es = _explain(row.rule, row, docs, visible_ids, label)
    due = row.due_at.replace(tzinfo=dt.UTC) if row.due_at.tzinfo is None else row.due_at
    events = []
    if history:
        events = [
            {"kind": e.kind, "actor": e.actor, "text": e.text, "at": _iso(e.created_at)}
            for e in conn.execute(
                select(lead_events).where(lead_events.c.lead_id == row.id).order_by(lead_events.c.id)
            )
        ]  # fmt: skip
    return LeadView(
        row.id, row.rule, row.status, row.priority, row.task_force, row.agent, row.assignee, row.outcome,
        row.source_day, _iso(due) or "", row.status in ("new", "assigned") and due < now,
        row.escalated_at is not None, _iso(row.created_at) or "", _iso(row.actioned_at), _iso(row.closed_at),
        en, es, evidence, events,
    )  # fmt: skip
