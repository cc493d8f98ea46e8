"""The vocabulary data files load, carry bilingual labels and refer only to entries that exist."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pydantic import ValidationError

from puente.model import vocab

LOADERS = [
    vocab.nations,
    vocab.agencies,
    vocab.task_forces,
    vocab.ports,
    vocab.states,
    vocab.firearm_types,
    vocab.makes,
    vocab.calibers,
    vocab.drug_types,
    vocab.currencies,
]

REFERENCE_PORTS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "us_mx_land_ports_2018.csv"
FIGURES = [
    "personal_vehicles_per_day",
    "pedestrians_per_day",
    "trucks_per_day",
    "personal_vehicles_2018",
    "pedestrians_2018",
    "trucks_2018",
]


@pytest.mark.parametrize("loader", LOADERS, ids=lambda f: f.__name__)
def test_every_file_loads_with_bilingual_labels(loader):
    table = loader()
    assert table, f"{loader.__name__} is empty"
    assert loader() is table  # read once
    for code, entry in table.items():
        assert entry.code == code
        assert isinstance(entry, vocab.Entry)
        assert entry.name_en.strip() and entry.name_es.strip(), code
        assert entry.label("en") == entry.name_en
        assert entry.label("es") == entry.name_es
        assert entry.label("es-MX") == entry.name_es
        assert entry.label("fr") == entry.name_en  # unknown language falls back to English
        assert code in entry.names()


def test_entries_are_frozen():
    nation = vocab.nations()["MX"]
    with pytest.raises(ValidationError):
        nation.name_en = "Changed"


def test_nations():
    table = vocab.nations()
    assert {"US", "MX", "GT", "CO", "EC", "AR", "CA"} <= set(table)
    assert table["MX"].name_es == "México"
    assert table["US"].name_es == "Estados Unidos"
    assert {code for code, n in table.items() if n.partner} == {"US", "MX"}
    assert all(n.phone_region == code for code, n in table.items())


def test_agencies():
    table = vocab.agencies()
    expected = {
        "US/ATF", "US/HSI", "US/CBP", "US/DEA", "US/FBI", "US/USBP",
        "MX/FGR", "MX/SSPC", "MX/GN", "MX/ANAM", "MX/SEDENA", "MX/SEMAR", "MX/UIF",
    }  # fmt: skip
    assert set(table) == expected
    for code, a in table.items():
        assert code == f"{a.nation}/{a.acronym}"
        assert a.contact("en").strip() and a.contact("es").strip()
    former = {code: {f.acronym for f in a.former_names} for code, a in table.items()}
    assert "PGR" in former["MX/FGR"]
    assert "PF" in former["MX/GN"]
    assert any("SAT" in f.name_es for f in table["MX/ANAM"].former_names)
    assert "Policía Federal" in {f.name_es for f in table["MX/GN"].former_names}
    assert "National Tracing Center" in table["US/ATF"].contact("en")
    assert "Rastreo" in table["US/ATF"].contact("es")
    assert table["US/USBP"].parent == "US/CBP"


def test_agency_lookup():
    assert vocab.agency("US/ATF").acronym == "ATF"
    assert vocab.agency(" mx/fgr ").code == "MX/FGR"
    with pytest.raises(KeyError, match="US/ATF"):
        vocab.agency("ATF")  # suggests the full code
    with pytest.raises(KeyError, match="MX/FGR"):
        vocab.agency("PGR")  # a former name points to its successor
    with pytest.raises(KeyError, match="unknown agency code 'XX/NOPE'"):
        vocab.agency("XX/NOPE")


def test_task_forces():
    table = vocab.task_forces()
    places = {"LAREDO", "EL-PASO", "RIO-GRANDE-VALLEY", "SAN-DIEGO", "IMPERIAL-VALLEY", "TUCSON", "PHOENIX",
              "YUMA", "NEW-MEXICO-1", "NEW-MEXICO-2", "NOGALES", "MEXICO"}  # fmt: skip
    assert set(table) == {f"BEST-{p}" for p in places}
    agencies, states = vocab.agencies(), vocab.states()
    for tf in table.values():
        assert tf.lead_agency == "US/HSI"
        assert set(tf.member_agencies) <= set(agencies)
        assert "BEST" in tf.name_en and "BEST" in tf.name_es
        assert tf.description("es").startswith(("Equipo de Seguridad", "BEST"))
        if tf.state is not None:
            assert states[tf.state].nation == tf.nation
    assert table["BEST-LAREDO"].state == "US-TX"
    assert table["BEST-NEW-MEXICO-2"].state == "US-NM"
    assert table["BEST-MEXICO"].nation == "MX"


def test_states_counts_and_codes():
    table = vocab.states()
    us = [s for s in table.values() if s.nation == "US"]
    mx = [s for s in table.values() if s.nation == "MX"]
    assert len(us) == 51 and len(mx) == 32
    assert all(s.postal and s.code == f"US-{s.postal}" for s in us)
    assert "US-DC" in table
    curps = [s.curp for s in mx]
    assert all(c and len(c) == 2 for c in curps) and len(set(curps)) == 32
    assert table["MX-BCN"].curp == "BC" and table["MX-CMX"].curp == "DF"
    assert table["US-NM"].name_es == "Nuevo México"
    assert {s.code for s in table.values() if s.border} == {
        "US-CA", "US-AZ", "US-NM", "US-TX", "MX-BCN", "MX-SON", "MX-CHH", "MX-COA", "MX-NLE", "MX-TAM",
    }  # fmt: skip


def _reference_rows() -> list[dict[str, str]]:
    if not REFERENCE_PORTS.exists():
        pytest.skip(f"reference file not found: {REFERENCE_PORTS}")
    with REFERENCE_PORTS.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_ports_match_reference_csv():
    rows = _reference_rows()
    table = vocab.ports()
    assert len(table) == len(rows) == 27
    by_name = {p.name: p for p in table.values()}
    for row in rows:
        port = by_name[row["port"]]
        assert port.bts_port_code == row["bts_port_code"]
        assert (port.us_state, port.mx_city, port.mx_state) == (
            row["us_state"],
            row["mx_city"],
            row["mx_state"],
        )
        for field in FIGURES:
            assert getattr(port, field) == int(row[field]), (port.code, field)


def test_ports_figures_and_states():
    table = vocab.ports()
    assert len(table) == 27
    assert table["SAN-YSIDRO"].personal_vehicles_per_day == 39741
    assert table["LAREDO"].trucks_per_day == 6340
    # FACTS.md totals: ~210,700 personal vehicles, ~126,500 pedestrians, ~17,300 trucks a day.
    for field, total in [("personal_vehicles_per_day", 210_700), ("pedestrians_per_day", 126_500),
                         ("trucks_per_day", 17_300)]:  # fmt: skip
        assert sum(getattr(p, field) for p in table.values()) == pytest.approx(total, rel=0.01)
    states = vocab.states()
    for p in table.values():
        assert states[p.us_state_code].nation == "US" and states[p.us_state_code].border
        assert states[p.mx_state_code].nation == "MX" and states[p.mx_state_code].border
    assert table["SAN-YSIDRO"].mx_state_code == "MX-BCN"


def test_firearm_types_have_a_class():
    table = vocab.firearm_types()
    required = {"PISTOL", "REVOLVER", "RIFLE", "SHOTGUN", "MACHINE-GUN", "SUBMACHINE-GUN", "DERRINGER",
                "GRENADE-LAUNCHER", "RECEIVER-FRAME", "OTHER", "HANDGUN", "LONG-GUN"}  # fmt: skip
    assert required <= set(table)
    assert table["PISTOL"].weapon_class == table["HANDGUN"].weapon_class == "handgun"
    assert table["RIFLE"].weapon_class == table["LONG-GUN"].weapon_class == "long_gun"
    assert table["HANDGUN"].name_es == "Arma corta" and table["LONG-GUN"].name_es == "Arma larga"


def test_makes():
    table = vocab.makes()
    assert len(table) >= 50
    nations = vocab.nations()
    for m in table.values():
        assert m.country in nations
        assert set(m.imports_from) <= set(nations)
    assert table["GLOCK"].country == "AT"
    assert table["CENTURY-ARMS"].us_importer and "RO" in table["CENTURY-ARMS"].imports_from
    assert table["ROMARM"].country == "RO"


def test_calibers():
    table = vocab.calibers()
    required = """9X19 38-SUPER 38-SPECIAL 357-MAGNUM 380-ACP 40-SW 45-ACP 22-LR 25-ACP 32-ACP
        44-MAGNUM 5.7X28 10MM 223-REM 5.56X45 7.62X39 7.62X51 308-WIN 5.45X39 30-06 300-BLK 50-BMG
        12GA 20GA 410-BORE 40MM-GRENADE"""
    assert set(required.split()) <= set(table)
    assert "5.56X45" in table["223-REM"].related and "223-REM" in table["5.56X45"].related
    assert "308-WIN" in table["7.62X51"].related
    assert table["308-WIN"].family == table["7.62X51"].family == "7.62x51mm"
    assert table["7.62X39"].family == "7.62x39mm"
    assert table["12GA"].kind == "shotgun" and table["40MM-GRENADE"].kind == "ordnance"
    for c in table.values():
        for other in c.related:
            assert c.code in table[other].related


def test_drug_types_and_currencies():
    drugs = vocab.drug_types()
    assert {"COCAINE", "CRACK", "METHAMPHETAMINE", "FENTANYL", "FENTANYL-PILLS", "HEROIN", "OPIUM-GUM",
            "MARIJUANA", "PRECURSORS", "MDMA", "OTHER"} <= set(drugs)  # fmt: skip
    assert drugs["FENTANYL-PILLS"].default_unit == "units"
    assert drugs["COCAINE"].default_unit == "kg"
    assert drugs["MARIJUANA"].name_es == "Mariguana"
    assert set(vocab.currencies()) == {"USD", "MXN", "GTQ", "COP", "EUR"}
    assert vocab.currencies()["MXN"].name_es == "Peso mexicano"


# --- broken data is reported with the file and the entry ----------------------------------------


@pytest.fixture
def patch_file(monkeypatch):
    """Replace one data file's text for loaders called through ``__wrapped__`` (bypassing caches)."""
    real = vocab._read

    def patch(filename: str, text: str) -> None:
        monkeypatch.setattr(vocab, "_read", lambda name: text if name == filename else real(name))

    return patch


