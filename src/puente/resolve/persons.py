"""Person records as the columns the matcher compares, one row per record.

Surnames lose their particles ("de la Cruz" and "Cruz" meet), and a US "last name" holding both
surnames ("Domínguez-Calderón", maternal field empty) is read as paternal + maternal. A record that
gives an age on a date instead of a birth date yields the two birth years that age allows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import orjson
import polars as pl

from puente.normalize.text import fold
from puente.resolve.namekeys import given_roots, phonetic_name, strip_particles

SCHEMA: dict[str, Any] = {
    "record_id": pl.Utf8, "owner": pl.Utf8, "given": pl.Utf8, "given1": pl.Utf8,
    "roots": pl.List(pl.Utf8), "paternal": pl.Utf8, "maternal": pl.Utf8, "given_ph": pl.Utf8,
    "pat_ph": pl.Utf8, "mat_ph": pl.Utf8, "birth": pl.Date, "by": pl.Int32, "bm": pl.Int8, "bd": pl.Int8,
    "by_lo": pl.Int32, "by_hi": pl.Int32, "curp": pl.Utf8, "ssn": pl.Utf8, "rfc": pl.Utf8,
    "phones": pl.List(pl.Utf8), "nicknames": pl.List(pl.Utf8), "sex": pl.Utf8,
    "street": pl.Utf8, "postcode": pl.Utf8, "city": pl.Utf8,
}  # fmt: skip


def _key(value: object) -> str | None:
    return _name_key(value) if isinstance(value, str) else None


@lru_cache(maxsize=200_000)
def _name_key(value: str) -> str | None:
    return " ".join(fold(value).upper().replace("-", " ").split()) or None


def features(doc: dict[str, Any], record_id: str, owner: str) -> dict[str, Any]:
    """The compared columns of one person record's canonical document."""
    name = doc.get("name") or {}
    given = _key(name.get("given_key") or name.get("given_names"))
    paternal = _key(name.get("paternal_key") or name.get("paternal_surname"))
    maternal = _key(name.get("maternal_key") or name.get("maternal_surname"))
    paternal = strip_particles(paternal) if paternal else None
    maternal = strip_particles(maternal) if maternal else None
    if paternal and not maternal and " " in paternal:  # both surnames in one field
        paternal, maternal = paternal.split(" ", 1)
    birth = _date(doc.get("birth_date"))
    by_lo = by_hi = None
    if birth is not None:
        by_lo = by_hi = birth.year
    elif isinstance(doc.get("age"), int) and (observed := _date(doc.get("age_observed_on"))) is not None:
        by_lo, by_hi = observed.year - doc["age"] - 1, observed.year - doc["age"]
    roots = sorted(given_roots(given))
    return {
        "record_id": record_id, "owner": owner, "given": given, "given1": given.split()[0] if given else None,
        "roots": roots, "paternal": paternal, "maternal": maternal,
        "given_ph": phonetic_name(given.split()[0]) if given else None,
        "pat_ph": phonetic_name(paternal), "mat_ph": phonetic_name(maternal), "birth": birth,
        "by": birth.year if birth else None, "bm": birth.month if birth else None,
        "bd": birth.day if birth else None, "by_lo": by_lo, "by_hi": by_hi,
        "curp": _ident(doc.get("curp")), "ssn": _ident(doc.get("ssn")), "rfc": _ident(doc.get("rfc")),
        "phones": _phones(doc),
        "nicknames": sorted({k for n in doc.get("nicknames") or () if (k := _key(n))}),
        "sex": doc.get("sex") if doc.get("sex") in ("male", "female") else None,
        **_address(doc),
    }  # fmt: skip


def _address(doc: dict[str, Any]) -> dict[str, str | None]:
    """The first address: its street, postal code and city (or municipality), folded."""
    found = doc.get("addresses") or ()
    first = found[0] if found and isinstance(found[0], dict) else {}
    postcode = str(first.get("postal_code") or "").strip()
    return {
        "street": _key(first.get("street")),
        "postcode": postcode or None,
        "city": _key(first.get("city") or first.get("municipality")),
    }


def _phones(doc: dict[str, Any]) -> list[str]:
    return sorted({p["value"] for p in doc.get("phones") or () if isinstance(p, dict) and p.get("value")})


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _ident(value: object) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("value"), str) and value["value"]:
        return str(value["value"]).upper()
    return None


_LISTS = tuple(name for name, dtype in SCHEMA.items() if isinstance(dtype, pl.List))
SEP = "\x1f"  # never in a name, phone or alias: list columns travel as one string each


def frame(rows: Iterable[tuple[str, str, str | bytes]]) -> pl.DataFrame:
    """(record_id, owner, canonical JSON) rows as the feature frame, in the order given."""
    columns: dict[str, list[Any]] = {name: [] for name in SCHEMA}
    appenders = [(name, columns[name].append, name in _LISTS) for name in SCHEMA]
    for rid, owner, doc in rows:
        row = features(orjson.loads(doc), rid, owner)
        for name, append, joined in appenders:
            append(SEP.join(row[name]) if joined else row[name])
    # a list per row would cost a Series each when the frame is built; split once, by column, instead
    strings = {**SCHEMA, **dict.fromkeys(_LISTS, pl.Utf8)}
    built = pl.DataFrame(columns, schema=strings)
    return built.with_columns(
        pl.when(pl.col(name) == "").then(pl.lit([], pl.List(pl.Utf8))).otherwise(pl.col(name).str.split(SEP))
        .alias(name)
        for name in _LISTS
    )  # fmt: skip
