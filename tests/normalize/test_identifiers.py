from __future__ import annotations

import datetime
import re

import phonenumbers
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from stdnum.mx import curp as stdnum_curp
from stdnum.mx import rfc as stdnum_rfc
from stdnum.us import ssn as stdnum_ssn
from vininfo import Vin
from vininfo.dicts import wmi as vininfo_wmi

from puente.normalize import identifiers
from puente.normalize.errors import NormalizationError, bounded
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


# --- Fast paths agree with the libraries ------------------------------------------------------
#
# Each normaliser tries a hand-written fast path before the library-based code (`_*_library`).
# These properties check that the public function and the library-based code give the same value,
# or the same error (code and both messages), on generated well-formed values, on corrupted ones
# and on arbitrary text; and that the fast path does take the well-formed valid ones.
# `pytest --hypothesis-show-statistics` shows how many were accepted and how many rejected.

AGREE = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
# Characters a corruption may put in: letters, digits, what people type, what they should not.
NOISE = UPPER + DIGITS + "abcxyzñÑ&ÉIOQß -_./*#+()\u00a0\u2013\u2015\t０"


def outcome(func, *args) -> tuple:
    try:
        return ("ok", func(*args))
    except NormalizationError as err:
        return ("error", err.code, err.en, err.es)


def assert_agree(public, library, label_en: str, label_es: str, value: str, *args, tag: str = "") -> None:
    """The public function (fast path first) and the library-based code give the same outcome."""

    def reference(v: str, *a):
        return library(bounded(v, label_en, label_es), *a)

    result = outcome(public, value, *args)
    assert result == outcome(reference, value, *args), value
    event(f"{tag or label_en} {'accepted' if result[0] == 'ok' else 'rejected'}")


@st.composite
def corrupted(draw, valid: st.SearchStrategy[str]) -> str:
    """A value with one character replaced, inserted or deleted, two swapped, or lower-cased."""
    value = draw(valid)
    i = draw(st.integers(0, len(value) - 1))
    c = draw(st.sampled_from(NOISE))
    kind = draw(st.sampled_from(["replace", "replace", "insert", "delete", "swap", "lower"]))
    if kind == "replace":
        return value[:i] + c + value[i + 1 :]
    if kind == "insert":
        return value[:i] + c + value[i:]
    if kind == "delete":
        return value[:i] + value[i + 1 :]
    if kind == "swap" and i + 1 < len(value):
        return value[:i] + value[i + 1] + value[i] + value[i + 2 :]
    return value.lower()


# Strategies are built once: building them inside composites would dominate the run time.
DATES = st.dates(datetime.date(1900, 1, 1), datetime.date(2099, 12, 31))
IMPOSSIBLE_DATES = st.tuples(
    st.integers(0, 99),
    st.sampled_from(
        [(2, 29), (2, 30), (4, 31), (6, 31), (9, 31), (11, 31), (13, 1), (0, 10), (5, 0), (12, 32)]
    ),
    st.sampled_from([1900, 2000]),
)


def yymmdd(draw, possible: bool) -> tuple[str, int]:
    """Six digits of date and its century (a CURP's 17th character tells 1900s from 2000s)."""
    if possible:
        date = draw(DATES)
        return date.strftime("%y%m%d"), date.year // 100 * 100
    yy, (mm, dd), century = draw(IMPOSSIBLE_DATES)  # 29 February: impossible in 3 years of 4
    return f"{yy:02d}{mm:02d}{dd:02d}", century


CURP_PARTS = st.tuples(
    st.text(UPPER, min_size=4, max_size=4),
    st.sampled_from("HM"),
    st.sampled_from(sorted(stdnum_curp._valid_states)),
    st.text(UPPER, min_size=3, max_size=3),
    st.sampled_from(DIGITS),
    st.sampled_from(UPPER),
)
CURP_BAD_PARTS = st.tuples(
    st.sampled_from(["", *sorted(stdnum_curp._name_blacklist)]),
    st.sampled_from(["", "X", "1"]),
    st.sampled_from(["", "ZZ", "XX", "NX"]),
    st.booleans(),
)


