"""The screening endpoints: a check, the action on a hit, and the rates."""

from __future__ import annotations

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
    assert none == {"hit": False, "matches": [], "problems": [], "hit_ids": []}
    hit_id = hit.json()["hit_ids"][0]
    done = client.post(f"/api/v1/screen-hits/{hit_id}/action", json={"action": "seized"}, headers=cbp)
    assert done.status_code == 204
    other = client.post(f"/api/v1/screen-hits/{hit_id}/action", json={"action": "seized"}, headers=hsi)
    assert other.status_code == 404
    rated = client.get("/api/v1/screen-rates", headers=boss).json()["stolen_us"]
    assert rated["actions"] == {"seized": 1, "open": 1}  # the misread VIN is still open
    assert client.get("/api/v1/screen-rates", headers=cbp).status_code == 403
    assert client.post("/api/v1/screen", json={"birth": 0}, headers=cbp).status_code == 422
