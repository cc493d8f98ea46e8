"""The check an officer runs at the lane: a plate (and its state), a VIN and/or a driver against both
nations' hot lists, in memory. Plate readers misread, so a plate is also looked up with its
confusable characters folded (O/0, I/1, B/8, S/5, Z/2), without its state, and as a partial plate;
the candidates come ranked, each saying how it matched. Markings hold: an entry the officer's agency
may not see is "hit: contact the holder"; one marked for no one is not shown at all."""

from __future__ import annotations

from dataclasses import dataclass, field

from puente.normalize.errors import NormalizationError
from puente.normalize.identifiers import normalize_vin
from puente.policy.access import Pointer
from puente.policy.principals import Principal
from puente.screen.hotlist import Entry, Index, fuzzy, identifier_key, person_form_keys, person_key

HOW = {  # how a candidate matched, best first
    "exact": ("the same", "idéntica"),
    "other_state": ("the same number, another state", "el mismo número, otro estado"),
    "no_state": ("the same number (no state given)", "el mismo número (sin estado)"),
    "ocr": (
        "the same but for characters plate readers confuse",
        "igual salvo caracteres que los lectores confunden",
    ),
    "partial": ("a partial plate", "una placa parcial"),
    "name_form": ("the given name in another form (Pepe for José)",
                  "el nombre en otra forma (Pepe por José)"),
    "swapped": ("surname and given name swapped", "apellido y nombre invertidos"),
}
RANK = {how: n for n, how in enumerate(HOW)}
WHY = {  # the reason of an entry, as the officer is told it
    "stolen_us": ("reported stolen in the US", "reportado como robado en EE. UU."),
    "stolen_mx": ("reported stolen in Mexico", "reportado como robado en México"),
    "case_subject": ("a subject of an open case", "sujeto de un caso abierto"),
}
PARTIAL = 3  # characters a partial plate must have at least


@dataclass(frozen=True)
class Match:
    how: str
    reason: str
    holder: str
    record_id: str | None  # None: the officer may only be told whom to contact
    label: str | None
    since: str | None
    en: str
    es: str
    contact_en: str
    contact_es: str


@dataclass
class Answer:
    hit: bool
    matches: list[Match] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (en, es): e.g. a VIN's check digit
    hit_ids: list[int] = field(default_factory=list)


def _shown(entry: Entry, how: str, agency: str) -> Match | None:
    pointer = Pointer.of(entry.owner)
    why_en, why_es = WHY.get(entry.reason, (entry.reason, entry.reason))
    how_en, how_es = HOW[how]
    if agency in entry.audience:
        when_en, when_es = (f" on {entry.since}", f" el {entry.since}") if entry.since else ("", "")
        return Match(how, entry.reason, entry.owner, entry.record_id, entry.label, entry.since,
                     f"Hit ({how_en}): {entry.label}, {why_en}{when_en}; held by {entry.owner}.",
                     f"Coincidencia ({how_es}): {entry.label}, {why_es}{when_es}; en poder de {entry.owner}.",
                     pointer.contact_en, pointer.contact_es)  # fmt: skip
    if entry.disclosure == "pointer":
        return Match(how, entry.reason, entry.owner, None, None, None,
                     f"Hit: contact the holder, {entry.owner} ({pointer.contact_en}).",
                     f"Coincidencia: contacte al titular, {entry.owner} ({pointer.contact_es}).",
                     pointer.contact_en, pointer.contact_es)  # fmt: skip
    return None


def _plate(index: Index, plate: str, state: str | None) -> list[tuple[str, Entry]]:
    number = "".join(ch for ch in plate.upper() if ch.isalnum())
    found: list[tuple[str, Entry]] = []
    for n in index.exact.get(("plate", number), ()):
        e = index.entries[n]
        same = "exact" if state and e.state == state else None
        found.append((same or ("no_state" if not state or e.state is None else "other_state"), e))
    seen = {id(e) for _, e in found}
    for n in index.folded.get(("plate", fuzzy(number)), ()):
        e = index.entries[n]
        if id(e) not in seen and (not state or e.state in (None, state)):
            found.append(("ocr", e))
            seen.add(id(e))
    if len(number) >= PARTIAL and ("*" in plate or "?" in plate or len(number) < 5):
        for key in index.partial(number):
            for n in index.folded.get(("plate", key), ()):
                e = index.entries[n]
                if id(e) not in seen and (not state or e.state in (None, state)):
                    found.append(("partial", e))
                    seen.add(id(e))
    return found


def _person(index: Index, surname: str | None, given: str | None, birth: str | None,
            identifier: str | None) -> list[tuple[str, Entry]]:  # fmt: skip
    """A driver by identifier or by name and birth date; documents and readers differ on the name's
    form (Pepe, José) and on which part is the surname, so those are candidates too, ranked below."""
    ways = [("exact", "person", {identifier_key(identifier), person_key(surname, given, birth)}),
            ("name_form", "name", person_form_keys(surname, given, birth)),
            ("swapped", "person", {person_key(given, surname, birth)}),
            ("swapped", "name", person_form_keys(given, surname, birth))]  # fmt: skip
    return [(how, index.entries[n]) for how, kind, keys in ways for key in keys if key
            for n in index.exact.get((kind, key), ())]  # fmt: skip


def check(
    index: Index, principal: Principal, *, plate: str | None = None, state: str | None = None,
    vin: str | None = None, surname: str | None = None, given: str | None = None, birth: str | None = None,
    identifier: str | None = None,
) -> Answer:  # fmt: skip
    """What the hot lists hold on this vehicle and driver, as the officer's agency may see it."""
    answer = Answer(False)
    found: list[tuple[str, Entry]] = []
    if plate and plate.strip():
        found += _plate(index, plate, (state or "").strip().upper() or None)
    if vin and vin.strip():
        try:
            key = normalize_vin(vin)
        except NormalizationError as exc:  # still looked up: a misread VIN is a candidate, not a miss
            answer.problems.append((exc.en, exc.es))
            key = "".join(ch for ch in vin.upper() if ch.isalnum())
        found += [("exact", index.entries[n]) for n in index.exact.get(("vin", key), ())]
        exact = {id(e) for _, e in found}
        found += [("ocr", index.entries[n]) for n in index.folded.get(("vin", fuzzy(key)), ())
                  if id(index.entries[n]) not in exact]  # fmt: skip
    found += _person(index, surname, given, birth, identifier)
    best: dict[str, tuple[str, Entry]] = {}
    for how, entry in found:  # one candidate per record, by its best way of matching
        if entry.record_id not in best or RANK[how] < RANK[best[entry.record_id][0]]:
            best[entry.record_id] = (how, entry)
    for how, entry in sorted(best.values(), key=lambda he: (RANK[he[0]], he[1].record_id)):
        shown = _shown(entry, how, principal.agency)
        if shown is not None:
            answer.matches.append(shown)
    answer.hit = bool(answer.matches)
    return answer
