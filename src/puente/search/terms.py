"""What a record is found by: its words, their sound-alike keys, the full given names a short form
stands for, and its identifiers; with a title to show and the values search filters on.

Hand-written over the resolution's name keys: the search must meet a name the way matching does
("Pepe" is a José, "Vásquez" sounds like "Vazquez"), and no search library knows Mexican naming.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from puente.normalize.text import fold
from puente.resolve.namekeys import PARTICLES, given_roots, phonetic

WORD, SOUND, GIVEN, IDENT, REVERSED, LINK, PAIR = "w:", "p:", "g:", "i:", "r:", "l:", "n:"
MAX_TERM = 200  # the column's width; longer words are cut (a term is a key, not the value)
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


@dataclass(frozen=True)
class Doc:
    record_id: str
    version: int
    record_type: str
    title: str
    day: str | None
    port: str | None
    state: str | None
    terms: frozenset[str]


def identifier_key(text: str) -> str:
    """An identifier as search compares it: upper case, letters and digits only
    ("1-ab4512-19" -> "1AB451219", "+52 899 123 4567" -> "528991234567")."""
    return _NOT_ALNUM.sub("", fold(text))


def name_words(text: str | None) -> list[str]:
    """Folded words of a name, particles left out ("de la Cruz" -> ["CRUZ"])."""
    if not text:
        return []
    words = fold(text).split()
    return [w for w in words if w not in PARTICLES] or words


def given_term(root: str) -> str:
    """The term of a full given name: one term even for two words ("JOSE LUIS" -> g:JOSE_LUIS), since
    "Pepe" stands for José Luis as a whole, not for any Luis."""
    return GIVEN + root.replace(" ", "_")[: MAX_TERM - 2]


def _word_terms(words: Iterable[str]) -> Iterator[str]:
    for word in words:
        if len(word) < 2:
            continue
        yield WORD + word[: MAX_TERM - 2]
        key = phonetic(word)
        if key:
            yield SOUND + key[: MAX_TERM - 2]


def _given_terms(names: Iterable[list[str]]) -> Iterator[str]:
    """Each given name (or alias) as the full names it may stand for: its own words and, for a short
    or English form, the names it is short for ("PEPE" -> JOSE, JOSE LUIS)."""
    for words in names:
        yield from _word_terms(words)
        if words:
            for root in given_roots(" ".join(words)):
                yield given_term(root)


def _ident_terms(values: Iterable[Any]) -> Iterator[str]:
    for value in values:
        if not value:
            continue
        key = identifier_key(str(value))
        if len(key) >= 2:
            yield IDENT + key[: MAX_TERM - 2]
            yield REVERSED + key[::-1][: MAX_TERM - 2]


def pair_term(a: str, b: str) -> str:
    """Two sound-alike keys of one person's name together (a given name with a surname, or both
    surnames): a few records hold a pair where thousands hold either word, so a query of two or
    more words starts from its pairs."""
    low, high = sorted((a, b))
    return f"{PAIR}{low}|{high}"[:MAX_TERM]


def given_keys(words: list[str]) -> set[str]:
    """Sound-alike keys of a given name and of the full names its short or English forms stand for."""
    keys = {phonetic(w) for w in words if len(w) > 1}
    if words:
        keys |= {phonetic(part) for root in given_roots(" ".join(words)) for part in root.split()}
    return {k for k in keys if k}


def _pair_terms(given: list[list[str]], surnames: list[str]) -> Iterator[str]:
    firsts = set().union(*(given_keys(words) for words in given)) if given else set()
    lasts = sorted({k for k in (phonetic(w) for w in surnames if len(w) > 1) if k})
    for g in firsts:
        for last in lasts:
            if g != last:
                yield pair_term(g, last)
    for i, a in enumerate(lasts):
        for b in lasts[i + 1 :]:
            yield pair_term(a, b)


def link_term(record_id: str) -> str:
    """The term of a record another names in its relations: "which records name this one" is then a
    look-up, as a profile asks it (a long id is hashed to fit the column)."""
    if len(record_id) <= MAX_TERM - 2:
        return LINK + record_id
    return LINK + "#" + hashlib.sha256(record_id.encode()).hexdigest()


def _value(node: Any) -> Any:
    """An identifier's normalised value (its text when it has none), a code's code, or the value."""
    if isinstance(node, dict):
        return node.get("value") or node.get("code") or node.get("text")
    return node


def _text(node: Any) -> str | None:
    if isinstance(node, dict):
        return node.get("text") or node.get("code")
    return node


def _firearm(f: dict[str, Any]) -> tuple[str, list[str], list[Any]]:
    serial = f.get("serial") or {}
    label = " ".join(str(x) for x in (_text(f.get("make")), f.get("model"), _text(f.get("caliber"))) if x)
    if serial.get("obliterated"):
        label += " · serial obliterated"
    elif serial.get("text"):
        label += f" · {serial.get('text')}"
    words = [*name_words(_text(f.get("make"))), *name_words(f.get("model"))]
    return label.strip(" ·"), words, [_value(serial) if not serial.get("obliterated") else None]


def _place(node: Any) -> tuple[str | None, str | None]:
    """A place's words for a title, and its state code."""
    if not isinstance(node, dict):
        return None, None
    state = node.get("state") or {}
    parts = [node.get("street"), node.get("city") or node.get("municipality"), _text(state)]
    return ", ".join(str(p) for p in parts if p) or None, state.get("code") if isinstance(
        state, dict
    ) else None