@st.composite
def curp_first17(draw, valid_parts: bool = True) -> str:
    initials, sex, state, consonants, digit, letter = draw(CURP_PARTS)
    possible_date = True
    if not valid_parts:
        bad_initials, bad_sex, bad_state, possible_date = draw(CURP_BAD_PARTS)
        initials, sex, state = bad_initials or initials, bad_sex or sex, bad_state or state
    date, century = yymmdd(draw, possible_date)
    return initials + date + sex + state + consonants + (digit if century == 1900 else letter)


valid_curps = curp_first17().map(append_curp_check)


@AGREE
@given(st.one_of(valid_curps, curp_first17(valid_parts=False).map(append_curp_check)))
def test_curp_fast_path_agrees_on_well_formed_values(value: str) -> None:
    for curp in (value, wrong_last(value), f" {value[:4].lower()}-{value[4:10]} {value[10:]} "):
        assert_agree(normalize_curp, identifiers._curp_library, "CURP", "la CURP", curp)
    # The fast path takes every CURP stdnum accepts.
    assert identifiers._curp_fast(value) == stdnum_curp.is_valid(value)


@AGREE
@given(corrupted(valid_curps))
def test_curp_fast_path_agrees_on_corrupted_values(value: str) -> None:
    assert_agree(normalize_curp, identifiers._curp_library, "CURP", "la CURP", value)


RFC_PARTS = st.tuples(
    st.booleans(),
    st.text(UPPER + "&Ñ", min_size=4, max_size=4),
    st.sampled_from("123456789ABCDEFGHJKLMNPRSTUV"),
    st.sampled_from("123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"),
)
RFC_BAD_PARTS = st.tuples(
    st.sampled_from(["", *sorted(stdnum_rfc._name_blacklist)]),
    st.sampled_from(["", "00", "W1", "10", "0A"]),
    st.booleans(),
)


@st.composite
def rfc_first(draw, valid_parts: bool = True) -> str:
    person, initials, h1, h2 = draw(RFC_PARTS)
    initials, homoclave, possible_date = initials if person else initials[1:], h1 + h2, True
    if not valid_parts:
        bad_initials, bad_homoclave, possible_date = draw(RFC_BAD_PARTS)
        initials = (bad_initials if person else "") or initials
        homoclave = bad_homoclave or homoclave
    date, _ = yymmdd(draw, possible_date)
    return initials + date + homoclave


def append_rfc_check(first: str) -> str:
    return first + stdnum_rfc.calc_check_digit(first)


valid_rfcs = rfc_first().map(append_rfc_check)


@AGREE
@given(st.one_of(valid_rfcs, rfc_first(valid_parts=False).map(append_rfc_check)))
def test_rfc_fast_path_agrees_on_well_formed_values(value: str) -> None:
    for rfc in (
        value,
        wrong_last(value),
        value[:-1] + "A",
        f"{value[:-9].lower()}-{value[-9:-3]}-{value[-3:]}",
    ):
        assert_agree(normalize_rfc, identifiers._rfc_library, "RFC", "el RFC", rfc)
    # The fast path takes every RFC stdnum accepts.
    assert identifiers._rfc_fast(value) == stdnum_rfc.is_valid(value, validate_check_digits=True)


@AGREE
@given(
    st.one_of(
        corrupted(valid_rfcs),
        st.sampled_from(["XAXX010101000", "XEXX010101000", "xaxx-010101-000", "GODE561231", "MAB930714"]),
    )
)
def test_rfc_fast_path_agrees_on_corrupted_values(value: str) -> None:
    assert_agree(normalize_rfc, identifiers._rfc_library, "RFC", "el RFC", value)


