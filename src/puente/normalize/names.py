"""Person names as written in Mexican and US records, split into given names and two surnames.

Hand-written: no library splits Mexican two-surname names (paternal + maternal, particles such as
"de la", compound given names such as "José Luis") reliably, and these rules must stay explainable
to the stewards who correct the records.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from puente.normalize.errors import MAX_INPUT_LENGTH, NormalizationError, bounded, excerpt
from puente.normalize.text import clean, fold

__all__ = ["PersonName", "build_person_name", "parse_person_name", "split_surnames"]

Convention = Literal["es", "en"]

# Surname particles (Spanish, Portuguese, Italian, Dutch, German); they belong to the word after them.
_PARTICLES = frozenset({"DE", "DEL", "LA", "LAS", "LOS", "Y", "VAN", "VON", "DA", "DI"})

# Frequent Mexican compound given names, folded. "Juan de la Cruz" is deliberately absent: in
# "Juan de la Cruz Martínez" the surname reading is the common one.
_COMPOUND_GIVEN = frozenset(
    {
        "ANA LAURA",
        "ANA MARIA",
        "CARLOS ALBERTO",
        "FRANCISCO JAVIER",
        "JESUS ALBERTO",
        "JESUS MANUEL",
        "JESUS MARIA",
        "JORGE LUIS",
        "JOSE ALBERTO",
        "JOSE ALFREDO",
        "JOSE ANGEL",
        "JOSE ANTONIO",
        "JOSE CARLOS",
        "JOSE DE JESUS",
        "JOSE FRANCISCO",
        "JOSE GUADALUPE",
        "JOSE JUAN",
        "JOSE LUIS",
        "JOSE MANUEL",
        "JOSE MARIA",
        "JOSE MIGUEL",
        "JOSE RAMON",
        "JUAN ANTONIO",
        "JUAN CARLOS",
        "JUAN FRANCISCO",
        "JUAN JOSE",
        "JUAN LUIS",
        "JUAN MANUEL",
        "JUAN PABLO",
        "LUIS ALBERTO",
        "LUIS ANGEL",
        "LUIS ENRIQUE",
        "LUIS FERNANDO",
        "LUIS MIGUEL",
        "MARCO ANTONIO",
        "MARIA CONCEPCION",
        "MARIA DE JESUS",
        "MARIA DE LA LUZ",
        "MARIA DE LOS ANGELES",
        "MARIA DE LOURDES",
        "MARIA DEL CARMEN",
        "MARIA DEL PILAR",
        "MARIA DEL ROSARIO",
        "MARIA DEL SOCORRO",
        "MARIA ELENA",
        "MARIA EUGENIA",
        "MARIA FERNANDA",
        "MARIA GUADALUPE",
        "MARIA ISABEL",
        "MARIA JOSE",
        "MARIA LUISA",
        "MARIA TERESA",
        "MIGUEL ANGEL",
        "VICTOR HUGO",
        "VICTOR MANUEL",
    }
)

# Generational suffixes in US records; they stay with the surname rather than becoming it.
_SUFFIXES = frozenset({"JR", "SR", "II", "III", "IV"})

_LABEL_EN = "Name"
_LABEL_ES = "el nombre"


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person's name split into parts; display parts keep the original spelling, keys are folded."""

    original: str
    given_names: str | None
    paternal_surname: str | None
    maternal_surname: str | None

    @property
    def given_key(self) -> str | None:
        return None if self.given_names is None else fold(self.given_names)

    @property
    def paternal_key(self) -> str | None:
        return None if self.paternal_surname is None else fold(self.paternal_surname)

    @property
    def maternal_key(self) -> str | None:
        return None if self.maternal_surname is None else fold(self.maternal_surname)

    @property
    def full_key(self) -> str:
        return fold(
            " ".join(p for p in (self.given_names, self.paternal_surname, self.maternal_surname) if p)
        )


# A group is one or more tokens that form a single name part: (display text, folded key).
_Group = tuple[str, str]


def _tokens(text: str) -> list[_Group]:
    # Tokens with no letter or digit ("-", "?", ".") carry no name and would become empty parts.
    return [(t, k) for t in text.split() if (k := fold(t))]


def _join(groups: list[_Group]) -> _Group:
    return " ".join(g[0] for g in groups), " ".join(g[1] for g in groups)


def _display(groups: list[_Group]) -> str | None:
    return " ".join(g[0] for g in groups) if groups else None


def _group(tokens: list[_Group]) -> list[_Group]:
    """Glue runs of particles to the token after them ("de", "la", "Cruz" -> "de la Cruz")."""
    groups: list[_Group] = []
    pending: list[_Group] = []
    for tok in tokens:
        if tok[1] in _PARTICLES:
            pending.append(tok)
            continue
        if pending:
            pending.append(tok)
            tok = _join(pending)
            pending = []
        groups.append(tok)
    if pending:
        groups.append(_join(pending))
    return groups


def _starts_with_particle(group: _Group) -> bool:
    return group[1].split(" ", 1)[0] in _PARTICLES


def _surname_pair(groups: list[_Group]) -> tuple[str | None, str | None]:
    """Paternal and maternal surname from the groups of a text known to hold only surnames."""
    groups = list(groups)
    # With more than two groups, a particle group continues the surname before it, as in
    # "Ponce de León Hernández" or "Hernández Montes de Oca".
    while len(groups) > 2:
        for i in range(1, len(groups)):
            if _starts_with_particle(groups[i]):
                groups[i - 1 : i + 1] = [_join(groups[i - 1 : i + 1])]
                break
        else:
            break
    if not groups:
        return None, None
    return groups[0][0], _display(groups[1:])


