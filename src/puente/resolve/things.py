"""Firearms, vehicles and organizations: resolved by rules on their identifiers, never by resemblance.

A firearm is its normalised serial with its make (makes written through their aliases are one
code); two records with one serial and make but different calibers are two guns. An obliterated
or partial serial is never merged automatically: a filed-off number is evidence, not an
identifier. A vehicle is its VIN; without one, its plate with the issuing state and the make.
An organization is its RFC or EIN, or its name without the legal form ("S.A. de C.V.", "LLC") in
one country; firms with different RFCs are never joined by name. Records describing one thing
each are resolved here (a firearm, an acquisition, a trace request; a vehicle, a crossing; an
organization); a seizure's several items are left to item-level resolution.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from puente.normalize.text import fold

FIREARM_TYPES = ("firearm", "acquisition", "trace_request")
VEHICLE_TYPES = ("vehicle", "crossing")
ORGANIZATION_TYPES = ("organization",)
TYPES = {"firearm": FIREARM_TYPES, "vehicle": VEHICLE_TYPES, "organization": ORGANIZATION_TYPES}

# Legal forms written after a company name, punctuation and spaces removed: "Transportes
# del Norte, S.A. de C.V." and "TRANSPORTES DEL NORTE SA DE CV" are one name.
LEGAL_FORMS = frozenset({
    "SADECV", "SAPIDECV", "SAPI", "SABDECV", "SDERLDECV", "SDERL", "SRLDECV", "SCDERLDECV", "SC", "AC",
    "SPR", "SPRDERL", "SA", "SAS", "SASDECV", "LLC", "INC", "INCORPORATED", "CORP", "CORPORATION", "CO",
    "COMPANY", "LTD", "LIMITED", "LP", "LLP", "PLLC",
})  # fmt: skip

RULES = {  # rule -> (en, es): the explanation a link carries
    "serial_make": ("same serial number and make", "mismo número de serie y marca"),
    "vin": ("same VIN", "mismo NIV (VIN)"),
    "plate_state_make": ("same plate, issuing state and make", "misma placa, estado emisor y marca"),
    "rfc": ("same RFC", "mismo RFC"),
    "ein": ("same EIN", "mismo EIN"),
    "name_country": (
        "same name without its legal form, same country",
        "mismo nombre sin su forma jurídica, mismo país",
    ),
    # phones and addresses (puente.resolve.contacts)
    "phone_number": ("same phone number (E.164)", "mismo número telefónico (E.164)"),
    "street_postal_country": (
        "same street and house number, postal code and country",
        "misma calle y número, código postal y país",
    ),
    "street_city_country": (
        "same street and house number, city, state and country (no postal code)",
        "misma calle y número, ciudad, estado y país (sin código postal)",
    ),
}


@dataclass(frozen=True)
class Thing:
    record_id: str
    keys: tuple[tuple[str, str], ...]  # (rule, key) in order of strength
    guard: str | None  # a caliber: records that share a key but not this are apart


def _code(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("code") or value.get("value")
    return str(value).upper() if value else None


def firearm(record_id: str, record_type: str, doc: dict[str, Any]) -> Thing:
    gun = doc if record_type == "firearm" else (doc.get("firearm") or {})
    serial = gun.get("serial") or {}
    make = _code(gun.get("make"))
    keys: tuple[tuple[str, str], ...] = ()
    if (
        isinstance(serial, dict)
        and serial.get("value")
        and not serial.get("obliterated")
        and not serial.get("partial")
    ):
        if make:
            keys = (("serial_make", f"{serial['value']}|{make}"),)
    return Thing(record_id, keys, _code(gun.get("caliber")))


def vehicle(record_id: str, record_type: str, doc: dict[str, Any]) -> Thing:
    vin = (doc.get("vin") or {}).get("value") if isinstance(doc.get("vin"), dict) else None
    plate = doc.get("plate") or {}
    keys: list[tuple[str, str]] = []
    if vin:
        keys.append(("vin", str(vin).upper()))
    make = _code(doc.get("make"))
    state = _code(plate.get("issuer")) if isinstance(plate, dict) else None
    if isinstance(plate, dict) and plate.get("value") and state:
        # a crossing names no make: its plate and state are enough to join the vehicle it names
        keys.append(("plate_state_make", f"{plate['value']}|{state}|{make or ''}"))
    return Thing(record_id, tuple(keys), None)


def company_name(name: str | None) -> str | None:
    """A company name folded, without punctuation and without its legal form at the end."""
    if not name:
        return None
    words = "".join(c if c.isalnum() else " " for c in fold(name).upper()).split()
    for n in range(min(8, len(words) - 1), 0, -1):  # "S. de R.L. de C.V." is seven pieces
        if "".join(words[-n:]) in LEGAL_FORMS:
            words = words[:-n]
            break
    return " ".join(words) or None


def organization(record_id: str, record_type: str, doc: dict[str, Any]) -> Thing:
    keys: list[tuple[str, str]] = []
    for rule in ("rfc", "ein"):
        value = doc.get(rule)
        if isinstance(value, dict) and value.get("value"):
            keys.append((rule, str(value["value"]).upper()))
    name = company_name(doc.get("name"))
    if name:
        keys.append(("name_country", f"{name}|{_code(doc.get('country')) or ''}"))
    rfc = next((k for r, k in keys if r == "rfc"), None)
    return Thing(record_id, tuple(keys), rfc)


def link_things(things: list[Thing]) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Clusters (record id -> the smallest record id of its cluster) and the links that made them
    (record a, record b, rule). A key shared by records whose guards differ joins none of them."""
    parent = {t.record_id: t.record_id for t in things}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    links: list[tuple[str, str, str]] = []
    by_key: dict[tuple[str, str], list[Thing]] = {}
    for thing in things:
        for rule, key in thing.keys:
            if rule == "plate_state_make":
                key = key.rsplit("|", 1)[0]  # plate and state; makes checked below
            by_key.setdefault((rule, key), []).append(thing)
    for (rule, _key), group in sorted(by_key.items()):
        guards = {t.guard for t in group if t.guard}
        if len(guards) > 1:
            continue  # one serial and make, different calibers: not one gun
        subgroups = [group]
        if rule == "plate_state_make":
            by_make: dict[str, list[Thing]] = {}
            for t in group:
                by_make.setdefault(next(k for r, k in t.keys if r == rule).rsplit("|", 1)[1], []).append(t)
            makes = [m for m in by_make if m]
            if len(makes) > 1:  # a plate moved to another car: each make apart, none joins one naming none
                subgroups = [by_make[m] for m in makes]
        for members in subgroups:
            head = members[0]
            for other in members[1:]:
                a, b = find(head.record_id), find(other.record_id)
                if a != b:
                    parent[max(a, b)] = min(a, b)
                    links.append(
                        (min(head.record_id, other.record_id), max(head.record_id, other.record_id), rule)
                    )
    return {r: find(r) for r in parent}, links