SSN_WRITTEN = ["{}{}{}", "{}-{}-{}", "{} {} {}", " {}-{} {} ", "{}_{}_{}", "{}\u2013{}\u2013{}", "{}-{}{}"]
NO = [""] * 8  # most values keep their random digits
SSN_PARTS = st.tuples(
    st.tuples(st.integers(1, 899), st.integers(1, 99), st.integers(1, 9999)).map(
        "{0[0]:03d}{0[1]:02d}{0[2]:04d}".format
    ),
    st.sampled_from([*NO, "000", "666", "900"]),  # area
    st.sampled_from([*NO, "00"]),  # group
    st.sampled_from([*NO, "0000"]),  # serial
    st.sampled_from([*NO, "078051120", "457555462", "219099999"]),  # blacklisted
    st.sampled_from(SSN_WRITTEN),
)


@st.composite
def ssns(draw) -> str:
    digits, area, group, serial, whole, written = draw(SSN_PARTS)
    digits = whole or (area or digits[:3]) + (group or digits[3:5]) + (serial or digits[5:])
    return written.format(digits[:3], digits[3:5], digits[5:])


@AGREE
@given(st.one_of(ssns(), corrupted(ssns())))
def test_ssn_fast_path_agrees(value: str) -> None:
    assert_agree(normalize_ssn, identifiers._ssn_library, "SSN", "el SSN", value)


VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
KNOWN_WMIS = sorted(k for k in vininfo_wmi.WMI if re.fullmatch(f"[{VIN_CHARS}]{{3}}", k))


def with_vin_check(vin: str) -> str:
    """The VIN with the check digit vininfo verifies, where its maker uses one."""
    for digit in "0123456789X":
        candidate = vin[:8] + digit + vin[9:]
        if Vin(candidate).verify_checksum(check_year=False):
            return candidate
    return vin


VIN_PARTS = st.tuples(
    st.one_of(st.sampled_from(KNOWN_WMIS), st.text(VIN_CHARS, min_size=3, max_size=3)),
    st.text(VIN_CHARS, min_size=14, max_size=14),
    st.sampled_from([True, True, True, False]),
)


@st.composite
def vins(draw) -> str:
    wmi, rest, check = draw(VIN_PARTS)
    return with_vin_check(wmi + rest) if check else wmi + rest


def decode_vin_library(vin: str) -> dict[str, str | int | None]:
    country, manufacturer, region, year = identifiers._decoded_library(identifiers._vin_format(vin))
    return {"country": country, "manufacturer": manufacturer, "region": region, "model_year": year}


def assert_vin_agrees(value: str) -> None:
    assert_agree(normalize_vin, identifiers._vin_library, "VIN", "el NIV (VIN)", value)
    assert_agree(decode_vin, decode_vin_library, "VIN", "el NIV (VIN)", value, tag="decode_vin")


@AGREE
@given(vins())
def test_vin_fast_path_agrees_on_well_formed_values(vin: str) -> None:
    for digit in "0123456789X":  # every check digit at position 9, so wrong ones too
        assert_vin_agrees(vin[:8] + digit + vin[9:])


@AGREE
@given(corrupted(vins()))
def test_vin_fast_path_agrees_on_corrupted_values(value: str) -> None:
    assert_vin_agrees(value)


def test_vin_year_table_reads_vininfos_year_position() -> None:
    for code in VIN_CHARS:
        assert Vin(f"1HG000000{code}0000000").years_code == code


def test_vin_year_table_is_rebuilt_when_the_utc_year_changes(monkeypatch) -> None:
    # vininfo lists a year code's years up to next year, so the table lives until 1 January (UTC).
    monkeypatch.setattr(identifiers, "_YEAR_CODES", {})
    monkeypatch.setattr(identifiers, "_YEAR_CODES_EXPIRE", 0.0)
    assert decode_vin("1HGCM82633A004352")["model_year"] == 2003
    next_year = datetime.datetime.now(datetime.UTC).year + 1
    assert (
        identifiers._YEAR_CODES_EXPIRE == datetime.datetime(next_year, 1, 1, tzinfo=datetime.UTC).timestamp()
    )
    assert set(identifiers._YEAR_CODES) == set(VIN_CHARS)


