from __future__ import annotations

import datetime
import random
from collections import Counter

import pytest
from stdnum.mx import curp as stdnum_curp

from puente.model import vocab
from puente.normalize.identifiers import normalize_curp, normalize_phone, normalize_ssn
from puente.normalize.text import fold
from puente.synth.people import (
    PersonFactory,
    TruePerson,
    anglicised_forms,
    curp_for,
    name_data,
    short_forms,
)

TOP10 = {
    "Hernández",
    "García",
    "Martínez",
    "López",
    "González",
    "Pérez",
    "Rodríguez",
    "Sánchez",
    "Ramírez",
    "Cruz",
}
BORDER_US = {"US-TX", "US-CA", "US-AZ", "US-NM"}
PARTICLES = {"DE", "DEL", "LA", "LAS", "LOS", "Y"}


@pytest.fixture(scope="module")
def mexicans() -> list[TruePerson]:
    factory = PersonFactory(random.Random(2024))
    return [factory.mexican(f"P{i}") for i in range(100_000)]


@pytest.fixture(scope="module")
def americans() -> list[TruePerson]:
    factory = PersonFactory(random.Random(1848))
    return [factory.us_person(f"U{i}") for i in range(20_000)]


def _sample(seed: int) -> list[TruePerson]:
    f = PersonFactory(random.Random(seed))
    out: list[TruePerson] = []
    for i in range(200):
        out.append(f.mexican(f"M{i}"))
        out.append(f.mexican(f"S{i}", sex="female", state="MX-CHH", birth_years=(1980, 2004)))
        out.append(f.us_person(f"U{i}"))
        out.append(f.us_person(f"H{i}", hispanic=True, state="US-AZ"))
        out.append(f.relative(out[-4], f"R{i}"))
        out.append(f.namesake(out[-3], f"N{i}"))
    return out


# --- determinism -----------------------------------------------------------------------------------


def test_same_seed_gives_identical_persons():
    a, b = _sample(7), _sample(7)
    assert a == b
    assert repr(a) == repr(b)


def test_different_seeds_give_different_persons():
    a, b = _sample(7), _sample(8)
    assert a != b
    assert sum(x == y for x, y in zip(a, b, strict=True)) == 0


# --- CURP --------------------------------------------------------------------------------------------


def _curp_words(name: str) -> list[str]:
    words = [w for w in fold(name).replace("Ñ", "X").split() if w not in PARTICLES]
    return words


def _expected_initials(p: TruePerson) -> str:
    paternal = _curp_words(p.paternal_surname)[0]
    vowel = next((c for c in paternal[1:] if c in "AEIOU"), "X")
    maternal = _curp_words(p.maternal_surname)[0][0] if p.maternal_surname else "X"
    given = _curp_words(p.given_names)
    name = given[1] if len(given) > 1 and given[0] in ("JOSE", "MARIA") else given[0]
    return paternal[0] + vowel + maternal + name[0]


def test_every_curp_is_valid_unique_and_encodes_the_person(mexicans):
    curp_states = {s.code: s.curp for s in vocab.states().values() if s.curp}
    for p in mexicans:
        curp = p.curp
        assert curp is not None and normalize_curp(curp) == curp
        initials = _expected_initials(p)
        if curp[:4] != initials:  # only RENAPO's inconvenient words are changed: second letter X
            assert curp[1] == "X" and curp[0] + curp[2:4] == initials[0] + initials[2:4], (p, curp)
        b = p.birth_date
        assert curp[4:10] == f"{b.year % 100:02d}{b.month:02d}{b.day:02d}"
        assert curp[10] == ("H" if p.sex == "male" else "M")
        assert curp[11:13] == curp_states[p.birth_state]
        assert curp[16].isdigit() == (p.birth_date.year < 2000)
    assert len({p.curp for p in mexicans}) == len(mexicans)


def test_curps_agree_with_python_stdnum(mexicans):
    for p in mexicans[:3000]:
        assert stdnum_curp.validate(p.curp) == p.curp
        assert stdnum_curp.calc_check_digit(p.curp) == p.curp[-1]


def test_curp_rules():
    born = datetime.date(1980, 5, 3)
    # particles left out (de la Cruz -> CRUZ), Ñ -> X, José skipped in a compound given name
    curp = curp_for("José Luis", "de la Cruz", "Muñoz", born, "male", "CH", "0")
    assert curp[:17] == "CUML800503HCHRXS0"
    assert stdnum_curp.is_valid(curp)
    # no maternal surname: X in positions 3 and 15; María skipped, particles too
    curp = curp_for("María de los Ángeles", "Ruiz", None, datetime.date(2003, 12, 1), "female", "NL", "A")
    assert curp[:17] == "RUXA031201MNLZXN" + "A"
    assert normalize_curp(curp) == curp
    # an inconvenient word (PEDO) gets X as its second letter
    curp = curp_for("Óscar", "Pérez", "Domínguez", born, "male", "DF", "3")
    assert curp.startswith("PXDO800503HDF")
    assert normalize_curp(curp) == curp
    # a single given name José is kept
    assert curp_for("José", "Hernández", "Hernández", born, "male", "NE", "1").startswith("HEHJ")


