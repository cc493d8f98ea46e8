"""Re-marking: a steward's change of who may see an own record is a new, audited version that
later loads keep."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import parse_profile
from puente.policy import access, audit, remark
from puente.policy.access import RecordView, Refused
from puente.policy.principals import Role
from puente.store.schema import audit_log, record_versions, records
from tests.ingest.test_bad_input import write
from tests.policy.test_access import ATF, FGR, GN, HIDDEN, PURPOSE, person

ATF_STEWARD = person("lee.atf", "US/ATF", Role.STEWARD)
CBP_STEWARD = person("pat.cbp", "US/CBP", Role.STEWARD)
CASE = "US/ATF:case:C-1"
TO_FGR = {"releasable_to": ["MX/FGR"], "disclosure": "pointer"}


def load(db, tmp_path, title="Operación Río Bravo"):
    path = write(tmp_path, f"ID,TITLE\nC-1,{title}\n", f"cases-{abs(hash(title))}.csv")
    return ingest_file(db, path, parse_profile(HIDDEN, "canary"))


def test_a_steward_re_marks_an_own_record_as_a_new_audited_version(db, tmp_path):
    load(db, tmp_path)
    assert access.read_record(db, FGR, CASE, PURPOSE) is None  # disclosure none: nothing at all
    version = remark.remark(db, ATF_STEWARD, CASE, TO_FGR, "caso conjunto con FGR", PURPOSE)
    assert version == 2
    seen = access.read_record(db, FGR, CASE, PURPOSE)
    assert (
        isinstance(seen, RecordView) and seen.version == 2 and seen.content["title"] == "Operación Río Bravo"
    )
    assert access.read_record(db, GN, CASE, PURPOSE) is not None  # GN: a pointer now, not silence
    assert not isinstance(access.read_record(db, GN, CASE, PURPOSE), RecordView)
    with db.engine.connect() as conn:
        versions = conn.execute(
            select(record_versions.c.version, record_versions.c.remarked_by, record_versions.c.payload_sha256)
            .where(record_versions.c.record_id == CASE)
            .order_by(record_versions.c.version)
        ).all()
        entry = conn.execute(select(audit_log).where(audit_log.c.action == "remark")).one()
    assert [(v.version, v.remarked_by) for v in versions] == [(1, None), (2, "lee.atf")]
    assert versions[0].payload_sha256 == versions[1].payload_sha256  # same content, new markings
    assert entry.user_id == "lee.atf" and "caso conjunto" in entry.detail and '"MX/FGR"' in entry.detail
    assert audit.verify(db).ok


def test_later_loads_keep_the_stewards_marking(db, tmp_path):
    load(db, tmp_path)
    remark.remark(db, ATF_STEWARD, CASE, TO_FGR, "caso conjunto con FGR", PURPOSE)
    again = load(db, tmp_path)  # the same file: nothing changes
    assert again.records_unchanged == 1 and again.records_new_version == 0
    changed = load(db, tmp_path, title="Operación Río Bravo II")  # new content: a new version
    assert changed.records_new_version == 1
    seen = access.read_record(db, FGR, CASE, PURPOSE)
    assert isinstance(seen, RecordView) and seen.version == 3 and seen.content["title"].endswith("II")
    with db.engine.connect() as conn:
        head = conn.execute(select(records).where(records.c.record_id == CASE)).mappings().one()
        newest = conn.execute(
            select(record_versions.c.markings).where(
                record_versions.c.record_id == CASE, record_versions.c.version == 3
            )
        ).scalar_one()
    assert head["remarked_by"] == "lee.atf" and '"MX/FGR"' in head["markings"] == newest


@pytest.mark.parametrize(
    ("who", "record_id", "markings", "reason", "message"),
    [
        (CBP_STEWARD, CASE, TO_FGR, "x", "no record of US/CBP"),  # another agency's record
        (ATF_STEWARD, "US/ATF:case:NOPE", TO_FGR, "x", "no record of US/ATF"),  # a guessed id
        (ATF, CASE, TO_FGR, "x", "needs one of the roles"),  # an analyst
        (ATF_STEWARD, CASE, {"releasable_to": ["XX/SPY"]}, "x", "unknown nations or agencies"),
        (ATF_STEWARD, CASE, {"releasable_to": ["mx; DROP TABLE records"]}, "x", "invalid markings"),
        (ATF_STEWARD, CASE, {"disclosure": "everything"}, "x", "invalid markings"),
        (ATF_STEWARD, CASE, {"owner": "MX/FGR", **TO_FGR}, "x", "the record is marked so"),  # owner kept
        (ATF_STEWARD, CASE, TO_FGR, "  ", "say why"),
    ],
)
def test_re_marking_refusals_are_clear_and_audited(db, tmp_path, who, record_id, markings, reason, message):
    load(db, tmp_path)
    if message == "the record is marked so":
        remark.remark(db, ATF_STEWARD, CASE, TO_FGR, "first", PURPOSE)
    with pytest.raises(Refused, match=message) as refused:
        remark.remark(db, who, record_id, markings, reason, PURPOSE)
    assert refused.value.decision.es
    with db.engine.connect() as conn:
        actions = conn.execute(select(audit_log.c.action).order_by(audit_log.c.seq.desc())).scalars().first()
        owner = conn.execute(select(records.c.owner).where(records.c.record_id == CASE)).scalar_one()
    assert actions.startswith("refused:") and owner == "US/ATF"
