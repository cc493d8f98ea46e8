"""Canonical codes for calibers, firearm makes, firearm types and drug types.

Each ``canonical_*`` function reduces a text to a match key (:func:`match_key`) and looks it up in
an alias index built once from the vocabulary (``puente.model.vocab``). Unknown text gives
``None``: the caller keeps the text as given. The aliases in the data files go through the same key
function when the index is built, and two entries sharing a key raise
:class:`~puente.model.vocab.AliasCollisionError` then, so a data edit cannot silently alias two
calibers together.

The match key: accents stripped and upper case; a decimal comma between digits becomes a dot
("7,62" = "7.62"); "x", "X", "×" or "*" between numbers is the same ("7.62 x 39" = "7.62X39");
the words "CAL", "CAL.", "CALIBRE", "CALIBER" are dropped; "MM" (or "MILÍMETROS") is dropped after
a decimal number or a case length ("7.62MM" = "7.62", "7.62X39MM" = "7.62X39") but kept after a
bare whole number, where it tells "40MM" (grenade) from ".40" (S&W) and "20MM" from 20 gauge;
a leading dot on a number is dropped (".38" = "38"); spaces and punctuation other than a decimal
point are dropped. Makes also ignore a trailing corporate suffix (Inc, LLC, Co, Corp, Mfg, GmbH,
S.A. de C.V., USA...).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache, lru_cache

from puente.model import vocab
from puente.model.vocab import Entry, build_alias_index

__all__ = [
    "build_index",
    "canonical_caliber",
    "canonical_drug_type",
    "canonical_firearm_type",
    "canonical_make",
    "make_key",
    "match_key",
]

_KEY_CACHE = 1 << 16

_SPECIAL = str.maketrans({"×": "X", "ß": "SS", "ẞ": "SS"})
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
_TIMES = re.compile(r"(?<=\d)\s*[X*]\s*(?=\.?\d)")
_CALIBRE_WORD = re.compile(r"\bCAL(?:IBRE|IBER|IBRO)?(?![A-Z])\.?")
_MM = r"\s*(?:MILIMETROS?|MILLIMET(?:ER|RE)S?|MM)"
_MM_DROPPED = re.compile(r"((?<=\d)X\d+|\d+\.\d+)" + _MM)  # after a case length or a decimal
_MM_KEPT = re.compile(r"(\d)" + _MM)  # after a bare whole number: "9 mm" -> "9MM"
_LEADING_DOT = re.compile(r"(?<!\d)\.(?=\d)")
_NOT_KEPT = re.compile(r"[^A-Z0-9.]+")
_STRAY_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")
_WORD_SEPARATORS = re.compile(r"[\s,&/-]+")
_CORPORATE_SUFFIXES = frozenset(
    "INC INCORPORATED LLC LTD LIMITED CORP CORPORATION CO COMPANY CIA GMBH AG SA SPA SRL CV MFG "
    "MANUFACTURING INTL INTERNATIONAL US USA".split()
)


def _fold(text: str) -> str:
    """Upper-case ASCII without accents ("Pistola semiautomática" -> "PISTOLA SEMIAUTOMATICA");
    characters with no ASCII form are dropped (this is a match key, not display text)."""
    if text.isascii():
        return text.upper()
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return decomposed.encode("ascii", "ignore").decode("ascii").upper()


def _key_of_folded(s: str) -> str:
    # The guards only skip regex passes that cannot match (speed on key-cache misses).
    if "," in s:
        s = _DECIMAL_COMMA.sub(".", s)
    if "X" in s or "*" in s:
        s = _TIMES.sub("X", s)
    if "CAL" in s:
        s = _CALIBRE_WORD.sub(" ", s)
    if "MM" in s or "MIL" in s:
        s = _MM_KEPT.sub(r"\1MM", _MM_DROPPED.sub(r"\1", s))
    if "." in s:
        s = _LEADING_DOT.sub("", s)
    if not s.isalnum():
        s = _NOT_KEPT.sub("", s)
    return _STRAY_DOT.sub("", s) if "." in s else s


@lru_cache(maxsize=_KEY_CACHE)
def match_key(text: str) -> str:
    """The key under which calibers, firearm types and drug types are matched ("" if none)."""
    return _key_of_folded(_fold(text))


def _strip_corporate_suffix(folded: str) -> str:
    words = [w.replace(".", "") for w in _WORD_SEPARATORS.split(folded)]
    words = [w for w in words if w]
    while len(words) > 1 and words[-1] in _CORPORATE_SUFFIXES:
        if words.pop() == "CV" and len(words) > 2 and words[-1] == "DE":  # "S.A. de C.V."
            words.pop()
    return " ".join(words)


@lru_cache(maxsize=_KEY_CACHE)
def make_key(text: str) -> str:
    """:func:`match_key` after dropping a trailing corporate suffix ("Sturm, Ruger & Co., Inc.")."""
    folded = _fold(text)
    return _key_of_folded(_strip_corporate_suffix(folded)) or _key_of_folded(folded)


def build_index(
    entries: Iterable[Entry], *, source: str = "vocabulary", key: Callable[[str], str] = match_key
) -> dict[str, str]:
    """Alias index (match key -> code) of ``entries``; raises ``AliasCollisionError`` when two
    entries share a key. Exposed so tests and data tools can check a list of entries."""
    return build_alias_index(((e.code, e.names()) for e in entries), key, source=source)


@cache
def _calibers() -> dict[str, str]:
    return build_index(vocab.calibers().values(), source="calibers.yaml")


@cache
def _makes() -> dict[str, str]:
    return build_index(vocab.makes().values(), source="makes.yaml", key=make_key)


@cache
def _firearm_types() -> dict[str, str]:
    return build_index(vocab.firearm_types().values(), source="firearm_types.yaml")


@cache
def _drug_types() -> dict[str, str]:
    return build_index(vocab.drug_types().values(), source="drug_types.yaml")


def canonical_caliber(text: str | None) -> str | None:
    """Caliber code for ``text`` ("CAL. 7,62 X 39 MM" -> "7.62X39"), or None if unknown."""
    if not text:
        return None
    return _calibers().get(match_key(text))


def canonical_make(text: str | None) -> str | None:
    """Make code for ``text`` ("SMITH & WESSON" -> "SMITH-WESSON"), or None if unknown."""
    if not text:
        return None
    return _makes().get(make_key(text))


def canonical_firearm_type(text: str | None) -> str | None:
    """Firearm type code for ``text`` ("FUSIL" -> "RIFLE", "ARMA CORTA" -> "HANDGUN"), or None."""
    if not text:
        return None
    return _firearm_types().get(match_key(text))


def canonical_drug_type(text: str | None) -> str | None:
    """Drug type code for ``text`` ("CRISTAL" -> "METHAMPHETAMINE"), or None if unknown."""
    if not text:
        return None
    return _drug_types().get(match_key(text))