# --- phones and SSNs ---------------------------------------------------------------------------------


def test_mexican_phones_are_valid_and_local(mexicans):
    cities = name_data().cities
    for p in mexicans:
        assert normalize_phone(p.phone, "MX") == p.phone
        city = cities[(p.address.state, p.address.city, p.address.municipality)]
        assert any(p.phone.startswith("+52" + code) for code in city.area_codes)
    assert len({p.phone for p in mexicans}) == len(mexicans)
    juarez = [p for p in mexicans if p.address.city == "Ciudad Juárez"]
    assert juarez and all(p.phone.startswith("+52656") for p in juarez)


def test_us_persons(americans):
    cities = name_data().cities
    hispanic_keys = name_data().hispanic_surname_keys
    for p in americans:
        assert p.nation == "US" and p.curp is None
        assert normalize_ssn(p.ssn) == p.ssn
        assert normalize_phone(p.phone, "US") == p.phone
        city = cities[(p.address.state, p.address.city, p.address.municipality)]
        assert any(p.phone.startswith("+1" + code) for code in city.area_codes)
        assert p.address.state in BORDER_US and p.address.country == "US"
        assert 1950 <= p.birth_date.year <= 2004
        assert p.given_names.isascii() and p.paternal_surname.replace("'", "").isascii()
    assert len({p.ssn for p in americans}) == len(americans)
    hispanic = [p for p in americans if fold(p.paternal_surname) in hispanic_keys]
    assert 0.40 <= len(hispanic) / len(americans) <= 0.60
    hyphenated = [p for p in hispanic if p.maternal_surname is not None]
    assert 0.05 <= len(hyphenated) / len(hispanic) <= 0.11
    assert all(p.maternal_surname is None for p in americans if fold(p.paternal_surname) not in hispanic_keys)
    assert Counter(p.address.state for p in americans).most_common(1)[0][0] == "US-TX"


# --- names -------------------------------------------------------------------------------------------


def test_name_frequencies(mexicans):
    paternal = Counter(p.paternal_surname for p in mexicans)
    top = paternal.most_common(10)
    assert {name for name, _ in top} == TOP10
    assert top[0][0] == "Hernández"
    compound = sum(" " in p.given_names for p in mexicans) / len(mexicans)
    assert 0.20 <= compound <= 0.40
    nicknames = sum(p.nickname is not None for p in mexicans) / len(mexicans)
    assert 0.20 <= nicknames <= 0.30
    assert 0.48 <= sum(p.sex == "male" for p in mexicans) / len(mexicans) <= 0.52
    names = Counter((p.given_names, p.paternal_surname, p.maternal_surname) for p in mexicans)
    assert names.most_common(1)[0][1] >= 5
    assert names[("Juan", "Hernández", "Hernández")] >= 2
    assert sum(1 for n in names.values() if n > 1) > 1000
    assert any(p.paternal_surname.startswith(("de ", "del ")) for p in mexicans)
    men = Counter(p.given_names for p in mexicans if p.sex == "male").most_common(5)
    women = Counter(p.given_names for p in mexicans if p.sex == "female").most_common(5)
    assert {n for n, _ in men} == {"Juan", "José Luis", "José", "Francisco", "Antonio"}
    assert {n for n, _ in women} == {"María Guadalupe", "Guadalupe", "María", "Juana", "Margarita"}


def test_mexicans_places_and_dates(mexicans):
    known = vocab.states()
    cities = name_data().cities
    for p in mexicans:
        assert p.nation == "MX" and p.ssn is None
        assert known[p.address.state].nation == "MX" and p.address.country == "MX"
        assert known[p.birth_state].nation == "MX"
        assert 1955 <= p.birth_date.year <= 2005
        city = cities[(p.address.state, p.address.city, p.address.municipality)]
        assert len(p.address.postal_code) == 5
        assert city.postal_low <= int(p.address.postal_code) <= city.postal_high
        assert p.given_names and p.paternal_surname
    born_home = sum(p.birth_state == p.address.state for p in mexicans) / len(mexicans)
    assert 0.70 <= born_home <= 0.85
    assert Counter(p.address.state for p in mexicans).most_common(1)[0][0] == "MX-MEX"


def test_explicit_parameters():
    f = PersonFactory(random.Random(5))
    p = f.mexican("A", sex="female", state="MX-TAM", birth_years=(1990, 1990))
    assert (p.sex, p.address.state, p.birth_date.year) == ("female", "MX-TAM", 1990)
    assert p.curp[10] == "M"
    young = f.mexican("B", birth_years=(2003, 2003))
    assert young.curp[16].isalpha() and normalize_curp(young.curp) == young.curp
    abroad = f.mexican("C", state="US-TX")  # a Mexican national living in Texas
    assert abroad.address.country == "US" and normalize_phone(abroad.phone, "US") == abroad.phone
    assert vocab.states()[abroad.birth_state].nation == "MX"
    anglo = f.us_person("D", hispanic=False, state="US-FL")
    assert anglo.address.city == "Miami" and anglo.maternal_surname is None
    assert fold(anglo.paternal_surname) not in name_data().hispanic_surname_keys
    with pytest.raises(ValueError, match="unknown state"):
        f.mexican("E", state="MX-XXX")
    with pytest.raises(ValueError, match="sex"):
        f.mexican("F", sex="m")
    with pytest.raises(ValueError, match="kind"):
        f.relative(p, "G", kind="cousin")