def document(record_id: str, version: int, record_type: str, content: dict[str, Any]) -> Doc:
    """The search document of one record version."""
    words: list[str] = []
    given: list[list[str]] = []
    idents: list[Any] = []
    day = port = state = None
    title = content.get("source_id") or record_id
    c = content
    phones = [_value(p) for p in c.get("phones") or []]
    if record_type == "person":
        name = c.get("name") or {}
        given = [name_words(name.get("given_names"))]
        words = name_words(name.get("paternal_surname")) + name_words(name.get("maternal_surname"))
        if not (given[0] or words):
            words = name_words(name.get("original"))
        given += [name_words(alias) for alias in [*(c.get("aliases") or []), *(c.get("nicknames") or [])]]
        idents = [_value(c.get(k)) for k in ("curp", "rfc", "ssn", "passport", "voter_id", "driver_licence")]
        idents += phones
        title = name.get("original") or title
        day = c.get("birth_date")
        for address in c.get("addresses") or []:
            state = state or _place(address)[1]
    elif record_type == "organization":
        words = name_words(c.get("name"))
        idents = [_value(c.get("rfc")), _value(c.get("ein")), *phones]
        title = c.get("name") or title
    elif record_type == "firearm":
        title, words, idents = _firearm(c)
    elif record_type == "vehicle":
        words = name_words(c.get("make")) + name_words(c.get("model"))
        plate = c.get("plate") or {}
        idents = [_value(c.get("vin")), _value(plate)]
        label = " ".join(str(x) for x in (c.get("make"), c.get("model"), c.get("year")) if x)
        title = " · ".join(x for x in (label, plate.get("text"), (c.get("vin") or {}).get("text")) if x)
        state = (plate.get("issuer") or {}).get("code")
        day = c.get("reported_stolen_on")
    elif record_type == "phone":
        idents = [_value(c.get("number"))]
        title = (c.get("number") or {}).get("text") or title
        words = name_words(c.get("subscriber"))
    elif record_type == "location":
        place, state = _place(c.get("address"))
        words = name_words(place)
        title = place or title
    elif record_type == "seizure":
        day = c.get("seized_on")
        port = _value(c.get("port"))
        place, state = _place(c.get("place"))
        kinds = []
        for item in c.get("items") or []:
            kinds.append(item.get("kind"))
            if item.get("kind") == "firearm":
                _, gun_words, gun_ids = _firearm(item.get("firearm") or {})
                words += gun_words
                idents += gun_ids
            elif item.get("kind") == "vehicle":
                idents += [_value(item.get("vin")), _value(item.get("plate"))]
        words += name_words(place)
        idents.append(c.get("source_id"))
        what = ", ".join(sorted({k for k in kinds if k}))
        title = " · ".join(x for x in (f"{day}", what, place or _text(c.get("port"))) if x)
    elif record_type == "crossing":
        day = (c.get("crossed_at") or "")[:10] or None
        port = _value(c.get("port"))
        plate = c.get("plate") or {}
        idents = [_value(plate), _value(c.get("vin"))]
        title = " · ".join(x for x in (day, c.get("direction"), _text(c.get("port")), plate.get("text")) if x)
    elif record_type == "acquisition":
        day = c.get("sold_on")
        label, words, idents = _firearm(c.get("firearm") or {})
        words += name_words(c.get("dealer_name"))
        idents.append(c.get("dealer_licence"))
        state = (c.get("dealer_state") or {}).get("code")
        title = " · ".join(x for x in (day, label, c.get("dealer_name")) if x)
    elif record_type == "trace_request":
        day = c.get("recovered_on") or c.get("requested_on")
        label, words, idents = _firearm(c.get("firearm") or {})
        idents += [c.get("trace_number"), c.get("dealer_licence")]
        place, state = _place(c.get("recovery_place"))
        words += name_words(place)
        title = " · ".join(x for x in (c.get("trace_number"), label, place) if x)
    elif record_type == "case":
        words = name_words(c.get("title")) + name_words(c.get("case_type"))
        idents = [c.get("case_number")]
        day = c.get("opened_on")
        title = " · ".join(x for x in (c.get("case_number"), c.get("title")) if x)
    terms = {*_word_terms(words), *_given_terms(given), *_ident_terms(idents)}
    if record_type == "person":
        terms.update(_pair_terms(given, words))
    terms.update(link_term(r["target"]) for r in c.get("relations") or [] if r.get("target"))
    return Doc(record_id, version, record_type, str(title)[:400], day, port, state, frozenset(terms))
