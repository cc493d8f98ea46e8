"""Screening over a crafted set, on SQLite and PostgreSQL: both nations' stolen vehicles and the
subjects of cases in the hot lists; a plate read with confused characters, without its state, or in
part is a ranked candidate; a VIN with a wrong check digit is said to be so and still looked up;
markings give "hit: contact the holder"; a new version that is no longer stolen leaves the list;
hits are recorded, acted on and counted by rule."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import load_profile, parse_profile
from puente.policy.access import Refused
from puente.policy.principals import Role
from puente.screen.lanes import act, rates, rebuild, screen
from puente.search import refresh
from tests.ingest.test_bad_input import write
from tests.leads.test_generate import CASE_ROWS
from tests.policy.test_access import FGR, PURPOSE, person

CBP = person("kim.cbp", "US/CBP", Role.OFFICER)
CBP_BOSS = person("lee.cbp", "US/CBP", Role.SUPERVISOR)
HSI = person("ines.hsi", "US/HSI", Role.OFFICER)
NCIC = (
    "NIC,VIN,LIC,LIS,VMA,VMO,VYR,VCO,DOT,OCA\n"
    "V123456789,1HGCM82633A004352,BSB1085,TX,HONDA,ACCORD,2003,GRY,03/02/2024,HPD-24-0117\n"
    "V223456789,,7KQZ551,CA,TOYOTA,TACOMA,2019,WHI,04/11/2024,SDPD-24-9\n"
)
REPUVE = (
    "FOLIO_ROBO|NIV|PLACA|ENTIDAD_PLACA|MARCA|SUBMARCA|MODELO|COLOR|FECHA_ROBO|AVERIGUACION\n"
    "R-77|3VWFE21C04M000001|RXP-44-12|Tamaulipas|VOLKSWAGEN|JETTA|2004|ROJO|12/01/2024|CI-TAM-1\n"
)


@pytest.fixture
def lists(db, tmp_path):
    ingest_file(db, write(tmp_path, NCIC, "ncic.csv"), load_profile("ncic-stolen-vehicles"))
    path = tmp_path / "repuve.csv"
    path.write_bytes(REPUVE.encode("cp1252"))
    ingest_file(db, path, load_profile("repuve-robados"))
    ingest_file(db, write(tmp_path, CASE_ROWS, "cases.csv"), load_profile("hsi-cases"))
    refresh(db)
    assert rebuild(db) >= 5
    return db


def test_a_stolen_plate_is_hit_however_the_reader_misread_it(lists):
    exact = screen(lists, CBP, PURPOSE, plate="BSB-1085", state="US-TX", port="LAREDO")
    assert exact.hit and exact.matches[0].how == "exact" and exact.matches[0].reason == "stolen_us"
    assert "HONDA ACCORD" in exact.matches[0].en and "robado en EE. UU." in exact.matches[0].es
    assert screen(lists, CBP, PURPOSE, plate="8S81O85", state="US-TX").matches[0].how == "ocr"  # B/8 S/5 O/0
    assert screen(lists, CBP, PURPOSE, plate="BSB1085").matches[0].how == "no_state"
    assert screen(lists, CBP, PURPOSE, plate="BSB1085", state="US-AZ").matches[0].how == "other_state"
    partial = screen(lists, CBP, PURPOSE, plate="1085*")
    assert [m.how for m in partial.matches] == ["partial"] and partial.matches[0].label.startswith("HONDA")
    for gap in ("BSB*85", "BS8?085", "7KQ*551"):  # a character the reader could not read, in the middle
        assert [m.how for m in screen(lists, CBP, PURPOSE, plate=gap).matches] == ["partial"], gap
    assert not screen(lists, CBP, PURPOSE, plate="BSB*99").hit  # the end must agree too
    assert not screen(lists, CBP, PURPOSE, plate="ZZZ9999", state="US-TX").hit


def test_a_vin_with_a_wrong_check_digit_is_said_so_and_still_looked_up(lists):
    good = screen(lists, CBP, PURPOSE, vin="1HGCM82633A004352")
    assert good.hit and not good.problems
    misread = screen(lists, CBP, PURPOSE, vin="1HGCM82633AOO4352")  # O for 0: the check digit fails
    assert misread.problems and misread.hit and misread.matches[0].how == "ocr"


def test_markings_hold_a_hit_the_officer_may_not_see_is_contact_the_holder(lists):
    mexican = screen(lists, CBP, PURPOSE, plate="RXP4412")  # REPUVE releases to CBP
    assert mexican.matches[0].reason == "stolen_mx" and mexican.matches[0].record_id
    told = screen(lists, HSI, PURPOSE, plate="RXP4412")  # ... but not to HSI, which is pointed to it
    assert told.hit and told.matches[0].record_id is None and told.matches[0].label is None
    assert "contact the holder" in told.matches[0].en and "contacte al titular" in told.matches[0].es
    assert "JETTA" not in repr(told)
    fgr = screen(lists, FGR, PURPOSE, plate="BSB1085")  # NCIC releases to SSPC and ANAM, not FGR
    assert fgr.hit and fgr.matches[0].record_id is None
    with pytest.raises(Refused):
        screen(lists, person("marta.fgr", "MX/FGR", Role.STEWARD), PURPOSE, plate="BSB1085")


def test_a_case_subject_driving_south_is_hit_by_name_and_birth_date(lists):
    hsi_analyst = person("ana.hsi", "US/HSI", Role.ANALYST)
    found = screen(
        lists, hsi_analyst, PURPOSE, surname="Hernández Gómez", given="José Luis", birth="1988-03-04"
    )
    assert found.hit and found.matches[0].reason == "case_subject" and "DL55QR0000001" in found.matches[0].en
    # HSI's cases are released to HSI alone, and point others to it
    assert (
        screen(lists, CBP, PURPOSE, surname="Hernandez", given="Jose", birth="1988-03-04")
        .matches[0]
        .record_id
        is None
    )


def test_a_driver_is_met_under_another_form_of_the_name_or_with_the_parts_swapped(lists):
    hsi = person("ana.hsi", "US/HSI", Role.ANALYST)
    forms = {
        ("Hernández", "Pepe"): "name_form",  # José Luis's short form
        ("Hernandez", "Luis"): "name_form",  # the second given name alone
        ("José Luis", "Hernández Gómez"): "swapped",  # the reader took the given name for the surname
        ("Joe", "Hernandez"): "swapped",
    }
    for (surname, given), how in forms.items():
        found = screen(lists, hsi, PURPOSE, surname=surname, given=given, birth="1988-03-04")
        assert [m.how for m in found.matches] == [how], (surname, given)
        assert found.matches[0].reason == "case_subject"
        assert how != "name_form" or "(Pepe for José)" in found.matches[0].en
    # the birth date still has to agree, and a name that is no form of José Luis meets nothing
    assert not screen(lists, hsi, PURPOSE, surname="Hernández", given="Pepe", birth="1988-03-05").hit
    assert not screen(lists, hsi, PURPOSE, surname="Hernández", given="Roberto", birth="1988-03-04").hit


def test_a_driver_whose_name_is_misspelt_is_a_candidate_on_the_same_birth_date(lists):
    hsi = person("ana.hsi", "US/HSI", Role.ANALYST)

    def how(surname: str, given: str, birth: str = "1988-03-04") -> list[str]:
        return [m.how for m in screen(lists, hsi, PURPOSE, surname=surname, given=given, birth=birth).matches]

    assert how("Hernandes Gomez", "Jose Luiz") == ["similar"]  # a letter off in each
    assert how("Jose Luis", "Hernandes") == ["similar"]  # and swapped
    assert how("Hernández Gómez", "José Luis", birth="1988-04-03") == ["similar"]  # day and month swapped
    assert how("Hernández", "Pepe", birth="1988-04-03") == ["similar"]  # a form of the name itself
    assert how("Hernandes", "Jose Luiz", birth="1988-04-03") == []  # swapped dates want the name itself
    assert how("Martínez", "José Luis") == [] and how("Hernández Gómez", "José Luis", "1988-03-05") == []


def test_a_case_subject_met_at_a_lane_tells_the_case_agency_at_once(lists):
    from puente.leads.workflow import inbox, read

    hsi = person("ana.hsi", "US/HSI", Role.ANALYST)
    found = screen(lists, CBP, PURPOSE, surname="Hernandez", given="Pepe", birth="1988-03-04", port="LAREDO")
    assert found.matches[0].record_id is None  # CBP is only told to contact HSI
    told = inbox(lists, hsi, PURPOSE)
    assert [(v.rule, v.priority, v.task_force, v.agent) for v in told] == [
        ("lane", 1, "BEST-LAREDO", "SA J. Ortiz")
    ]
    view = read(lists, hsi, PURPOSE, told[0].id)
    assert "An officer of US/CBP checked a driver who matched" in view.en and "at LAREDO" in view.en
    assert "DL55QR0000001" in view.en
    assert "Pepe for José" in view.en and "puerto" in view.es
    held = found.held[0]
    assert [e.record_id for e in view.evidence if e.record_id] == [held.context, held.record_id]
    assert "held" not in repr(found) and "DL55QR" not in repr(found)  # never printed to the officer
    assert inbox(lists, CBP_BOSS, PURPOSE) == [] and inbox(lists, person("x.fgr", "MX/FGR", Role.ANALYST),
                                                            PURPOSE) == []  # fmt: skip
    # a check that meets no wanted person tells no one; the same driver met again, while the lead is
    # open, is the same lead (the hit itself is recorded)
    screen(lists, CBP, PURPOSE, plate="BSB1085", state="US-TX", port="LAREDO")
    again = screen(lists, CBP, PURPOSE, surname="Hernandez", given="Jose", birth="1988-03-04", port="HIDALGO")
    assert again.hit_ids and len(inbox(lists, hsi, PURPOSE)) == 1


CROSSING = (  # the HSI case's subject drives south in his own pickup
    '{"crossing_id": "LAR-2023-9001", "crossed_at": "2023-03-01T10:00:00-06:00", "port": "2304", '
    '"direction": "S", "lane": "GENERAL", "occupants": 1, '
    '"vehicle": {"plate": "TXP4410", "plate_state": "TX", '
    '"vin": "1FTFW1ET9DFC10312", "make": "FORD", "model": "F-150", "year": 2013, "color": "BLACK"}, '
    '"driver": {"last_name": "HERNANDEZ GOMEZ", "first_name": "JOSE LUIS", "dob": "1988-03-04", '
    '"citizenship": "MX"}}\n'
)


def test_a_vehicle_a_case_subject_was_seen_in_is_on_the_list(lists, tmp_path):
    from puente.leads.workflow import inbox, read
    from puente.resolve.batch import resolve_persons
    from puente.samples import sample_files

    for path, profile in sample_files():  # others' records too: the match model is fitted on a crowd
        ingest_file(lists, path, load_profile(profile))
    ingest_file(lists, write(tmp_path, CROSSING, "crossings.jsonl"), load_profile("cbp-crossings"))
    resolve_persons(lists)
    refresh(lists)
    rebuild(lists)
    # a check of the pickup alone, days later, with someone else driving: CBP may see its own crossing
    # but not HSI's case, so it is told whom to call; HSI is told at once, with the crossing it saw
    found = screen(lists, CBP, PURPOSE, plate="TXP-4410", state="US-TX", port="LAREDO")
    assert [(m.reason, m.how, m.record_id) for m in found.matches] == [("subject_vehicle", "exact", None)]
    # the subject driving it too meets the case twice in one check: one lead tells it
    both = screen(lists, CBP, PURPOSE, plate="TXP-4410", state="US-TX", surname="Hernandez Gomez",
                  given="Jose Luis", birth="1988-03-04", port="LAREDO")  # fmt: skip
    assert sorted(m.reason for m in both.matches) == ["case_subject", "subject_vehicle"]
    hsi = person("ana.hsi", "US/HSI", Role.ANALYST)
    told = inbox(lists, hsi, PURPOSE)
    assert [(v.rule, v.task_force) for v in told] == [("lane", "BEST-LAREDO")]
    view = read(lists, hsi, PURPOSE, told[0].id)
    assert "a vehicle a subject of your case" in view.en and "un vehículo en el que se vio" in view.es
    # HSI itself sees the details; FGR, which sees neither record, is pointed to HSI as for the subject
    mine = screen(lists, hsi, PURPOSE, vin="1FTFW1ET9DFC10312")
    assert mine.matches[0].record_id == "US/CBP:crossing:LAR-2023-9001"
    assert "DL55QR0000001" in mine.matches[0].en
    told_fgr = screen(lists, FGR, PURPOSE, plate="TXP4410").matches
    assert [(m.holder, m.record_id, m.label) for m in told_fgr] == [("US/HSI", None, None)]
    assert "LAR-2023" not in repr(told_fgr) and "F-150" not in repr(told_fgr)


def test_a_case_subject_is_met_by_what_other_agencies_records_say_of_him(lists):
    """HSI's case names its subject by name and birth date alone; the FGR detainee resolved to him
    carries his CURP, and FGR releases its seizures to HSI: a lane meets the subject by that CURP."""
    from puente.resolve.batch import resolve_persons
    from puente.samples import sample_files

    curp = "HEGJ880304HCHRML07"
    assert not screen(lists, CBP, PURPOSE, identifier=curp).hit  # the case itself does not know it
    for path, profile in sample_files():
        ingest_file(lists, path, load_profile(profile))
    resolve_persons(lists)
    refresh(lists)
    rebuild(lists)
    told = screen(lists, CBP, PURPOSE, identifier=curp).matches  # CBP sees neither record: whom to call
    assert [(m.reason, m.holder, m.record_id) for m in told] == [("case_subject", "US/HSI", None)]
    hsi = person("ana.hsi", "US/HSI", Role.ANALYST)
    [seen] = [m for m in screen(lists, hsi, PURPOSE, identifier=curp).matches if m.how == "exact"]
    assert seen.record_id == "MX/FGR:person:FGR-TAM-2023-0117-1" and "DL55QR0000001" in seen.en
    assert seen.since == "2023-02-27"  # known so since FGR's seizure named him
    fgr = screen(lists, FGR, PURPOSE, identifier=curp).matches  # FGR's own record, HSI's interest
    assert [(m.holder, m.record_id, m.label) for m in fgr] == [("US/HSI", None, None)]


CARPETA = (  # FGR's carpeta on the same man; FGR may not see CBP's crossings
    "CARPETA;FECHA_INICIO;ESTATUS;DELITO;AGENTE_MP;NUM_IMPUTADO;NOMBRE;APELLIDO_PATERNO;APELLIDO_MATERNO;"
    "ALIAS;FECHA_NACIMIENTO;SEXO;NACIONALIDAD;CURP;TELEFONO\n"
    "FED/TAM/REY/0009999/2023;02/01/2023;EN TRAMITE;Portación de arma;Lic. A. Treviño;1;José Luis;Hernández;"
    "Gómez;;04/03/1988;H;MX;HEGJ880304HCHRML07;\n"
)


def load_carpetas(db, tmp_path, text: str) -> None:
    """FGR's carpetas (Latin-1) loaded, and the search index and the hot lists brought level."""
    path = tmp_path / "carpetas.csv"
    path.write_bytes(text.encode("latin-1"))
    ingest_file(db, path, load_profile("fgr-carpetas"))
    refresh(db)
    rebuild(db)


