from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.mx import curp as stdnum_curp
from stdnum.mx import rfc as stdnum_rfc
from vininfo import Vin

from puente.normalize.errors import NormalizationError
from puente.normalize.identifiers import (
    Plate,
    Serial,
    decode_vin,
    normalize_curp,
    normalize_phone,
    normalize_plate,
    normalize_rfc,
    normalize_serial,
    normalize_ssn,
    normalize_vin,
)


def append_curp_check(first17: str) -> str:
    return first17 + stdnum_curp.calc_check_digit(first17)


def with_curp_check(first17: str) -> str:
    curp = append_curp_check(first17)
    assert stdnum_curp.is_valid(curp)
    return curp


def with_rfc_check(first: str) -> str:
    rfc = first + stdnum_rfc.calc_check_digit(first)
    assert stdnum_rfc.is_valid(rfc, validate_check_digits=True)
    return rfc


def wrong_last(value: str) -> str:
    last = value[-1]
    return value[:-1] + ("1" if last == "0" else "0")


def raises(code: str, func, *args):
    with pytest.raises(NormalizationError) as info:
        func(*args)
    assert info.value.code == code
    return info.value


# --- CURP -------------------------------------------------------------------------------------

CURP_1988 = with_curp_check("HEGJ880304HDFRMN0")  # man born 1988-03-04 in Mexico City
CURP_2005 = with_curp_check("GOMA050612MJCNRNA")  # woman born 2005: letter at position 17
CURP_DOC = "BOXW310820HNERXN09"  # stdnum's documented example, born abroad (NE)


@pytest.mark.parametrize("curp", [CURP_1988, CURP_2005, CURP_DOC])
def test_valid_curps(curp: str) -> None:
    assert normalize_curp(curp) == curp


def test_curp_is_compacted_and_upper_cased() -> None:
    typed = f" {CURP_1988[:4].lower()}-{CURP_1988[4:10]} {CURP_1988[10:].lower()} "
    assert normalize_curp(typed) == CURP_1988


def test_curp_wrong_check_digit() -> None:
    err = raises("invalid_curp", normalize_curp, wrong_last(CURP_1988))
    assert "check digit" in err.en and "dígito verificador" in err.es
    assert wrong_last(CURP_1988) in err.en and wrong_last(CURP_1988) in err.es


@pytest.mark.parametrize(
    ("value", "en", "es"),
    [
        ("HEGJ880304HDFRMN0", "17 characters", "17 caracteres"),
        ("1EGJ880304HDFRMN06", "pattern", "formato"),
        (append_curp_check("HEGJ880231HDFRMN0"), "birth date '880231'", "fecha de nacimiento"),
        (append_curp_check("HEGJ880304XDFRMN0"), "sex 'X'", "sexo 'X'"),
        (append_curp_check("HEGJ880304HZZRMN0"), "state code 'ZZ'", "clave de entidad 'ZZ'"),
    ],
)
def test_curp_reasons(value: str, en: str, es: str) -> None:
    err = raises("invalid_curp", normalize_curp, value)
    assert en in err.en and es in err.es


# --- RFC --------------------------------------------------------------------------------------

RFC_PERSON = with_rfc_check("HEGJ880304AB")
RFC_COMPANY = "MAB9307148T4"  # company, 12 characters
RFC_DOC = "GODE561231GR8"


@pytest.mark.parametrize("rfc", [RFC_PERSON, RFC_COMPANY, RFC_DOC, with_rfc_check("ÑEXJ850101A1")])
def test_valid_rfcs(rfc: str) -> None:
    assert normalize_rfc(rfc) == rfc


def test_rfc_is_compacted() -> None:
    assert normalize_rfc("gode-561231-gr8") == "GODE561231GR8"
    assert normalize_rfc("GODE 561231 GR8") == "GODE561231GR8"


def test_rfc_wrong_check_digit() -> None:
    err = raises("invalid_rfc", normalize_rfc, "GODE561231GR9")
    assert "check digit" in err.en and "dígito verificador" in err.es
    raises("invalid_rfc", normalize_rfc, wrong_last(RFC_COMPANY))


@pytest.mark.parametrize(
    ("value", "en"),
    [
        ("GODE561231", "10 characters"),  # without homoclave: not enough to identify
        ("GODE561331GR8", "date '561331'"),
        ("GODE561231000", "homoclave '000'"),
        ("XAXX010101000", "generic RFC"),
        ("XEXX010101000", "foreigners"),
        ("G0DE561231GR8", "pattern"),
    ],
)
def test_rfc_reasons(value: str, en: str) -> None:
    assert en in raises("invalid_rfc", normalize_rfc, value).en


