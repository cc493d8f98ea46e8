"""Exports pass on only what the viewer may see, hold back what another agency keeps under
originator control until its steward approves, and owners' stewards see who took what."""

from __future__ import annotations

import pytest

from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import parse_profile
from puente.policy import access, oversight, requests
from puente.policy.access import Refused
from puente.policy.dissemination import export_records
from puente.policy.principals import Role
from tests.ingest.test_bad_input import write
from tests.policy.test_access import ATF, CBP, FGR, GN, PURPOSE, loaded, person

__all__ = ["loaded"]

ATF_STEWARD = person("lee.atf", "US/ATF", Role.STEWARD)
CBP_STEWARD = person("pat.cbp", "US/CBP", Role.STEWARD)
CONTROLLED = """
name: atf-orcon
title: {en: ATF briefings, es: Informes ATF}
agency: US/ATF
format: csv
markings: {releasable_to: [MX/FGR, US], disclosure: pointer, originator_controlled: true}
records:
  - type: case
    id: "{ID}"
    fields:
      case_number: ID
      title: TITLE
"""
BRIEF = "US/ATF:case:B-7"


@pytest.fixture
def controlled(loaded, tmp_path):
    path = write(tmp_path, "ID,TITLE\nB-7,Red de compradores en Phoenix\n", "briefs.csv")
    ingest_file(loaded, path, parse_profile(CONTROLLED, "atf-orcon"))
    return loaded


def ids(views):
    return {v.record_id for v in views}


def test_an_export_holds_back_originator_controlled_records_until_the_owner_approves(controlled):
    first = export_records(controlled, FGR, PURPOSE, owner="US/ATF")
    assert BRIEF in ids(first.held_back) and BRIEF not in ids(first.records)
    assert access.read_record(controlled, FGR, BRIEF, PURPOSE).content["title"]  # seeing it is allowed
    with pytest.raises(Refused, match="you can see this record already"):
        requests.request_access(controlled, FGR, BRIEF, "para la carpeta de investigación", PURPOSE)
    asked = requests.request_access(
        controlled, FGR, BRIEF, "para la carpeta de investigación", PURPOSE, kind="export"
    )
    requests.decide(controlled, ATF_STEWARD, asked, approve=True, days=7, purpose=PURPOSE)
    second = export_records(controlled, FGR, PURPOSE, owner="US/ATF")
    assert BRIEF in ids(second.records) and not second.held_back
    assert ids(first.records) | {BRIEF} == ids(second.records)
    # the owner agency exports its own without asking; others' approvals do not carry over
    assert BRIEF in ids(export_records(controlled, ATF, PURPOSE, owner="US/ATF").records)
    gn = export_records(controlled, GN, PURPOSE)
    assert BRIEF not in ids(gn.records) | ids(gn.held_back)  # not releasable to GN at all


def test_an_export_request_is_only_for_visible_controlled_records_of_others(controlled):
    for viewer, record_id, message in (
        (FGR, "US/CBP:crossing:SYS-2023-000101", "no record you can see"),  # hidden from FGR
        (FGR, "US/ATF:person:T20230001-purchaser", "not under another agency's originator control"),
        (ATF, BRIEF, "not under another agency's originator control"),  # ATF's own
        (FGR, BRIEF + "-guessed", "no record you can see"),
    ):
        with pytest.raises(Refused, match=message):
            requests.request_access(controlled, viewer, record_id, "motivo", PURPOSE, kind="export")
    with pytest.raises(Refused, match="unknown kind"):
        requests.request_access(controlled, FGR, BRIEF, "motivo", PURPOSE, kind="everything")


def test_exports_withhold_restricted_fields_and_need_the_role(controlled):
    exported = export_records(controlled, FGR, PURPOSE, owner="US/ATF", record_type="person")
    buyer = next(v for v in exported.records if v.record_id == "US/ATF:person:T20230001-purchaser")
    assert "ssn" not in buyer.content and buyer.withheld_fields == ("ssn",)
    assert "523-41-7788" not in repr(exported)
    with pytest.raises(Refused, match="needs one of the roles"):
        export_records(controlled, CBP, PURPOSE)  # an officer screens; exporting is not theirs


def test_stewards_see_who_read_looked_for_and_exported_their_records(controlled):
    crossing = "US/CBP:crossing:SYS-2023-000101"
    access.read_record(controlled, FGR, crossing, "frontera Tijuana")  # a pointer
    access.read_record(controlled, CBP, crossing, "inspection")  # a read
    export_records(controlled, ATF, "trace follow-up", owner="US/CBP")
    access.read_record(controlled, ATF, BRIEF, "own record")  # ATF's, not CBP's
    views = oversight.views_of_agency(controlled, CBP_STEWARD, PURPOSE)
    seen = [(v.user_id, v.action, v.outcome, v.purpose) for v in views]
    assert seen[:3] == [
        ("joe.atf", "export", "exported", "trace follow-up"),
        ("kim.cbp", "read_record", "record", "inspection"),
        ("ana.fgr", "read_record", "pointer", "frontera Tijuana"),
    ]
    assert views[0].count >= 1 and all(i.startswith("US/CBP:") for v in views for i in v.record_ids)
    assert not any(BRIEF in v.record_ids for v in views)
    assert [v.user_id for v in oversight.views_of_agency(controlled, ATF_STEWARD, PURPOSE)][:1] == ["joe.atf"]
    with pytest.raises(Refused, match="needs one of the roles"):
        oversight.views_of_agency(controlled, FGR, PURPOSE)