def test_a_vehicle_seen_only_in_a_record_the_case_agency_may_not_see_tells_it_nothing(lists, tmp_path):
    from puente.leads.workflow import inbox
    from puente.resolve.batch import resolve_persons
    from puente.samples import sample_files

    for sample, profile in sample_files():  # a crowd for the match model, as above
        ingest_file(lists, sample, load_profile(profile))
    ingest_file(lists, write(tmp_path, CROSSING, "crossings.jsonl"), load_profile("cbp-crossings"))
    path = tmp_path / "carpetas.csv"
    path.write_bytes(CARPETA.encode("latin-1"))
    ingest_file(lists, path, load_profile("fgr-carpetas"))
    resolve_persons(lists)
    refresh(lists)
    rebuild(lists)
    found = screen(lists, CBP, PURPOSE, plate="TXP-4410", state="US-TX", port="LAREDO").matches
    # HSI may see CBP's crossing: its case's interest stands; FGR may not: the pickup is no entry of its
    assert {(m.reason, m.holder) for m in found} == {("subject_vehicle", "US/HSI")}
    fgr = person("ana.fgr", "MX/FGR", Role.ANALYST)
    assert inbox(lists, fgr, PURPOSE) == []
    # the subject himself is FGR's interest by FGR's own record
    driver = screen(lists, CBP, PURPOSE, surname="Hernandez Gomez", given="Jose Luis", birth="1988-03-04")
    assert {m.holder for m in driver.matches if m.reason == "case_subject"} == {"US/HSI", "MX/FGR"}


