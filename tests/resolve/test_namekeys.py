"""Name keys: Spanish sound-alike spellings meet, short and English forms find their names."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from puente.resolve.namekeys import given_roots, phonetic, phonetic_name, strip_particles


def test_spellings_that_sound_alike_in_mexican_spanish_share_a_key():
    for a, b in [
        ("Vázquez", "Vasquez"), ("Jiménez", "Giménez"), ("Yáñez", "Llanes"), ("Hernández", "Ernandes"),
        ("Ceballos", "Zeballos"), ("Xavier", "Javier"), ("Chávez", "Shavez"), ("Ibarra", "Yvarra"),
        ("Quintero", "Kintero"), ("Guerrero", "Guerero"),
    ]:  # fmt: skip
        assert phonetic(a) == phonetic(b), (a, b)
    for a, b in [("Guerrero", "Herrero"), ("Chávez", "Javez"), ("Rojas", "Rosas")]:
        assert phonetic(a) != phonetic(b), (a, b)


def test_particles_are_left_out_of_surname_keys():
    assert strip_particles("de la Cruz") == "CRUZ" and phonetic_name("de la Cruz") == phonetic_name("Cruz")
    assert strip_particles("DE LOS SANTOS") == "SANTOS"
    assert strip_particles("Domínguez-Calderón") == "DOMINGUEZ CALDERON"
    assert strip_particles("de") == "DE"  # a name that is only a particle is kept


def test_short_and_english_forms_lead_to_the_full_names():
    assert "JOSE" in given_roots("Pepe") and "JOSE" in given_roots("Joe")
    assert {"ALBERTO", "ROBERTO", "HUMBERTO"} <= given_roots("Beto")
    assert "FRANCISCO" in given_roots("Paco") and "GUADALUPE" in given_roots("Lupita")
    assert "PATRICIA" in given_roots("Patty") and "PATRICIA" in given_roots("María Patricia")
    assert given_roots(None) == frozenset() and given_roots("") == frozenset()


@given(st.text(max_size=40))
def test_keys_never_fail_and_are_stable(text):
    key = phonetic(text)
    assert key == phonetic(text) and key == key.upper() and key.isascii()
    assert phonetic_name(text) is None or phonetic_name(text) == phonetic_name(text.lower())
    assert isinstance(given_roots(text), frozenset)


@given(st.sampled_from(["Hernández", "José Luis", "Núñez", "Peña", "Güereña", "Ordóñez"]))
def test_accents_and_case_do_not_change_a_key(name):
    from puente.normalize.text import fold

    assert phonetic(name) == phonetic(fold(name).upper()) == phonetic(name.lower())
