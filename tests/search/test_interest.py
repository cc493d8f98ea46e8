"""Someone else searched for this: two agencies whose identifier searches show the same record are
both told whom to call, never each other's query; a record one of them may not see tells nothing."""

from __future__ import annotations

from puente.deconflict.alerts import alerts
from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import load_profile
from puente.samples import sample_files
from puente.search import refresh, search
from tests.policy.test_access import ATF, FGR, GN, PURPOSE


def test_two_agencies_searching_one_identifier_are_told_of_each_other(db):
    for path, profile in sample_files():
        ingest_file(db, path, load_profile(profile))
    refresh(db)
    search(db, FGR, "899 123 4567", PURPOSE)
    assert alerts(db, FGR, PURPOSE) == []  # the first to look is told nothing yet
    search(db, ATF, "+52 8991234567", PURPOSE)
    told_atf, told_fgr = alerts(db, ATF, PURPOSE), alerts(db, FGR, PURPOSE)
    assert {a.other_agency for a in told_atf} == {"MX/FGR"} and {a.other_agency for a in told_fgr} == {
        "US/ATF"
    }
    assert all(a.kind == "search" and a.contact_en and a.es for a in told_atf + told_fgr)
    assert "899" not in repr(told_atf + told_fgr)  # neither learns the other's query
    search(db, ATF, "899 123 4567", PURPOSE)
    assert len(alerts(db, ATF, PURPOSE)) == len(told_atf)  # told once
    search(db, GN, "Jose Luis Hernandez", PURPOSE)  # a search by name alone is not kept
    assert alerts(db, GN, PURPOSE) == []