def test_a_vehicle_a_case_file_names_is_its_subjects_vehicle_from_the_day_the_case_opened(lists, tmp_path):
    from puente.leads.workflow import inbox

    named = CARPETA.replace("CURP;TELEFONO\n", "CURP;TELEFONO;PLACA_VEHICULO;ENTIDAD_PLACA;NIV\n").replace(
        "HEGJ880304HCHRML07;\n", "HEGJ880304HCHRML07;;WKN-44-10;TAM;3VWFE21C04M000001\n"
    )
    load_carpetas(lists, tmp_path, named)
    found = screen(lists, CBP, PURPOSE, plate="WKN4410", state="MX-TAM", port="LAREDO").matches
    assert [(m.reason, m.holder, m.record_id, m.label) for m in found] == [
        ("subject_vehicle", "MX/FGR", None, None)
    ]
    fgr = person("ana.fgr", "MX/FGR", Role.ANALYST)
    [told] = inbox(lists, fgr, PURPOSE)
    assert told.rule == "lane" and "LAREDO" in told.en
    [mine] = screen(lists, FGR, PURPOSE, plate="WKN4410").matches
    assert mine.record_id == "MX/FGR:vehicle:FED/TAM/REY/0009999/2023-1-v" and mine.since == "2023-01-02"
    # a replay of a day before the carpeta was opened meets nothing: it was not known then
    assert not screen(lists, CBP, PURPOSE, plate="WKN4410", state="MX-TAM", today="2022-12-31").hit