AGENCY = """
- code: ZZ/ABC
  nation: ZZ
  acronym: ABC
  name_en: Test agency
  name_es: Dependencia de prueba
  contact_en: Desk
  contact_es: Mesa
"""


def test_unknown_nation_of_agency(patch_file):
    patch_file("agencies.yaml", AGENCY)
    with pytest.raises(
        vocab.VocabularyError, match=r"agencies.yaml: entry 'ZZ/ABC': nation 'ZZ'.*nations.yaml"
    ):
        vocab.agencies.__wrapped__()


def test_agency_code_must_match_nation_and_acronym(patch_file):
    patch_file("agencies.yaml", AGENCY.replace("nation: ZZ", "nation: MX"))
    with pytest.raises(vocab.VocabularyError, match=r"agencies.yaml: entry 'ZZ/ABC'.*MX/ABC"):
        vocab.agencies.__wrapped__()


def test_missing_spanish_label(patch_file):
    patch_file("agencies.yaml", AGENCY.replace("ZZ", "MX").replace("Dependencia de prueba", "''"))
    with pytest.raises(vocab.VocabularyError, match=r"agencies.yaml: entry 'MX/ABC': name_es"):
        vocab.agencies.__wrapped__()


def test_duplicate_code(patch_file):
    text = AGENCY.replace("ZZ", "MX")
    patch_file("agencies.yaml", text + text)
    with pytest.raises(vocab.VocabularyError, match="'MX/ABC' is defined more than once"):
        vocab.agencies.__wrapped__()


