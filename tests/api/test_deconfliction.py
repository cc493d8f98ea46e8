"""The deconfliction endpoints: plan, call off and list operations, and read the alerts."""

from __future__ import annotations

import pytest

from puente.policy.principals import Role
from tests.api.test_records import headers, serving
from tests.policy.test_access import ATF, FGR, person

OFFICER = person("ivan.fgr", "MX/FGR", Role.OFFICER)


@pytest.fixture
def api(db):
    return serving(db, ATF, FGR, OFFICER)


def _body(**extra):
    return {"kind": "surveillance", "title": "Stash house", "starts_at": "2027-01-05T06:00:00+00:00",
            "hours": 2, "latitude": 27.506, "longitude": -99.5075, "radius_m": 500, **extra}  # fmt: skip


def test_overlapping_operations_alert_both_sides_through_the_api(api):
    client, tokens = api
    atf, fgr = headers(tokens["joe.atf"]), headers(tokens["ivan.fgr"], lang="es")
    first = client.post("/api/v1/operations", json=_body(), headers=atf)
    assert first.status_code == 201 and first.json()["overlaps"] == 0
    local = {"starts_at": "2027-01-05T01:00:00-06:00"}
    warrant = _body(title="Cateo", latitude=27.4861, radius_m=2000, **local)
    second = client.post("/api/v1/operations", json=warrant, headers=fgr)
    assert second.json()["overlaps"] == 1
    told = client.get("/api/v1/deconfliction-alerts", headers=fgr).json()
    assert len(told) == 1 and told[0]["other_agency"] == "US/ATF" and "Stash" not in str(told)
    assert "ATF" in told[0]["contact"] and told[0]["es"]
    assert [o["title"] for o in client.get("/api/v1/operations", headers=atf).json()] == ["Stash house"]
    near = client.get("/api/v1/operations", params={"lat": 27.5, "lon": -99.5, "within_m": 100}, headers=fgr)
    assert [o["title"] for o in near.json()] == ["Cateo"]
    mine = first.json()["operation"]
    assert client.post(f"/api/v1/operations/{mine}/cancel", headers=fgr).status_code == 403  # not FGR's
    assert client.post(f"/api/v1/operations/{mine}/cancel", headers=atf).status_code == 204
    assert client.get("/api/v1/operations", headers=atf).json() == []


def test_a_bad_plan_is_a_problem_in_the_callers_language(api):
    client, tokens = api
    bad = client.post(
        "/api/v1/operations", json=_body(kind="raid"), headers=headers(tokens["joe.atf"], lang="es")
    )
    assert bad.status_code == 422 and "body.kind" in bad.text
    naive = client.post("/api/v1/operations", json=_body(starts_at="2027-01-05T06:00:00"),
                        headers=headers(tokens["joe.atf"]))  # fmt: skip
    assert naive.status_code == 422
