from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puente.normalize.errors import NormalizationError
from puente.normalize.names import PersonName, build_person_name, parse_person_name, split_surnames
from puente.normalize.text import fold


def parts(name: PersonName) -> tuple[str | None, str | None, str | None]:
    return name.given_names, name.paternal_surname, name.maternal_surname


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # given + paternal + maternal, the usual Mexican order
        ("Joaquín Guzmán Loera", ("Joaquín", "Guzmán", "Loera")),
        ("Juan Pérez", ("Juan", "Pérez", None)),
        ("Juan", ("Juan", None, None)),
        # particles attach to the following surname
        ("Juan de la Cruz Martínez", ("Juan", "de la Cruz", "Martínez")),
        ("Rosa María del Río Salinas", ("Rosa María", "del Río", "Salinas")),
        ("Pedro Martínez de los Santos", ("Pedro", "Martínez", "de los Santos")),
        ("Ana Van Dyke Ruiz", ("Ana", "Van Dyke", "Ruiz")),
        # compound given names stay given names with exactly three groups
        ("José Luis Hernández", ("José Luis", "Hernández", None)),
        ("Miguel Ángel Treviño", ("Miguel Ángel", "Treviño", None)),
        ("Juan Carlos Ramírez", ("Juan Carlos", "Ramírez", None)),
        ("María de Jesús Torres", ("María de Jesús", "Torres", None)),
        ("María del Carmen Salas", ("María del Carmen", "Salas", None)),
        ("María de los Ángeles Pérez", ("María de los Ángeles", "Pérez", None)),
        ("Ma. Guadalupe Torres", ("Ma. Guadalupe", "Torres", None)),  # "Ma." abbreviates María
        ("JOSE DE JESUS GIL", ("JOSE DE JESUS", "GIL", None)),
        # ... and with four groups the last two are still the surnames
        ("José Luis Hernández García", ("José Luis", "Hernández", "García")),
        ("Luis Fernando Ortiz de la Garza", ("Luis Fernando", "Ortiz", "de la Garza")),
        # not a known compound: three groups are given + paternal + maternal
        ("Pedro Ramírez Soto", ("Pedro", "Ramírez", "Soto")),
        # whitespace collapsed, case and accents kept, lone punctuation dropped
        ("  josé   HERNÁNDEZ  - garcía ", ("josé", "HERNÁNDEZ", "garcía")),
    ],
)
def test_spanish_convention(text: str, expected: tuple[str | None, str | None, str | None]) -> None:
    assert parts(parse_person_name(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GUZMAN LOERA, JOAQUIN", ("JOAQUIN", "GUZMAN", "LOERA")),
        ("Guzmán Loera, Joaquín Archivaldo", ("Joaquín Archivaldo", "Guzmán", "Loera")),
        ("de la Garza Treviño, María José", ("María José", "de la Garza", "Treviño")),
        ("Hernández, José Luis", ("José Luis", "Hernández", None)),
        ("Montes de Oca Ruiz, Ana", ("Ana", "Montes de Oca", "Ruiz")),
        ("Ruiz Montes de Oca, Ana", ("Ana", "Ruiz", "Montes de Oca")),
        ("GUZMAN,LOERA,JOAQUIN", ("JOAQUIN", "GUZMAN", "LOERA")),  # paterno, materno, nombre
        ("GUZMAN LOERA,", (None, "GUZMAN", "LOERA")),
        (", JOAQUIN", ("JOAQUIN", None, None)),
    ],
)
def test_surnames_comma_given(text: str, expected: tuple[str | None, str | None, str | None]) -> None:
    assert parts(parse_person_name(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("John Smith", ("John", "Smith", None)),
        ("John Michael Smith", ("John Michael", "Smith", None)),
        ("Maria Garcia-Lopez", ("Maria", "Garcia", "Lopez")),
        ("John de la Rosa", ("John", "de la Rosa", None)),
        ("Ludwig van Beethoven", ("Ludwig", "van Beethoven", None)),
        ("John Smith Jr.", ("John", "Smith Jr.", None)),
        ("SMITH, JOHN", ("JOHN", "SMITH", None)),
        ("Garcia-Lopez, Maria", ("Maria", "Garcia", "Lopez")),
        ("Madonna", ("Madonna", None, None)),
    ],
)
def test_english_convention(text: str, expected: tuple[str | None, str | None, str | None]) -> None:
    assert parts(parse_person_name(text, "en")) == expected


