"""The people of the synthetic binational world: Mexicans and US persons with their true identities.

A :class:`PersonFactory` draws persons from name pools weighted by real frequencies (``data/names.yaml``)
and places them in real cities with real area codes and postal-code ranges (``data/places.yaml``).
Each person carries the identifiers an agency could record: a CURP built by RENAPO's rules for
Mexicans, an SSN for US persons, and a phone number in E.164. The persons are the ground truth
against which entity resolution is scored; :mod:`puente.synth.noise` writes them as agencies do.

Determinism: every draw comes from the ``random.Random`` given to the factory, the data files are
read once in file order, and nothing iterates a set or depends on ``hash()``: the same seed gives
the same persons, byte for byte, in every process.

Identifiers are unique within one factory (CURPs, SSNs and phones are remembered; about 200 bytes a
person), not across factories.

This module imports only the standard library, PyYAML, python-stdnum and :mod:`puente.model`.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import accumulate
from typing import Any

import yaml
from stdnum.mx import curp as _stdnum_curp

from puente.model import vocab

__all__ = [
    "NameData",
    "PersonFactory",
    "TrueAddress",
    "TruePerson",
    "anglicised_forms",
    "curp_for",
    "is_compound",
    "name_data",
    "short_forms",
    "strip_accents",
]

_PACKAGE = "puente.synth"

# Latest birth date of a generated relative (a child), so that every person is an adult by 2024.
_LATEST_BIRTH = datetime.date(2006, 12, 31)
_EARLIEST_BIRTH = datetime.date(1930, 1, 1)

# Shares (FACTS.md gives none; estimates, "~").
NICKNAME_SHARE = 0.25  # persons known by an alias
NICKNAME_FROM_DIMINUTIVE = 0.15  # of those aliases, "El Chuy" built from the given name's short form
MX_NO_MATERNAL_SHARE = 0.01  # Mexicans registered with one surname only (CURP position 3 is X)
MX_BORN_IN_STATE = 0.75  # Mexicans living in the state where they were born (INEGI 2020: ~80%)
US_BORN_IN_STATE = 0.80  # US persons living in their birth state (Census ACS: ~60-80%)
US_HYPHENATED_SHARE = 0.08  # Hispanic Americans with a hyphenated double surname
US_MIDDLE_NAME_SHARE = {False: 0.60, True: 0.40}  # given + middle name, by Hispanic
US_APARTMENT_SHARE = 0.15
CHILD_SHARE = 0.5  # a relative is a child (when the ages allow) rather than a sibling

# RENAPO (Instructivo normativo para la asignación de la CURP): words left out of names before the
# letters are taken, and first names skipped when a compound given name starts with them.
_CURP_PARTICLES = frozenset("DA DAS DE DEL DER DI DIE DD EL LA LOS LAS LE LES MAC MC VAN VON Y".split())
_CURP_SKIPPED_GIVEN = frozenset({"MARIA", "MA", "MA.", "M", "M.", "JOSE", "J", "J."})
# RENAPO Anexo 2, "palabras inconvenientes": when the four initial letters form one of these, the
# second letter becomes X (e.g. PEDO -> PXDO).
_CURP_INCONVENIENT = frozenset(
    """
    BACA BAKA BUEI BUEY CACA CACO CAGA CAGO CAKA CAKO COGE COGI COJA COJE COJI COJO COLA CULO FALO FETO
    GETA GUEI GUEY JETA JOTO KACA KACO KAGA KAGO KAKA KAKO KOGE KOGI KOJA KOJE KOJI KOJO KOLA KULO LILO
    LOCA LOCO LOKA LOKO MAME MAMO MEAR MEAS MEON MIAR MION MOCO MOKO MULA MULO NACA NACO PEDA PEDO PENE
    PIPI PITO POPO PUTA PUTO QULO RATA ROBA ROBE ROBO RUIN SENO TETA VACA VAGA VAGO VAKA VUEI VUEY WUEI
    WUEY
    """.split()
)
_VOWELS = frozenset("AEIOU")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = "0123456789"
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Words that are part of a name but not a name of their own (for short forms and the US spelling).
_NAME_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y"})
_SKIPPED_FIRST = frozenset({"JOSE", "MARIA"})

# US SSNs the SSA never issued or that are publicly known (python-stdnum's blacklist).
_SSN_BLACKLIST = frozenset({"078-05-1120", "457-55-5462", "219-09-9999"})


@dataclass(frozen=True, slots=True)
class TrueAddress:
    """Where a person lives. ``state`` is a vocabulary code ("MX-CHH", "US-TX")."""

    street: str
    city: str
    municipality: str | None  # Mexico: municipio (alcaldía in Mexico City); US: county
    state: str
    postal_code: str
    country: str  # "MX" or "US"


@dataclass(frozen=True, slots=True)
class TruePerson:
    """A person of the world as they really are; agencies record them with noise."""

    person_id: str
    nation: str  # "MX" or "US"
    given_names: str
    paternal_surname: str
    maternal_surname: str | None  # US: None, or the second half of a hyphenated "García-López"
    sex: str  # "male" or "female"
    birth_date: datetime.date
    birth_state: str | None  # vocabulary state code
    curp: str | None  # Mexicans born in Mexico
    ssn: str | None  # US persons, "123-45-6789"
    phone: str  # E.164
    nickname: str | None
    address: TrueAddress


# --- text helpers ---------------------------------------------------------------------------------


def _accent_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0xC0, 0x250):
        c = chr(cp)
        base = "".join(x for x in unicodedata.normalize("NFD", c) if not unicodedata.combining(x))
        if base != c and base.isascii() and base:
            table[cp] = base
    return table


_STRIP_ACCENTS = _accent_table()


def strip_accents(text: str) -> str:
    """``text`` without diacritics: "Peña Núñez" -> "Pena Nunez" (Ñ becomes N, Ü becomes U)."""
    return text if text.isascii() else text.translate(_STRIP_ACCENTS)


def _key(name: str) -> str:
    """Match key of a name: no accents, upper case, single spaces ("José  luis" -> "JOSE LUIS")."""
    return " ".join(strip_accents(name).upper().split())


def is_compound(given: str) -> bool:
    """Whether a given name has several words ("José Luis", "María de Jesús")."""
    return " " in given.strip()


def _us_spelling(name: str) -> str:
    """A Spanish surname as US records hold it: no accents, particles capitalized ("De La Cruz")."""
    words = strip_accents(name).split()
    return " ".join(w[:1].upper() + w[1:] if w in _NAME_PARTICLES else w for w in words)


# --- data ------------------------------------------------------------------------------------------


class _Pool:
    """Weighted draws from a list of names: one random() and one bisect per draw."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs: Iterable[tuple[Any, float]]) -> None:
        pairs = list(pairs)
        if not pairs or any(w <= 0 for _, w in pairs):
            raise ValueError("a pool needs at least one item and positive weights")
        self.items: list[Any] = [item for item, _ in pairs]
        self.cum: list[float] = list(accumulate(float(w) for _, w in pairs))
        self.total: float = self.cum[-1]

    def draw(self, rng: random.Random) -> Any:
        return self.items[bisect_right(self.cum, rng.random() * self.total)]

    def share(self, item: Any) -> float:
        """The probability of drawing ``item``."""
        i = self.items.index(item)
        return (self.cum[i] - (self.cum[i - 1] if i else 0.0)) / self.total

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True, slots=True)
class _City:
    city: str
    municipality: str
    area_codes: tuple[str, ...]
    postal_low: int
    postal_high: int
    hispanic: float  # US only