def test_a_driver_named_by_another_given_name_is_a_candidate_by_both_surnames_and_birth_date(lists, tmp_path):
    """FGR's carpeta knows its subject as Liz López Montoya; at the lane her document reads María
    López Montoya: no form of one given name is the other, but both surnames and the birth date are."""
    liz = CARPETA.replace("José Luis;Hernández;Gómez;;04/03/1988;H;MX;HEGJ880304HCHRML07;",
                          "Liz;López;Montoya;;26/10/1984;M;MX;;")  # fmt: skip
    load_carpetas(lists, tmp_path, liz)
    found = screen(lists, CBP, PURPOSE, surname="LÓPEZ MONTOYA", given="MARÍA", birth="1984-10-26").matches
    assert [(m.reason, m.how, m.holder, m.record_id) for m in found] == [
        ("case_subject", "surnames", "MX/FGR", None)
    ]
    assert "contact the holder" in found[0].en and "contacte al titular" in found[0].es
    mine = screen(lists, FGR, PURPOSE, surname="Lopez Montoya", given="Maria", birth="1984-10-26").matches
    assert mine[0].how == "surnames" and "los dos apellidos" in mine[0].es
    # one surname, or another birth date, is no candidate: too many share them
    assert not screen(lists, CBP, PURPOSE, surname="LÓPEZ", given="MARÍA", birth="1984-10-26").hit
    assert not screen(lists, CBP, PURPOSE, surname="LÓPEZ MONTOYA", given="MARÍA", birth="1984-10-27").hit


