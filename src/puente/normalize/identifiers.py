"""Identifiers of persons, vehicles, firearms and phones, validated with the standard libraries.

Every function strips the separators people type, upper-cases, validates and returns the canonical
form, or raises NormalizationError with a code and messages a data steward can act on. Results of
valid values are cached: loads repeat the same people, vehicles and phones across rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError
from stdnum.mx import curp as _curp
from stdnum.mx import rfc as _rfc
from stdnum.us import ssn as _ssn
from vininfo import Vin

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


def _err(code: str, en: str, es: str) -> NormalizationError:
    return NormalizationError(code, en, es)


def _n_en(n: int) -> str:
    return "1 character" if n == 1 else f"{n} characters"


def _n_es(n: int) -> str:
    return "1 carácter" if n == 1 else f"{n} caracteres"


# --- CURP -------------------------------------------------------------------------------------


@lru_cache(maxsize=_CACHE)
def _curp_checked(raw: str) -> str:
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


@lru_cache(maxsize=_CACHE)
def _rfc_checked(raw: str) -> str:
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


@lru_cache(maxsize=_CACHE)
def _ssn_checked(raw: str) -> str:
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
    vin = raw.translate(_SEPARATORS).upper()
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


@lru_cache(maxsize=_CACHE)
def _vin_checked(raw: str) -> str:
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


@lru_cache(maxsize=8_192)
def _decoded(vin: str) -> tuple[str | None, str | None, str | None, int | None]:
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


@lru_cache(maxsize=_CACHE)
def _phone(raw: str, default_region: str) -> str:
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


def normalize_phone(value: str, default_region: str = "MX") -> str:
    """E.164 form ("+525512345678"); numbers without a country code are read in `default_region`.

    Pass default_region="US" for US agencies' local numbers. Extensions are dropped.
    """
    return _phone(bounded(value, "Phone", "el teléfono"), default_region.upper())
