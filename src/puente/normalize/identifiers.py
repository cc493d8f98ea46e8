"""Identifiers of persons, vehicles, firearms and phones, validated with the standard libraries.

Every function strips the separators people type, upper-cases, validates and returns the canonical
form, or raises NormalizationError with a code and messages a data steward can act on. Results of
valid values are cached: loads repeat the same people, vehicles and phones across rows.

Loads must reach 50,000 rows/s, and the libraries (python-stdnum, vininfo, phonenumbers) cost
20-60 us per new value. So each identifier first goes through a fast path that accepts exactly
what the library accepts for the common well-formed spellings and returns the same canonical form;
anything the fast path does not accept goes to the library-based code (`_*_library`), which stays
the reference and produces every error message. The tests check that both paths agree.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import phonenumbers
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError
from stdnum.mx import curp as _curp
from stdnum.mx import rfc as _rfc
from stdnum.us import ssn as _ssn
from vininfo import Vin

from puente.normalize.checkdigits import curp_check_digit, rfc_check_digit, valid_date, vin_check_digit
from puente.normalize.errors import MAX_INPUT_LENGTH, NormalizationError, bounded, excerpt
from puente.normalize.text import fold

__all__ = [
    "Plate",
    "Serial",
    "decode_vin",
    "normalize_curp",
    "normalize_phone",
    "normalize_plate",
    "normalize_rfc",
    "normalize_serial",
    "normalize_ssn",
    "normalize_vin",
]

_CACHE = 65_536
# Separators people type inside identifiers: whitespace (incl. no-break space), dashes, underscores.
_SEPARATORS = str.maketrans("", "", " \t\r\n\f\v\u00a0-_\u2010\u2011\u2012\u2013\u2014")
_ASCII_ALNUM = re.compile(r"[A-Z0-9]+")


def _compact(raw: str) -> str:
    """raw.translate(_SEPARATORS), skipping translate's per-character cost in the usual cases."""
    if raw.isalnum():  # no separator is alphanumeric
        return raw
    compact = raw.replace("-", "").replace(" ", "")
    # Only dashes and spaces were there, besides letters, digits and the "&" of some RFCs.
    if compact.isalnum() or ("&" in compact and compact.replace("&", "").isalnum()):
        return compact
    return raw.translate(_SEPARATORS)


def _err(code: str, en: str, es: str) -> NormalizationError:
    return NormalizationError(code, en, es)


def _n_en(n: int) -> str:
    return "1 character" if n == 1 else f"{n} characters"


def _n_es(n: int) -> str:
    return "1 carácter" if n == 1 else f"{n} caracteres"


# --- CURP -------------------------------------------------------------------------------------


# stdnum.mx.curp's own tables (read from the library, not copied): the states validate() accepts
# and the initials it refuses. The fast path must accept exactly what the library accepts.
_CURP_STATES = " ".join(sorted(_curp._valid_states))
_CURP_SHAPE = re.compile(
    rf"[A-Z]{{4}}[0-9]{{6}}[HM](?:{'|'.join(_CURP_STATES.split())})[A-Z]{{3}}[0-9A-Z][0-9]"
)
_CURP_BLACKLIST = frozenset(_curp._name_blacklist)


def _curp_fast(number: str) -> bool:
    """Whether stdnum.mx.curp.validate accepts `number` (already compacted and upper-cased)."""
    # Hand-written because stdnum's validate costs ~35 us; this checks the same shape, initials,
    # date (letter at position 17: born 2000 or later), sex, state and check digit.
    return (
        _CURP_SHAPE.fullmatch(number) is not None
        and number[:4] not in _CURP_BLACKLIST
        and valid_date(number[4:10], 1900 if number[16] <= "9" else 2000)
        and number[17] == curp_check_digit(number[:17])
    )


@lru_cache(maxsize=_CACHE)
def _curp_checked(raw: str) -> str:
    number = _compact(raw).upper()
    if _curp_fast(number):
        return number
    return _curp_library(raw)


def _curp_library(raw: str) -> str:
    number = raw.translate(_SEPARATORS).upper()
    shown = excerpt(raw)
    try:
        return _curp.validate(number)
    except InvalidLength:
        raise _err(
            "invalid_curp",
            f"CURP '{shown}' has {_n_en(len(number))}; a CURP has 18",
            f"La CURP '{shown}' tiene {_n_es(len(number))}; una CURP tiene 18",
        ) from None
    except InvalidChecksum:
        raise _err(
            "invalid_curp",
            f"CURP '{shown}' has a wrong check digit; re-key it from the source document",
            f"La CURP '{shown}' tiene un dígito verificador incorrecto; vuelva a capturarla del documento",
        ) from None
    except InvalidComponent:
        raise _curp_component_error(number, shown) from None
    except ValidationError:
        raise _err(
            "invalid_curp",
            f"CURP '{shown}' does not follow the pattern: 4 letters, 6 digits of birth date, "
            "6 letters, 1 letter or digit, 1 check digit",
            f"La CURP '{shown}' no sigue el formato: 4 letras, 6 dígitos de fecha de nacimiento, "
            "6 letras, 1 letra o dígito y 1 dígito verificador",
        ) from None


