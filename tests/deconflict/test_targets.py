"""Target deconfliction over a crafted set: cases of different agencies holding one person (by
resolved entity) or one identifier tell both sides whom to call; a case released to no one tells
nobody of itself; on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from importlib import resources

from puente.deconflict.alerts import alerts
from puente.deconflict.targets import deconflict_targets
from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import load_profile, parse_profile
from puente.resolve.batch import resolve_persons
from puente.resolve.review import decide
from puente.search import refresh
from tests.ingest.test_bad_input import write
from tests.policy.test_access import ATF, FGR, PURPOSE, person

HEADER = (
    "CASE_NUMBER,CASE_TITLE,OPENED,STATUS,CASE_TYPE,CASE_AGENT,SUBJECT_NO,SUBJECT_LAST,SUBJECT_FIRST,SUBJECT_DOB,"
    "SUBJECT_CITIZENSHIP,SUBJECT_PHONE\n"
)


def _profile(agency: str, releasable: str, disclosure: str):
    text = resources.files("puente.ingest").joinpath("profiles/hsi-cases.yaml").read_text(encoding="utf-8")
    name = f"cases-{agency.replace('/', '-').lower()}"
    text = text.replace("name: hsi-cases", f"name: {name}").replace("agency: US/HSI", f"agency: {agency}")
    text = text.replace(
        "releasable_to: [US/HSI]\n  disclosure: pointer",
        f"releasable_to: [{releasable}]\n  disclosure: {disclosure}",
    )
    return parse_profile(text, name)


def test_cases_sharing_a_target_tell_both_sides_whom_to_call_and_never_the_case(db, tmp_path):
    hsi_rows = HEADER + (
        "HSI-1,Operation Iron River,2023-01-02,OPEN,Firearms trafficking,SA Ortiz,1,Herrera,Maria,1990-05-14,"
        "US,+1 956 555 0142\n"
        "HSI-2,Unrelated,2023-01-02,OPEN,Fraud,SA Ortiz,1,Nobody,Ned,1970-01-01,US,+1 956 555 0999\n"
    )
    atf_rows = HEADER + (
        "ATF-7,Straw purchasing Laredo,2023-02-02,OPEN,Firearms trafficking,SA Lee,1,Herrera,Maria,"
        "1990-05-14,US,\n"
    )
    dea_rows = (
        HEADER + "DEA-9,Secret,2023-03-03,OPEN,Drugs,SA Kim,1,Castro,Ivan,1985-02-02,MX,+1 956 555 0142\n"
    )
    ingest_file(db, write(tmp_path, hsi_rows, "hsi.csv"), load_profile("hsi-cases"))
    ingest_file(db, write(tmp_path, atf_rows, "atf.csv"), _profile("US/ATF", "US/ATF, US/HSI", "pointer"))
    ingest_file(db, write(tmp_path, dea_rows, "dea.csv"), _profile("US/DEA", "US/DEA", "none"))
    resolve_persons(db)
    hsi_analyst = person("ines.hsi", "US/HSI", *ATF.roles)
    # name and birth date alone do not join them: an HSI analyst, who may see both, says they are one
    decide(db, hsi_analyst, "US/HSI:person:HSI-1-1", "US/ATF:person:ATF-7-1", "same", PURPOSE)
    resolve_persons(db)
    refresh(db)
    told = deconflict_targets(db, ATF, PURPOSE)
    hsi = alerts(db, hsi_analyst, PURPOSE)
    atf = alerts(db, ATF, PURPOSE)
    dea = alerts(db, person("kim.dea", "US/DEA", *ATF.roles), PURPOSE)
    # HSI-1 and ATF-7 hold one person (resolved into one entity): each side is told of the other
    assert {(a.own_ref, a.other_agency) for a in atf} == {("US/ATF:case:ATF-7", "US/HSI")}
    # HSI-1 and DEA-9 share a phone, but DEA's case is released to no one: HSI is told nothing of it
    assert {(a.own_ref, a.other_agency) for a in hsi} == {("US/HSI:case:HSI-1", "US/ATF")}
    # ... while DEA, which may be pointed to HSI's case, is told whom to call there
    assert {(a.own_ref, a.other_agency) for a in dea} == {("US/DEA:case:DEA-9", "US/HSI")}
    assert told == 3
    # what each side is told, less the moment it was told (whose digits may hold anything)
    words = " ".join(repr(replace(a, created_at="")) for a in atf + hsi + dea)
    for secret in ("Iron River", "Straw purchasing", "Secret", "Herrera", "Castro", "555"):
        assert secret not in words
    assert "the same phone number" in dea[0].en and "el mismo número" in dea[0].es
    assert deconflict_targets(db, ATF, PURPOSE) == 0  # told once
    assert alerts(db, FGR, PURPOSE) == []
