from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puente.normalize.dates import ParsedDate, is_future, parse_date, parse_datetime
from puente.normalize.errors import NormalizationError

TODAY = dt.date(2025, 6, 15)
D = dt.date


def parsed(text: str, order: str = "ISO") -> ParsedDate:
    return parse_date(text, order, today=TODAY)  # type: ignore[arg-type]


def invalid(text: str, order: str = "ISO", func=None) -> NormalizationError:
    with pytest.raises(NormalizationError) as info:
        if func is None:
            parsed(text, order)
        else:
            func(text, order)
    assert info.value.code == "invalid_date"
    return info.value


@pytest.mark.parametrize(
    ("text", "order", "value"),
    [
        ("1988-03-04", "ISO", D(1988, 3, 4)),
        ("1988-3-4", "ISO", D(1988, 3, 4)),
        ("1988/03/04", "ISO", D(1988, 3, 4)),
        ("19880304", "ISO", D(1988, 3, 4)),
        ("1988-03-04T10:30:00Z", "ISO", D(1988, 3, 4)),  # a time after the date is ignored
        ("1988-03-04 00:00:00", "ISO", D(1988, 3, 4)),  # as SQL and spreadsheet exports write dates
        ("04/03/1988", "MDY", D(1988, 4, 3)),
        ("04/03/1988", "DMY", D(1988, 3, 4)),
        ("4-3-1988", "DMY", D(1988, 3, 4)),
        ("04.03.1988", "DMY", D(1988, 3, 4)),
        ("12/31/1999", "MDY", D(1999, 12, 31)),
        ("31/12/1999", "DMY", D(1999, 12, 31)),
        ("88/03/04", "YMD", D(1988, 3, 4)),
        ("1988-03-04", "DMY", D(1988, 3, 4)),  # a four-digit year first is unambiguous anywhere
        ("04031988", "DMY", D(1988, 3, 4)),  # "ddmmaaaa" of Mexican forms
        ("03041988", "MDY", D(1988, 3, 4)),
        ("19880304", "DMY", D(1988, 3, 4)),
        ("4 de marzo de 1988", "DMY", D(1988, 3, 4)),
        ("04-MAR-88", "MDY", D(1988, 3, 4)),  # the month name decides, whatever the order
        ("4 ago 2019", "AUTO", D(2019, 8, 4)),
        ("March 4, 1988", "AUTO", D(1988, 3, 4)),
        ("29/02/2020", "DMY", D(2020, 2, 29)),
    ],
)
def test_parse_date(text: str, order: str, value: dt.date) -> None:
    assert parsed(text, order) == ParsedDate(value, False, text)


@pytest.mark.parametrize(
    ("text", "year"),
    [("04/03/88", 1988), ("04/03/19", 2019), ("04/03/25", 2025), ("04/03/26", 1926), ("04/03/00", 2000)],
)
def test_two_digit_years_are_never_in_a_future_year(text: str, year: int) -> None:
    assert parsed(text, "DMY").value == D(year, 3, 4)


def test_auto_returns_ambiguous_instead_of_guessing() -> None:
    result = parsed("04/03/1988", "AUTO")
    assert result == ParsedDate(None, True, "04/03/1988")
    assert parsed("04-03-88", "AUTO").ambiguous


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("13/03/1988", D(1988, 3, 13)),  # 13 cannot be a month: day first
        ("03/13/1988", D(1988, 3, 13)),  # month first
        ("04/04/1988", D(1988, 4, 4)),  # same either way
        ("1988-03-04", D(1988, 3, 4)),
    ],
)
def test_auto_parses_when_the_order_is_evident(text: str, value: dt.date) -> None:
    assert parsed(text, "AUTO") == ParsedDate(value, False, text)


@pytest.mark.parametrize(
    ("text", "order", "en", "es"),
    [
        ("31/02/2020", "DMY", "expected day/month/year", "se esperaba día/mes/año"),
        ("02/31/2020", "MDY", "expected month/day/year", "se esperaba mes/día/año"),
        ("13/04/2020", "MDY", "month 13", "mes 13"),
        ("04/13/2020", "DMY", "expected day/month/year", "se esperaba día/mes/año"),
        ("2019-02-29", "ISO", "day 29", "día 29"),
        ("04/03/1988", "ISO", "YYYY-MM-DD", "AAAA-MM-DD"),
        ("13/13/2020", "AUTO", "month", "mes"),
        ("00/05/2020", "AUTO", "0", "0"),
        ("0001-01-01", "ISO", "year 1", "año 1"),  # placeholder dates are not dates
        ("yesterday", "DMY", "not a recognised date", "no es una fecha reconocible"),
        ("1988-03-04 25:00", "ISO", "impossible time", "hora imposible"),
        ("4 de marzo", "DMY", "not a recognised date", "no es una fecha reconocible"),
    ],
)
def test_invalid_dates_name_the_expected_order(text: str, order: str, en: str, es: str) -> None:
    err = invalid(text, order)
    assert en in err.en and es in err.es
    assert text in err.en and text in err.es


def test_future_dates_are_parsed_and_flagged_separately() -> None:
    result = parsed("2030-01-01")
    assert result.value == D(2030, 1, 1)
    assert is_future(result.value, today=TODAY)
    assert not is_future(TODAY, today=TODAY)
    assert not is_future(D(2000, 1, 1))
    assert is_future(dt.datetime(2030, 1, 1, 12, 0), today=TODAY)