def _curp_component_error(number: str, shown: str) -> NormalizationError:
    # stdnum reports every component failure alike; name the part so the steward knows what to check.
    try:
        _curp.get_birth_date(number)
    except ValidationError:
        return _err(
            "invalid_curp",
            f"CURP '{shown}' has an impossible birth date '{number[4:10]}' (YYMMDD)",
            f"La CURP '{shown}' tiene una fecha de nacimiento imposible '{number[4:10]}' (AAMMDD)",
        )
    if number[10] not in "HM":
        return _err(
            "invalid_curp",
            f"CURP '{shown}' has sex '{number[10]}' at position 11; it must be H or M",
            f"La CURP '{shown}' tiene el sexo '{number[10]}' en la posición 11; debe ser H o M",
        )
    return _err(
        "invalid_curp",
        f"CURP '{shown}' has an unknown state code '{number[11:13]}' (positions 12-13) "
        f"or initials '{number[:4]}' that are never issued",
        f"La CURP '{shown}' tiene una clave de entidad '{number[11:13]}' desconocida (posiciones 12-13) "
        f"o iniciales '{number[:4]}' que nunca se asignan",
    )


def normalize_curp(value: str) -> str:
    """Canonical CURP: 18 characters, upper case, check digit verified.

    Raises NormalizationError("invalid_curp") naming the failing part: length, pattern, birth
    date, sex, state code or check digit.
    """
    return _curp_checked(bounded(value, "CURP", "la CURP"))


# --- RFC --------------------------------------------------------------------------------------

# SAT's generic RFCs for the general public and for foreigners: valid on invoices, identify no one.
_GENERIC_RFC = {"XAXX010101000": "the general public", "XEXX010101000": "foreigners"}
_GENERIC_RFC_ES = {"XAXX010101000": "el público en general", "XEXX010101000": "extranjeros"}


# What stdnum.mx.rfc.validate(validate_check_digits=True) accepts: initials (4 for a person, 3 for
# a company), date, then a homoclave whose last character is the check digit.
_RFC_PERSON = re.compile(r"[A-Z&Ñ]{4}[0-9]{6}[1-9A-V][1-9A-Z][0-9A]")
_RFC_COMPANY = re.compile(r"[A-Z&Ñ]{3}[0-9]{6}[1-9A-V][1-9A-Z][0-9A]")
# stdnum.mx.rfc's own list of refused initials of persons.
_RFC_BLACKLIST = frozenset(_rfc._name_blacklist)


def _rfc_fast(number: str) -> bool:
    """Whether _rfc_library would return `number` (already compacted and upper-cased)."""
    # Hand-written because stdnum's validate costs ~19 us; same shape, initials, date and check digit.
    if len(number) == 13:
        if (
            _RFC_PERSON.fullmatch(number) is None
            or number[:4] in _RFC_BLACKLIST
            or not valid_date(number[4:10], 2000)
        ):
            return False
    elif len(number) != 12 or _RFC_COMPANY.fullmatch(number) is None or not valid_date(number[3:9], 2000):
        return False
    return number not in _GENERIC_RFC and number[-1] == rfc_check_digit(number[:-1])


@lru_cache(maxsize=_CACHE)
def _rfc_checked(raw: str) -> str:
    number = _compact(raw).upper()
    if _rfc_fast(number):
        return number
    return _rfc_library(raw)


def _rfc_library(raw: str) -> str:
    number = raw.translate(_SEPARATORS).upper()
    shown = excerpt(raw)
    if len(number) not in (12, 13):
        raise _err(
            "invalid_rfc",
            f"RFC '{shown}' has {_n_en(len(number))}; an RFC has 13 for a person "
            "or 12 for a company, homoclave included",
            f"El RFC '{shown}' tiene {_n_es(len(number))}; un RFC tiene 13 para persona física "
            "o 12 para persona moral, con homoclave",
        )
    if number in _GENERIC_RFC:
        raise _err(
            "invalid_rfc",
            f"RFC '{shown}' is the SAT generic RFC for {_GENERIC_RFC[number]} and identifies no one; "
            "leave the field empty",
            f"El RFC '{shown}' es el RFC genérico del SAT para {_GENERIC_RFC_ES[number]} y no identifica "
            "a nadie; deje el campo vacío",
        )
    person = len(number) == 13
    try:
        return _rfc.validate(number, validate_check_digits=True)
    except InvalidChecksum:
        raise _err(
            "invalid_rfc",
            f"RFC '{shown}' has a wrong check digit; re-key it from the SAT certificate",
            f"El RFC '{shown}' tiene un dígito verificador incorrecto; vuelva a capturarlo de la constancia "
            "del SAT",
        ) from None
    except InvalidComponent:
        pass
    except ValidationError:
        kind_en, kind_es = ("4 letters", "4 letras") if person else ("3 letters", "3 letras")
        raise _err(
            "invalid_rfc",
            f"RFC '{shown}' does not follow the pattern: {kind_en}, 6 digits of date (YYMMDD), "
            "3 characters of homoclave",
            f"El RFC '{shown}' no sigue el formato: {kind_es}, 6 dígitos de fecha (AAMMDD) "
            "y 3 caracteres de homoclave",
        ) from None
    if _rfc.is_valid(number, validate_check_digits=False):
        raise _err(
            "invalid_rfc",
            f"RFC '{shown}' has an impossible homoclave '{number[-3:]}'",
            f"El RFC '{shown}' tiene una homoclave imposible '{number[-3:]}'",
        )
    start = 4 if person else 3
    raise _err(
        "invalid_rfc",
        f"RFC '{shown}' has an impossible date '{number[start : start + 6]}' (YYMMDD) "
        "or initials that are never issued",
        f"El RFC '{shown}' tiene una fecha imposible '{number[start : start + 6]}' (AAMMDD) "
        "o iniciales que nunca se asignan",
    )