def test_library_copies_match_the_private_tables() -> None:
    assert set(identifiers._CURP_STATES.split()) == stdnum_curp._valid_states
    assert identifiers._CURP_BLACKLIST == stdnum_curp._name_blacklist
    assert identifiers._RFC_BLACKLIST == set(stdnum_rfc._name_blacklist)
    assert identifiers._SSN_BLACKLIST == stdnum_ssn._ssn_blacklist
    assert (
        not any(chr(c).isalnum() for c in identifiers._SEPARATORS) and ord("&") not in identifiers._SEPARATORS
    )


@AGREE
@given(st.one_of(st.text(), st.text(alphabet=NOISE)))
def test_compact_is_translate(value: str) -> None:
    assert identifiers._compact(value) == value.translate(identifiers._SEPARATORS)


# Phones: national significant numbers are drawn at random (most 10-digit Mexican and US numbers
# are valid, the rest exercise the rejections) and written the ways people write them.

MX_WRITTEN = [
    "{a} {b} {c}", "({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "{n}", "+52 {n}", "+52 ({a}) {b} {c}",
    "+52 1 {a} {b} {c}", "+521{n}", "044 {a} {b} {c}", "045{n}", "01 {a} {b} {c}", "01{n}", "52 {n}",
    "52{n}", "00 52 {n}", "0052{n}", "011 52 {n}", "+52-{a}-{b}-{c}", " ( {a} ) {b} {c}. ", "{n} ext. 12",
    "{n} x12", "{n}#", "tel:+52{n}", "+52 {n};ext=3", "＋52 {n}", "++52{n}", "+ 52 {n}", "(+52) {n}",
    "{n}{n}", "{a} {b}", "MX {n}", "+52 {a} {b} {c} / {b}", "+52 0 {n}", "+0052 {n}", "52 1 {n}",
]  # fmt: skip
US_WRITTEN = [
    "({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "{a} {b} {c}", "{n}", "1-{a}-{b}-{c}", "1 ({a}) {b} {c}",
    "1{n}", "+1 {n}", "+1 ({a}) {b}-{c}", "+1-{a}-{b}-{c}", "011 1 {n}", "001 {n}", "00 1 {n}", "{b}-{c}",
    "1 {b} {c}", "({a}) {b}-{c} ext 7", "{a}-{b}-{c} x99", "+1 {n}#", "1-800-FLOWERS", "{n}{c}", "11{n}",
    "+11{n}", "0{n}", "+{n}",
]  # fmt: skip
ALL_WRITTEN = MX_WRITTEN + US_WRITTEN
PHONE_REGIONS = ["MX"] * 5 + ["US"] * 5 + ["CA", "GT", "PR", "AG", "mx", "XX", ""]


# Area codes of Mexico (2 or 3 digits), of the US, Canada, Puerto Rico, Antigua, Jamaica, toll-free
# and premium numbers; and random ones.
AREAS = ["55", "33", "81", "664", "656", "614", "999", "222", "915", "210", "956", "212", "416", "787",
         "268", "876", "800", "900"]  # fmt: skip


PHONE_PARTS = st.tuples(
    st.sampled_from([*AREAS, "0", "1", "5"]),
    st.text(DIGITS, max_size=3),  # completes the area code to 3 digits at most
    st.sampled_from("234567891"),  # an exchange starting with 2-9, as most do, keeps most numbers valid
    st.text(DIGITS, min_size=13, max_size=13),
    st.sampled_from([2, 3]),
)


def phone_written(forms: list[str], lengths: st.SearchStrategy[int] = st.just(10)) -> st.SearchStrategy[str]:
    def write(parts: tuple) -> str:
        (area, more, exchange, rest, cut), length, form = parts
        n = (area + more[: 3 - len(area)] + exchange + rest)[:length]
        return form.format(n=n, a=n[:cut], b=n[cut:6], c=n[6:])

    return st.tuples(PHONE_PARTS, lengths, st.sampled_from(forms)).map(write)


def assert_phone_agrees(value: str, region: str) -> None:
    assert_agree(normalize_phone, identifiers._phone_library, "Phone", "el teléfono", value, region.upper())


