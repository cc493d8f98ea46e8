from __future__ import annotations

import pickle
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puente.normalize.errors import NormalizationError, bounded, excerpt
from puente.normalize.text import clean, fold

FOLDED = re.compile(r"(?:[A-Z0-9]+(?: [A-Z0-9]+)*)?")


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("  José-Luis  Hernández, O'Brien ", "JOSE LUIS HERNANDEZ O BRIEN"),
        ("Peña Nieto", "PENA NIETO"),
        ("ÑUÑEZ", "NUNEZ"),
        ("María de los Ángeles", "MARIA DE LOS ANGELES"),
        ("Müller  Gößmann", "MULLER GOSSMANN"),
        ("Østergaard Łukasz", "OSTERGAARD LUKASZ"),
        ("ＡＢＣ１２３", "ABC123"),  # full-width forms from East-Asian keyboards
        ("e\u0301", "E"),  # decomposed accent
        ("Ma.\tGuadalupe\n", "MA GUADALUPE"),
        ("Жуков", ""),  # no Latin form: nothing to match on
        ("", ""),
        ("---", ""),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_fold_long_text_is_not_cached_but_folded() -> None:
    text = "Hernández " * 30
    assert fold(text) == " ".join(["HERNANDEZ"] * 30)


@given(st.text())
def test_fold_is_idempotent_and_ascii(text: str) -> None:
    folded = fold(text)
    assert FOLDED.fullmatch(folded)
    assert fold(folded) == folded


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "))
def test_fold_of_plain_ascii_is_upper_with_collapsed_spaces(text: str) -> None:
    assert fold(text) == " ".join(text.upper().split())


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("  José   Luis\tHernández  ", "José Luis Hernández"),
        ("de la Garza", "de la Garza"),
        ("   ", None),
        ("", None),
        (None, None),
    ],
)
def test_clean(raw: str | None, cleaned: str | None) -> None:
    assert clean(raw) == cleaned


def test_error_carries_code_and_both_languages() -> None:
    err = NormalizationError(
        "invalid_curp",
        "CURP 'HEGJ880304HDFRMN0' has a wrong check digit",
        "La CURP 'HEGJ880304HDFRMN0' tiene un dígito verificador incorrecto",
    )
    assert isinstance(err, ValueError)
    assert str(err) == err.en
    assert err.code == "invalid_curp"
    assert "dígito verificador" in err.es
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.code, copy.en, copy.es) == (err.code, err.en, err.es)


def test_excerpt_is_at_most_40_characters() -> None:
    assert excerpt("ABC") == "ABC"
    long = excerpt("X" * 500)
    assert len(long) == 40 and long.endswith("...")
    assert excerpt("A\nB") == "A\\u000aB"


def test_bounded() -> None:
    assert bounded("  ABC ", "CURP", "la CURP") == "ABC"
    # fixed-width exports pad with spaces: padding alone does not make a value too long
    assert bounded("ABC" + " " * 300, "CURP", "la CURP") == "ABC"
    with pytest.raises(NormalizationError) as info:
        bounded(" " * 300, "CURP", "la CURP")
    assert info.value.code == "empty_value"
    with pytest.raises(NormalizationError) as info:
        bounded("A" * 201, "CURP", "la CURP")
    assert info.value.code == "value_too_long"
    assert "201" in info.value.en and "201" in info.value.es
    with pytest.raises(NormalizationError) as info:
        bounded(None, "CURP", "la CURP")
    assert info.value.code == "empty_value"
