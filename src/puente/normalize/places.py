"""Canonical codes for nations, states and ports of entry.

Each ``canonical_*`` function reduces a text to a match key (:func:`place_key`: accents stripped,
upper case, everything but letters and digits dropped, so "EE.UU." = "EEUU" and "Nuevo México" =
"NUEVO MEXICO") and looks it up in an alias index built once from the vocabulary. The names in the
data files go through the same key function when the index is built; two entries sharing a key
raise :class:`~puente.model.vocab.AliasCollisionError` then. Unknown or ambiguous text gives None.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from puente.model import vocab
from puente.model.vocab import build_alias_index

__all__ = ["canonical_nation", "canonical_port", "canonical_state", "place_key", "port_key"]

_KEY_CACHE = 1 << 15

_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
_PORT_PREFIX = re.compile(
    r"^\s*(?:GARITA|PUERTO\s+DE\s+ENTRADA|PUERTO\s+FRONTERIZO|CRUCE\s+FRONTERIZO|PORT\s+OF\s+ENTRY)"
    r"(?:\s+(?:DE|DEL|OF|EN))?[\s:,-]+"
)
_PORT_SUFFIX = re.compile(r"[\s,-]+(?:LAND\s+)?(?:PORT\s+OF\s+ENTRY|L?POE|PORT|GARITA)\.?\s*$")


def _fold(text: str) -> str:
    """Upper-case ASCII without accents; characters with no ASCII form are dropped."""
    if text.isascii():
        return text.upper()
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "SS"))
    return decomposed.encode("ascii", "ignore").decode("ascii").upper()


@lru_cache(maxsize=_KEY_CACHE)
def place_key(text: str) -> str:
    """Match key of a nation or state name: "Nuevo México" -> "NUEVOMEXICO", "B.C." -> "BC"."""
    return _NOT_ALNUM.sub("", _fold(text))


@lru_cache(maxsize=_KEY_CACHE)
def port_key(text: str) -> str:
    """:func:`place_key` without "Garita (de)", "Puerto de entrada", "Port of entry", "POE"."""
    folded = _fold(text)
    stripped = _PORT_SUFFIX.sub("", _PORT_PREFIX.sub("", folded))
    return _NOT_ALNUM.sub("", stripped) or _NOT_ALNUM.sub("", folded)


@cache
def _nations() -> dict[str, str]:
    return build_alias_index(
        ((n.code, n.names()) for n in vocab.nations().values()), place_key, source="nations.yaml"
    )


@cache
def _states() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """(per nation: key -> code, any nation: key -> code for keys that name one state only)."""
    table = vocab.states()
    per_nation: dict[str, dict[str, str]] = {}
    for nation in sorted({s.nation for s in table.values()}):
        entries = ((s.code, s.names()) for s in table.values() if s.nation == nation)
        per_nation[nation] = build_alias_index(entries, place_key, source=f"states.yaml ({nation})")
    claims: dict[str, set[str]] = {}
    for index in per_nation.values():
        for key, code in index.items():
            claims.setdefault(key, set()).add(code)
    any_nation = {key: next(iter(codes)) for key, codes in claims.items() if len(codes) == 1}
    return per_nation, any_nation


@cache
def _ports() -> dict[str, str]:
    table = vocab.ports().values()
    return build_alias_index(
        ((p.code, p.names()) for p in table),
        port_key,
        source="ports.csv",
        weak=((p.code, (p.mx_city,)) for p in table),
    )


def canonical_nation(text: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code for ``text`` ("EE.UU." -> "US", "México" -> "MX"), or None."""
    if not text:
        return None
    return _nations().get(place_key(text))


def canonical_state(text: str | None, nation: str | None = None) -> str | None:
    """ISO 3166-2 code for ``text`` ("Tamps." -> "MX-TAM", "Nuevo México" -> "US-NM"), or None.

    Accepts names in English and Spanish with or without accents, ISO codes and their suffixes
    ("MX-BCN", "BCN"), US postal codes, CURP birth-state codes and common abbreviations. With
    ``nation`` (a code or any name :func:`canonical_nation` knows) the match is restricted to that
    nation: "CA" is California with "US" and None with "MX". Without it, a text that names a state
    in two nations ("MS": Mississippi, or Morelos by its CURP code) gives None.
    """
    if not text:
        return None
    per_nation, any_nation = _states()
    key = place_key(text)
    if nation is None:
        return any_nation.get(key)
    code = canonical_nation(nation)
    index = per_nation.get(code) if code else None
    return index.get(key) if index else None


def canonical_port(text: str | None) -> str | None:
    """Port code for ``text`` ("Garita de Otay" -> "OTAY-MESA", "2504" -> "SAN-YSIDRO"), or None.

    Accepts the port's name with or without accents, its code, its BTS port code, listed aliases
    and its Mexican twin city when that city has only one port ("Nuevo Laredo" -> "LAREDO"; not
    "Tijuana", which has San Ysidro, Otay Mesa and Cross Border Xpress).
    """
    if not text:
        return None
    return _ports().get(port_key(text))