@AGREE
@given(
    phone_written(ALL_WRITTEN, st.sampled_from([10] * 9 + [7, 8, 9, 11, 12, 13])),
    st.sampled_from(PHONE_REGIONS),
)
def test_phone_fast_path_agrees_on_written_forms(value: str, region: str) -> None:
    assert_phone_agrees(value, region)


@AGREE
@given(corrupted(phone_written(ALL_WRITTEN)), st.sampled_from(PHONE_REGIONS))
def test_phone_fast_path_agrees_on_corrupted_forms(value: str, region: str) -> None:
    assert_phone_agrees(value, region)


# Forms the fast path takes whenever the number is valid.
MX_FAST = ["{a} {b} {c}", "({a}) {b}-{c}", "{a}-{b}-{c}", "{n}", "+52 {n}", "+52 1 {a} {b} {c}",
           "044 {a} {b} {c}", "01 {a} {b} {c}", "52 {n}", "00 52 {n}", "001 {n}"]  # fmt: skip
US_FAST = ["({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "{n}", "1-{a}-{b}-{c}", "1{n}", "+1 ({a}) {b}-{c}",
           "011 1 {n}", "011 52 {n}", "+52 {n}"]  # fmt: skip


@AGREE
@given(
    st.one_of(
        phone_written(MX_FAST).map(lambda v: (v, "MX")), phone_written(US_FAST).map(lambda v: (v, "US"))
    )
)
def test_phone_fast_path_takes_valid_mexican_and_us_numbers(case: tuple[str, str]) -> None:
    value, region = case
    fast = identifiers._phone_fast(value, region)
    library = outcome(identifiers._phone_library, value, region)
    assert fast is None or ("ok", fast) == library, value
    assert (fast is not None) == (library[0] == "ok"), value
    event("valid" if fast else "invalid")


REGION_EXAMPLES = [
    (region, md.country_code, example)
    for region in sorted(phonenumbers.SUPPORTED_REGIONS)
    for md in [phonenumbers.PhoneMetadata.metadata_for_region(region)]
    for example in sorted(
        {d.example_number for d in (md.fixed_line, md.mobile, md.toll_free) if d and d.example_number}
    )
]
ANY_REGION_PARTS = st.tuples(
    st.sampled_from(REGION_EXAMPLES),
    st.sampled_from(["example", "example", "changed", "random"]),
    st.integers(0, 20),
    st.text(DIGITS, min_size=3, max_size=15),
    st.sampled_from(["", "", "+{cc} ", "{cc}", "0", "1", "00{cc}", "011{cc}", "+{cc}0", "+{cc}1"]),
    st.sampled_from(["own", "own", "MX", "US"]),
)


@st.composite
def any_region_number(draw) -> tuple[str, str]:
    """A number of any region, from its example numbers (one digit changed) or random digits."""
    (region, cc, example), kind, i, random_digits, prefix, default_region = draw(ANY_REGION_PARTS)
    digits = {
        "example": example,
        "changed": example[: i % len(example)] + "5" + example[i % len(example) + 1 :],
        "random": random_digits,
    }[kind]
    return prefix.format(cc=cc) + digits, region if default_region == "own" else default_region


@AGREE
@given(any_region_number())
def test_phone_fast_path_agrees_in_every_region(case: tuple[str, str]) -> None:
    assert_phone_agrees(*case)


@AGREE
@given(st.one_of(st.text(), ALPHABET, st.text(alphabet=NOISE, max_size=20)))
def test_fast_paths_agree_on_arbitrary_text(value: str) -> None:
    for public, library, en, es in (
        (normalize_curp, identifiers._curp_library, "CURP", "la CURP"),
        (normalize_rfc, identifiers._rfc_library, "RFC", "el RFC"),
        (normalize_ssn, identifiers._ssn_library, "SSN", "el SSN"),
    ):
        assert_agree(public, library, en, es, value)
    assert_vin_agrees(value)
    for region in ("MX", "US"):
        assert_phone_agrees(value, region)