def things_of(rows: Iterable[tuple[str, str, str | bytes]], kind: str) -> list[Thing]:
    make = {"firearm": firearm, "vehicle": vehicle, "organization": organization}[kind]
    return [make(rid, rtype, orjson.loads(doc)) for rid, rtype, doc in rows]


# Records that carry firearms among other things: a seizure's items. A gun there is a mention of
# the firearm entity (the seizure is not a gun, and it may hold several), kept beside the members
# as phones and addresses are (``puente.resolve.contacts``).
FIREARM_CARRIERS = ("seizure",)
_CARRIED = "\t"  # joins a carrying record's id and the field of the gun: never in a record id


def carried_firearms(record_id: str, doc: dict[str, Any]) -> list[Thing]:
    """The identifiable guns among a seizure's items, each as a thing whose id is the seizure's
    with the item's field (``carried``); a gun with no legible serial and make is left out, as it
    could never be joined."""
    out = []
    for k, item in enumerate(doc.get("items") or ()):
        if isinstance(item, dict) and item.get("kind") == "firearm":
            gun = firearm(f"{record_id}{_CARRIED}items[{k}]", "item", item)
            if gun.keys:
                out.append(gun)
    return out


def carried(thing_id: str) -> tuple[str, str] | None:
    """(carrying record id, field) of a gun found among a seizure's items, else None."""
    if _CARRIED not in thing_id:
        return None
    record_id, field = thing_id.split(_CARRIED, 1)
    return record_id, field
