"""The check an officer runs at the lane: a plate (and its state), a VIN, a driver and/or a gun's
serial against both nations' hot lists, in memory. Plate readers misread, so a plate is also looked
up with its confusable characters folded (O/0, I/1, B/8, S/5, Z/2), without its state, and as a
partial plate; a driver under another form of the name, with its parts swapped, or written a little
differently on the same birth date. The candidates come ranked, each saying how it matched; risk
flags come after the hits, weighed only on the vehicle or person itself. Markings hold: an entry the
officer's agency may not see is "hit: contact the holder"; one marked for no one is not shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rapidfuzz.distance import JaroWinkler

from puente.normalize.errors import NormalizationError
from puente.normalize.identifiers import normalize_serial, normalize_vin
from puente.normalize.text import fold
from puente.policy.access import Pointer
from puente.policy.principals import Principal
from puente.resolve.namekeys import given_roots, strip_particles
from puente.screen.flags import MULTIPLE_SALE_DAYS, SOUTHBOUND_DAYS, SOUTHBOUND_TIMES, recent
from puente.screen.index import Entry, Index
from puente.screen.keys import fuzzy, identifier_key, person_form_keys, person_key, surnames_key

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
    "similar": ("a name written a little differently, the same birth date",
                "un nombre escrito de forma algo distinta, la misma fecha de nacimiento"),
    "surnames": ("both surnames and the birth date the same, another given name",
                 "los dos apellidos y la fecha de nacimiento iguales, otro nombre de pila"),
}
RANK = {how: n for n, how in enumerate(HOW)}
WHY = {  # the reason of an entry, as the officer is told it
    "stolen_us": ("reported stolen in the US", "reportado como robado en EE. UU."),
    "stolen_mx": ("reported stolen in Mexico", "reportado como robado en México"),
    "case_subject": ("a subject of an open case", "sujeto de un caso abierto"),
    "subject_vehicle": ("a vehicle a subject of an open case was seen in or is known to use",
                        "un vehículo en el que se vio a un sujeto de un caso abierto, o que se sabe que usa"),
    "watch": ("on an agency's watch", "bajo vigilancia de una agencia"),
    "suspect_firearm": ("a suspect firearm (sold in a multiple sale, or bought by a case's subject)",
                        "un arma sospechosa (de una venta múltiple, o comprada por el sujeto de un caso)"),
    "flag_network": ("in a seizure of firearms, ammunition or drugs",
                     "en un aseguramiento de armas, cartuchos o drogas"),
    "flag_cash": ("carried bulk cash when seized", "transportaba efectivo a granel al ser asegurado"),
    "flag_southbound": (f"crossed south {SOUTHBOUND_TIMES} or more times within {SOUTHBOUND_DAYS} days",
                        f"cruzó hacia el sur {SOUTHBOUND_TIMES} o más veces en {SOUTHBOUND_DAYS} días"),
    "flag_multiple_sale": (f"the driver bought firearms in a multiple sale within {MULTIPLE_SALE_DAYS} days",
                           f"quien conduce compró armas en una venta múltiple en {MULTIPLE_SALE_DAYS} días"),
}
FLAG_HOWS = ("exact", "no_state")  # a flag is weighed only on the vehicle or person itself, never a lookalike
PARTIAL = 3  # characters a partial plate must have at least
# How alike a driver's name must be to a wanted person's of the same birth date (surname and given name
# each), and of a birth date with day and month swapped; measured on the synthetic world by
# bench/screen.py (typos and forms the name-form table lacks against other drivers' names).
SIMILAR = 0.85
SAME = 0.97


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
    flagged: bool = False  # risk flags (matches of reason flag_*) to weigh, beside or without a hit
    # the entry behind each match, for the recorder alone (a wanted person's hit tells the case's
    # agency); it may hold what the officer is not shown, so it is never printed or returned
    held: list[Entry] = field(default_factory=list, repr=False, compare=False)
    # every entry met, a case's subject once for each of his records that matched (a replay of past
    # crossings scores by the records of earlier days); never printed or returned either
    met: list[Entry] = field(default_factory=list, repr=False, compare=False)


def is_flag(reason: str) -> bool:
    return reason.startswith("flag_")


def _shown(entry: Entry, how: str, agency: str) -> Match | None:
    pointer = Pointer.of(entry.owner)
    why_en, why_es = WHY.get(entry.reason, (entry.reason, entry.reason))
    how_en, how_es = HOW[how]
    flag = is_flag(entry.reason)
    hit_en, hit_es = ("Risk flag", "Indicador de riesgo") if flag else ("Hit", "Coincidencia")
    if agency in entry.audience:
        when_en, when_es = (f" on {entry.since}", f" el {entry.since}") if entry.since else ("", "")
        return Match(how, entry.reason, entry.owner, entry.record_id, entry.label, entry.since,
                     f"{hit_en} ({how_en}): {entry.label}, {why_en}{when_en}; held by {entry.owner}.",
                     f"{hit_es} ({how_es}): {entry.label}, {why_es}{when_es}; en poder de {entry.owner}.",
                     pointer.contact_en, pointer.contact_es)  # fmt: skip
    if entry.disclosure == "pointer":
        return Match(how, entry.reason, entry.owner, None, None, None,
                     f"{hit_en}: contact the holder, {entry.owner} ({pointer.contact_en}).",
                     f"{hit_es}: contacte al titular, {entry.owner} ({pointer.contact_es}).",
                     pointer.contact_en, pointer.contact_es)  # fmt: skip
    return None


def _plate(index: Index, plate: str, state: str | None) -> list[tuple[str, Entry]]:
    number = "".join(ch for ch in plate.upper() if ch.isalnum())
    exact = index.find("plate", number)
    found: list[tuple[str, Entry]] = []
    for n in exact:
        e = index.entry(n)
        same = "exact" if state and e.state == state else None
        found.append((same or ("no_state" if not state or e.state is None else "other_state"), e))
    seen = set(exact)
    candidates = [("ocr", n) for n in index.find_folded("plate", fuzzy(number))]
    if len(number) >= PARTIAL and ("*" in plate or "?" in plate or len(number) < 5):
        # a gap the reader could not read (7NL*858, 7NL?858) is kept: it splits a beginning from an end
        pattern = "".join(ch for ch in plate.upper().replace("?", "*") if ch.isalnum() or ch == "*")
        candidates += [("partial", n) for key in index.partial(pattern)
                       for n in index.find_folded("plate", key)]  # fmt: skip
    for how, n in candidates:
        if n not in seen:
            seen.add(n)
            e = index.entry(n)
            if not state or e.state in (None, state):
                found.append((how, e))
    return found


def _person(index: Index, surname: str | None, given: str | None, birth: str | None,
            identifier: str | None) -> list[tuple[str, Entry]]:  # fmt: skip
    """A driver by identifier or by name and birth date; documents and readers differ on the name's
    form (Pepe, José) and on which part is the surname, so those are candidates too, ranked below."""
    ways = [("exact", "person", {identifier_key(identifier), person_key(surname, given, birth)}),
            ("name_form", "name", person_form_keys(surname, given, birth)),
            ("swapped", "person", {person_key(given, surname, birth)}),
            ("swapped", "name", person_form_keys(given, surname, birth)),
            ("surnames", "surnames", {surnames_key(surname, birth), surnames_key(given, birth)})]  # fmt: skip
    found = [(how, index.entry(n)) for how, kind, keys in ways for key in keys if key
             for n in index.find(kind, key)]  # fmt: skip
    if surname and given and birth:
        mine = (fold(surname), fold(given))
        for day, least in ((birth, SIMILAR), (_day_month_swapped(birth), SAME)):
            born = index.born.get(day or "", ())
            found += [("similar", index.entry(n)) for their_surname, their_given, n in born
                      if _likeness(mine, (their_surname, their_given)) >= least]  # fmt: skip
    return found


def _alike(a: str, b: str, *, given: bool = False) -> float:
    """How alike two name parts are: 1 when they share a given name or its form (José Luis and Pepe,
    Alejandra and Ale), else Jaro-Winkler on the folded text without particles (de la Cruz and
    Cruz), whole or first word, whichever is closer: one side may carry a second name the other
    lacks. Given names (``given``) are compared word by word and with the full names their short
    forms stand for: Gerald for José Gerardo, a typo of Josefina for Chepina. Surnames keep their
    order: the first is the father's, and another surname's second word is another family."""
    a, b = strip_particles(a), strip_particles(b)
    if not a or not b:
        return 0.0
    roots_a, roots_b = given_roots(a), given_roots(b)
    if roots_a & roots_b:
        return 1.0
    if given:
        mine, theirs = {a, *a.split(), *roots_a}, {b, *b.split(), *roots_b}
        return max(JaroWinkler.similarity(x, y) for x in mine for y in theirs)
    return max(JaroWinkler.similarity(a, b), JaroWinkler.similarity(a.split()[0], b.split()[0]))


def _likeness(mine: tuple[str, str], theirs: tuple[str, str]) -> float:
    """How alike two names are: the less alike of surname and given name, in whichever order the
    driver's document (or the wanted person's record) gave them."""
    (surname, given), (their_surname, their_given) = mine, theirs
    straight = min(_alike(surname, their_surname), _alike(given, their_given, given=True))
    crossed = min(_alike(surname, their_given), _alike(given, their_surname))
    return max(straight, crossed)


def _day_month_swapped(birth: str) -> str | None:
    """1957-08-03 for 1957-03-08: one side wrote day and month the other way round."""
    year, month, day = birth.split("-") if birth.count("-") == 2 else ("", "", "")
    if month == day or not (day.isdigit() and int(day) <= 12):
        return None
    return f"{year}-{day}-{month}"


def check(
    index: Index, principal: Principal, *, plate: str | None = None, state: str | None = None,
    vin: str | None = None, surname: str | None = None, given: str | None = None, birth: str | None = None,
    identifier: str | None = None, serial: str | None = None, today: str | None = None,
) -> Answer:  # fmt: skip
    """What the hot lists hold on this vehicle and driver, as the officer's agency may see it
    (``today``: the day of the check, ISO; a replay of past crossings gives theirs)."""
    today = today or dt.date.today().isoformat()
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
        exact = index.find("vin", key)
        found += [("exact", index.entry(n)) for n in exact]
        found += [("ocr", index.entry(n)) for n in index.find_folded("vin", fuzzy(key)) if n not in exact]
    found += _person(index, surname, given, birth, identifier)
    key = normalize_serial(serial).normalized if serial and serial.strip() else None
    if key and "*" not in key:  # a gun found in the vehicle; a partial serial is a trace's work, not a lane's
        exact = index.find("firearm", key)
        found += [("exact", index.entry(n)) for n in exact]
        found += [("ocr", index.entry(n)) for n in index.find_folded("firearm", fuzzy(key)) if n not in exact]
    best: dict[tuple[str, str, str | None], tuple[str, Entry]] = {}
    for how, entry in found:  # one candidate per record, reason and interest, by its best way of matching
        if is_flag(entry.reason) and how not in FLAG_HOWS:
            continue
        if entry.reason == "flag_multiple_sale" and not recent(entry.since, today):
            continue
        if entry.since and entry.since[:10] > today:  # a replay meets only what was known on its day
            continue
        key = (entry.record_id, entry.reason, entry.context)
        if key not in best or RANK[how] < RANK[best[key][0]]:
            best[key] = (how, entry)
    # hits first, best matched first; then the flags
    ranked = sorted(best.values(), key=lambda he: (is_flag(he[1].reason), RANK[he[0]], he[1].record_id))
    # a case's subject is one candidate however many of his records met: the best matched, the case's
    # own record (it has no day) before others, the earliest before later ones
    subject: dict[str | None, tuple[int, str, str]] = {}
    for how, entry in ranked:
        if entry.reason == "case_subject":
            mine = (RANK[how], entry.since or "", entry.record_id)
            subject[entry.context] = min(subject.get(entry.context, mine), mine)
    for how, entry in ranked:
        shown = _shown(entry, how, principal.agency)
        if shown is None:
            continue
        answer.met.append(entry)
        if entry.reason == "case_subject" and subject[entry.context][2] != entry.record_id:
            continue
        answer.matches.append(shown)
        answer.held.append(entry)
    answer.hit = any(not is_flag(m.reason) for m in answer.matches)
    answer.flagged = any(is_flag(m.reason) for m in answer.matches)
    return answer