def test_given_names_are_alike_word_by_word_and_by_what_a_short_form_stands_for(lists, tmp_path):
    carpeta = "FED/NLE/MTY/0004401/2022;02/01/2022;EN TRAMITE;Portación de arma;Lic. A. Treviño"
    imputados = ["1;José Gerardo;Moreno;Salas;;17/08/1980;H", "2;Chepina;Cruz;Martínez;;11/04/1998;M",
                 "3;Fello;Montes de Oca;Gallegos;;02/09/1964;H",
                 "4;Ana;García;Pérez;;04/01/1957;M"]  # fmt: skip
    rows = [f"{carpeta};{imputado};MX;;" for imputado in imputados]
    load_carpetas(lists, tmp_path, CARPETA.splitlines()[0] + "\n" + "\n".join(rows) + "\n")

    def how(surname: str, given: str, birth: str) -> list[str]:
        return [m.how for m in screen(lists, CBP, PURPOSE, surname=surname, given=given, birth=birth).matches]

    assert how("MORENO", "GERALD", "1980-08-17") == ["similar"]  # Gerald is like Gerardo, his second name
    assert how("Cruz", "Joefina", "1998-04-11") == ["similar"]  # a typo of Josefina, whom Chepina stands for
    assert how("MONTES DE OCA", "RAFAEL", "1964-09-02") == ["surnames"]  # the maternal surname left out
    assert how("RAFAEL", "MONTES DE OCA", "1964-09-02") == ["surnames"]  # and the name's parts swapped
    assert how("Pérez López", "Ana", "1957-01-04") == []  # her maternal surname is another family's first


def test_a_watch_on_a_plate_is_a_lookout_at_the_lanes(lists):
    from puente.leads.workflow import inbox
    from puente.watch.watches import add

    atf = person("ray.atf", "US/ATF", Role.ANALYST)
    add(lists, atf, PURPOSE, "identifier", "GHK 7781", label="straw buyer's pickup")
    rebuild(lists)
    found = screen(lists, CBP, PURPOSE, plate="GHK7781", state="US-AZ", port="NOGALES")
    assert [(m.reason, m.holder, m.record_id) for m in found.matches] == [("watch", "US/ATF", None)]
    assert "contact the holder" in found.matches[0].en and "straw" not in found.matches[0].en
    told = inbox(lists, atf, PURPOSE)
    assert [(v.rule, v.assignee) for v in told] == [("lane", "ray.atf")]
    assert "straw buyer's pickup" in told[0].en and "NOGALES" in told[0].en
    mine = screen(lists, atf, PURPOSE, plate="GHK7781")
    assert "straw buyer's pickup" in mine.matches[0].en  # the watcher sees its own lookout


RUNS = "".join(  # one pickup south four times in three weeks, another twice
    f'{{"crossing_id": "ELP-R-{n}", "crossed_at": "2023-04-{day:02d}T09:00:00-06:00", "port": "2402", '
    f'"direction": "S", "lane": "GENERAL", "occupants": 1, "vehicle": {{"plate": "{plate}", '
    f'"plate_state": "TX"}}, "driver": {{"last_name": "SOTO", "first_name": "RAUL", "dob": "1979-09-09"}}}}\n'
    for n, (plate, day) in enumerate(
        [("RUN4001", 1), ("RUN4001", 8), ("RUN4001", 15), ("RUN4001", 21), ("TWO2002", 1), ("TWO2002", 20)]
    )
)