def normalize_rfc(value: str) -> str:
    """Canonical RFC: 13 characters for a person, 12 for a company, check digit verified.

    The 10-character form without homoclave and SAT's generic RFCs are rejected.
    """
    return _rfc_checked(bounded(value, "RFC", "el RFC"))


# --- SSN --------------------------------------------------------------------------------------

_SSN_DIGITS = re.compile(r"[0-9]{9}")
# stdnum.us.ssn's own blacklist.
_SSN_BLACKLIST = frozenset(_ssn._ssn_blacklist)


@lru_cache(maxsize=_CACHE)
def _ssn_checked(raw: str) -> str:
    # Hand-written because stdnum's validate costs ~20 us (mostly its Unicode clean-up, a no-op on
    # nine ASCII digits); same area, group, serial and blacklist checks.
    digits = _compact(raw)
    if (
        _SSN_DIGITS.fullmatch(digits)
        and digits[:3] not in ("000", "666")
        and digits[0] != "9"
        and digits[3:5] != "00"
        and digits[5:] != "0000"
    ):
        formatted = f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
        if formatted not in _SSN_BLACKLIST:
            return formatted
    return _ssn_library(raw)


def _ssn_library(raw: str) -> str:
    digits = raw.translate(_SEPARATORS)
    shown = excerpt(raw)
    if not _SSN_DIGITS.fullmatch(digits):
        raise _err(
            "invalid_ssn",
            f"SSN '{shown}' must be 9 digits, written 123-45-6789",
            f"El SSN '{shown}' debe tener 9 dígitos, escritos 123-45-6789",
        )
    try:
        _ssn.validate(digits)
    except ValidationError:
        area, group, serial = digits[:3], digits[3:5], digits[5:]
        if area in ("000", "666") or area[0] == "9":
            en = f"has area number {area}; SSNs never start with 000, 666 or 9 (9xx numbers are ITINs)"
            es = f"tiene el número de área {area}; un SSN nunca empieza con 000, 666 ni 9 (9xx son ITIN)"
        elif group == "00":
            en, es = "has group number 00, which is never issued", "tiene el grupo 00, que nunca se asigna"
        elif serial == "0000":
            en, es = "has serial 0000, which is never issued", "tiene la serie 0000, que nunca se asigna"
        else:
            en = "is a publicly known invalid number (advertising or misuse)"
            es = "es un número inválido conocido públicamente (publicidad o uso indebido)"
        raise _err("invalid_ssn", f"SSN '{shown}' {en}", f"El SSN '{shown}' {es}") from None
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def normalize_ssn(value: str) -> str:
    """Canonical SSN "123-45-6789"; area 000/666/9xx, group 00, serial 0000 are rejected."""
    return _ssn_checked(bounded(value, "SSN", "el SSN"))


# --- VIN --------------------------------------------------------------------------------------

_VIN_CHARS = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
_NORTH_AMERICA = frozenset("12345")


def _vin_format(raw: str) -> str:
    vin = _compact(raw).upper()
    if _VIN_CHARS.fullmatch(vin):
        return vin
    shown = excerpt(raw)
    if len(vin) != 17:
        raise _err(
            "invalid_vin",
            f"VIN '{shown}' has {_n_en(len(vin))}; a VIN has 17 "
            "(vehicles built before 1981 have shorter numbers: record those as serials)",
            f"El NIV (VIN) '{shown}' tiene {_n_es(len(vin))}; un NIV tiene 17 "
            "(los vehículos anteriores a 1981 tienen números más cortos: regístrelos como serie)",
        )
    bad = sorted({c for c in vin if c in "IOQ"})
    if bad:
        letters = ", ".join(bad)
        raise _err(
            "invalid_vin",
            f"VIN '{shown}' contains {letters}; VINs never use I, O or Q (usually a misread 1 or 0)",
            f"El NIV (VIN) '{shown}' contiene {letters}; un NIV nunca usa I, O ni Q "
            "(suele ser un 1 o un 0 mal leído)",
        )
    raise _err(
        "invalid_vin",
        f"VIN '{shown}' contains characters other than letters and digits",
        f"El NIV (VIN) '{shown}' contiene caracteres que no son letras ni dígitos",
    )


# Per-WMI facts vininfo derives from the first three characters alone: country, manufacturer,
# region, whether the maker uses the check digit and where the model-year code sits. Filled on first
# sight of a WMI by asking vininfo itself; at most 33**3 entries.
_WMI_FACTS: dict[str, tuple[str | None, str | None, str | None, bool, int]] = {}