@dataclass(frozen=True, slots=True)
class _State:
    code: str
    nation: str
    curp: str | None
    cities: _Pool  # of _City


@dataclass(frozen=True, slots=True)
class NameData:
    """The name pools and places, loaded once from the data files."""

    mx_surnames: _Pool
    mx_given: dict[str, _Pool]  # by sex
    us_surnames: _Pool
    us_given: dict[str, _Pool]
    us_hispanic_given: dict[str, _Pool]
    us_hispanic_surnames: _Pool  # mx_surnames in US spelling
    nicknames_mx: dict[str, _Pool]
    nicknames_us: dict[str, _Pool]
    diminutives: dict[str, tuple[str, ...]]  # by _key
    anglicised: dict[str, tuple[str, ...]]
    hispanic_surname_keys: frozenset[str]
    states: dict[str, _State]
    cities: dict[tuple[str, str, str], _City]  # by (state, city, municipality)
    mx_default_states: _Pool  # of state codes, by population
    us_default_states: _Pool  # border states
    mx_birth_states: _Pool
    us_birth_states: _Pool
    mx_street_kinds: _Pool
    mx_streets: tuple[str, ...]
    us_streets: tuple[str, ...]


def _read_yaml(name: str) -> Any:
    text = resources.files(_PACKAGE).joinpath("data").joinpath(name).read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