def test_risk_flags_are_weighed_beside_the_hits(lists, tmp_path):
    from puente.samples import sample_files
    from puente.trace import catalog
    from tests.trace.test_engine import ACQUISITIONS

    for path, profile in sample_files():
        ingest_file(lists, path, load_profile(profile))
    ingest_file(lists, write(tmp_path, RUNS, "runs.jsonl"), load_profile("cbp-crossings"))
    ingest_file(lists, write(tmp_path, ACQUISITIONS, "acq.csv"), load_profile("atf-acquisitions"))
    refresh(lists)
    catalog.refresh(lists)
    rebuild(lists)
    hsi = person("ana.hsi", "US/HSI", Role.ANALYST)
    # the pickup HSI's BEST seized at Laredo with cash and a rifle
    seized = screen(lists, hsi, PURPOSE, plate="HTR9921", state="US-TX")
    assert not seized.hit and seized.flagged
    assert sorted(m.reason for m in seized.matches) == ["flag_cash", "flag_network"]
    cash = next(m for m in seized.matches if m.reason == "flag_cash")
    assert "48,500 USD" in cash.en and cash.en.startswith("Risk flag")
    assert cash.es.startswith("Indicador de riesgo")
    # four crossings south in three weeks is a pattern; two in three weeks is not
    runner = screen(lists, CBP, PURPOSE, plate="RUN4001", state="US-TX").matches
    assert [(m.reason, m.label) for m in runner] == [("flag_southbound", "4 × 2023-04-01 … 2023-04-21")]
    assert not screen(lists, CBP, PURPOSE, plate="TWO2002", state="US-TX").matches
    # a flag is weighed on the vehicle itself, never on a lookalike plate
    assert not screen(lists, CBP, PURPOSE, plate="RUN40O1", state="US-TX").matches
    # the driver bought two Glocks in a multiple sale: ATF sees why, an officer whose agency may not
    # see ATF's sales is told whom to ask, or nothing
    atf = person("ray.atf", "US/ATF", Role.ANALYST)
    herrera = {"surname": "Herrera", "given": "Maria", "birth": "1990-05-14"}
    bought = screen(lists, atf, PURPOSE, today="2022-03-01", **herrera).matches
    assert [(m.reason, m.label) for m in bought] == [("flag_multiple_sale", "2 × Rio Guns 2022-01-12")]
    for m in screen(lists, FGR, PURPOSE, today="2022-03-01", **herrera).matches:
        assert m.record_id is None and "Rio Guns" not in m.en
    # a multiple sale weighs while it is recent: not 180 days on, nor before it happened
    assert not screen(lists, atf, PURPOSE, today="2022-07-12", **herrera).matches
    assert not screen(lists, atf, PURPOSE, today="2022-01-01", **herrera).matches
    # a later load of crossings alone: the pattern is read again, the seizures' flags stand
    third = RUNS.splitlines()[4].replace("ELP-R-4", "ELP-R-9").replace("2023-04-01", "2023-04-10")
    ingest_file(lists, write(tmp_path, third + "\n", "more.jsonl"), load_profile("cbp-crossings"))
    rebuild(lists)
    assert [m.label for m in screen(lists, CBP, PURPOSE, plate="TWO2002", state="US-TX").matches] == [
        "3 × 2023-04-01 … 2023-04-20"]  # fmt: skip
    assert screen(lists, hsi, PURPOSE, plate="HTR9921", state="US-TX").flagged
    # lists built by older derivations are read again whole, though nothing new was loaded
    from sqlalchemy import delete, update

    from puente.store.schema import hotlist, hotlist_state

    with lists.engine.begin() as conn:
        conn.execute(delete(hotlist).where(hotlist.c.reason.like("flag_%")))
        conn.execute(update(hotlist_state).values(version=1))
    rebuild(lists)
    assert screen(lists, CBP, PURPOSE, plate="RUN4001", state="US-TX").flagged
    # the officer's feedback counts for the flag's rule like any other
    hit_id = screen(lists, CBP, PURPOSE, plate="RUN4001", state="US-TX").hit_ids[0]
    assert act(lists, CBP, PURPOSE, hit_id, "inspected")
    assert rates(lists, CBP_BOSS, PURPOSE)["flag_southbound"]["actions"]["inspected"] == 1


def test_a_suspect_firearm_found_in_a_vehicle_is_met_by_its_serial(lists, tmp_path):
    from puente.leads.workflow import inbox
    from puente.resolve.batch import resolve_persons
    from puente.samples import sample_files
    from puente.trace import catalog
    from tests.trace.test_engine import ACQUISITIONS

    subject_buys = ("A9,1-74-001-01-1A-00001,Rio Guns,TX,02/01/2023,RIFLE,Century Arms,WASR-10,7.62x39,"
                    "SUB-777,,RO,N,HERNANDEZ GOMEZ,JOSE LUIS,03/04/1988,,5 Elm St,Laredo,TX\n")  # fmt: skip
    for path, profile in sample_files():
        ingest_file(lists, path, load_profile(profile))
    acquisitions = write(tmp_path, ACQUISITIONS + subject_buys, "acq.csv")
    ingest_file(lists, acquisitions, load_profile("atf-acquisitions"))
    resolve_persons(lists)
    refresh(lists)
    catalog.refresh(lists)
    rebuild(lists)
    atf = person("ray.atf", "US/ATF", Role.ANALYST)
    glock = screen(lists, atf, PURPOSE, serial="abc 123").matches  # one of the two Glocks of a multiple sale
    assert [(m.reason, m.how) for m in glock] == [("suspect_firearm", "exact")]
    assert "multiple sale" in glock[0].en
    assert not screen(lists, atf, PURPOSE, serial="XYZ99").matches  # a character short: no candidate
    assert [m.how for m in screen(lists, atf, PURPOSE, serial="ABC-I23").matches] == ["ocr"]  # 1 read as I
    assert not screen(lists, atf, PURPOSE, serial="DUP1").hit  # a single sale of no one wanted
    # the rifle HSI's subject bought: the officer is pointed to HSI, and HSI is told at once
    rifle = screen(lists, CBP, PURPOSE, serial="SUB-777", port="LAREDO").matches
    assert [(m.reason, m.holder, m.record_id) for m in rifle] == [("suspect_firearm", "US/HSI", None)]
    told = inbox(lists, person("ana.hsi", "US/HSI", Role.ANALYST), PURPOSE)
    assert [v.rule for v in told] == ["lane"] and "a firearm bought by a subject of your case" in told[0].en