def _wmi_facts(wmi: str) -> tuple[str | None, str | None, str | None, bool, int]:
    facts = _WMI_FACTS.get(wmi)
    if facts is None:
        decoded = Vin(wmi + "0" * 14)
        assembler = decoded.assembler
        manufacturer = decoded.manufacturer
        facts = (
            decoded.country,
            None if manufacturer == "UnsupportedBrand" else manufacturer,
            decoded.region,
            bool(getattr(assembler, "uses_sae_checkdigit", True)),
            int(getattr(assembler, "year_position", 0)),
        )
        _WMI_FACTS[wmi] = facts
    return facts


@lru_cache(maxsize=_CACHE)
def _vin_checked(raw: str) -> str:
    vin = _vin_format(raw)
    # Hand-written check digit because building a vininfo.Vin costs ~20 us; same rule as
    # _vin_library: verified only in North America and only for makers that use it.
    if vin[0] in _NORTH_AMERICA and _wmi_facts(vin[:3])[3] and vin[8] != vin_check_digit(vin):
        return _vin_library(raw)
    return vin


def _vin_library(raw: str) -> str:
    vin = _vin_format(raw)
    if vin[0] in _NORTH_AMERICA:
        # The check digit is mandatory in North America (49 CFR 565) and optional elsewhere.
        decoded = Vin(vin)
        uses_check_digit = getattr(decoded.assembler, "uses_sae_checkdigit", True)
        if uses_check_digit and not decoded.verify_checksum(check_year=False):
            shown = excerpt(raw)
            raise _err(
                "invalid_vin",
                f"VIN '{shown}' has a wrong check digit (position 9); re-key it from the title "
                "or the vehicle's plate",
                f"El NIV (VIN) '{shown}' tiene un dígito verificador incorrecto (posición 9); vuelva a "
                "capturarlo de la factura, la tarjeta de circulación o la placa del vehículo",
            )
    return vin


def normalize_vin(value: str) -> str:
    """Canonical VIN: 17 characters without I, O, Q; check digit verified when the first is 1-5."""
    return _vin_checked(bounded(value, "VIN", "el NIV (VIN)"))


def _decoded_library(vin: str) -> tuple[str | None, str | None, str | None, int | None]:
    decoded = Vin(vin)
    manufacturer = decoded.manufacturer
    if manufacturer == "UnsupportedBrand":
        manufacturer = None
    years = decoded.years
    year: int | None = None
    if len(years) == 1:
        year = years[0]
    elif years and decoded.verify_checksum(check_year=False):
        # Year codes repeat every 30 years; under 49 CFR 565 a letter at position 7 means the
        # 2010-2039 cycle, a digit the 1980-2009 one. Only VINs built to that rule carry a valid
        # check digit, so without one the year stays unknown rather than guessed.
        modern = vin[6].isalpha()
        candidates = [y for y in years if (y >= 2010) == modern]
        year = candidates[0] if len(candidates) == 1 else None
    return decoded.country, manufacturer, decoded.region, year


_VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
# Model year of each year code, as _decoded_library settles it: (the only year, the year when the
# check digit is valid and position 7 is a letter, the same when it is a digit). vininfo lists the
# years up to next year, so the table is rebuilt when the UTC year changes.
_YEAR_CODES: dict[str, tuple[int | None, int | None, int | None]] = {}
_YEAR_CODES_EXPIRE = 0.0


def _single(years: list[int]) -> int | None:
    return years[0] if len(years) == 1 else None


def _year_codes() -> dict[str, tuple[int | None, int | None, int | None]]:
    global _YEAR_CODES, _YEAR_CODES_EXPIRE
    if time.time() >= _YEAR_CODES_EXPIRE:
        now = datetime.now(tz=UTC)
        table: dict[str, tuple[int | None, int | None, int | None]] = {}
        for code in _VIN_ALPHABET:
            # "1HG" (Honda) keeps the SAE year position 10; vininfo's years depend on that code only.
            years = Vin(f"1HG000000{code}0000000").years
            if len(years) <= 1:
                table[code] = (_single(years), None, None)
            else:
                table[code] = (
                    None,
                    _single([y for y in years if y >= 2010]),
                    _single([y for y in years if y < 2010]),
                )
        _YEAR_CODES = table
        _YEAR_CODES_EXPIRE = datetime(now.year + 1, 1, 1, tzinfo=UTC).timestamp()
    return _YEAR_CODES


def _decoded(vin: str) -> tuple[str | None, str | None, str | None, int | None]:
    # Two dict lookups instead of a vininfo.Vin (~22 us): results identical to _decoded_library.
    country, manufacturer, region, uses_check_digit, year_position = _wmi_facts(vin[:3])
    year, modern, classic = _year_codes()[vin[9 + year_position]]
    if year is None:
        year = modern if vin[6].isalpha() else classic
        if year is not None and not (uses_check_digit and vin[8] == vin_check_digit(vin)):
            year = None
    return country, manufacturer, region, year


def decode_vin(vin: str) -> dict[str, str | int | None]:
    """Country, manufacturer, region and model year of a VIN; unknown parts are None.

    Only the format is required (not the check digit), so any 17-character VIN decodes.
    """
    country, manufacturer, region, year = _decoded(_vin_format(bounded(vin, "VIN", "el NIV (VIN)")))
    return {"country": country, "manufacturer": manufacturer, "region": region, "model_year": year}


# --- Plates -----------------------------------------------------------------------------------

