"""Who the caller is, and the directory of principals for administrators."""

from __future__ import annotations

from puente.policy.principals import Role
from tests.api.test_records import headers, serving
from tests.policy.test_access import ADMIN, FGR, person


def test_me_and_the_directory(db):
    client, tokens = serving(db, ADMIN, FGR)
    me = client.get("/api/v1/me", headers=headers(tokens[FGR.user_id]))
    assert me.status_code == 200 and me.json()["user_id"] == FGR.user_id and me.json()["agency"] == "MX/FGR"
    listed = client.get("/api/v1/principals", headers=headers(tokens[ADMIN.user_id]))
    assert {p["user_id"] for p in listed.json()} == {ADMIN.user_id, FGR.user_id}
    refused = client.get("/api/v1/principals", headers=headers(tokens[FGR.user_id], lang="es"))
    assert refused.status_code == 403 and "manage_principals" in refused.json()["detail"]
    body = {"name": "Rosa Díaz", "agency": "MX/ANAM", "roles": ["officer"]}
    made = client.put("/api/v1/principals/rosa.anam", json=body, headers=headers(tokens[ADMIN.user_id]))
    assert made.status_code == 200 and made.json()["roles"] == ["officer"]
    bad = client.put("/api/v1/principals/rosa.anam", json={**body, "agency": "MX/NOPE"},
                     headers=headers(tokens[ADMIN.user_id]))  # fmt: skip
    assert bad.status_code == 422
    not_admin = client.put("/api/v1/principals/x.y", json=body, headers=headers(tokens[FGR.user_id]))
    assert not_admin.status_code == 403
    assert person("rosa.anam", "MX/ANAM", Role.OFFICER).agency == "MX/ANAM"
