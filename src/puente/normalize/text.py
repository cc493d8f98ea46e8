"""Text folding for matching and light cleaning for display."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["clean", "fold"]

# Latin letters that NFKD does not decompose; without these, names such as "Østergaard" or
# "Łukasz" would lose a letter instead of matching their usual ASCII spelling.
_TRANSLITERATIONS = {
    "ß": "SS",
    "ẞ": "SS",
    "Æ": "AE",
    "æ": "AE",
    "Œ": "OE",
    "œ": "OE",
    "Ø": "O",
    "ø": "O",
    "Ł": "L",
    "ł": "L",
    "Đ": "D",
    "đ": "D",
    "Ð": "D",
    "ð": "D",
    "Þ": "TH",
    "þ": "TH",
    "ı": "I",
    "Ħ": "H",
    "ħ": "H",
    "ŀ": "L",
    "Ŀ": "L",
    "ĸ": "K",
    "ſ": "S",
}
# A bound on the lazily filled table, so arbitrary input cannot grow it without limit.
_TABLE_LIMIT = 20_000


class _FoldTable(dict[int, str]):
    """str.translate table computed per code point on first sight.

    Decomposing one character at a time is equivalent to NFKD of the whole string here, because
    every combining mark is dropped and so canonical reordering cannot change the result.
    """

    def __missing__(self, cp: int) -> str:
        out = []
        for c in unicodedata.normalize("NFKD", chr(cp)):
            if c.isascii():
                out.append(c.upper() if c.isalnum() else " ")
            elif unicodedata.combining(c):
                continue
            else:
                out.append(_TRANSLITERATIONS.get(c, " "))
        result = "".join(out)
        if len(self) < _TABLE_LIMIT:
            self[cp] = result
        return result


_FOLD_TABLE = _FoldTable()
for _cp in range(128):
    _FOLD_TABLE.__missing__(_cp)

_CACHEABLE = 64


@lru_cache(maxsize=65_536)
def _fold_cached(text: str) -> str:
    return " ".join(text.translate(_FOLD_TABLE).split())


def fold(text: str) -> str:
    """Matching form: accents removed, upper case, every other symbol a single space.

    "  José-Luis  Hernández, O'Brien " -> "JOSE LUIS HERNANDEZ O BRIEN". Letters outside the Latin
    script have no ASCII form and become spaces. The result contains only [A-Z0-9 ] and folding it
    again changes nothing.
    """
    if len(text) <= _CACHEABLE:
        return _fold_cached(text)
    return " ".join(text.translate(_FOLD_TABLE).split())


def clean(text: str | None) -> str | None:
    """Trim and collapse internal whitespace, keeping case and accents; None for nothing left."""
    if text is None:
        return None
    return " ".join(text.split()) or None