_PLATE_SEPARATORS = str.maketrans("", "", " \t\u00a0-_.\u2010\u2011\u2012\u2013\u2014")
_PLATE_RE = re.compile(r"[A-Z0-9]{2,10}")
# Words typed in the plate field when there is no plate; as letters they would pass as a plate.
_NO_PLATE = frozenset(
    {
        "SINPLACA",
        "SINPLACAS",
        "SP",
        "NOPLATE",
        "NOPLATES",
        "NOTAG",
        "NOTAGS",
        "NONE",
        "NA",
        "ND",
        "UNKNOWN",
        "UNK",
        "DESCONOCIDO",
        "DESCONOCIDA",
        "NULL",
        "SINDATO",
        "SINDATOS",
    }
)
_UNKNOWN_ISSUER = frozenset({"", "NA", "ND", "NONE", "NULL", "UNK", "UNKNOWN", "DESCONOCIDO", "XX", "ZZ"})


@dataclass(frozen=True, slots=True)
class Plate:
    number: str
    issuer: str | None


@lru_cache(maxsize=1_024)
def _issuer(raw: str) -> str | None:
    issuer = " ".join(raw.split()).upper()
    return None if fold(issuer).replace(" ", "") in _UNKNOWN_ISSUER else issuer


@lru_cache(maxsize=_CACHE)
def _plate_number(raw: str) -> str:
    number = raw.translate(_PLATE_SEPARATORS).upper()
    shown = excerpt(raw)
    if fold(number).replace(" ", "") in _NO_PLATE:
        raise _err(
            "invalid_plate",
            f"Plate '{shown}' says there is no plate; leave the field empty instead",
            f"La placa '{shown}' indica que no hay placa; deje el campo vacío",
        )
    if not _PLATE_RE.fullmatch(number):
        if _ASCII_ALNUM.fullmatch(number):
            en = f"has {_n_en(len(number))}; a plate has 2 to 10 letters and digits"
            es = f"tiene {_n_es(len(number))}; una placa tiene de 2 a 10 letras y dígitos"
        else:
            en = "contains characters other than letters, digits, spaces and dashes"
            es = "contiene caracteres que no son letras, dígitos, espacios ni guiones"
        raise _err("invalid_plate", f"Plate '{shown}' {en}", f"La placa '{shown}' {es}")
    return number


def normalize_plate(value: str, issuer: str | None = None) -> Plate:
    """Plate number in upper case without spaces, dashes or dots ("ABC-123-A" -> "ABC123A").

    The issuer ("TX", "MX-BCN") is kept as given, upper-cased; None when missing or unknown.
    """
    number = _plate_number(bounded(value, "Plate", "la placa"))
    if issuer is not None:
        issuer = _issuer(bounded(issuer, "Plate issuer", "el emisor de la placa")) if issuer.strip() else None
    return Plate(number, issuer)


# --- Firearm serials --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Serial:
    normalized: str | None
    obliterated: bool
    partial: bool


_MISSING = Serial(None, False, False)
_OBLITERATED = Serial(None, True, False)

# Whole-field values (letters and digits only) meaning "there is no serial to record".
_SERIAL_MISSING = frozenset({"", "NA", "NONE", "NULL", "UNKNOWN", "UNK", "DESCONOCIDO", "DESCONOCIDA", "ND"})
# Whole-field values meaning "the weapon has no legible serial".
_SERIAL_NONE_ON_WEAPON = frozenset({"SN", "SINNUMERO", "SINSERIE", "NOSERIAL"})
# Words that, anywhere in the field, say the serial was destroyed.
_OBLITERATION_WORDS = frozenset(
    {
        "OBLITERATED",
        "OBLITERADO",
        "OBLITERADA",
        "OBLIT",
        "DEFACED",
        "ILLEGIBLE",
        "ILEGIBLE",
        "BORRADO",
        "BORRADA",
        "LIMADO",
        "LIMADA",
        "RASPADO",
        "RASPADA",
        "ERASED",
    }
)
_OBLITERATION_PHRASES = (" GROUND OFF ", " SIN NUMERO ", " SIN SERIE ", " NO SERIAL ")
_PARTIAL_WORDS = frozenset({"PARCIAL", "PARTIAL"})
# Removed as whole words in any case; accents cannot occur in these two words.
_PARTIAL_RE = re.compile(r"(?<![A-Za-z0-9])(?:PARCIAL|PARTIAL)(?![A-Za-z0-9])", re.IGNORECASE)
_PLACEHOLDERS = frozenset("*?_#")
_SCAN_LIMIT = MAX_INPUT_LENGTH


def _serial_char(c: str) -> str:
    if c in _PLACEHOLDERS:
        return "*"
    return fold(c).replace(" ", "")


def _says_obliterated(words: str) -> bool:
    if not _OBLITERATION_WORDS.isdisjoint(words.split()):
        return True
    padded = f" {words} "
    return any(p in padded for p in _OBLITERATION_PHRASES)


class _SerialTable(dict[int, str]):
    """Keeps ASCII letters and digits (accents folded), turns placeholders into "*", drops the rest."""

    def __missing__(self, cp: int) -> str:
        result = _serial_char(chr(cp))
        if len(self) < 20_000:
            self[cp] = result
        return result


_SERIAL_TABLE = _SerialTable()


