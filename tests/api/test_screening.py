"""The screening endpoints: a check, the action on a hit, and the rates."""

from __future__ import annotations

import json

import pytest

from tests.api.test_records import headers, serving
from tests.screen.test_check import CBP, CBP_BOSS, HSI, lists  # noqa: F401 (a fixture)


@pytest.fixture
def api(lists):  # noqa: F811 (the fixture imported above)
    return serving(lists, CBP, CBP_BOSS, HSI)


def test_a_check_over_the_api_with_the_officers_action_and_the_rates(api):
    client, tokens = api
    cbp, hsi, boss = (
        headers(tokens["kim.cbp"]),
        headers(tokens["ines.hsi"], lang="es"),
        headers(tokens["lee.cbp"]),
    )
    hit = client.post(
        "/api/v1/screen", json={"plate": "BSB1085", "state": "US-TX", "port": "LAREDO"}, headers=cbp
    )
    assert hit.status_code == 200 and hit.json()["hit"] and hit.json()["matches"][0]["how"] == "exact"
    pointer = client.post("/api/v1/screen", json={"plate": "RXP4412"}, headers=hsi).json()
    assert (
        pointer["hit"]
        and pointer["matches"][0]["record_id"] is None
        and "titular" in pointer["matches"][0]["es"]
    )
    misread = client.post("/api/v1/screen", json={"vin": "1HGCM82633AOO4352"}, headers=cbp).json()
    assert misread["problems"] and misread["hit"]
    none = client.post("/api/v1/screen", json={"plate": "ZZZ9999"}, headers=cbp).json()
    assert none == {"hit": False, "flagged": False, "matches": [], "problems": [], "hit_ids": []}
    hit_id = hit.json()["hit_ids"][0]
    done = client.post(f"/api/v1/screen-hits/{hit_id}/action", json={"action": "seized"}, headers=cbp)
    assert done.status_code == 204
    other = client.post(f"/api/v1/screen-hits/{hit_id}/action", json={"action": "seized"}, headers=hsi)
    assert other.status_code == 404
    rated = client.get("/api/v1/screen-rates", headers=boss).json()["stolen_us"]
    assert rated["actions"] == {"seized": 1, "open": 1}  # the misread VIN is still open
    assert client.get("/api/v1/screen-rates", headers=cbp).status_code == 403
    assert client.post("/api/v1/screen", json={"birth": 0}, headers=cbp).status_code == 422


def test_a_revoked_token_stops_screening_within_the_lanes_second(api, monkeypatch):
    from puente.api import deps
    from puente.policy.auth import revoke_token

    client, tokens = api
    token = tokens["kim.cbp"]
    assert client.post("/api/v1/screen", json={"plate": "BSB1085"}, headers=headers(token)).status_code == 200
    revoke_token(client.app.state.db, "system", token.split("_")[1])
    monkeypatch.setattr(deps, "LANE_RECHECK_S", 0.0)  # the second has passed
    refused = client.post("/api/v1/screen", json={"plate": "BSB1085"}, headers=headers(token))
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]


def test_lanes_checking_at_once_each_get_their_hits_recorded_and_audited(api):
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import select

    from puente.store.schema import audit_log

    client, tokens = api
    cbp, hsi = headers(tokens["kim.cbp"]), headers(tokens["ines.hsi"])

    def one(n: int) -> list[int]:
        body = {"plate": "BSB1085", "state": "US-TX", "port": f"LANE-{n}"}
        reply = client.post("/api/v1/screen", json=body, headers=cbp if n % 2 else hsi)
        assert reply.status_code == 200 and reply.json()["hit"]
        return reply.json()["hit_ids"]

    with ThreadPoolExecutor(8) as pool:
        ids = [i for got in pool.map(one, range(40)) for i in got]
    assert len(ids) == 40 and len(set(ids)) == 40  # one hit each, none shared
    with client.app.state.db.engine.connect() as conn:
        details = conn.execute(
            select(audit_log.c.user_id, audit_log.c.detail).where(audit_log.c.action == "screen")
        ).all()
    checks = [(user, c) for user, detail in details for c in json.loads(detail)["checks"]]
    assert sorted(c["port"] for _, c in checks) == sorted(f"LANE-{n}" for n in range(40))
    assert sorted(i for _, c in checks for i in c["hits"]) == sorted(ids)
    assert {user for user, c in checks if int(c["port"].split("-")[1]) % 2} == {"kim.cbp"}


def test_a_hit_that_cannot_be_recorded_is_not_answered_and_the_next_one_is(api, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from puente.screen import lanes

    client, tokens = api
    cbp = headers(tokens["kim.cbp"], lang="es")
    write = lanes._write

    def broken(conn, checks):
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(lanes, "_write", broken)
    refused = client.post("/api/v1/screen", json={"plate": "BSB1085", "state": "US-TX"}, headers=cbp)
    assert refused.status_code == 503 and "revise de nuevo" in refused.json()["detail"]
    monkeypatch.setattr(lanes, "_write", write)  # the recorder lives on, on a new connection
    again = client.post("/api/v1/screen", json={"plate": "BSB1085", "state": "US-TX"}, headers=cbp)
    assert again.status_code == 200 and again.json()["hit_ids"]
