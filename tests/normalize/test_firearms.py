"""Calibers, makes, firearm types and drug types reduce to their vocabulary codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puente.model import vocab
from puente.normalize import firearms
from puente.normalize.firearms import (
    build_index,
    canonical_caliber,
    canonical_drug_type,
    canonical_firearm_type,
    canonical_make,
    make_key,
    match_key,
)

# fmt: off
CALIBERS = {
    "7.62X39": ["7.62x39", "7.62 X 39MM", "762x39", "7,62x39", "7.62X39 MM", "CAL. 7.62X39",
                "cal 7,62 x 39 mm", "7.62×39", "7.62*39mm", "Calibre 7.62x39"],
    "9X19": ["9mm", "9 MM", "9MM", "CAL 9", "CAL. 9 MM", "9x19", "9 mm Parabellum", "9mm Luger", "Calibre 9",
             "9 milímetros"],
    "38-SUPER": [".38 Super", "38 SUPER", "CAL. .38 SUPER", "calibre .38 súper"],
    "38-SPECIAL": [".38 Special", ".38 SPL", "38 especial", "CAL .38 ESP"],
    "357-MAGNUM": [".357 Magnum", "357 MAG", ".357"],
    "380-ACP": [".380 ACP", "380", "9mm corto", "9 MM CORTO", "9x17", "CAL. .380 AUTO", "9mm Kurz"],
    "40-SW": [".40 S&W", "40 S & W", "CAL .40", ".40 SW", "40 Smith & Wesson"],
    "45-ACP": [".45 ACP", "CAL. .45", "45 AUTO", "11.43x23"],
    "22-LR": [".22 LR", "CAL .22", ".22 L.R.", "22 largo"],
    "25-ACP": [".25 ACP", "6.35 mm", "CAL .25"],
    "32-ACP": [".32 ACP", "7.65mm", "7,65 MM"],
    "44-MAGNUM": [".44 Magnum", "44 MAG"],
    "5.7X28": ["5.7x28", "5.7 MM", "5,7 X 28 MM"],
    "10MM": ["10mm", "10 MM AUTO"],
    "223-REM": [".223", ".223 REM", "CAL. .223 REMINGTON"],
    "5.56X45": ["5.56x45", "5.56 NATO", "5,56 MM", "5.56X45MM NATO", "5.56 OTAN"],
    "7.62X51": ["7.62x51", "7.62 NATO", "7.62X51MM OTAN"],
    "308-WIN": [".308", ".308 WIN", "308 Winchester"],
    "5.45X39": ["5.45x39", "5,45 X 39 MM"],
    "30-06": [".30-06", "30-06 Springfield", "30.06"],
    "300-BLK": [".300 Blackout", "300 BLK", ".300 AAC BLACKOUT"],
    "50-BMG": [".50 BMG", "CAL .50", "12.7x99", "12.7X99MM", "CALIBRE .50"],
    "12GA": ["12 GA", "CAL 12", "CALIBRE 12", "12 gauge", "12GA"],
    "20GA": ["20 GA", "calibre 20", "20 gauge"],
    "410-BORE": [".410", "410 GA"],
    "40MM-GRENADE": ["40mm", "40 MM", "40x46", "granada de 40 mm", "40 MM GRENADE"],
    "7.62X54R": ["7.62x54R", "7.62x54mmR"],
}
# fmt: on


@pytest.mark.parametrize(("code", "text"), [(c, t) for c, texts in CALIBERS.items() for t in texts])
def test_caliber_aliases(code, text):
    assert canonical_caliber(text) == code


def test_caliber_distinctions():
    assert canonical_caliber("40MM") != canonical_caliber(".40")
    assert canonical_caliber("20MM") is None  # not 20 gauge
    assert canonical_caliber(".223") != canonical_caliber("5.56")
    assert canonical_caliber(".38") is None  # Special or Super: ambiguous, kept as written
    assert canonical_caliber("7.62") is None  # x39 or x51
    assert canonical_caliber("9x18") == "9X18"


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("SMITH-WESSON", t)
        for t in ["S&W", "SMITH AND WESSON", "SMITH & WESSON", "SMITH&WESSON", "smith wesson",
                  "Smith & Wesson Corp.", "S & W"]
    ]
    + [("RUGER", t) for t in ["RUGER", "STURM RUGER", "STURM, RUGER & CO", "Sturm, Ruger & Co., Inc."]]
    + [("CENTURY-ARMS", t) for t in ["CENTURY INTERNATIONAL ARMS", "CAI", "Century Arms Inc", "CENTURY"]]
    + [("FN-HERSTAL", t) for t in ["FN", "FNH", "FN AMERICA", "FNH USA", "FN Herstal S.A."]]
    + [("HECKLER-KOCH", t) for t in ["H&K", "HK", "Heckler & Koch GmbH"]]
    + [("COLT", t) for t in ["COLT", "Colt's Manufacturing Company LLC", "COLTS MFG CO"]]
    + [("ROMARM", t) for t in ["CUGIR", "ROMARM", "Romarm/Cugir"]]
    + [("GLOCK", "Glock GmbH"), ("GLOCK", "GLOCK INC."), ("CZ", "CZ-USA"), ("CZ", "Česká zbrojovka"),
       ("HI-POINT", "HI POINT"), ("ZASTAVA", "Zastava Oružje"), ("NORINCO", "norinco"),
       ("MX-DGIM", "Industria Militar"), ("TAURUS", "Forjas Taurus S.A."), ("BERETTA", "Beretta USA Corp")],
)  # fmt: skip
def test_make_aliases(code, text):
    assert canonical_make(text) == code


def test_unlisted_makes_stay_unknown():
    assert canonical_make("Kalashnikov") is None  # used for any AK-pattern rifle
    assert canonical_make("ACME Arms Co") is None


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("PISTOL", "PISTOLA"), ("PISTOL", "Pistola semiautomática"), ("REVOLVER", "REVÓLVER"),
        ("REVOLVER", "revolver"), ("RIFLE", "FUSIL"), ("RIFLE", "RIFLE"), ("RIFLE", "Fusil de asalto"),
        ("RIFLE", "carabina"), ("SHOTGUN", "ESCOPETA"), ("MACHINE-GUN", "AMETRALLADORA"),
        ("SUBMACHINE-GUN", "SUBAMETRALLADORA"), ("SUBMACHINE-GUN", "sub-ametralladora"),
        ("GRENADE-LAUNCHER", "Lanzagranadas"), ("HANDGUN", "ARMA CORTA"), ("LONG-GUN", "Arma larga"),
        ("RECEIVER-FRAME", "Armazón"), ("RECEIVER-FRAME", "receiver"), ("DERRINGER", "derringer"),
        ("OTHER", "otra"),
    ],
)  # fmt: skip
def test_firearm_types(code, text):
    assert canonical_firearm_type(text) == code


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("METHAMPHETAMINE", t) for t in ["cristal", "HIELO", "ice", "crystal meth", "Metanfetamina"]
    ]
    + [("FENTANYL-PILLS", t) for t in ["pastillas", "M30", "M-30", "blue pills", "Pastillas de fentanilo"]]
    + [("FENTANYL", t) for t in ["fentanilo", "Fentanyl", "fentanilo en polvo"]]
    + [("MARIJUANA", t) for t in ["mariguana", "marihuana", "mota", "MARIJUANA"]]
    + [("OPIUM-GUM", "goma de opio"), ("OPIUM-GUM", "GOMA"), ("HEROIN", "heroína"), ("HEROIN", "chiva"),
       ("COCAINE", "cocaína"), ("COCAINE", "clorhidrato de cocaína"), ("CRACK", "crack"), ("MDMA", "éxtasis"),
       ("MDMA", "tachas"), ("PRECURSORS", "precursores químicos")],
)  # fmt: skip
def test_drug_types(code, text):
    assert canonical_drug_type(text) == code


@pytest.mark.parametrize(
    "fn", [canonical_caliber, canonical_make, canonical_firearm_type, canonical_drug_type]
)
def test_empty_and_unknown(fn):
    assert fn(None) is None
    assert fn("") is None
    assert fn("   ") is None
    assert fn("zzz no such thing") is None


@pytest.mark.parametrize(
    ("loader", "fn"),
    [
        (vocab.calibers, canonical_caliber),
        (vocab.makes, canonical_make),
        (vocab.firearm_types, canonical_firearm_type),
        (vocab.drug_types, canonical_drug_type),
    ],
)
def test_every_listed_name_finds_its_entry(loader, fn):
    for entry in loader().values():
        for name in entry.names():
            assert fn(name) == entry.code, (name, entry.code)


def test_match_key():
    assert match_key("CAL. 7,62 X 39 MM") == match_key("7.62x39") == "7.62X39"
    assert match_key(".38 Súper") == "38SUPER"
    assert match_key("9 mm") == "9MM" and match_key("CAL 9") == "9"
    assert match_key("5.56MM") == "5.56"
    assert match_key("Calico") == "CALICO"  # "CAL" only as a word
    assert make_key("Sturm, Ruger & Co., Inc.") == make_key("Sturm Ruger") == "STURMRUGER"


def _caliber(code: str, *aliases: str) -> vocab.Caliber:
    return vocab.Caliber(code=code, name_en=code, name_es=code, family="x", kind="rifle", aliases=aliases)


def test_alias_collision_raises():
    entries = [_caliber("A", "7.62x39"), _caliber("B", "CAL. 7,62 X 39 MM")]
    with pytest.raises(vocab.AliasCollisionError, match=r"'A'.*'B'|'B'.*'A'"):
        build_index(entries, source="test")


def test_alias_index_without_collision():
    index = build_index([_caliber("A", "7.62x39", "762x39"), _caliber("B", "5.45x39")])
    assert index == {"A": "A", "7.62X39": "A", "762X39": "A", "B": "B", "5.45X39": "B"}


def test_same_alias_twice_in_one_entry_is_fine():
    assert build_index([_caliber("A", "7.62x39", "7,62 X 39")])["7.62X39"] == "A"


def test_real_indexes_build():
    assert len(firearms._calibers()) > 200
    assert len(firearms._makes()) > 150


@given(st.text())
def test_never_raise_on_arbitrary_text(text):
    assert canonical_caliber(text) in (None, *vocab.calibers())
    assert canonical_make(text) in (None, *vocab.makes())
    assert canonical_firearm_type(text) in (None, *vocab.firearm_types())
    assert canonical_drug_type(text) in (None, *vocab.drug_types())


@given(st.text(alphabet="0123456789.,xX* mMcCaAlLiIbBrReE-", max_size=20))
def test_never_raise_on_caliber_like_text(text):
    assert canonical_caliber(text) in (None, *vocab.calibers())