def test_a_watch_on_an_entity_is_a_lookout_by_what_its_records_say_the_watcher_may_see(lists):
    from sqlalchemy import select

    from puente.store.repository import utcnow
    from puente.store.schema import entity_members, hotlist, watches

    with lists.engine.begin() as conn:  # an entity of HSI's case subject, and two agencies' watches on it
        member = {"record_id": "US/HSI:person:DL55QR0000001-1", "entity_type": "person", "run_id": 1}
        conn.execute(entity_members.insert().values(entity_id="EP-watched", **member))
        for n, agency in enumerate(("US/HSI", "MX/ANAM"), start=1):  # ANAM may not see HSI's record
            conn.execute(watches.insert().values(
                id=n, user_id=f"u{n}", agency=agency, kind="entity", value="EP-watched",
                label="wherever he turns up", since_run_id=0, active=True, created_at=utcnow()))  # fmt: skip
    rebuild(lists)
    with lists.engine.connect() as conn:
        kept = select(hotlist.c.owner, hotlist.c.kind, hotlist.c.key).where(hotlist.c.reason == "watch")
        assert sorted(conn.execute(kept)) == [("US/HSI", "person", "HERNANDEZ|JOSE|1988-03-04")]
    found = screen(lists, CBP, PURPOSE, surname="Hernandez", given="Jose", birth="1988-03-04", port="LAREDO")
    assert sorted((m.reason, m.holder, m.record_id) for m in found.matches) == [
        ("case_subject", "US/HSI", None), ("watch", "US/HSI", None)]  # fmt: skip


def test_a_lane_reloads_the_lists_another_process_refreshed(lists, monkeypatch):
    from puente.screen import hotlist, lanes
    from puente.watch.watches import add

    assert not screen(lists, CBP, PURPOSE, plate="GHK7781").hit  # the lists are now in this process's memory
    add(lists, person("ray.atf", "US/ATF", Role.ANALYST), PURPOSE, "identifier", "GHK7781", label="pickup")
    hotlist.refresh(lists)  # as a load in another process would: nothing here is told
    monkeypatch.setattr(lanes, "RECHECK_S", 0.0)  # the second has passed
    assert screen(lists, CBP, PURPOSE, plate="GHK7781").hit


def test_a_vehicle_no_longer_stolen_leaves_the_list_at_once(lists, tmp_path):
    text = (
        resources.files("puente.ingest")
        .joinpath("profiles/ncic-stolen-vehicles.yaml")
        .read_text(encoding="utf-8")
    )
    required = "reported_stolen_on: {column: DOT, required: true, on_invalid: flag}"
    assert required in text
    text = text.replace(required, "reported_stolen_on: DOT")
    recovered = NCIC.splitlines()[0] + "\nV123456789,1HGCM82633A004352,BSB1085,TX,HONDA,ACCORD,2003,GRY,,\n"
    ingest_file(
        lists, write(tmp_path, recovered, "recovered.csv"), parse_profile(text, "ncic-stolen-vehicles")
    )
    rebuild(lists)
    assert not screen(lists, CBP, PURPOSE, plate="BSB1085", state="US-TX").hit
    assert screen(lists, CBP, PURPOSE, plate="7KQZ551", state="US-CA").hit  # the others stay


def test_a_recovery_date_takes_a_vehicle_off_the_list_and_a_later_theft_puts_it_back(lists, tmp_path):
    header = NCIC.splitlines()[0] + ",DOR"
    found = "V123456789,1HGCM82633A004352,BSB1085,TX,HONDA,ACCORD,2003,GRY,03/02/2024,HPD-24-0117,03/20/2024"
    ingest_file(
        lists, write(tmp_path, f"{header}\n{found}\n", "found.csv"), load_profile("ncic-stolen-vehicles")
    )
    rebuild(lists)
    assert not screen(lists, CBP, PURPOSE, plate="BSB1085", state="US-TX").hit  # no stale hit
    assert not screen(lists, CBP, PURPOSE, vin="1HGCM82633A004352").hit
    again = found.replace("03/02/2024,HPD-24-0117", "05/01/2024,HPD-24-0388")  # stolen again since
    ingest_file(
        lists, write(tmp_path, f"{header}\n{again}\n", "again.csv"), load_profile("ncic-stolen-vehicles")
    )
    rebuild(lists)
    answer = screen(lists, CBP, PURPOSE, plate="BSB1085", state="US-TX")
    assert answer.hit and answer.matches[0].since == "2024-05-01"