def _pairs(rows: Sequence[Sequence[Any]], where: str) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    seen: set[str] = set()
    for row in rows:
        name, weight = str(row[0]), float(row[1])
        if _key(name) in seen:
            raise ValueError(f"{where}: {name!r} is listed twice")
        seen.add(_key(name))
        out.append((name, weight))
    return out


def _forms(rows: Sequence[Sequence[Any]], where: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for name, forms in rows:
        key = _key(str(name))
        if key in out:
            raise ValueError(f"{where}: {name!r} is listed twice")
        # A form that only differs by accents or case is not a different name.
        out[key] = tuple(str(f) for f in forms if _key(str(f)) != key)
    return out


def _nicknames(rows: Sequence[Sequence[Any]]) -> dict[str, _Pool]:
    return {
        "male": _Pool((m, w) for m, _, w in rows if m),
        "female": _Pool((f, w) for _, f, w in rows if f),
    }


@cache
def name_data() -> NameData:
    """The pools, read once from ``data/names.yaml`` and ``data/places.yaml`` (shared: read only)."""
    names = _read_yaml("names.yaml")
    places = _read_yaml("places.yaml")
    known = vocab.states()
    mx_surnames = _pairs(names["mx_surnames"], "mx_surnames")

    states: dict[str, _State] = {}
    for key, nation in (("mx_states", "MX"), ("us_states", "US")):
        for code, entry in places[key].items():
            state = known.get(code)
            if state is None or state.nation != nation:
                raise ValueError(f"places.yaml: {code!r} is not a state of {nation} in the vocabulary")
            cities = _Pool(
                (
                    _City(
                        str(row[0]),
                        str(row[1]),
                        tuple(str(a) for a in row[2]),
                        int(row[3]),
                        int(row[4]),
                        float(row[6]) if len(row) > 6 else 0.0,
                    ),
                    float(row[5]),
                )
                for row in entry["cities"]
            )
            states[code] = _State(code, nation, state.curp, cities)
    mx_codes = list(places["mx_states"])
    us_codes = list(places["us_states"])
    missing = [c for c, s in known.items() if s.nation in ("MX", "US") and c not in states]
    if missing:
        raise ValueError(f"places.yaml: no cities for {', '.join(missing)}")
    mx_population = _Pool((c, places["mx_states"][c]["population"]) for c in mx_codes)
    us_population = _Pool((c, places["us_states"][c]["population"]) for c in us_codes)
    return NameData(
        mx_surnames=_Pool(mx_surnames),
        mx_given={
            "male": _Pool(_pairs(names["mx_given_male"], "mx_given_male")),
            "female": _Pool(_pairs(names["mx_given_female"], "mx_given_female")),
        },
        us_surnames=_Pool(_pairs(names["us_surnames"], "us_surnames")),
        us_given={
            "male": _Pool(_pairs(names["us_given_male"], "us_given_male")),
            "female": _Pool(_pairs(names["us_given_female"], "us_given_female")),
        },
        us_hispanic_given={
            "male": _Pool(_pairs(names["us_hispanic_given_male"], "us_hispanic_given_male")),
            "female": _Pool(_pairs(names["us_hispanic_given_female"], "us_hispanic_given_female")),
        },
        us_hispanic_surnames=_Pool((_us_spelling(n), w) for n, w in mx_surnames),
        nicknames_mx=_nicknames(names["nicknames_mx"]),
        nicknames_us=_nicknames(names["nicknames_us"]),
        diminutives=_forms(names["diminutives"], "diminutives"),
        anglicised=_forms(names["anglicised"], "anglicised"),
        hispanic_surname_keys=frozenset(_key(n) for n, _ in mx_surnames),
        states=states,
        cities={(s.code, c.city, c.municipality): c for s in states.values() for c in s.cities.items},
        mx_default_states=mx_population,
        us_default_states=_Pool(
            (c, places["us_states"][c]["default"]) for c in us_codes if places["us_states"][c].get("default")
        ),
        mx_birth_states=mx_population,
        us_birth_states=us_population,
        mx_street_kinds=_Pool(_pairs(places["mx_street_kinds"], "mx_street_kinds")),
        mx_streets=tuple(str(s) for s in places["mx_streets"]),
        us_streets=tuple(str(s) for s in places["us_streets"]),
    )


# --- short and English forms of given names --------------------------------------------------------


def _significant(given: str) -> list[str]:
    """The words a person is called by: the first, and the next one after José/María."""
    words = [w for w in given.split() if w.lower() not in _NAME_PARTICLES]
    if not words:
        return []
    out = [words[0]]
    if len(words) > 1 and _key(words[0]) in _SKIPPED_FIRST:
        out.append(words[1])
    return out


def _variants(table: dict[str, tuple[str, ...]], given: str) -> tuple[str, ...]:
    out: list[str] = list(table.get(_key(given), ()))
    for word in _significant(given):
        for form in table.get(_key(word), ()):
            if form not in out:
                out.append(form)
    return tuple(out)


@cache
def short_forms(given: str) -> tuple[str, ...]:
    """Diminutives a person with this given name may be recorded under ("Francisco" -> Paco...).

    Forms of the whole compound name ("María de la Luz" -> Lucha), then of its first word, and of
    the second word when the first is José or María (as those persons are usually called).
    """
    return _variants(name_data().diminutives, given)


@cache
def anglicised_forms(given: str) -> tuple[str, ...]:
    """English forms of a Spanish given name ("José" -> Joe, Joseph); same words as short_forms."""
    return _variants(name_data().anglicised, given)


# --- CURP ------------------------------------------------------------------------------------------

# Accented capitals to plain ones; Ñ becomes X as RENAPO writes it in a CURP.
_CURP_TABLE = {**_STRIP_ACCENTS, ord("Ñ"): "X", ord("ñ"): "X"}


def _curp_words(name: str) -> list[str]:
    words = name.translate(_CURP_TABLE).upper().replace("-", " ").replace("'", "").split()
    kept = [w for w in words if w not in _CURP_PARTICLES]
    return kept or words


def _inner(word: str, vowels: bool) -> str:
    for c in word[1:]:
        if c in _UPPER and (c in _VOWELS) == vowels:
            return c
    return "X"


def _letter(c: str) -> str:
    return c if c in _UPPER else "X"


@cache
def _surname_code(surname: str) -> tuple[str, str, str]:
    """(first letter, first inner vowel, first inner consonant) of a surname for the CURP."""
    words = _curp_words(surname)
    if not words:
        return "X", "X", "X"
    word = words[0]
    return _letter(word[0]), _inner(word, True), _inner(word, False)


@cache
def _given_code(given: str) -> tuple[str, str]:
    """(first letter, first inner consonant) of the given name RENAPO uses (José/María skipped)."""
    words = _curp_words(given)
    if not words:
        return "X", "X"
    word = words[1] if len(words) > 1 and words[0] in _CURP_SKIPPED_GIVEN else words[0]
    return _letter(word[0]), _inner(word, False)


def _curp_check(first17: str) -> str:
    """RENAPO's check digit, as python-stdnum computes it."""
    return _stdnum_curp.calc_check_digit(first17)


def curp_for(
    given: str,
    paternal: str,
    maternal: str | None,
    birth_date: datetime.date,
    sex: str,
    state_code: str,
    differentiator: str,
) -> str:
    """The CURP RENAPO assigns to these data; ``state_code`` is the 2-letter CURP code (NE abroad).

    Positions 1-4: first letter and first inner vowel of the paternal surname, first letter of the
    maternal one (X if none), first letter of the given name (the second name when the first of a
    compound is José or María); particles (de, la, del...) are left out and Ñ becomes X; a word
    of RENAPO's list of inconvenient words gets X as its second letter. Then YYMMDD, H/M, the
    state, the first inner consonants of paternal, maternal and given name, the differentiator
    (0-9 for births before 2000, A-Z from 2000) and the check digit.
    """
    p1, p2, p3 = _surname_code(paternal)
    if maternal:
        m1, _, m3 = _surname_code(maternal)
    else:
        m1 = m3 = "X"
    g1, g3 = _given_code(given)
    initials = p1 + p2 + m1 + g1
    if initials in _CURP_INCONVENIENT:
        initials = initials[0] + "X" + initials[2:]
    body = (
        f"{initials}{birth_date.year % 100:02d}{birth_date.month:02d}{birth_date.day:02d}"
        f"{'H' if sex == 'male' else 'M'}{state_code}{p3}{m3}{g3}{differentiator}"
    )
    return body + _curp_check(body)


# --- the factory -----------------------------------------------------------------------------------


class PersonFactory:
    """Makes the persons of one world (or one block of it); all draws come from ``rng``."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._data = name_data()
        self._curps: set[str] = set()
        self._ssns: set[str] = set()
        self._phones: set[str] = set()

    # -- public ------------------------------------------------------------------------------------

    def mexican(
        self,
        person_id: str,
        *,
        sex: str | None = None,
        state: str | None = None,
        birth_years: tuple[int, int] = (1955, 2005),
    ) -> TruePerson:
        """A Mexican born in Mexico, living in ``state`` (any vocabulary state; default: by population)."""
        rng, data = self._rng, self._data
        sex = self._sex(sex)
        home = self._state(state, data.mx_default_states)
        given = data.mx_given[sex].draw(rng)
        paternal = data.mx_surnames.draw(rng)
        maternal = data.mx_surnames.draw(rng) if rng.random() >= MX_NO_MATERNAL_SHARE else None
        birth = self._birth_date(birth_years)
        birth_state = self._mx_birth_state(home.code)
        return self._make_mexican(
            person_id, sex, given, paternal, maternal, birth, birth_state, self._address(home)
        )

    def us_person(
        self,
        person_id: str,
        *,
        hispanic: bool | None = None,
        state: str | None = None,
        birth_years: tuple[int, int] = (1950, 2004),
        sex: str | None = None,
    ) -> TruePerson:
        """A US citizen living in ``state`` (default: a border state, Texas first).

        ``hispanic`` defaults to the Hispanic share of the city drawn (Census 2020; ~50% over the
        border states' default mix); ~8% of Hispanic Americans have a hyphenated double surname.
        """
        rng, data = self._rng, self._data
        sex = self._sex(sex)
        home = self._state(state, data.us_default_states)
        city: _City = home.cities.draw(rng)
        if hispanic is None:
            hispanic = rng.random() < (city.hispanic if home.nation == "US" else 0.5)
        given = self._us_given(sex, hispanic)
        if hispanic:
            paternal = data.us_hispanic_surnames.draw(rng)
            maternal = data.us_hispanic_surnames.draw(rng) if rng.random() < US_HYPHENATED_SHARE else None
        else:
            paternal, maternal = data.us_surnames.draw(rng), None
        birth = self._birth_date(birth_years)
        birth_state = self._us_birth_state(home.code)
        return self._make_us(
            person_id, sex, given, paternal, maternal, birth, birth_state, self._address(home, city), hispanic
        )

    def relative(self, of: TruePerson, person_id: str, *, kind: str | None = None) -> TruePerson:
        """A sibling or a child of ``of`` (``kind`` "sibling"/"child"; default: either, as ages allow).

        Naming convention: a child's paternal surname is the father's paternal surname and its
        maternal surname the mother's paternal surname (US single surnames pass from the parent);
        a sibling has both surnames of ``of``. The relative lives at the same address.
        """
        rng, data = self._rng, self._data
        can_child = _add_years(of.birth_date, 18) <= _LATEST_BIRTH
        if kind is None:
            kind = "child" if can_child and rng.random() < CHILD_SHARE else "sibling"
        elif kind not in ("sibling", "child"):
            raise ValueError(f"kind must be 'sibling' or 'child', not {kind!r}")
        elif kind == "child" and not can_child:
            raise ValueError(f"{of.person_id} was born {of.birth_date}: too young for an adult child")
        sex = self._sex(None)
        hispanic = of.nation == "MX" or _key(of.paternal_surname) in data.hispanic_surname_keys
        if kind == "sibling":
            paternal, maternal = of.paternal_surname, of.maternal_surname
            birth = self._near(of.birth_date, 1, 12)
        else:
            other = (
                data.mx_surnames.draw(rng)
                if of.nation == "MX"
                else (data.us_hispanic_surnames.draw(rng) if hispanic else data.us_surnames.draw(rng))
            )
            if of.nation == "MX" or of.maternal_surname:  # two surnames: father's, then mother's
                paternal, maternal = (
                    (of.paternal_surname, other) if of.sex == "male" else (other, of.paternal_surname)
                )
            else:  # a US single surname passes from the parent
                paternal, maternal = of.paternal_surname, None
            low = _add_years(of.birth_date, 18)
            high = min(_add_years(of.birth_date, 42), _LATEST_BIRTH)
            birth = datetime.date.fromordinal(rng.randint(low.toordinal(), high.toordinal()))
        if of.nation == "MX":
            given = self._distinct_given(lambda: data.mx_given[sex].draw(rng), of.given_names)
            if kind == "sibling" and of.birth_state and rng.random() < 0.8:
                birth_state = of.birth_state
            else:
                birth_state = self._mx_birth_state(of.address.state)
            return self._make_mexican(
                person_id, sex, given, paternal, maternal, birth, birth_state, of.address
            )
        given = self._distinct_given(lambda: self._us_given(sex, hispanic), of.given_names)
        birth_state = (
            of.birth_state
            if of.birth_state and rng.random() < 0.8
            else self._us_birth_state(of.address.state)
        )
        return self._make_us(
            person_id, sex, given, paternal, maternal, birth, birth_state, of.address, hispanic
        )

    def namesake(self, like: TruePerson, person_id: str) -> TruePerson:
        """A different person with the same name as ``like`` (another Juan Hernández Hernández).

        Same given names, surnames, sex and nation; a different birth date, CURP/SSN, phone and
        address (same state half of the time).
        """
        rng, data = self._rng, self._data
        if like.nation == "MX":
            years, pool = (1955, 2005), data.mx_default_states
        else:
            years, pool = (1950, 2004), data.us_default_states
        while True:
            birth = self._birth_date(years)
            if birth != like.birth_date:
                break
        home = data.states[like.address.state] if rng.random() < 0.5 else self._state(None, pool)
        address = self._address(home)
        while address == like.address:
            address = self._address(home)
        if like.nation == "MX":
            birth_state = self._mx_birth_state(home.code)
            return self._make_mexican(
                person_id,
                like.sex,
                like.given_names,
                like.paternal_surname,
                like.maternal_surname,
                birth,
                birth_state,
                address,
            )
        hispanic = _key(like.paternal_surname) in data.hispanic_surname_keys
        birth_state = self._us_birth_state(home.code)
        return self._make_us(
            person_id,
            like.sex,
            like.given_names,
            like.paternal_surname,
            like.maternal_surname,
            birth,
            birth_state,
            address,
            hispanic,
        )

    # -- parts -------------------------------------------------------------------------------------

    def _sex(self, sex: str | None) -> str:
        if sex is None:
            return "male" if self._rng.random() < 0.5 else "female"
        if sex not in ("male", "female"):
            raise ValueError(f"sex must be 'male' or 'female', not {sex!r}")
        return sex

    def _state(self, code: str | None, default: _Pool) -> _State:
        if code is None:
            code = default.draw(self._rng)
        try:
            return self._data.states[code]
        except KeyError:
            raise ValueError(
                f"unknown state {code!r}: use a vocabulary code such as 'MX-CHH' or 'US-TX'"
            ) from None

    def _birth_date(self, years: tuple[int, int]) -> datetime.date:
        low, high = years
        if low > high:
            raise ValueError(f"birth_years {years!r}: the first year is after the last")
        first = datetime.date(low, 1, 1).toordinal()
        last = datetime.date(high, 12, 31).toordinal()
        return datetime.date.fromordinal(first + int(self._rng.random() * (last - first + 1)))

    def _near(self, day: datetime.date, min_years: int, max_years: int) -> datetime.date:
        """A date 1-12 years before or after ``day``, within the births this module makes."""
        rng = self._rng
        for _ in range(20):
            offset = rng.randint(365 * min_years, 365 * max_years)
            ordinal = day.toordinal() + (offset if rng.random() < 0.5 else -offset)
            if _EARLIEST_BIRTH.toordinal() <= ordinal <= _LATEST_BIRTH.toordinal():
                return datetime.date.fromordinal(ordinal)
        return datetime.date.fromordinal(day.toordinal() - 365 * min_years - rng.randint(0, 365))

    def _distinct_given(self, draw: Any, avoid: str) -> str:
        # Parents do not give two children the same name (namesakes are made by namesake()).
        for _ in range(10):
            given = draw()
            if given != avoid:
                return given
        return given

    def _mx_birth_state(self, home: str) -> str:
        if home.startswith("MX-") and self._rng.random() < MX_BORN_IN_STATE:
            return home
        return self._data.mx_birth_states.draw(self._rng)

    def _us_birth_state(self, home: str) -> str:
        if home.startswith("US-") and self._rng.random() < US_BORN_IN_STATE:
            return home
        return self._data.us_birth_states.draw(self._rng)

    def _us_given(self, sex: str, hispanic: bool) -> str:
        rng = self._rng
        pool = (self._data.us_hispanic_given if hispanic else self._data.us_given)[sex]
        first = pool.draw(rng)
        if rng.random() < US_MIDDLE_NAME_SHARE[hispanic]:
            middle = pool.draw(rng)
            if middle != first:
                return f"{first} {middle}"
        return first

    def _nickname(self, sex: str, given: str, mexican_style: bool) -> str | None:
        rng = self._rng
        if rng.random() >= NICKNAME_SHARE:
            return None
        if mexican_style:
            if rng.random() < NICKNAME_FROM_DIMINUTIVE:
                forms = short_forms(given)
                if forms:
                    return ("El " if sex == "male" else "La ") + forms[int(rng.random() * len(forms))]
            return self._data.nicknames_mx[sex].draw(rng)
        return self._data.nicknames_us[sex].draw(rng)

    def _address(self, state: _State, city: _City | None = None) -> TrueAddress:
        rng, data = self._rng, self._data
        if city is None:
            city = state.cities.draw(rng)
        postal = f"{_between(rng, city.postal_low, city.postal_high):05d}"
        if state.nation == "MX":
            kind = data.mx_street_kinds.draw(rng)
            name = data.mx_streets[int(rng.random() * len(data.mx_streets))]
            street = f"{kind} {name} {_between(rng, 1, 4999)}"
        else:
            name = data.us_streets[int(rng.random() * len(data.us_streets))]
            street = f"{_between(rng, 100, 19999)} {name}"
            if rng.random() < US_APARTMENT_SHARE:
                street += f" Apt {_between(rng, 1, 350)}"
        return TrueAddress(street, city.city, city.municipality, state.code, postal, state.nation)

    def _phone(self, address: TrueAddress) -> str:
        rng = self._rng
        state = self._data.states[address.state]
        city = self._data.cities.get((address.state, address.city, address.municipality or ""))
        codes = (city or state.cities.items[0]).area_codes
        while True:
            area = codes[int(rng.random() * len(codes))]
            if state.nation == "MX":
                # 10 digits: area code (2 or 3 digits) and the local number, which never starts with 0 or 1.
                rest = 10 - len(area)
                number = f"+52{area}{_between(rng, 2 * 10 ** (rest - 1), 10**rest - 1)}"
            else:
                # NANP: exchange 2xx-9xx, not N11 nor 555 (reserved for directory and fiction).
                exchange = _between(rng, 200, 999)
                if exchange % 100 == 11 or exchange == 555:
                    continue
                number = f"+1{area}{exchange}{_between(rng, 0, 9999):04d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    def _ssn(self) -> str:
        rng = self._rng
        while True:
            area = _between(rng, 1, 899)
            if area == 666:
                continue
            ssn = f"{area:03d}-{_between(rng, 1, 99):02d}-{_between(rng, 1, 9999):04d}"
            if ssn not in self._ssns and ssn not in _SSN_BLACKLIST:
                self._ssns.add(ssn)
                return ssn

    def _curp(
        self,
        given: str,
        paternal: str,
        maternal: str | None,
        birth: datetime.date,
        sex: str,
        birth_state: str | None,
    ) -> str:
        state = self._data.states.get(birth_state) if birth_state else None
        code = state.curp if state is not None and state.curp else "NE"
        alphabet = _DIGITS if birth.year < 2000 else _LETTERS
        first = int(self._rng.random() * len(alphabet))
        for i in range(len(alphabet)):  # RENAPO's differentiator tells persons with equal data apart
            curp = curp_for(
                given, paternal, maternal, birth, sex, code, alphabet[(first + i) % len(alphabet)]
            )
            if curp not in self._curps:
                self._curps.add(curp)
                return curp
        raise RuntimeError(f"no free CURP differentiator left for {curp[:16]}")

    def _make_mexican(
        self,
        person_id: str,
        sex: str,
        given: str,
        paternal: str,
        maternal: str | None,
        birth: datetime.date,
        birth_state: str,
        address: TrueAddress,
    ) -> TruePerson:
        curp = self._curp(given, paternal, maternal, birth, sex, birth_state)
        return TruePerson(
            person_id=person_id,
            nation="MX",
            given_names=given,
            paternal_surname=paternal,
            maternal_surname=maternal,
            sex=sex,
            birth_date=birth,
            birth_state=birth_state,
            curp=curp,
            ssn=None,
            phone=self._phone(address),
            nickname=self._nickname(sex, given, True),
            address=address,
        )

    def _make_us(
        self,
        person_id: str,
        sex: str,
        given: str,
        paternal: str,
        maternal: str | None,
        birth: datetime.date,
        birth_state: str,
        address: TrueAddress,
        hispanic: bool,
    ) -> TruePerson:
        return TruePerson(
            person_id=person_id,
            nation="US",
            given_names=given,
            paternal_surname=paternal,
            maternal_surname=maternal,
            sex=sex,
            birth_date=birth,
            birth_state=birth_state,
            curp=None,
            ssn=self._ssn(),
            phone=self._phone(address),
            nickname=self._nickname(sex, given, hispanic and self._rng.random() < 0.7),
            address=address,
        )


def _between(rng: random.Random, low: int, high: int) -> int:
    """An integer from ``low`` to ``high`` inclusive: one random() (randint costs three times more)."""
    return low + int(rng.random() * (high - low + 1))


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