@lru_cache(maxsize=_CACHE)
def _serial(value: str) -> Serial:
    words = fold(value)
    compact = words.replace(" ", "")
    if compact in _SERIAL_MISSING:
        # Also "?" or "***" alone: placeholders with no readable character record nothing.
        return _MISSING
    if compact in _SERIAL_NONE_ON_WEAPON or _says_obliterated(words):
        return _OBLITERATED
    partial = not _PARTIAL_WORDS.isdisjoint(words.split())
    if partial:
        value = _PARTIAL_RE.sub(" ", value)
    normalized = value.translate(_SERIAL_TABLE)
    if not normalized.strip("*"):
        return Serial(None, False, partial)
    return Serial(normalized, False, partial or "*" in normalized)


def normalize_serial(value: str | None) -> Serial:
    """Firearm serial: upper case without spaces, dashes, dots or slashes; never raises.

    "OBLITERATED", "LIMADO", "S/N", "SIN NUMERO" and text containing such words give
    obliterated=True and no serial; "", "N/A", "NONE", "UNKNOWN", "DESCONOCIDO" and None give a
    missing serial (obliterated=False). Placeholders "*", "?", "_", "#" are kept as "*" and, like
    the words "PARCIAL"/"PARTIAL" (removed), set partial=True. Leading zeros are kept.
    A value longer than 200 characters is not a serial: only its first 200 characters are read
    for obliteration words and no serial is returned.
    """
    if value is None:
        return _MISSING
    if len(value) > _SCAN_LIMIT:
        return _OBLITERATED if _says_obliterated(fold(value[:_SCAN_LIMIT])) else _MISSING
    return _serial(value)


# --- Phones -----------------------------------------------------------------------------------

_DIGITS_ONLY = re.compile(r"[^0-9]+")
_E164 = phonenumbers.PhoneNumberFormat.E164


def _legacy_mexican(value: str, default_region: str) -> str:
    """Drop the dialling prefixes Mexico abolished in August 2019 (044/045 mobile, 01 long distance,
    +52 1 mobile); older records are full of them and libphonenumber no longer accepts them."""
    stripped = value.lstrip()
    digits = _DIGITS_ONLY.sub("", stripped)
    if stripped.startswith("+"):
        if len(digits) == 13 and digits.startswith("521"):
            return "+52" + digits[3:]
        return value
    if default_region != "MX":
        return value
    if len(digits) == 13 and digits[:3] in ("044", "045"):
        return digits[3:]
    if len(digits) == 12 and digits.startswith("01"):
        return digits[2:]
    return value


def _phone_library(raw: str, default_region: str) -> str:
    shown = excerpt(raw)
    try:
        number = phonenumbers.parse(_legacy_mexican(raw, default_region), default_region)
    except phonenumbers.NumberParseException as exc:
        reason_en, reason_es = _PARSE_REASONS.get(
            exc.error_type, ("could not be read as a phone number", "no se pudo leer como número telefónico")
        )
        raise _err(
            "invalid_phone", f"Phone '{shown}' {reason_en}", f"El teléfono '{shown}' {reason_es}"
        ) from None
    if not phonenumbers.is_valid_number(number):
        region = phonenumbers.region_code_for_country_code(number.country_code)
        raise _err(
            "invalid_phone",
            f"Phone '{shown}' is not a valid number for country code +{number.country_code} ({region}); "
            "check the digits and the country",
            f"El teléfono '{shown}' no es un número válido para la clave +{number.country_code} ({region}); "
            "revise los dígitos y el país",
        )
    return phonenumbers.format_number(number, _E164)


_PARSE_REASONS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: (
        "has no valid country code; write it as +52... or +1...",
        "no tiene una clave de país válida; escríbalo como +52... o +1...",
    ),
    phonenumbers.NumberParseException.NOT_A_NUMBER: (
        "is not a phone number",
        "no es un número telefónico",
    ),
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: (
        "is too short after the international prefix",
        "es demasiado corto después del prefijo internacional",
    ),
    phonenumbers.NumberParseException.TOO_SHORT_NSN: (
        "is too short to be a phone number",
        "es demasiado corto para ser un número telefónico",
    ),
    phonenumbers.NumberParseException.TOO_LONG: (
        "is too long to be a phone number",
        "es demasiado largo para ser un número telefónico",
    ),
}


# --- Phones: fast path ------------------------------------------------------------------------
#
# phonenumbers.parse + is_valid_number cost 30-50 us, mostly in generic parsing and in compiling
# metadata patterns again on every call. Numbers written with digits, spaces, ( ) . - and at most a
# leading "+" are common, and for them parse() depends only on the digits and on whether there is a
# "+": no extension, letters or RFC 3966 syntax can be present. _phone_fast mirrors parse()'s steps
# for that case (international prefix, country code, national prefix, possible lengths) and
# is_valid_number's region choice and number-type patterns, with patterns compiled once per region.
# Whatever it does not settle, it leaves to _phone_library (returns None).

# phonenumbers' limits: shortest and longest national significant number, longest country code.
_MIN_NSN, _MAX_NSN, _MAX_CC = 2, 17, 3
# phonenumbers' ValidationResult, as far as parse() distinguishes it.
_TOO_SHORT, _POSSIBLE, _LOCAL_ONLY, _TOO_LONG, _INVALID_LENGTH = range(5)