# --- SSN --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["536-90-4399", "536904399", " 536 90 4399 "])
def test_valid_ssn(value: str) -> None:
    assert normalize_ssn(value) == "536-90-4399"


@pytest.mark.parametrize(
    ("value", "en"),
    [
        ("000-12-3456", "area number 000"),
        ("666-12-3456", "area number 666"),
        ("912-34-5678", "ITIN"),
        ("123-00-4567", "group number 00"),
        ("123-45-0000", "serial 0000"),
        ("078-05-1120", "publicly known"),  # the Woolworth wallet card number
        ("12-345-678", "9 digits"),
        ("123-45-678A", "9 digits"),
    ],
)
def test_invalid_ssn(value: str, en: str) -> None:
    assert en in raises("invalid_ssn", normalize_ssn, value).en


# --- VIN --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "vin",
    [
        "1HGCM82633A004352",  # Honda, USA
        "1M8GDM9AXKP042788",  # check digit X
        "3VWFE21C04M000001",  # Volkswagen, Mexico
        "JH4KA7561PC008269",  # Acura, Japan: not North American, still verifies
        "WVWZZZ1JZXW000001",  # Volkswagen, Germany: no check digit in Europe
    ],
)
def test_valid_vins(vin: str) -> None:
    assert normalize_vin(vin) == vin


def test_vin_is_compacted_and_upper_cased() -> None:
    assert normalize_vin(" 1hgcm8263-3a004352 ") == "1HGCM82633A004352"


def test_north_american_vin_wrong_check_digit() -> None:
    vin = "1HGCM82634A004352"
    assert not Vin(vin).verify_checksum(check_year=False)
    err = raises("invalid_vin", normalize_vin, vin)
    assert "check digit" in err.en and "dígito verificador" in err.es


def test_non_north_american_vin_is_accepted_without_check_digit() -> None:
    vin = "WVWZZZ1JZXW000002"
    assert not Vin(vin).verify_checksum(check_year=False)
    assert normalize_vin(vin) == vin


@pytest.mark.parametrize(
    ("value", "en"),
    [
        ("1HGCM8263OA004352", "contains O"),
        ("1HGCM82633A00435", "16 characters"),
        ("1HGCM82633A0043521", "18 characters"),
        ("1HGCM82633A00435*", "letters and digits"),
    ],
)
def test_invalid_vin(value: str, en: str) -> None:
    assert en in raises("invalid_vin", normalize_vin, value).en


def test_decode_vin() -> None:
    assert decode_vin("1HGCM82633A004352") == {
        "country": "United States",
        "manufacturer": "Honda",
        "region": "North America",
        "model_year": 2003,
    }
    mexican = decode_vin("3VWFE21C04M000001")
    assert mexican["country"] == "Mexico" and mexican["model_year"] == 2004
    # year code P repeats (1993, 2023); a digit at position 7 means the 1980-2009 cycle
    assert decode_vin("JH4KA7561PC008269")["model_year"] == 1993
    assert decode_vin("ZZZ11111111111111")["manufacturer"] is None


@given(st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=17, max_size=17))
def test_decode_vin_never_raises_on_well_formed_vins(vin: str) -> None:
    decoded = decode_vin(vin)
    assert set(decoded) == {"country", "manufacturer", "region", "model_year"}
    assert decoded["model_year"] is None or 1980 <= decoded["model_year"] <= 2100


# --- Plates -----------------------------------------------------------------------------------


def test_plates() -> None:
    assert normalize_plate("ABC-123-A") == Plate("ABC123A", None)
    assert normalize_plate(" abc 1234 ", " tx ") == Plate("ABC1234", "TX")
    assert normalize_plate("AB-12-345", "mx-bcn") == Plate("AB12345", "MX-BCN")
    assert normalize_plate("0012", "Desconocido") == Plate("0012", None)


@pytest.mark.parametrize("value", ["A", "ABCDEFGHIJK", "ABC*12", "SIN PLACAS", "N/A", "ÁBC123"])
def test_invalid_plates(value: str) -> None:
    err = raises("invalid_plate", normalize_plate, value)
    assert value in err.en and value in err.es


# --- Firearm serials --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ab-123.45/6", Serial("AB123456", False, False)),
        ("0001234", Serial("0001234", False, False)),  # leading zeros are significant
        ("SN12345", Serial("SN12345", False, False)),
        ("12**45", Serial("12**45", False, True)),
        ("AB?12#", Serial("AB*12*", False, True)),
        ("AB_123", Serial("AB*123", False, True)),
        ("PARCIAL 12345", Serial("12345", False, True)),
        ("12345 (partial)", Serial("12345", False, True)),
    ],
)
def test_serials(value: str, expected: Serial) -> None:
    assert normalize_serial(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "OBLITERATED",
        "oblit",
        "Ground off",
        "BORRADO",
        "LIMADO",
        "ILEGIBLE",
        "SIN NUMERO",
        "sin número",
        "S/N",
        "SN",
        "LIMADO PARCIALMENTE",
        "serial obliterated by grinding",
    ],
)
def test_obliterated_serials(value: str) -> None:
    assert normalize_serial(value) == Serial(None, True, False)