def test_empty_and_overlong() -> None:
    with pytest.raises(NormalizationError) as info:
        parse_date("  ")
    assert info.value.code == "empty_value"
    with pytest.raises(NormalizationError) as info:
        parse_date("1" * 10_000_000)
    assert info.value.code == "value_too_long"


def test_unknown_order_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="order"):
        parse_date("1988-03-04", "XYZ")  # type: ignore[arg-type]


UTC = dt.UTC


@pytest.mark.parametrize(
    ("text", "order", "value"),
    [
        ("2020-01-02T10:30:00", "ISO", dt.datetime(2020, 1, 2, 10, 30, tzinfo=UTC)),  # naive -> UTC
        ("2020-01-02T10:30:00Z", "ISO", dt.datetime(2020, 1, 2, 10, 30, tzinfo=UTC)),
        (
            "2020-01-02T10:30:00-06:00",
            "ISO",
            dt.datetime(2020, 1, 2, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=-6))),
        ),
        ("2020-01-02 10:30:15.250", "ISO", dt.datetime(2020, 1, 2, 10, 30, 15, 250000, tzinfo=UTC)),
        ("2020-01-02", "ISO", dt.datetime(2020, 1, 2, tzinfo=UTC)),
        ("2020/01/02 10:30", "ISO", dt.datetime(2020, 1, 2, 10, 30, tzinfo=UTC)),
        ("04/03/1988 14:30", "DMY", dt.datetime(1988, 3, 4, 14, 30, tzinfo=UTC)),
        ("04/03/1988 2:30 PM", "MDY", dt.datetime(1988, 4, 3, 14, 30, tzinfo=UTC)),
        ("04/03/1988 12:05 a.m.", "MDY", dt.datetime(1988, 4, 3, 0, 5, tzinfo=UTC)),
        ("04/03/1988 14:30:05", "DMY", dt.datetime(1988, 3, 4, 14, 30, 5, tzinfo=UTC)),
        (
            "04/03/1988 14:30 -0700",
            "MDY",
            dt.datetime(1988, 4, 3, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=-7))),
        ),
        ("04/03/1988", "DMY", dt.datetime(1988, 3, 4, tzinfo=UTC)),
        ("13/03/1988 08:00", "AUTO", dt.datetime(1988, 3, 13, 8, 0, tzinfo=UTC)),
    ],
)
def test_parse_datetime(text: str, order: str, value: dt.datetime) -> None:
    result = parse_datetime(text, order)  # type: ignore[arg-type]
    assert result == value
    assert result.utcoffset() == value.utcoffset()


@pytest.mark.parametrize(
    ("text", "order", "en"),
    [
        ("04/03/1988 14:30", "AUTO", "ambiguous"),
        ("2020-02-30T10:00", "ISO", "day 30"),
        ("2020-01-02T24:30", "ISO", "impossible time"),
        ("04/03/1988 13:00 PM", "MDY", "hour 13"),
        ("04/03/1988 10:00", "ISO", "YYYY-MM-DD"),
        ("garbage", "DMY", "not a recognised date"),
    ],
)
def test_invalid_datetimes(text: str, order: str, en: str) -> None:
    assert en in invalid(text, order, parse_datetime).en


SEPARATORS = st.sampled_from(["/", "-", "."])
DATES = st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31))


@given(DATES, SEPARATORS, st.booleans())
def test_day_month_year_round_trip(value: dt.date, sep: str, padded: bool) -> None:
    day, month = (f"{value.day:02d}", f"{value.month:02d}") if padded else (str(value.day), str(value.month))
    text = sep.join((day, month, str(value.year)))
    assert parsed(text, "DMY") == ParsedDate(value, False, text)


@given(DATES, SEPARATORS, st.booleans())
def test_month_day_year_round_trip(value: dt.date, sep: str, padded: bool) -> None:
    day, month = (f"{value.day:02d}", f"{value.month:02d}") if padded else (str(value.day), str(value.month))
    text = sep.join((month, day, str(value.year)))
    assert parsed(text, "MDY") == ParsedDate(value, False, text)


@given(st.dates(min_value=D(TODAY.year - 99, 1, 1), max_value=TODAY), st.sampled_from(["DMY", "MDY"]))
def test_two_digit_year_round_trip_within_a_century(value: dt.date, order: str) -> None:
    first, second = (value.day, value.month) if order == "DMY" else (value.month, value.day)
    text = f"{first:02d}/{second:02d}/{value.year % 100:02d}"
    assert parsed(text, order).value == value


@given(DATES)
def test_iso_round_trip(value: dt.date) -> None:
    assert parsed(value.isoformat()).value == value
    assert parsed(value.strftime("%Y%m%d")).value == value


@given(DATES)
def test_auto_is_never_wrong(value: dt.date) -> None:
    for text in (
        f"{value.day:02d}/{value.month:02d}/{value.year}",
        f"{value.month:02d}/{value.day:02d}/{value.year}",
    ):
        result = parsed(text, "AUTO")
        assert result.value in (value, None)
        assert result.ambiguous == (result.value is None)


@given(st.text(), st.sampled_from(["ISO", "DMY", "MDY", "YMD", "AUTO"]))
def test_dates_raise_only_normalization_errors(text: str, order: str) -> None:
    for func in (parsed, lambda t, o: parse_datetime(t, o)):
        try:
            func(text, order)
        except NormalizationError:
            pass