def test_unknown_agency_of_task_force(patch_file):
    patch_file(
        "task_forces.yaml",
        """
- code: BEST-TEST
  name_en: BEST Test
  name_es: BEST Prueba
  nation: US
  state: US-TX
  lead_agency: US/HSI
  member_agencies: [US/HSI, US/NOPE]
  description_en: Test
  description_es: Prueba
""",
    )
    with pytest.raises(
        vocab.VocabularyError, match=r"task_forces.yaml: entry 'BEST-TEST'.*'US/NOPE'.*agencies"
    ):
        vocab.task_forces.__wrapped__()


def test_unknown_state_of_port(patch_file):
    text = vocab._read("ports.csv").replace(",US-CA,2504,", ",US-XX,2504,")
    patch_file("ports.csv", text)
    with pytest.raises(vocab.VocabularyError, match=r"ports.csv: entry 'SAN-YSIDRO': us_state_code 'US-XX'"):
        vocab.ports.__wrapped__()


def test_related_caliber_must_be_symmetric(patch_file):
    patch_file(
        "calibers.yaml",
        """
- {code: A, family: a, kind: rifle, name_en: A, name_es: A, related: [B]}
- {code: B, family: b, kind: rifle, name_en: B, name_es: B}
""",
    )
    with pytest.raises(vocab.VocabularyError, match="'A' lists 'B' as related but 'B' does not list 'A'"):
        vocab.calibers.__wrapped__()


def test_unknown_country_of_make(patch_file):
    patch_file("makes.yaml", "- {code: X, name_en: X, name_es: X, country: ZZ}\n")
    with pytest.raises(vocab.VocabularyError, match=r"makes.yaml: entry 'X': country 'ZZ'"):
        vocab.makes.__wrapped__()
