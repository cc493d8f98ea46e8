"""Phones and addresses: resolved by an exact key, and found in every record that carries one.

A phone entity is one E.164 number (numbers are normalised at ingest, so "(55) 1234-5678" and
"+52 55 1234 5678" are already one value); a number that failed its checks is never joined. An
address entity is one normalised address: the street with its house number, the postal code (the
city and state when there is none) and the country. An address without a house number, without a
country, or with neither postal code nor city is partial and never joins anything: "Calle Hidalgo,
Reynosa" is a street, not a house.

Who belongs to such an entity. The records that *are* a phone or an address (``phone`` and
``location`` records) are its members, one entity each, as for every other kind. But the records
an analyst links through a phone are the persons, organizations and seizures that *carry* it, and
one of those carries several numbers and addresses while it already belongs to its own person or
organization entity: a record is a member of one entity only (``entity_members`` is keyed by the
record). So the carriers are kept beside the members as mentions (``entity_mentions``: record,
the field that holds the value, entity), and the shared-identifier link analysts look for ("these
two detainees gave the same phone", "this buyer lives where that seizure happened") is the set of
records that mention one entity. Joins are exact keys read from each record's own content, so a
viewer's part of an entity is just the occurrences they may see: no hidden record can join two
visible ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from puente.normalize.text import fold

KINDS = ("phone", "address")
RULES = {
    "phone": ("phone_number",),
    "address": ("street_postal_country", "street_city_country"),
}  # see things.RULES
MEMBER_TYPES = {"phone": ("phone",), "address": ("location",)}
# Where each carrying record type holds its phones or addresses (lists are indexed per value).
CARRIERS: dict[str, dict[str, tuple[str, ...]]] = {
    "phone": {"person": ("phones",), "organization": ("phones",)},
    "address": {
        "person": ("addresses",),
        "organization": ("addresses",),
        "seizure": ("place",),
        "trace_request": ("recovery_place",),
    },
}

# One spelling for each word people abbreviate; number markers ("No.", "#", "Núm.") say nothing
# the number itself does not, and are dropped.
WORDS = {
    "C": "CALLE",
    "CLL": "CALLE",
    "AV": "AVENIDA",
    "AVE": "AVENIDA",
    "AVDA": "AVENIDA",
    "AVENUE": "AVENIDA",
    "ST": "STREET",
    "STR": "STREET",
    "COL": "COLONIA",
    "BLVD": "BOULEVARD",
    "BULEVAR": "BOULEVARD",
}
NUMBER_MARKERS = frozenset({"NO", "NUM", "NUMERO", "NRO", "N"})
STREET_WORDS = frozenset({"CALLE", "AVENIDA", "STREET", "BOULEVARD", "PRIVADA", "ANDADOR", "CERRADA"})
_HOUSE_NUMBER = re.compile(r"\d+[A-Z]?")  # 12, 12A; not an ordinal (5TH) or a postal code run


@dataclass(frozen=True)
class Occurrence:
    """One phone or address in one record: the field that holds it and its key."""

    record_id: str
    field: str  # "" for a phone or location record itself, else e.g. "phones[1]", "place"
    rule: str
    key: str


def phone_key(value: Any) -> str | None:
    """The E.164 number of an identifier that passed its checks, else None."""
    if isinstance(value, dict) and value.get("value") and value.get("valid", True):
        return str(value["value"])
    return None


def street_key(street: str | None) -> str | None:
    """The street with its house number, abbreviations unified; None without a house number."""
    if not street:
        return None
    words = [WORDS.get(w, w) for w in fold(street.replace("#", " NO ")).split()]
    out: list[str] = []
    numbered = False
    for k, word in enumerate(words):
        after = words[k + 1] if k + 1 < len(words) else None
        if word in NUMBER_MARKERS and after and _HOUSE_NUMBER.fullmatch(after):
            numbered = True  # "No. 12": whatever 12 follows, it is the house number
            continue
        if _HOUSE_NUMBER.fullmatch(word):
            before = out[-1] if out else None
            # "5 de Mayo" and "Calle 10" name a street; "Hidalgo 12", "123 Main St" a house
            if after != "DE" and not (before in STREET_WORDS and after is None):
                numbered = True
        out.append(word)
    return " ".join(out) if numbered else None


def _code(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("code") or value.get("text")
    return (fold(str(value)) or None) if value else None


def address_key(address: Any) -> tuple[str, str] | None:
    """(rule, key) of a whole address, or None for a partial one, which must never join."""
    if not isinstance(address, dict):
        return None
    street, country = street_key(address.get("street")), _code(address.get("country"))
    if not street or not country:
        return None  # postal codes and street names repeat across the border
    postal = next((w for w in fold(address.get("postal_code") or "").split() if w.isdigit()), None)
    if postal:
        return "street_postal_country", f"{street}|{postal}|{country}"
    city = fold(address.get("city") or address.get("municipality") or "")
    if not city:
        return None
    return "street_city_country", f"{street}|{city}|{_code(address.get('state')) or ''}|{country}"


def occurrences(record_id: str, record_type: str, doc: dict[str, Any], kind: str) -> Iterator[Occurrence]:
    """The phones or addresses a record holds, as occurrences with their keys."""
    if record_type in MEMBER_TYPES[kind]:
        found = phone_key(doc.get("number")) if kind == "phone" else address_key(doc.get("address"))
        if kind == "phone" and found:
            yield Occurrence(record_id, "", "phone_number", found)
        elif kind == "address" and found:
            yield Occurrence(record_id, "", *found)
        return
    for name in CARRIERS[kind].get(record_type, ()):
        held = doc.get(name)
        values = list(enumerate(held)) if isinstance(held, list) else [(None, held)]
        for index, value in values:
            field = name if index is None else f"{name}[{index}]"
            if kind == "phone":
                number = phone_key(value)
                if number:
                    yield Occurrence(record_id, field, "phone_number", number)
            else:
                found = address_key(value)
                if found:
                    yield Occurrence(record_id, field, *found)
