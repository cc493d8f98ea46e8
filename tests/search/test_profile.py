"""Entity profiles: the viewer's records of an entity, its timeline, linked records and pointers to
the other holders, built from what the viewer may see only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import parse_profile
from puente.policy.access import Refused
from puente.search.profile import profile
from puente.store.schema import audit_log
from tests.ingest.test_bad_input import write
from tests.policy.test_access import ATF, FGR, PURPOSE
from tests.search.test_search import SUBJECTS, world  # noqa: F401 (a fixture)

DETAINEE = "MX/FGR:person:FGR-TAM-2023-0117-1"
SEIZURE = "MX/FGR:seizure:FGR-TAM-2023-0117"
# The same man as the FGR detainee, in an HSI file released to the US only (with a pointer).
SAME_MAN_ROW = (
    "ID,GIVEN,LAST,LAST2,DOB,CURP,PHONE\nH-9,Jose Luis,Hernandez,Gomez,1988-03-04,HEGJ880304HCHRML07,\n"
)


@pytest.fixture
def shared(world, tmp_path):  # noqa: F811
    from puente.resolve.batch import resolve_persons
    from puente.search import refresh

    ingest_file(world, write(tmp_path, SAME_MAN_ROW, "same.csv"), parse_profile(SUBJECTS, "hsi-subjects"))
    resolve_persons(world)
    refresh(world)
    return world


def test_each_viewer_sees_their_part_and_a_pointer_to_the_rest(shared):
    american = profile(shared, ATF, DETAINEE, PURPOSE)
    mexican = profile(shared, FGR, DETAINEE, PURPOSE)
    assert american is not None and mexican is not None
    us_ids = {r.view.record_id for r in american.records}
    mx_ids = {r.view.record_id for r in mexican.records}
    assert {DETAINEE, "US/HSI:person:H-9"} <= us_ids  # one man in both countries' records
    assert "US/HSI:person:H-9" not in mx_ids
    pointed = {p.record_id: p.holder for p in mexican.pointers}
    assert pointed["US/HSI:person:H-9"] == "US/HSI" and "Gomez" not in repr(mexican.pointers)
    assert not set(pointed) & mx_ids and set(pointed) <= us_ids  # the rest of him, as pointers
    assert american.entity_id != mexican.entity_id  # the Mexican view is a part, with an id of its own
    assert not american.pointers


def test_linked_records_and_timeline(shared):
    seen = profile(shared, FGR, DETAINEE, PURPOSE)
    assert seen is not None and seen.kind == "person"
    linked = {ln.record_id: ln for ln in seen.linked}
    assert SEIZURE in linked and linked[SEIZURE].relation
    days = [d for d, *_ in seen.timeline()]
    assert days == sorted(days) and "2023-02-27" in days  # the seizure's day


def test_a_hidden_or_unknown_record_has_no_profile_alike(shared):
    assert profile(shared, FGR, "US/HSI:person:H-9", PURPOSE) is None
    assert profile(shared, FGR, "US/HSI:person:no-such", PURPOSE) is None
    assert profile(shared, FGR, "US/ATF:case:C-1", PURPOSE) is None
    with pytest.raises(Refused):
        profile(shared, FGR, DETAINEE, "")


def test_a_profile_read_is_audited_with_what_it_showed(shared):
    seen = profile(shared, ATF, DETAINEE, PURPOSE)
    assert seen is not None
    with shared.engine.connect() as conn:
        entry = (
            conn.execute(
                select(audit_log).where(audit_log.c.action == "read_profile").order_by(audit_log.c.seq.desc())
            )
            .mappings()
            .first()
        )
    assert entry["user_id"] == ATF.user_id and DETAINEE in entry["detail"]
    assert "US/HSI:person:H-9" in entry["detail"]


def test_atf_sees_its_own_canary_case_as_a_lone_record(shared):
    seen = profile(shared, ATF, "US/ATF:case:C-1", PURPOSE)
    assert seen is not None and seen.entity_id is None and seen.kind == "case"