def test_spanish_convention_keeps_hyphenated_surname_whole() -> None:
    assert parts(parse_person_name("María García-López")) == ("María", "García-López", None)


def test_original_is_only_trimmed_and_keys_are_folded() -> None:
    name = parse_person_name("  José Luis  Hernández   Peña ")
    assert name.original == "José Luis  Hernández   Peña"
    assert parts(name) == ("José Luis", "Hernández", "Peña")
    assert name.given_key == "JOSE LUIS"
    assert name.paternal_key == "HERNANDEZ"
    assert name.maternal_key == "PENA"
    assert name.full_key == "JOSE LUIS HERNANDEZ PENA"


def test_particles_are_kept_in_keys() -> None:
    name = parse_person_name("Juan de la Cruz Martínez")
    assert name.paternal_key == "DE LA CRUZ"
    assert name.full_key == "JUAN DE LA CRUZ MARTINEZ"


def test_same_person_written_differently_has_the_same_keys() -> None:
    a = parse_person_name("GUZMAN LOERA, JOAQUIN")
    b = parse_person_name("Joaquín Guzmán Loera")
    assert (a.given_key, a.paternal_key, a.maternal_key) == (b.given_key, b.paternal_key, b.maternal_key)
    assert a.full_key == b.full_key


def test_missing_parts_have_no_key() -> None:
    name = parse_person_name("Juan")
    assert name.paternal_key is None and name.maternal_key is None
    assert name.full_key == "JUAN"


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "---", "??"])
def test_empty_names_are_rejected(text: str) -> None:
    with pytest.raises(NormalizationError) as info:
        parse_person_name(text)
    assert info.value.code == "empty_value"


def test_overlong_name_is_rejected() -> None:
    with pytest.raises(NormalizationError) as info:
        parse_person_name("Juan " * 100)
    assert info.value.code == "value_too_long"
    assert len(info.value.en) < 250


def test_unknown_convention_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="convention"):
        parse_person_name("Juan Pérez", "fr")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("de la Garza Treviño", ("de la Garza", "Treviño")),
        ("Hernández", ("Hernández", None)),
        ("Hernández García", ("Hernández", "García")),
        ("Ponce de León Hernández", ("Ponce de León", "Hernández")),
        ("  del Valle   de la O ", ("del Valle", "de la O")),
        ("", (None, None)),
    ],
)
def test_split_surnames(text: str, expected: tuple[str | None, str | None]) -> None:
    assert split_surnames(text) == expected


def test_build_person_name() -> None:
    name = build_person_name(" José  Luis ", "Hernández", None)
    assert parts(name) == ("José Luis", "Hernández", None)
    assert name.original == "José Luis Hernández"
    assert name.full_key == "JOSE LUIS HERNANDEZ"
    kept = build_person_name("JOAQUIN", "GUZMAN", "LOERA", original="GUZMAN LOERA, JOAQUIN")
    assert kept.original == "GUZMAN LOERA, JOAQUIN"
    assert build_person_name("Juan", " ", "-").maternal_surname is None
    with pytest.raises(NormalizationError) as info:
        build_person_name(None, "  ", None)
    assert info.value.code == "empty_value"


@given(st.text(), st.sampled_from(["es", "en"]))
def test_parse_never_raises_anything_else_and_keys_are_folded(text: str, convention: str) -> None:
    try:
        name = parse_person_name(text, convention)  # type: ignore[arg-type]
    except NormalizationError as err:
        assert err.code in {"empty_value", "value_too_long"}
        return
    for part, key in (
        (name.given_names, name.given_key),
        (name.paternal_surname, name.paternal_key),
        (name.maternal_surname, name.maternal_key),
    ):
        if part is None:
            assert key is None
        else:
            assert key == fold(part) and key and fold(key) == key
    assert name.full_key == fold(" ".join(p for p in parts(name) if p))
    assert any(p is not None for p in parts(name))


@given(
    st.lists(
        st.sampled_from(["Juan", "José", "Luis", "María", "Pérez", "López", "Hernández"]),
        min_size=1,
        max_size=6,
    ),
)
def test_every_word_lands_in_exactly_one_part(words: list[str]) -> None:
    name = parse_person_name(" ".join(words))
    rebuilt = " ".join(p for p in parts(name) if p)
    assert rebuilt == " ".join(words)
