"""The keys the hot lists are looked up by: plates and VINs with the characters plate readers confuse
folded, identifiers as letters and digits, wanted persons by name and birth date."""

from __future__ import annotations

from typing import Any

from puente.normalize.text import fold
from puente.resolve.namekeys import given_roots, strip_particles

VIN_LENGTH = 17
# The characters plate readers (and people) confuse, folded to one: O/Q/0, I/1, B/8, S/5, Z/2.
_CONFUSED = str.maketrans("OQIBSZ", "001852")


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


def surnames_key(surnames: str | None, birth: str | None) -> str | None:
    """Two surnames and the birth date ("LOPEZ MONTOYA|1984-10-26"), for a person two records name
    by different given names (Liz for María Elizabeth, Danny for José Daniel): two surnames and a
    birth date together are rare enough to be a candidate. The first two words without particles,
    so that a compound surname one record gives alone (Montes de Oca) meets the record that adds
    the maternal one (Montes de Oca Gallegos). None for a single surname."""
    words = strip_particles(surnames or "").split()[:2]
    return f"{' '.join(words)}|{birth}" if len(words) == 2 and birth else None


def value_of(node: Any) -> str | None:
    """A normalised value ({"value": ..., "text": ...}), if it has one."""
    return node.get("value") if isinstance(node, dict) else None


def plate_of(plate: Any) -> tuple[str | None, str | None]:
    """A stored plate's number (as normalised, else its text without spaces and dashes) and issuer."""
    plate = plate if isinstance(plate, dict) else {}
    number = value_of(plate) or (plate.get("text") or "").replace(" ", "").replace("-", "").upper() or None
    return number, (plate.get("issuer") or {}).get("code")


def vehicle_rows(plate: str | None, state: str | None, vin: str | None, held: tuple) -> list[tuple]:
    """A vehicle's hot-list rows (``index.COLUMNS``): one by VIN, one by plate and its state; ``held``
    is what both carry from record_id on."""
    rows = [("vin", vin, fuzzy(vin), None, *held)] if vin else []
    return rows + ([("plate", plate, fuzzy(plate), state, *held)] if plate else [])