def test_every_state_can_be_lived_in():
    f = PersonFactory(random.Random(11))
    for code, state in vocab.states().items():
        if state.nation not in ("MX", "US"):
            continue
        p = f.mexican(code, state=code) if state.nation == "MX" else f.us_person(code, state=code)
        assert p.address.state == code
        assert normalize_phone(p.phone, state.nation) == p.phone


# --- relatives and namesakes -------------------------------------------------------------------------


def test_relatives_follow_the_naming_convention():
    f = PersonFactory(random.Random(21))
    kinds = Counter()
    for i in range(500):
        of = f.mexican(f"P{i}", birth_years=(1955, 1980))
        rel = f.relative(of, f"R{i}")
        assert rel.person_id != of.person_id and rel.nation == "MX"
        assert rel.address == of.address
        assert normalize_curp(rel.curp) == rel.curp and rel.curp != of.curp
        if rel.birth_date >= datetime.date(of.birth_date.year + 18, 1, 1):
            kinds["child"] += 1
            if of.sex == "male":
                assert rel.paternal_surname == of.paternal_surname
            else:
                assert rel.maternal_surname == of.paternal_surname
        else:
            kinds["sibling"] += 1
            assert (rel.paternal_surname, rel.maternal_surname) == (of.paternal_surname, of.maternal_surname)
            assert rel.birth_date != of.birth_date
    assert kinds["child"] > 100 and kinds["sibling"] > 100
    father = f.mexican("F", sex="male", birth_years=(1960, 1960))
    mother = f.mexican("M", sex="female", birth_years=(1962, 1962))
    son, daughter = f.relative(father, "S", kind="child"), f.relative(mother, "D", kind="child")
    assert son.paternal_surname == father.paternal_surname
    assert daughter.maternal_surname == mother.paternal_surname
    assert son.birth_date.year >= 1978 and son.birth_date <= datetime.date(2006, 12, 31)
    with pytest.raises(ValueError, match="too young"):
        f.relative(f.mexican("Y", birth_years=(2004, 2004)), "Z", kind="child")


def test_us_relatives():
    f = PersonFactory(random.Random(22))
    for i in range(200):
        of = f.us_person(f"U{i}")
        rel = f.relative(of, f"R{i}")
        assert rel.nation == "US" and rel.address == of.address and rel.ssn != of.ssn
        assert normalize_ssn(rel.ssn) == rel.ssn
        if of.maternal_surname is None:
            assert rel.paternal_surname == of.paternal_surname


def test_namesakes_are_different_persons_with_the_same_name():
    f = PersonFactory(random.Random(23))
    for i in range(300):
        like = f.mexican(f"P{i}") if i % 3 else f.us_person(f"U{i}")
        other = f.namesake(like, f"N{i}")
        assert (
            other.given_names,
            other.paternal_surname,
            other.maternal_surname,
            other.sex,
            other.nation,
        ) == (
            like.given_names,
            like.paternal_surname,
            like.maternal_surname,
            like.sex,
            like.nation,
        )
        assert other.birth_date != like.birth_date and other.address != like.address
        assert other.phone != like.phone
        if like.nation == "MX":
            assert other.curp != like.curp and normalize_curp(other.curp) == other.curp
        else:
            assert other.ssn != like.ssn


# --- data --------------------------------------------------------------------------------------------


def test_pools_sizes_and_forms():
    data = name_data()
    assert len(data.mx_surnames) >= 160
    assert data.mx_surnames.items[:10] == (
        "Hernández García Martínez López González Pérez Rodríguez Sánchez Ramírez Cruz".split()
    )
    assert {"de la Cruz", "de León", "del Río"} <= set(data.mx_surnames.items)
    assert len(data.mx_given["male"]) >= 120 and len(data.mx_given["female"]) >= 120
    assert len(data.nicknames_mx["male"]) >= 60
    assert "De La Cruz" in data.us_hispanic_surnames.items and "Hernandez" in data.us_hispanic_surnames.items
    assert {"Paco", "Pancho", "Kiko"} <= set(short_forms("Francisco"))
    assert "Pepe" in short_forms("JOSE")
    assert {"Lupe", "Lupita"} <= set(short_forms("María Guadalupe"))
    assert "Chuy" in short_forms("María de Jesús")
    assert {"Beto"} == set(short_forms("Humberto"))
    assert short_forms("Miguel Ángel") == ()
    assert anglicised_forms("Guillermo") == ("William", "Bill")
    assert "Joe" in anglicised_forms("José Luis") and "Louis" in anglicised_forms("José Luis")
    assert "Mary" in anglicised_forms("Maria")
