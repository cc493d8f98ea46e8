"""Keys for comparing person names across Spanish and English records.

Hand-written: the libraries for phonetic keys (Soundex, Metaphone and their ports) encode English
spelling, where "Jiménez" and "Giménez", "Vásquez" and "Vázquez", "Yáñez" and "Llanes" do not
meet. The key below folds the spellings that sound alike in Mexican Spanish; given names are
mapped to the names their short and English forms stand for (a data file, not code).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

import yaml

from puente.normalize.text import fold

PARTICLES = frozenset({"DE", "DEL", "LA", "LAS", "LOS", "Y", "VAN", "VON", "DA", "DI", "SAN", "SANTA"})

# Ordered rewrites on a folded, upper-case word: digraphs first, then single letters. A lower-case
# letter marks a sound already settled, so that later rules leave it alone.
_REWRITES = (
    (re.compile(r"[^A-Z]"), ""),
    (re.compile(r"^H"), ""),
    (re.compile(r"(?<=[^CSP])H"), ""),  # silent h, but keep CH, SH, PH
    (re.compile(r"PH"), "F"),
    (re.compile(r"CH"), "x"),  # ch: its own sound
    (re.compile(r"SH"), "x"),
    (re.compile(r"LL"), "Y"),
    (re.compile(r"QU(?=[EI])"), "K"),
    (re.compile(r"QU"), "KU"),
    (re.compile(r"GU(?=[EI])"), "g"),
    (re.compile(r"G(?=[EI])"), "J"),
    (re.compile(r"C(?=[EI])"), "S"),
    (re.compile(r"X(?=[AEIOU])"), "J"),  # México, Xavier
    (re.compile(r"C"), "K"),
    (re.compile(r"Q"), "K"),
    (re.compile(r"Z"), "S"),
    (re.compile(r"V"), "B"),
    (re.compile(r"W"), "U"),
    (re.compile(r"I(?=[AEOU])"), "Y"),
    (re.compile(r"(?<=[AEOU])I$"), "Y"),
    (re.compile(r"(?<=[AEIOU])Y(?=[^AEIOU]|$)"), "I"),
    (re.compile(r"^Y(?=[^AEIOU])"), "I"),
    (re.compile(r"(?<=[^AEIOU])Y(?=[^AEIOU])"), "I"),  # Sylvia, Silvia
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters
)


@cache
def phonetic(word: str) -> str:
    """A sound-alike key for one name word ("VÁZQUEZ", "Vasquez" -> "BASKES")."""
    key = fold(word).upper()
    for pattern, replacement in _REWRITES:
        key = pattern.sub(replacement, key)
    return key.upper()


@lru_cache(maxsize=200_000)  # names repeat: each distinct one is keyed once
def phonetic_name(text: str | None) -> str | None:
    """The key of a whole name part, particles left out ("de la Cruz" -> "KRUS")."""
    if not text:
        return None
    words = [w for w in strip_particles(text).split() if w]
    return " ".join(phonetic(w) for w in words) or None


@lru_cache(maxsize=200_000)
def strip_particles(text: str) -> str:
    """A folded surname without its particles ("DE LOS SANTOS" -> "SANTOS"); particles are often
    dropped by one agency and kept by another."""
    words = fold(text).upper().replace("-", " ").split()
    kept = [w for w in words if w not in PARTICLES]
    return " ".join(kept or words)


@cache
def _equivalents() -> dict[str, frozenset[str]]:
    raw = yaml.safe_load(
        resources.files("puente.resolve").joinpath("data/given_names.yaml").read_text("utf-8")
    )
    table: dict[str, set[str]] = {}
    for name, forms in raw:
        root = fold(name).upper()
        table.setdefault(root, set()).add(root)
        for form in forms:
            table.setdefault(fold(str(form)).upper(), set()).add(root)
    return {k: frozenset(v) for k, v in table.items()}


@lru_cache(maxsize=200_000)
def given_roots(given: str | None) -> frozenset[str]:
    """The full names a recorded given name may stand for: its words, and for a short or English
    form the names it is short for ("PEPE" -> {JOSE, JOSE LUIS}; "BETO" -> {ALBERTO, ROBERTO, ...})."""
    if not given:
        return frozenset()
    key = fold(given).upper()
    table = _equivalents()
    roots = set(table.get(key, ()))
    for word in key.split():  # "MARIA PATRICIA" may be written "Patty"
        if len(word) > 1:
            roots |= {word, *table.get(word, ())}
    return frozenset(roots)


@cache
def compound_given_names() -> frozenset[str]:
    """Given names of two or more words that have short or English forms of their own ("JOSE LUIS"
    is "Pepe"), so that a search for both words also finds those forms."""
    return frozenset(root for roots in _equivalents().values() for root in roots if " " in root)


@cache
def given_name_forms() -> dict[str, frozenset[str]]:
    """Full given name -> the short and English forms it is recorded under ("JOSE" -> PEPE, JOE ...)."""
    out: dict[str, set[str]] = {}
    for form, roots in _equivalents().items():
        for root in roots:
            if form != root:
                out.setdefault(root, set()).add(form)
    return {root: frozenset(forms) for root, forms in out.items()}
