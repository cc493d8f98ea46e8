from __future__ import annotations

import datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st
from stdnum.mx import curp as stdnum_curp
from stdnum.mx import rfc as stdnum_rfc
from vininfo import Vin

from puente.normalize.checkdigits import curp_check_digit, rfc_check_digit, valid_date, vin_check_digit

FAST = settings(max_examples=300, deadline=None)

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


@FAST
@given(st.text(alphabet=ALNUM, min_size=17, max_size=17))
@example("HEGJ880304HDFRMN0")
@example("ZZZZ999999ZZZZZZZ")
@example("00000000000000000")
def test_curp_check_digit_is_stdnums(first17: str) -> None:
    assert curp_check_digit(first17) == stdnum_curp.calc_check_digit(first17)


@FAST
@given(
    st.text(alphabet=ALNUM + "&Ñ", min_size=3, max_size=4),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=ALNUM, min_size=2, max_size=2),
)
@example("GODE", "561231", "GR")
@example("MAB", "930714", "8T")
@example("ÑÑÑÑ", "999999", "ZZ")
def test_rfc_check_digit_is_stdnums(initials: str, digits: str, homoclave: str) -> None:
    first = initials + digits + homoclave
    assert rfc_check_digit(first) == stdnum_rfc.calc_check_digit(first)


def _vininfo_verifies(vin: str) -> bool:
    # "1HG" (Honda) uses the SAE check digit, so vininfo verifies whatever follows it.
    return Vin(vin).verify_checksum(check_year=False)


@FAST
@given(st.text(alphabet=VIN_CHARS, min_size=14, max_size=14))
@example("CM82633A004352")
@example("ZZZZZZZZZZZZZZ")
def test_vin_check_digit_is_vininfos(rest: str) -> None:
    vin = "1HG" + rest
    expected = vin_check_digit(vin)
    assert expected in "0123456789X"
    for digit in "0123456789X":
        assert _vininfo_verifies(vin[:8] + digit + vin[9:]) == (digit == expected)


def _datetime_accepts(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def test_valid_date_is_datetimes_on_every_yymmdd() -> None:
    # Months and days past 13 and 32 fail like 13 and 32 do: they are not in the table at all.
    for century in (1900, 2000):
        for yy in range(100):
            for mm in range(14):
                for dd in range(33):
                    expected = _datetime_accepts(century + yy, mm, dd) if mm and dd else False
                    assert valid_date(f"{yy:02d}{mm:02d}{dd:02d}", century) == expected, (century, yy, mm, dd)
