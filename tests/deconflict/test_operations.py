"""Event deconfliction over a crafted set: exactly the overlapping operations of different agencies
are found, both sides are told at once with whom to call, and neither learns the other's details;
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from puente.deconflict.alerts import alerts
from puente.deconflict.operations import OperationError, cancel, distance_m, plan, visible_operations
from puente.policy.access import Refused
from puente.policy.principals import Role
from tests.policy.test_access import ATF, FGR, GN, PURPOSE, person

HSI = person("ines.hsi", "US/HSI", Role.ANALYST)
ATF_2 = person("ann.atf", "US/ATF", Role.OFFICER)
UTC = dt.UTC
CST = dt.timezone(dt.timedelta(hours=-6))
LAREDO = (27.5060, -99.5075)
NUEVO_LAREDO = (27.4861, -99.5069)  # about 2.2 km south, across the river
TIJUANA = (32.5149, -117.0382)


def _op(db, who, title, start, hours, place, radius, kind="surveillance", **extra):
    end = start + dt.timedelta(hours=hours)
    return plan(db, who, PURPOSE, kind=kind, title=title, starts_at=start, ends_at=end,
                latitude=place[0], longitude=place[1], radius_m=radius, **extra)  # fmt: skip


def test_only_overlapping_operations_of_different_agencies_alert_both_sides(db):
    six = dt.datetime(2027, 1, 5, 6, tzinfo=UTC)
    g, _ = _op(db, GN, "Cancelado", six, 2, LAREDO, 500)
    cancel(db, GN, PURPOSE, g)  # called off before the others were planned: it meets none of them
    a, met = _op(db, ATF, "Surveillance of the stash house on Calle 5", six, 2, LAREDO, 500)
    assert met == 0
    # FGR's warrant, planned in local time: 01:00-03:00 CST is 07:00-09:00 UTC; 2.2 km < 500 + 2000 m
    local = dt.datetime(2027, 1, 5, 1, tzinfo=CST)
    b, met = _op(
        db, FGR, "Cateo domicilio Guerrero 1234", local, 2, NUEVO_LAREDO, 2000, kind="search_warrant"
    )
    assert met == 1
    _op(db, GN, "Patrullaje", six + dt.timedelta(hours=4), 1, LAREDO, 500, kind="coordinated_patrol")  # later
    _op(db, HSI, "Controlled delivery", six, 3, TIJUANA, 5000, kind="controlled_delivery")  # elsewhere
    e, met = _op(db, ATF_2, "Second ATF team", six, 2, LAREDO, 300)  # not in conflict with ATF's own A
    assert met == 1  # ... but with FGR's warrant
    _op(db, HSI, "Before the warrant", six, 1, LAREDO, 100)  # meets ATF's two teams; ends as FGR's starts
    atf = alerts(db, ATF, PURPOSE)
    fgr = alerts(db, FGR, PURPOSE)
    hsi = alerts(db, HSI, PURPOSE)
    assert {(x.own_ref, x.other_agency) for x in fgr} == {(str(b), "US/ATF")}
    assert {x.other_agency for x in atf} == {"MX/FGR", "US/HSI"}
    assert {x.own_ref for x in atf if x.other_agency == "MX/FGR"} == {str(a), str(e)}
    assert len(fgr) == 2  # FGR is told of each ATF team once
    assert len(hsi) == 2 and {x.other_agency for x in hsi} == {"US/ATF"}
    assert alerts(db, GN, PURPOSE) == []  # late, or cancelled
    told = " ".join(repr(x) for x in fgr)
    assert "stash house" not in told and "Calle 5" not in told and "surveillance" not in told
    assert not hasattr(fgr[0], "other_ref")  # not even ATF's operation number
    assert f"operation {a} " not in told and f"operación {a} " not in told
    assert all(x.en and x.es and x.contact_es for x in fgr + atf)
    # planning again changes nothing already told
    assert len(alerts(db, ATF, PURPOSE)) == len(atf)


def test_details_go_only_where_the_marking_releases_them(db):
    six = dt.datetime(2027, 2, 1, 6, tzinfo=UTC)
    _op(db, FGR, "Cateo en Reynosa", six, 2, NUEVO_LAREDO, 500, releasable_to=("MX",))
    _op(db, ATF, "ATF only", six, 2, TIJUANA, 500)
    assert [o.title for o in visible_operations(db, GN, PURPOSE)] == ["Cateo en Reynosa"]
    assert [o.title for o in visible_operations(db, HSI, PURPOSE)] == []
    near = visible_operations(db, ATF, PURPOSE, near=(*LAREDO, 1000))
    assert near == []  # ATF's own is in Tijuana; FGR's is not released to ATF
    assert [o.title for o in visible_operations(db, FGR, PURPOSE, near=(*LAREDO, 3000))] == [
        "Cateo en Reynosa"
    ]


def test_bad_plans_are_refused_with_a_reason_in_both_languages(db):
    six = dt.datetime(2027, 3, 1, 6, tzinfo=UTC)
    for bad in (
        {"kind": "raid"},
        {"ends_at": six - dt.timedelta(hours=1)},
        {"starts_at": dt.datetime(2027, 3, 1, 6), "ends_at": dt.datetime(2027, 3, 1, 8)},
        {"latitude": 91.0},
        {"radius_m": 0.0},
        {"releasable_to": ("XX",)},
    ):
        values = {"kind": "surveillance", "title": "t", "starts_at": six,
                  "ends_at": six + dt.timedelta(hours=1), "latitude": LAREDO[0], "longitude": LAREDO[1],
                  "radius_m": 100.0, **bad}  # fmt: skip
        with pytest.raises(OperationError) as refused:
            plan(db, ATF, PURPOSE, **values)
        assert refused.value.en and refused.value.es and refused.value.en != refused.value.es
    steward = person("sam.hsi", "US/HSI", Role.STEWARD)
    with pytest.raises(Refused):
        _op(db, steward, "t", six, 1, LAREDO, 100)
    with pytest.raises(Refused):
        cancel(db, GN, PURPOSE, 12345)  # not GN's


def test_distance_is_the_great_circle_one():
    assert distance_m(*LAREDO, *LAREDO) == 0
    assert 2100 < distance_m(*LAREDO, *NUEVO_LAREDO) < 2300
    assert 1_740_000 < distance_m(*LAREDO, *TIJUANA) < 1_800_000
