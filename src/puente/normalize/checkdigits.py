"""Check digits of Mexican CURP and RFC and of VINs, for the fast paths in `identifiers`.

python-stdnum and vininfo remain the reference (the tests compare against them); these versions
exist only because the libraries spend most of their time in generic Python loops and lookups.
Each function expects input already matched against the identifier's character set.
"""

from __future__ import annotations

__all__ = ["curp_check_digit", "rfc_check_digit", "valid_date", "vin_check_digit"]


def _byte_table(alphabet: str, values: dict[str, int] | None = None) -> bytes:
    table = bytearray(256)
    for i, c in enumerate(alphabet):
        table[c.encode("latin-1")[0]] = values[c] if values else i
    return bytes(table)


# RENAPO: the value of a character is its index in this alphabet (Ñ is not used in CURPs).
_CURP_VALUES = _byte_table("0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ")


def curp_check_digit(first17: str) -> str:
    """The 18th character of a CURP, from its first 17 (A-Z, 0-9)."""
    v = first17.encode("ascii").translate(_CURP_VALUES)
    # Weights 18 for the 1st character down to 2 for the 17th; unrolled: twice as fast as a loop.
    total = (
        18 * v[0] + 17 * v[1] + 16 * v[2] + 15 * v[3] + 14 * v[4] + 13 * v[5] + 12 * v[6] + 11 * v[7]
        + 10 * v[8] + 9 * v[9] + 8 * v[10] + 7 * v[11] + 6 * v[12] + 5 * v[13] + 4 * v[14] + 3 * v[15]
        + 2 * v[16]
    )  # fmt: skip
    return str(-total % 10)


# SAT: same idea with ' ' (padding for companies) and Ñ appended to the alphabet, modulus 11.
_RFC_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"
_RFC_VALUES = _byte_table(_RFC_ALPHABET)


def rfc_check_digit(first: str) -> str:
    """The last character of an RFC from the ones before it: 12 for a person, 11 for a company
    (characters A-Z, 0-9, & and Ñ)."""
    v = ("   " + first)[-12:].encode("latin-1").translate(_RFC_VALUES)
    # Weights 13 for the 1st of 12 characters (a space pads companies) down to 2; unrolled.
    total = (
        13 * v[0] + 12 * v[1] + 11 * v[2] + 10 * v[3] + 9 * v[4] + 8 * v[5] + 7 * v[6] + 6 * v[7]
        + 5 * v[8] + 4 * v[9] + 3 * v[10] + 2 * v[11]
    )  # fmt: skip
    return _RFC_ALPHABET[(11 - total) % 11]


# 49 CFR 565.15: transliteration of letters (I, O, Q never occur) and position weights.
_VIN_VALUES = _byte_table(
    "0123456789ABCDEFGHJKLMNPRSTUVWXYZ",
    {
        **{str(d): d for d in range(10)},
        **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
        **dict(zip("JKLMN", range(1, 6), strict=True)),
        "P": 7,
        "R": 9,
        **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
    },
)


def vin_check_digit(vin: str) -> str:
    """The check digit (position 9, "0"-"9" or "X") a 17-character VIN must carry."""
    v = vin.encode("ascii").translate(_VIN_VALUES)
    # Weights 8 7 6 5 4 3 2 10, 0 for the check digit itself, then 9 8 7 6 5 4 3 2; unrolled.
    total = (
        8 * v[0] + 7 * v[1] + 6 * v[2] + 5 * v[3] + 4 * v[4] + 3 * v[5] + 2 * v[6] + 10 * v[7]
        + 9 * v[9] + 8 * v[10] + 7 * v[11] + 6 * v[12] + 5 * v[13] + 4 * v[14] + 3 * v[15] + 2 * v[16]
    ) % 11  # fmt: skip
    return "X" if total == 10 else _DIGITS[total]


_DIGITS = "0123456789"


# Month and day pairs of a leap year; 29 February is checked against the year separately.
_MMDD = frozenset(
    f"{m:02d}{d:02d}"
    for m, days in enumerate((31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31), start=1)
    for d in range(1, days + 1)
)


def valid_date(yymmdd: str, century: int) -> bool:
    """Whether six ASCII digits YYMMDD are a real date in the century starting at `century`
    (1900 or 2000): what datetime.date(century + YY, MM, DD) accepts."""
    mmdd = yymmdd[2:]
    if mmdd not in _MMDD:
        return False
    if mmdd != "0229":
        return True
    year = century + int(yymmdd[:2])
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