def _desc(desc: phonenumbers.PhoneNumberDesc | None) -> tuple[tuple[int, ...], str] | None:
    # A description that can match: its possible lengths and its pattern.
    if desc is None or not desc.national_number_pattern:
        return None
    return tuple(desc.possible_length), desc.national_number_pattern


class _PhoneRegion:
    """One region's metadata, compiled once."""

    __slots__ = (
        "_known",
        "country_code",
        "country_code_str",
        "general",
        "general_desc",
        "idd",
        "leading_digits",
        "lengths",
        "local_lengths",
        "main_region",
        "national_prefix",
        "parseable",
        "types",
    )

    def __init__(self, md: phonenumbers.PhoneMetadata) -> None:
        general = md.general_desc
        self.country_code: int = md.country_code
        self.country_code_str = str(md.country_code)
        # The region whose metadata parse() uses once it has read this country code.
        self.main_region = phonenumbers.region_code_for_country_code(md.country_code)
        self.general_desc = _desc(general)
        # Pattern alone, as _match_national_number uses it in parse().
        self.general = re.compile(self.general_desc[1]) if self.general_desc else None
        self.lengths: tuple[int, ...] = tuple(general.possible_length) if general else ()
        self.local_lengths: tuple[int, ...] = tuple(general.possible_length_local_only) if general else ()
        self.idd = re.compile(md.international_prefix) if md.international_prefix is not None else None
        prefix = md.national_prefix_for_parsing
        self.national_prefix = re.compile(prefix) if prefix else None
        self.leading_digits = re.compile(md.leading_digits) if md.leading_digits is not None else None
        # Regions whose national prefix is rewritten (e.g. Argentina) are left to the library.
        self.parseable = bool(self.lengths) and not md.national_prefix_transform_rule
        # _number_type_helper returns a type other than UNKNOWN when one of these matches (mobile is
        # only consulted when its pattern differs from fixed line's).
        kinds = [md.fixed_line, md.premium_rate, md.toll_free, md.shared_cost, md.voip]
        kinds += [md.personal_number, md.pager, md.uan, md.voicemail]
        if not md.same_mobile_and_fixed_line_pattern:
            kinds.append(md.mobile)
        self.types = tuple(d for d in map(_desc, kinds) if d is not None)
        self._known: dict[int, re.Pattern[str] | None] = {}

    def is_known_type(self, nsn: str) -> bool:
        """_number_type_helper(nsn) != UNKNOWN: the general description and one type match."""
        n = len(nsn)
        try:
            known = self._known[n]
        except KeyError:
            known = self._known[n] = self._known_for_length(n)
        return known is not None and known.fullmatch(nsn) is not None

    def _known_for_length(self, n: int) -> re.Pattern[str] | None:
        # One regex per length instead of one call per description: the general pattern as a
        # lookahead to the end, then the alternation of the type patterns possible at that length.
        if self.general_desc is None or (self.general_desc[0] and n not in self.general_desc[0]):
            return None
        types = [pattern for lengths, pattern in self.types if not lengths or n in lengths]
        if not types:
            return None
        alternatives = "|".join(f"(?:{pattern})" for pattern in types)
        return re.compile(rf"(?=(?:{self.general_desc[1]})\Z)(?:{alternatives})")

    def matches_general(self, number: str) -> bool:
        return self.general is not None and self.general.fullmatch(number) is not None

    def length_result(self, number: str) -> int:
        # phonenumbers' _test_number_length for the general description.
        n = len(number)
        if n in self.local_lengths:
            return _LOCAL_ONLY
        lengths = self.lengths
        if lengths[0] == n:
            return _POSSIBLE
        if lengths[0] > n:
            return _TOO_SHORT
        if lengths[-1] < n:
            return _TOO_LONG
        return _POSSIBLE if n in lengths[1:] else _INVALID_LENGTH

    def strip_national_prefix(self, number: str) -> str:
        # phonenumbers' _maybe_strip_national_prefix_carrier_code without a transform rule.
        if not number or self.national_prefix is None:
            return number
        match = self.national_prefix.match(number)
        if match is None:
            return number
        rest = number[match.end() :]
        if self.matches_general(number) and not self.matches_general(rest):
            return number
        return rest


_PHONE_REGIONS: dict[str, _PhoneRegion | None] = {}
# Regions whose numbers _phone_fast may read in national format: supported and parseable.
_NATIONAL_REGIONS: dict[str, _PhoneRegion | None] = {}
_VALIDATORS: dict[int, Callable[[str], bool]] = {}
_COUNTRY_REGIONS = phonenumbers.COUNTRY_CODE_TO_REGION_CODE


def _phone_region(region: str) -> _PhoneRegion | None:
    try:
        return _PHONE_REGIONS[region]
    except KeyError:
        pass
    md = phonenumbers.PhoneMetadata.metadata_for_region(region, None)
    info = _PhoneRegion(md) if md is not None else None
    _PHONE_REGIONS[region] = info
    return info


def _national_region(region: str) -> _PhoneRegion | None:
    try:
        return _NATIONAL_REGIONS[region]
    except KeyError:
        pass
    if region not in phonenumbers.SUPPORTED_REGIONS:
        return None  # not remembered: any text can come in as a region
    info = _phone_region(region)
    info = _NATIONAL_REGIONS[region] = info if info is not None and info.parseable else None
    return info