def test_a_theft_report_whose_date_cannot_be_read_still_screens(lists, tmp_path):
    from puente.ingest.quarantine import list_entries

    row = "V323456789,2T1BURHEXJC043821,HJX4410,TX,TOYT,COROLLA,2018,BLU,02/30/2024,EP-9"
    unreadable = NCIC.splitlines()[0] + "\n" + row + "\n"
    path = write(tmp_path, unreadable, "unreadable.csv")
    ingest_file(lists, path, load_profile("ncic-stolen-vehicles"))
    assert not list_entries(lists, file_name=path.name)  # stored, flagged for the steward
    rebuild(lists)
    answer = screen(lists, CBP, PURPOSE, plate="HJX4410", state="US-TX")
    assert answer.hit and answer.matches[0].reason == "stolen_us" and answer.matches[0].since is None
    assert screen(lists, CBP, PURPOSE, vin="2T1BURHEXJC043821").hit


def test_officers_say_what_they_did_and_supervisors_see_each_rules_rate(lists):
    first = screen(lists, CBP, PURPOSE, plate="BSB1085", state="US-TX")
    second = screen(lists, CBP, PURPOSE, plate="RXP4412")
    assert act(lists, CBP, PURPOSE, first.hit_ids[0], "seized")
    assert act(lists, CBP, PURPOSE, second.hit_ids[0], "false_hit")
    assert not act(lists, HSI, PURPOSE, first.hit_ids[0], "released")  # another agency's hit
    with pytest.raises(ValueError):
        act(lists, CBP, PURPOSE, first.hit_ids[0], "waved")
    numbers = rates(lists, CBP_BOSS, PURPOSE)
    assert numbers["stolen_us"]["actions"] == {"seized": 1} and numbers["stolen_mx"]["false_hit_rate"] == 1.0
    with pytest.raises(Refused):
        rates(lists, CBP, PURPOSE)  # an officer does not read the rates


def test_a_day_of_plate_reads_is_checked_in_one_run(lists, tmp_path):
    from tests.cli.test_app import run

    reads = tmp_path / "laredo.csv"
    reads.write_text(
        "plate,state,vin,port\nBSB1085,US-TX,,LAREDO\nABC1234,US-TX,,LAREDO\n,,3VWFE21C04M000001,LAREDO\n"
    )
    url = str(lists.engine.url.render_as_string(hide_password=False))
    run("principals", "add", "kim.cbp", "--agency", "US/CBP", "--role", "officer", "--db", url)
    answer = run("screen", str(reads), "--as", "kim.cbp", "--purpose", PURPOSE, "--db", url, "--json")
    lines = [json.loads(line) for line in answer.stdout.splitlines() if line.startswith("{")]
    assert answer.exit_code == 1 and [line["hit"] for line in lines] == [True, False, True]
    one = run("screen", "--plate", "ZZZ9999", "--as", "kim.cbp", "--purpose", PURPOSE, "--db", url)
    assert one.exit_code == 0 and "No hit" in one.stdout


def test_the_packed_index_gives_back_what_it_was_given():
    from puente.screen.index import Entry, Index

    seen = frozenset({"US/CBP", "MX/SSPC"})
    given = [Entry("vin", f"VIN{n:014d}", None, f"MX/SSPC:vehicle:{n}", "MX/SSPC", seen, "pointer",
                   "stolen_mx", f"Nissan {n}", f"2024-01-0{n % 9 + 1}") for n in range(300)]  # fmt: skip
    given += [Entry("plate", f"ABC{n:03d}", "MX-TAM", e.record_id, e.owner, e.audience, e.disclosure,
                    e.reason, e.label, e.since) for n, e in enumerate(given)]  # fmt: skip
    given.sort(key=lambda e: e.record_id)
    index = Index(given)
    assert len(index) == 600 and [index.entry(n) for n in range(600)] == given
    for n, e in enumerate(given):
        assert index.find(e.kind, e.key) == [n]
    assert index.find("plate", "VIN00000000000001") == []  # a key of another kind
    assert [index.entry(n).key for n in index.find_folded("plate", "A8C012")] == ["ABC012"]
    assert index.partial("ABC1*") == [f"A8C1{n:02d}" for n in range(50)]  # folded; at most 50, sorted


def test_an_identifier_is_found_however_it_is_punctuated():
    from puente.screen.check import check
    from puente.screen.index import Entry, Index

    seen = frozenset({"US/CBP", "US/HSI"})
    wanted = Entry("person", "123456789", None, "US/HSI:person:X-1", "US/HSI", seen, "pointer",
                   "case_subject", "Juan Pérez · X", None)  # fmt: skip
    index = Index([wanted])
    assert check(index, CBP, identifier="123-45-6789").hit and check(index, CBP, identifier="123456789").hit
    stateless = Index([Entry("plate", "ABC123", None, "MX/SSPC:vehicle:1", "MX/SSPC", frozenset({"US/CBP"}),
                             "pointer", "stolen_mx", "Nissan", None)])  # fmt: skip
    assert check(stateless, CBP, plate="ABC123", state="US-TX").matches[0].how == "no_state"  # none to differ
