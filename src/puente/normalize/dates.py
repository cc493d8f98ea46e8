"""Dates as written in US and Mexican records, read in the order the source profile declares.

A date whose order cannot be known (04/03/1988 without a declared order) is reported as
ambiguous, never guessed: a swapped birth date sends a match to the wrong person.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from puente.normalize.errors import NormalizationError, bounded, excerpt
from puente.normalize.text import fold

__all__ = ["DateOrder", "ParsedDate", "is_future", "parse_date", "parse_datetime"]

DateOrder = Literal["MDY", "DMY", "YMD", "ISO", "AUTO"]
_ORDERS = frozenset({"MDY", "DMY", "YMD", "ISO", "AUTO"})

# Outside this range a value is a typo or a placeholder (0001-01-01, 9999-12-31), not a date.
MIN_YEAR = 1800
MAX_YEAR = 2199


@dataclass(frozen=True, slots=True)
class ParsedDate:
    value: datetime.date | None
    ambiguous: bool
    text: str


# How each reading is named in messages, English and Spanish.
_WORDS = {
    "DMY": ("day/month/year", "día/mes/año"),
    "MDY": ("month/day/year", "mes/día/año"),
    "YMD": ("year/month/day", "año/mes/día"),
    "ISO": ("year-month-day (YYYY-MM-DD)", "año-mes-día (AAAA-MM-DD)"),
    "AUTO": (
        "year-month-day, day/month/year or month/day/year",
        "año-mes-día, día/mes/año o mes/día/año",
    ),
}

_YEAR_FIRST = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})")
_SHORT = re.compile(r"([0-9]{1,2})([-/.])([0-9]{1,2})\2([0-9]{4}|[0-9]{2})")
_COMPACT = re.compile(r"[0-9]{8}")
# A time after the date, "T10:30", " 10:30:15.250 PM", " 10:30Z", "T10:30:00-06:00".
_TIME = re.compile(
    r"(?:T|\s+)(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:[.,](?P<f>[0-9]{1,9}))?)?"
    r"\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?"
    r"\s*(?P<tz>[Zz]|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?)?\s*$"
)
# "4 de marzo de 1988", "04-MAR-88", "4 March 1988" and "March 4, 1988" once folded.
_TEXT_DMY = re.compile(r"([0-9]{1,2}) (?:DE )?([A-Z]+) (?:DE |DEL )?([0-9]{4}|[0-9]{2})")
_TEXT_MDY = re.compile(r"([A-Z]+) ([0-9]{1,2}) ([0-9]{4}|[0-9]{2})")

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("ENERO", "ENE", "JANUARY", "JAN"),
            ("FEBRERO", "FEB", "FEBRUARY"),
            ("MARZO", "MAR", "MARCH"),
            ("ABRIL", "ABR", "APRIL", "APR"),
            ("MAYO", "MAY"),
            ("JUNIO", "JUN", "JUNE"),
            ("JULIO", "JUL", "JULY"),
            ("AGOSTO", "AGO", "AUGUST", "AUG"),
            ("SEPTIEMBRE", "SETIEMBRE", "SEP", "SEPT", "SET", "SEPTEMBER"),
            ("OCTUBRE", "OCT", "OCTOBER"),
            ("NOVIEMBRE", "NOV", "NOVEMBER"),
            ("DICIEMBRE", "DIC", "DECEMBER", "DEC"),
        ),
        start=1,
    )
    for name in names
}


def _invalid(text: str, reading: str, en: str, es: str) -> NormalizationError:
    words_en, words_es = _WORDS[reading]
    shown = excerpt(text)
    return NormalizationError(
        "invalid_date",
        f"Date '{shown}' {en}; expected {words_en}",
        f"La fecha '{shown}' {es}; se esperaba {words_es}",
    )


def _full_year(year_text: str, today: datetime.date) -> int:
    year = int(year_text)
    if len(year_text) == 2:
        # Pivot two-digit years so that the year is not after the current one.
        year += 2000 if 2000 + year <= today.year else 1900
    return year


def _make(text: str, reading: str, year: int, month: int, day: int) -> datetime.date:
    if not 1 <= month <= 12:
        raise _invalid(
            text, reading, f"has month {month}, which does not exist", f"tiene el mes {month}, que no existe"
        )
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _invalid(
            text,
            reading,
            f"has year {year}, outside {MIN_YEAR}-{MAX_YEAR}",
            f"tiene el año {year}, fuera de {MIN_YEAR}-{MAX_YEAR}",
        )
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise _invalid(
            text,
            reading,
            f"has day {day}, which does not exist in {year}-{month:02d}",
            f"tiene el día {day}, que no existe en {year}-{month:02d}",
        ) from None


def _split_time(text: str) -> tuple[str, re.Match[str] | None]:
    if ":" not in text:
        return text, None
    match = _TIME.search(text)
    if match is None or match.start() == 0:
        return text, None
    return text[: match.start()], match


def _read(part: str, text: str, order: str, today: datetime.date) -> datetime.date | None:
    """Date in `part`, the date portion of `text` (the whole value, for messages); None if ambiguous."""
    m = _YEAR_FIRST.fullmatch(part)
    if m:  # a four-digit year first is unambiguous in every order
        return _make(text, "ISO", int(m[1]), int(m[3]), int(m[4]))
    if _COMPACT.fullmatch(part):
        year = int(part[:4])
        if order in ("DMY", "MDY") and not MIN_YEAR <= year <= MAX_YEAR:
            # "04031988" in a day-first or month-first feed; the year-first reading has no
            # plausible year, and both readings can never be plausible at once.
            first, second = int(part[:2]), int(part[2:4])
            day, month = (first, second) if order == "DMY" else (second, first)
            return _make(text, order, int(part[4:]), month, day)
        return _make(text, "ISO", year, int(part[4:6]), int(part[6:]))
    if order == "ISO":
        raise _invalid(text, order, "is not in year-first form", "no está en la forma año primero")
    m = _SHORT.fullmatch(part)
    if m:
        a, b, c = int(m[1]), int(m[3]), m[4]
        if order == "YMD":
            if len(c) == 4 or len(m[1]) != 2:
                raise _invalid(
                    text, order, "is not in year/month/day form", "no está en la forma año/mes/día"
                )
            return _make(text, order, _full_year(m[1], today), b, int(c))
        year = _full_year(c, today)
        if order == "DMY":
            return _make(text, order, year, b, a)
        if order == "MDY":
            return _make(text, order, year, a, b)
        # AUTO: the order is evident only when one of the first two numbers cannot be a month.
        if a == 0 or b == 0:
            raise _invalid(text, order, "has a day or month 0", "tiene un día o mes 0")
        if a == b or (a > 12 and b <= 12):
            return _make(text, "DMY", year, b, a)
        if b > 12 and a <= 12:
            return _make(text, "MDY", year, a, b)
        if a <= 12 and b <= 12:
            return None
        raise _invalid(
            text, order, "has no number that can be the month", "no tiene ningún número que pueda ser el mes"
        )
    if order != "YMD":
        folded = fold(part)
        m = _TEXT_DMY.fullmatch(folded)
        if m and m[2] in _MONTHS:
            return _make(text, "DMY", _full_year(m[3], today), _MONTHS[m[2]], int(m[1]))
        m = _TEXT_MDY.fullmatch(folded)
        if m and m[1] in _MONTHS:
            return _make(text, "MDY", _full_year(m[3], today), _MONTHS[m[1]], int(m[2]))
    raise _invalid(text, order, "is not a recognised date", "no es una fecha reconocible")


def _time_of(match: re.Match[str], text: str, order: str) -> datetime.time:
    hour, minute = int(match["h"]), int(match["mi"])
    second = int(match["s"] or 0)
    micro = int((match["f"] or "0")[:6].ljust(6, "0"))
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise _invalid(text, order, f"has hour {hour} with AM/PM", f"tiene la hora {hour} con AM/PM")
        hour = hour % 12 + (12 if match["ampm"][0] in "Pp" else 0)
    try:
        tz = _offset(match["tz"]) if match["tz"] else datetime.UTC
        return datetime.time(hour, minute, second, micro, tzinfo=tz)
    except ValueError:
        raise _invalid(
            text,
            order,
            f"has an impossible time {match[0].strip()}",
            f"tiene una hora imposible {match[0].strip()}",
        ) from None


@lru_cache(maxsize=65_536)
def _parse_date(text: str, order: str, today: datetime.date) -> ParsedDate:
    part, time = _split_time(text)
    if time is not None:
        _time_of(time, text, order)  # an impossible time makes the whole value suspect
    value = _read(part.rstrip(), text, order, today)
    return ParsedDate(value, value is None, text)


def _check_order(order: str) -> None:
    if order not in _ORDERS:
        raise ValueError(f"order must be one of {sorted(_ORDERS)}, not {order!r}")


def parse_date(text: str, order: DateOrder = "ISO", *, today: datetime.date | None = None) -> ParsedDate:
    """Read a date written "YYYY-MM-DD", "YYYYMMDD", "D/M/Y", "M-D-Y", "4 de marzo de 1988"...

    `order` is what the source profile declares: MDY or DMY read numeric dates in that order and
    are never ambiguous; ISO accepts only year-first forms; AUTO returns value=None,
    ambiguous=True for "04/03/1988" (both numbers could be the month) instead of guessing.
    Two-digit years are placed so that the year is not after `today`'s. A time after the date is
    accepted and ignored. Impossible dates raise NormalizationError("invalid_date") naming the
    expected order; future dates are accepted (see is_future).
    """
    _check_order(order)
    value = bounded(text, "Date", "la fecha")
    return _parse_date(value, order, today or datetime.date.today())


def _offset(tz: str) -> datetime.tzinfo:
    if tz in ("Z", "z", "UTC", "GMT"):
        return datetime.UTC
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + (int(digits[2:]) if len(digits) > 2 else 0)
    return datetime.timezone(sign * datetime.timedelta(minutes=minutes))


def _iso_datetime(value: str) -> datetime.datetime:
    if value[-3:].upper() in ("UTC", "GMT"):
        value = value[:-3].rstrip() + "+00:00"
    result = datetime.datetime.fromisoformat(value)
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise ValueError("year out of range")
    return result


def parse_datetime(text: str, order: DateOrder = "ISO") -> datetime.datetime:
    """Read an ISO 8601 date-time, or a date in `order` followed by " HH:MM[:SS][ AM|PM][ offset]".

    A value without an offset is taken as UTC; an explicit offset is kept. A date alone gives
    midnight. Ambiguous or impossible values raise NormalizationError("invalid_date").
    """
    _check_order(order)
    value = bounded(text, "Date and time", "la fecha y hora")
    if value[:4].isascii() and value[:4].isdigit():
        try:
            result = _iso_datetime(value)
        except ValueError:
            pass  # e.g. "1988/03/04 10:00" or an impossible value: the reader below says which
        else:
            return result if result.tzinfo else result.replace(tzinfo=datetime.UTC)
    part, time = _split_time(value)
    day = _read(part.rstrip(), value, order, datetime.date.today())
    if day is None:
        shown = excerpt(value)
        raise NormalizationError(
            "invalid_date",
            f"Date '{shown}' is ambiguous: both of its first two numbers could be the month; "
            "declare the source's date order (DMY or MDY)",
            f"La fecha '{shown}' es ambigua: cualquiera de sus dos primeros números podría ser el mes; "
            "declare el orden de fecha de la fuente (DMY o MDY)",
        )
    clock = datetime.time(tzinfo=datetime.UTC) if time is None else _time_of(time, value, order)
    return datetime.datetime.combine(day, clock)


def is_future(d: datetime.date, today: datetime.date | None = None) -> bool:
    """Whether `d` is after `today` (default: the current date)."""
    if isinstance(d, datetime.datetime):
        d = d.date()
    return d > (today or datetime.date.today())