def _validator(country_code: int) -> Callable[[str], bool]:
    """is_valid_number for a national significant number of this country code."""
    try:
        return _VALIDATORS[country_code]
    except KeyError:
        pass
    regions = tuple(_phone_region(code) for code in _COUNTRY_REGIONS[country_code])
    if len(regions) == 1:
        only = regions[0]
        valid = only.is_known_type if only is not None else lambda nsn: False
    else:
        present = tuple(info for info in regions if info is not None)

        def valid(nsn: str) -> bool:
            # The region is the first whose leading digits match, or the first without leading
            # digits whose types match; then its types decide.
            for info in present:
                if info.leading_digits is not None:
                    if info.leading_digits.match(nsn):
                        return info.is_known_type(nsn)
                elif info.is_known_type(nsn):
                    return True
            return False

    _VALIDATORS[country_code] = valid
    return valid


def _phone_finish(country_code: int, nsn: str, info: _PhoneRegion | None) -> str | None:
    # The end of parse() (national prefix, lengths) with the metadata it settled on, then validity.
    if info is None or not info.parseable or len(nsn) < _MIN_NSN:
        return None
    if info.national_prefix is not None:
        stripped = info.strip_national_prefix(nsn)
        if stripped is not nsn and info.length_result(stripped) in (_POSSIBLE, _TOO_LONG):
            nsn = stripped
    if not _MIN_NSN <= len(nsn) <= _MAX_NSN:
        return None
    if not (_VALIDATORS.get(country_code) or _validator(country_code))(nsn):
        return None
    return f"+{country_code}{nsn}"


_NO_COUNTRY = (0, 0, None)
# Country code, its length and the metadata parse() settles on, by the first three digits after
# "+" or an international prefix; _NO_COUNTRY when the library must say why there is none.
_COUNTRY_PREFIXES: dict[str, tuple[int, int, _PhoneRegion | None]] = {}


def _country_prefix(first3: str) -> tuple[int, int, _PhoneRegion | None]:
    try:
        return _COUNTRY_PREFIXES[first3]
    except KeyError:
        pass
    entry = _NO_COUNTRY
    if first3[0] != "0":
        # The shortest leading digits that are a known country code, as _extract_country_code.
        for size in (1, 2, 3):
            regions = _COUNTRY_REGIONS.get(int(first3[:size]))
            if regions is not None:
                if regions[0] != phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
                    entry = (int(first3[:size]), size, _phone_region(regions[0]))
                break
    _COUNTRY_PREFIXES[first3] = entry
    return entry


def _phone_international(digits: str) -> str | None:
    # Digits after "+" or an international prefix.
    if len(digits) <= _MIN_NSN:
        return None
    country_code, size, info = _COUNTRY_PREFIXES.get(digits[:3]) or _country_prefix(digits[:3])
    return _phone_finish(country_code, digits[size:], info)


def _phone_fast(raw: str, default_region: str) -> str | None:
    """E.164 form of `raw` exactly as _phone_library gives it, or None to ask _phone_library."""
    # Only ASCII digits, spaces, ( ) . - and a leading "+" (checked without a regex: they are many).
    digits = raw.replace(" ", "").replace("-", "").replace("(", "").replace(")", "").replace(".", "")
    plus = raw[0] == "+"
    if plus:
        digits = digits[1:]
    if not (digits.isascii() and digits.isdigit()):
        return None
    if plus:
        if len(digits) == 13 and digits.startswith("521"):  # as _legacy_mexican
            digits = "52" + digits[3:]
        return _phone_international(digits)
    if default_region == "MX":  # as _legacy_mexican
        if len(digits) == 13 and digits[:3] in ("044", "045"):
            digits = digits[3:]
        elif len(digits) == 12 and digits.startswith("01"):
            digits = digits[2:]
    if len(digits) < 3:  # parse() needs three digits to see a phone number at all
        return None
    info = _NATIONAL_REGIONS.get(default_region) or _national_region(default_region)
    if info is None:
        return None
    if info.idd is not None and (idd := info.idd.match(digits)) is not None:
        end = idd.end()
        if end == len(digits) or digits[end] != "0":
            return _phone_international(digits[end:])
    if digits.startswith(info.country_code_str):
        # The default region's country code written without "+": parse() drops it when the rest
        # makes a better number.
        rest = info.strip_national_prefix(digits[len(info.country_code_str) :])
        better = not info.matches_general(digits) and info.matches_general(rest)
        if better or info.length_result(digits) == _TOO_LONG:
            metadata = info if info.main_region == default_region else _phone_region(info.main_region)
            return _phone_finish(info.country_code, rest, metadata)
    return _phone_finish(info.country_code, digits, info)


@lru_cache(maxsize=_CACHE)
def _phone(raw: str, default_region: str) -> str:
    return _phone_fast(raw, default_region) or _phone_library(raw, default_region)


def normalize_phone(value: str, default_region: str = "MX") -> str:
    """E.164 form ("+525512345678"); numbers without a country code are read in `default_region`.

    Pass default_region="US" for US agencies' local numbers. Extensions are dropped.
    """
    return _phone(bounded(value, "Phone", "el teléfono"), default_region.upper())