@pytest.mark.parametrize("value", [None, "", "   ", "N/A", "NONE", "UNKNOWN", "Desconocido", "---", "???"])
def test_missing_serials(value: str | None) -> None:
    assert normalize_serial(value) == Serial(None, False, False)


def test_overlong_serial_field_is_read_for_obliteration_only() -> None:
    assert normalize_serial("NUMERO LIMADO " + "X" * 500) == Serial(None, True, False)
    assert normalize_serial("X" * 500) == Serial(None, False, False)


@given(st.one_of(st.none(), st.text()))
def test_serial_never_raises(value: str | None) -> None:
    serial = normalize_serial(value)
    if serial.normalized is not None:
        assert re.fullmatch(r"[A-Z0-9*]+", serial.normalized)
        assert not serial.obliterated
    if serial.obliterated:
        assert serial.normalized is None and not serial.partial


# --- Phones -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "region", "e164"),
    [
        ("55 1234 5678", "MX", "+525512345678"),  # Mexico City
        ("(664) 123-4567", "MX", "+526641234567"),  # Tijuana
        ("81-1234-5678", "MX", "+528112345678"),  # Monterrey
        ("+52 (656) 123 4567", "US", "+526561234567"),  # Ciudad Juárez, written from the US
        ("044 55 1234 5678", "MX", "+525512345678"),  # pre-2019 mobile prefix
        ("01 664 123 4567", "MX", "+526641234567"),  # pre-2019 long-distance prefix
        ("+52 1 55 1234 5678", "MX", "+525512345678"),  # pre-2019 international mobile "1"
        ("(915) 245-1234", "US", "+19152451234"),  # El Paso
        ("210.245.1234", "US", "+12102451234"),  # San Antonio
        ("+1 (956) 245-1234", "MX", "+19562451234"),  # Laredo, written from Mexico
        ("1-915-245-1234", "US", "+19152451234"),
    ],
)
def test_phones(value: str, region: str, e164: str) -> None:
    assert normalize_phone(value, region) == e164


@pytest.mark.parametrize("value", ["12345", "55 1234 567", "not a phone", "+999 1234 5678", "(915) 045-1234"])
def test_invalid_phones(value: str) -> None:
    err = raises("invalid_phone", normalize_phone, value, "US" if "915" in value else "MX")
    assert value in err.en and value in err.es


# --- Shared behaviour -------------------------------------------------------------------------

NORMALIZERS = [
    normalize_curp,
    normalize_rfc,
    normalize_ssn,
    normalize_vin,
    decode_vin,
    normalize_plate,
    normalize_phone,
]


@pytest.mark.parametrize("func", NORMALIZERS)
def test_overlong_values_are_rejected_at_once(func) -> None:
    err = raises("value_too_long", func, "9" * 1_000_000)
    assert len(err.en) < 300 and "1000000" in err.en


@pytest.mark.parametrize("func", NORMALIZERS)
@pytest.mark.parametrize("value", ["", "   "])
def test_empty_values(func, value: str) -> None:
    raises("empty_value", func, value)


@pytest.mark.parametrize("func", NORMALIZERS)
def test_messages_show_at_most_40_characters_of_the_value(func) -> None:
    codes = {
        normalize_curp: "invalid_curp",
        normalize_rfc: "invalid_rfc",
        normalize_ssn: "invalid_ssn",
        normalize_vin: "invalid_vin",
        decode_vin: "invalid_vin",
        normalize_plate: "invalid_plate",
        normalize_phone: "invalid_phone",
    }
    err = raises(codes[func], func, "Z" * 150)
    shown = re.search(r"'([^']*)'", err.en)
    assert shown and len(shown.group(1)) <= 40
    assert shown.group(1) in err.es


ALPHABET = st.text(alphabet=st.sampled_from(list("0123456789ABCDEFHJMNRXZñÑ&-/ .*?+()")), max_size=24)


@given(st.one_of(st.text(), ALPHABET))
def test_identifiers_raise_only_normalization_errors(value: str) -> None:
    for func in (*NORMALIZERS, lambda v: normalize_phone(v, "US")):
        try:
            func(value)
        except NormalizationError:
            pass