def _split_hyphen(display: str) -> tuple[str, str | None]:
    """Split "Garcia-Lopez" into ("Garcia", "Lopez").

    Only for US-style records, where the hyphen joins the two surnames that a Mexican record
    would write with a space.
    """
    head, sep, tail = display.partition("-")
    if sep and fold(head) and fold(tail):
        return head, tail
    return display, None


def split_surnames(text: str) -> tuple[str | None, str | None]:
    """Split a surnames-only text into (paternal, maternal).

    "de la Garza Treviño" -> ("de la Garza", "Treviño"); "Hernández" -> ("Hernández", None).
    """
    if text is None or not text.strip():
        return None, None
    return _surname_pair(_group(_tokens(bounded(text, "Surnames", "los apellidos"))))


def _is_compound_given(key: str) -> bool:
    if key.startswith("MA "):  # "Ma." is the usual abbreviation of María in Mexican records
        key = "MARIA " + key[3:]
    return key in _COMPOUND_GIVEN


def _parse_es(tokens: list[_Group]) -> tuple[str | None, str | None, str | None]:
    groups = _group(tokens)
    n = len(groups)
    if n == 1:
        return groups[0][0], None, None
    if n == 2:
        return groups[0][0], groups[1][0], None
    if n == 3:
        first_two = _join(groups[:2])
        if _is_compound_given(first_two[1]):
            return first_two[0], groups[2][0], None
    return _display(groups[:-2]), groups[-2][0], groups[-1][0]


def _parse_en(tokens: list[_Group]) -> tuple[str | None, str | None, str | None]:
    end = len(tokens) - 1
    last = tokens[end]
    if last[1] in _SUFFIXES and end >= 2:
        end -= 1
        last = _join([tokens[end], last])
    start = end
    while start > 0 and tokens[start - 1][1] in _PARTICLES:
        start -= 1
    if start == 0:  # a single word, or only particles before it: one name part, as in "es"
        return _display(tokens), None, None
    paternal, maternal = _split_hyphen(_join([*tokens[start:end], last])[0])
    return _display(tokens[:start]), paternal, maternal


def _parse_comma(text: str, convention: Convention) -> tuple[str | None, str | None, str | None]:
    parts = text.split(",")
    if convention == "es" and len(parts) == 3 and all(fold(p) for p in parts):
        # "PATERNO, MATERNO, NOMBRE": the column layout of many Mexican registries.
        paternal, maternal, given = (_display(_tokens(p)) for p in parts)
        return given, paternal, maternal
    surname_groups = _group(_tokens(parts[0]))
    given = _display(_tokens(" ".join(parts[1:])))
    if convention == "en" and len(surname_groups) == 1:
        paternal, maternal = _split_hyphen(surname_groups[0][0])
    else:
        paternal, maternal = _surname_pair(surname_groups)
    return given, paternal, maternal


@lru_cache(maxsize=32_768)
def _parse(original: str, convention: Convention) -> PersonName:
    if not fold(original):
        raise NormalizationError(
            "empty_value",
            f"Name '{excerpt(original)}' has no Latin letters or digits to match on",
            f"El nombre '{excerpt(original)}' no tiene letras latinas ni dígitos con los cuales comparar",
        )
    if "," in original:
        given, paternal, maternal = _parse_comma(original, convention)
        return PersonName(original, given, paternal, maternal)
    given, paternal, maternal = (_parse_en if convention == "en" else _parse_es)(_tokens(original))
    return PersonName(original, given, paternal, maternal)


def parse_person_name(text: str, convention: Convention = "es") -> PersonName:
    """Split a full name into given names, paternal and maternal surname.

    "SURNAMES, GIVEN" (a comma) works in both conventions; "PATERNO, MATERNO, NOMBRE" in "es".
    Without a comma, "es" reads the last two groups as paternal + maternal (3+ groups, unless the
    first two groups are a known compound given name and there are exactly three), two groups as
    given + paternal, one group as given names only. "en" reads the last word as the surname and
    splits a hyphenated one into paternal + maternal. Particles ("de la", "van") stay with the
    surname after them. Raises NormalizationError (empty_value, value_too_long).
    """
    if convention not in ("es", "en"):
        raise ValueError(f"convention must be 'es' or 'en', not {convention!r}")
    return _parse(bounded(text, _LABEL_EN, _LABEL_ES), convention)


def _part(value: str | None, label_en: str, label_es: str) -> str | None:
    if value is None:
        return None
    if len(value) > MAX_INPUT_LENGTH:
        bounded(value, label_en, label_es)
    cleaned = clean(value)
    return cleaned if cleaned and fold(cleaned) else None


def build_person_name(
    given: str | None, paternal: str | None, maternal: str | None, original: str | None = None
) -> PersonName:
    """A PersonName from parts already in separate columns; parts without letters become None."""
    g = _part(given, "Given names", "los nombres")
    p = _part(paternal, "Paternal surname", "el apellido paterno")
    m = _part(maternal, "Maternal surname", "el apellido materno")
    if g is None and p is None and m is None:
        raise NormalizationError(
            "empty_value",
            "Name is empty: given names, paternal and maternal surname all lack letters",
            "El nombre está vacío: los nombres y los apellidos paterno y materno no tienen letras",
        )
    shown = original.strip() if original is not None else ""
    if len(shown) > MAX_INPUT_LENGTH:
        bounded(shown, _LABEL_EN, _LABEL_ES)
    return PersonName(shown or " ".join(x for x in (g, p, m) if x), g, p, m)
