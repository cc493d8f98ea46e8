"""Recording noise: how agencies write the persons of the synthetic world.

A :class:`Noise` draws from the generator it is given, at the rates of a :class:`NoiseRates`. Every
function returns the written value and the list of noise kinds it applied, so that ground truth can
say what was done to each record:

- ``typo``: one keyboard slip in one name part (an adjacent key, a deleted, swapped or doubled
  letter);
- ``accents_dropped``: no diacritics left (Ñ becomes N); ``upper_case``: the whole name in capitals;
- ``maternal_missing``: the maternal surname left out; ``hyphenated``: "García-López" written as one
  surname (US style: the maternal surname is then None);
- ``compound_shortened``: "José Luis" -> "José"; ``diminutive``: "Francisco" -> "Paco";
  ``anglicised``: "Guillermo" -> "William" (these three exclude each other);
- ``particle_dropped``: "de la Cruz" -> "Cruz"; ``order_swapped``: given name and surnames swapped
  (fields: the given-name field holds the paternal surname and vice versa; full names: surnames
  first without the comma that would mark them);
- ``day_month_swapped``: a date with day and month exchanged (only when both are <= 12 and differ,
  so the written date is wrong but valid); ``missing``: a value left out.

A kind is listed only when it changed what is written (dropping accents from a name that has none
is not reported). Noise never makes a name part empty and never touches identifiers: breaking a
CURP or a phone is decided by the feed writer.

Styles: "es" is a Mexican agency (capitals half of the time, accents mostly kept, the maternal
surname sometimes missing), "en" a US agency (accents mostly dropped, the maternal surname often
dropped or hyphenated, compound given names often shortened, English forms of Spanish names).

This module imports only the standard library and :mod:`puente.synth.people`.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, fields
from typing import Literal, TypeVar

from puente.synth.people import TruePerson, anglicised_forms, short_forms, strip_accents

__all__ = ["KINDS", "Noise", "NoiseRates", "Style", "age_at"]

Style = Literal["es", "en"]
DateOrder = Literal["DMY", "MDY", "ISO"]
T = TypeVar("T")

KINDS = (
    "typo",
    "accents_dropped",
    "upper_case",
    "maternal_missing",
    "hyphenated",
    "compound_shortened",
    "diminutive",
    "anglicised",
    "order_swapped",
    "particle_dropped",
    "day_month_swapped",
    "missing",
)


@dataclass(frozen=True, slots=True)
class NoiseRates:
    """Probability of each kind of noise per written value; ``_es``/``_en``: per agency style.

    The defaults are estimates ("~") from the record-linkage literature on Hispanic names in US
    records and from the formats of Mexican and US agency exports; none is a published figure.
    """

    # one slip of the keyboard per name (typing error rates of manual data entry: 1-5%, ~)
    typo: float = 0.03
    # a known short form instead of the given name ("Paco" for Francisco)
    diminutive: float = 0.05
    # English form of a Spanish given name; Mexican agencies keep the Spanish one
    anglicised_es: float = 0.0
    anglicised_en: float = 0.10
    # "José Luis" -> "José": US forms keep a first name and a middle initial at most
    compound_shortened_es: float = 0.05
    compound_shortened_en: float = 0.35
    # diacritics lost: most US systems store ASCII; Mexican ones mostly keep them
    accents_dropped_es: float = 0.10
    accents_dropped_en: float = 0.60
    # the whole name in capitals, as many registries write it
    upper_case_es: float = 0.50
    upper_case_en: float = 0.50
    # the maternal surname not recorded (US forms have one "last name" field)
    maternal_missing_es: float = 0.08
    maternal_missing_en: float = 0.40
    # both surnames written as one hyphenated last name (US only; always for US persons whose
    # true surname is hyphenated, when the maternal part was kept)
    hyphenated_en: float = 0.15
    # "de la Cruz" -> "Cruz"
    particle_dropped_es: float = 0.05
    particle_dropped_en: float = 0.20
    # given name and surnames exchanged
    order_swapped_es: float = 0.02
    order_swapped_en: float = 0.05
    # dates with day and month exchanged (when both are <= 12)
    day_month_swapped: float = 0.02
    # layout, not noise: share of full names written "PATERNAL MATERNAL, GIVEN"
    comma_form_es: float = 0.40
    comma_form_en: float = 0.50
    # values left out of a record (maybe_missing(value, "phone") uses phone_missing)
    phone_missing: float = 0.30
    birth_date_missing: float = 0.05
    curp_missing: float = 0.40
    ssn_missing: float = 0.50
    address_missing: float = 0.20
    nickname_missing: float = 0.50

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                raise ValueError(f"NoiseRates.{f.name} must be a probability between 0 and 1, not {value!r}")

    @classmethod
    def none(cls) -> NoiseRates:
        """No noise at all (and the "GIVEN PATERNAL MATERNAL" layout for full names)."""
        return cls(**{f.name: 0.0 for f in fields(cls)})

    def rate(self, kind: str, style: str | None = None) -> float:
        """The rate of ``kind`` in ``style`` ("maternal_missing", "en" -> maternal_missing_en)."""
        if style is not None and hasattr(self, f"{kind}_{style}"):
            return float(getattr(self, f"{kind}_{style}"))
        if kind in _RATE_NAMES:
            return float(getattr(self, kind))
        if style is not None and kind in KINDS:
            return 0.0  # a kind that this style never applies (e.g. hyphenated_es)
        raise KeyError(f"no rate named {kind!r}")


_RATE_NAMES = frozenset(f.name for f in fields(NoiseRates))


@dataclass(frozen=True, slots=True)
class _StyleRates:
    typo: float
    diminutive: float
    anglicised: float
    compound_shortened: float
    accents_dropped: float
    upper_case: float
    maternal_missing: float
    hyphenated: float
    particle_dropped: float
    order_swapped: float
    comma_form: float


# QWERTY neighbours (a Spanish layout differs only by Ñ, which a typo never introduces).
_ADJACENT = {
    "q": "wa", "w": "qeas", "e": "wrds", "r": "etdf", "t": "ryfg", "y": "tugh", "u": "yihj", "i": "uojk",
    "o": "ipkl", "p": "ol", "a": "qwsz", "s": "awedxz", "d": "serfcx", "f": "drtgvc", "g": "ftyhbv",
    "h": "gyujnb", "j": "huikmn", "k": "jiolm", "l": "kop", "z": "asx", "x": "zsdc", "c": "xdfv",
    "v": "cfgb", "b": "vghn", "n": "bhjm", "m": "njk",
}  # fmt: skip
_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y"})
_TWO_DIGIT_AREAS = frozenset({"55", "56", "33", "81"})


def age_at(d_birth: datetime.date, observed_on: datetime.date) -> int:
    """Age in whole years on ``observed_on`` (a 29 February birthday counts from 1 March)."""
    return (
        observed_on.year
        - d_birth.year
        - ((observed_on.month, observed_on.day) < (d_birth.month, d_birth.day))
    )


def _drop_particle(surname: str | None) -> str | None:
    if surname is None:
        return None
    words = surname.split()
    i = 0
    while i < len(words) - 1 and words[i].lower() in _PARTICLES:
        i += 1
    return " ".join(words[i:]) if i else surname


class Noise:
    """Writes values as an agency would, with the noise of ``rates``; every draw comes from ``rng``."""

    def __init__(self, rng: random.Random, rates: NoiseRates | None = None) -> None:
        self.rng = rng
        self.rates = rates if rates is not None else NoiseRates()
        self._styles = {
            style: _StyleRates(
                **{f.name: self.rates.rate(f.name, style) for f in fields(_StyleRates)},
            )
            for style in ("es", "en")
        }

    # -- names -------------------------------------------------------------------------------------

    def person_name(self, p: TruePerson, style: Style) -> tuple[str, str, str | None, list[str]]:
        """(given, paternal, maternal, kinds) as the agency's name fields hold them."""
        given, paternal, maternal, kinds, swapped = self._name(p, style)
        if swapped:
            given, paternal = paternal, given
        return given, paternal, maternal, kinds

    def full_name(self, p: TruePerson, style: Style) -> tuple[str, list[str]]:
        """The name as one text: "GIVEN PATERNAL MATERNAL" or "PATERNAL MATERNAL, GIVEN"."""
        given, paternal, maternal, kinds, swapped = self._name(p, style)
        surnames = paternal if maternal is None else f"{paternal} {maternal}"
        if swapped:
            return f"{surnames} {given}", kinds
        if self.rng.random() < self._styles[style].comma_form:
            return f"{surnames}, {given}", kinds
        return f"{given} {surnames}", kinds

    def _name(self, p: TruePerson, style: Style) -> tuple[str, str, str | None, list[str], bool]:
        try:
            r = self._styles[style]
        except KeyError:
            raise ValueError(f"style must be 'es' or 'en', not {style!r}") from None
        rng = self.rng
        kinds: list[str] = []
        given, paternal, maternal = p.given_names, p.paternal_surname, p.maternal_surname

        # One draw decides the given-name change; the three exclude each other.
        u = rng.random()
        if u < r.diminutive:
            forms = short_forms(given)
            if forms:
                given = forms[int(rng.random() * len(forms))]
                kinds.append("diminutive")
        elif u < r.diminutive + r.anglicised:
            forms = anglicised_forms(given)
            if forms:
                given = forms[int(rng.random() * len(forms))]
                kinds.append("anglicised")
        elif u < r.diminutive + r.anglicised + r.compound_shortened:
            if " " in given:
                given = given.split(" ", 1)[0]
                kinds.append("compound_shortened")

        if rng.random() < r.particle_dropped:
            new_paternal, new_maternal = _drop_particle(paternal), _drop_particle(maternal)
            if new_paternal != paternal or new_maternal != maternal:
                paternal, maternal = new_paternal or paternal, new_maternal
                kinds.append("particle_dropped")

        if maternal is not None and rng.random() < r.maternal_missing:
            maternal = None
            kinds.append("maternal_missing")

        if maternal is not None and style == "en" and (p.nation == "US" or rng.random() < r.hyphenated):
            paternal, maternal = f"{paternal}-{maternal}", None
            kinds.append("hyphenated")

        if rng.random() < r.accents_dropped:
            parts = (given, paternal, maternal)
            given, paternal = strip_accents(given), strip_accents(paternal)
            maternal = None if maternal is None else strip_accents(maternal)
            if parts != (given, paternal, maternal):
                kinds.append("accents_dropped")

        if rng.random() < r.upper_case:
            parts = (given, paternal, maternal)
            given, paternal = given.upper(), paternal.upper()
            maternal = None if maternal is None else maternal.upper()
            if parts != (given, paternal, maternal):
                kinds.append("upper_case")

        if rng.random() < r.typo:
            which = int(rng.random() * (2 if maternal is None else 3))
            if which == 0:
                given = self.typo(given)
            elif which == 1:
                paternal = self.typo(paternal)
            elif maternal is not None:
                maternal = self.typo(maternal)
            kinds.append("typo")

        swapped = rng.random() < r.order_swapped
        if swapped:
            kinds.append("order_swapped")
        return given, paternal, maternal, kinds, swapped

    def typo(self, text: str) -> str:
        """``text`` with one keyboard slip: an adjacent key, a deleted, swapped or doubled letter.

        Letters of words of three letters or more are preferred (particles stay readable); a word
        never loses its last letter. Text without letters is returned unchanged.
        """
        rng = self.rng
        letters = [i for i, c in enumerate(text) if c.isalpha()]
        if not letters:
            return text
        long_words = [i for i in letters if _word_length(text, i) >= 3]
        positions = long_words or letters
        i = positions[int(rng.random() * len(positions))]
        c = text[i]
        op = int(rng.random() * 4)
        if op == 0:  # an adjacent key
            near = _ADJACENT.get(strip_accents(c).lower())
            if near:
                r = near[int(rng.random() * len(near))]
                return text[:i] + (r.upper() if c.isupper() else r) + text[i + 1 :]
        elif op == 1 and long_words:  # a letter left out (the word keeps two at least)
            return text[:i] + text[i + 1 :]
        elif op == 2:  # two neighbouring letters swapped
            for j in (i, i - 1):
                if (
                    0 <= j < len(text) - 1
                    and text[j].isalpha()
                    and text[j + 1].isalpha()
                    and text[j].lower() != text[j + 1].lower()
                ):
                    return text[:j] + text[j + 1] + text[j] + text[j + 2 :]
        return text[: i + 1] + c + text[i + 1 :]  # a letter doubled

    # -- dates, phones, missing values ---------------------------------------------------------------

    def date_text(self, d: datetime.date, order: DateOrder) -> tuple[str, list[str]]:
        """``d`` written in ``order`` ("DMY" 05/03/1987, "MDY" 03/05/1987, "ISO" 1987-03-05)."""
        day, month, kinds = d.day, d.month, []
        if day <= 12 and day != month and self.rng.random() < self.rates.day_month_swapped:
            day, month = month, day
            kinds.append("day_month_swapped")
        if order == "DMY":
            return f"{day:02d}/{month:02d}/{d.year:04d}", kinds
        if order == "MDY":
            return f"{month:02d}/{day:02d}/{d.year:04d}", kinds
        if order == "ISO":
            return f"{d.year:04d}-{month:02d}-{day:02d}", kinds
        raise ValueError(f"order must be 'DMY', 'MDY' or 'ISO', not {order!r}")

    def phone_text(self, e164: str, style: Style) -> tuple[str | None, list[str]]:
        """The number as a person gives it: local forms at home, with the country code abroad.

        "es" (a Mexican agency) writes Mexican numbers "(656) 123 4567", "656-123-4567",
        "6561234567"... and US ones "+1 915 555 0100"; "en" the reverse. ``None`` and ["missing"]
        at the rate ``phone_missing``. The text always reads back to ``e164`` with
        ``normalize_phone(text, "MX" if style == "es" else "US")``.
        """
        if style not in ("es", "en"):
            raise ValueError(f"style must be 'es' or 'en', not {style!r}")
        rng = self.rng
        if rng.random() < self.rates.phone_missing:
            return None, ["missing"]
        if e164.startswith("+52") and len(e164) == 13:
            n = e164[3:]
            a = n[:2] if n[:2] in _TWO_DIGIT_AREAS else n[:3]
            local = n[len(a) :]
            split = 4 if len(local) == 8 else 3
            l1, l2 = local[:split], local[split:]
            if style == "es":
                forms = (
                    f"({a}) {l1} {l2}", f"{a}-{l1}-{l2}", n, f"{a} {l1} {l2}", f"+52 {a} {l1} {l2}",
                    f"{a} {local}", f"({a}) {l1}-{l2}", f"044 {a} {l1} {l2}", f"+52 1 {a} {l1} {l2}",
                )  # fmt: skip
                weights = (20, 20, 20, 15, 10, 6, 5, 2, 2)
            else:
                forms = (f"+52 {a} {l1} {l2}", f"+52-{a}-{l1}-{l2}", f"011 52 {a} {l1} {l2}", f"+52{n}")
                weights = (40, 25, 15, 20)
        elif e164.startswith("+1") and len(e164) == 12:
            n = e164[2:]
            a, ex, ln = n[:3], n[3:6], n[6:]
            if style == "en":
                forms = (
                    f"({a}) {ex}-{ln}", f"{a}-{ex}-{ln}", f"{a}.{ex}.{ln}", n, f"{a} {ex} {ln}",
                    f"+1 {a} {ex} {ln}", f"1-{a}-{ex}-{ln}", f"+1 ({a}) {ex}-{ln}",
                )  # fmt: skip
                weights = (30, 25, 8, 15, 8, 6, 4, 4)
            else:
                forms = (f"+1 {a} {ex} {ln}", f"+1 ({a}) {ex}-{ln}", f"001 {a} {ex} {ln}", f"+1{n}")
                weights = (40, 25, 15, 20)
        else:
            return e164, []
        return rng.choices(forms, weights)[0], []

    def maybe_missing(self, value: T, rate_name: str) -> tuple[T | None, list[str]]:
        """``(None, ["missing"])`` at the rate ``rate_name`` ("phone" or "phone_missing"), else the value."""
        name = rate_name if rate_name.endswith("_missing") else f"{rate_name}_missing"
        if name not in _RATE_NAMES:
            raise KeyError(f"no missing-value rate named {rate_name!r}")
        if value is None:
            return None, []
        if self.rng.random() < getattr(self.rates, name):
            return None, ["missing"]
        return value, []


def _word_length(text: str, i: int) -> int:
    start = i
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    end = i
    while end < len(text) and text[end].isalpha():
        end += 1
    return end - start
