"""Access requests and the audit over the API: a pointer, a request, the steward's decision, the
record shown; the steward reads who looked at the agency's records."""

from __future__ import annotations

from tests.api.test_records import headers, serving
from tests.policy.test_access import FGR, loaded
from tests.policy.test_requests import CBP_STEWARD, CROSSING

__all__ = ["loaded"]


def test_a_pointer_becomes_the_record_once_the_holders_steward_approves(loaded):
    client, tokens = serving(loaded, FGR, CBP_STEWARD)
    fgr = headers(tokens[FGR.user_id], lang="es")
    steward = headers(tokens[CBP_STEWARD.user_id])
    assert client.get(f"/api/v1/records/{CROSSING}", headers=fgr).json()["kind"] == "pointer"
    made = client.post("/api/v1/access-requests", headers=fgr,
                       json={"record_id": CROSSING, "reason": "arma asegurada en Tijuana"})  # fmt: skip
    assert made.status_code == 201
    request_id = made.json()["id"]
    self_approval = client.post(f"/api/v1/access-requests/{request_id}/decision", headers=fgr,
                                json={"approve": True})  # fmt: skip
    assert self_approval.status_code == 403 and self_approval.headers["content-language"] == "es"
    pending = client.get("/api/v1/access-requests", headers=steward).json()
    assert [r["id"] for r in pending if r["status"] == "pending"] == [request_id]
    decided = client.post(f"/api/v1/access-requests/{request_id}/decision", headers=steward,
                          json={"approve": True, "days": 7})  # fmt: skip
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    seen = client.get(f"/api/v1/records/{CROSSING}", headers=fgr).json()
    assert seen["kind"] == "record" and seen["content"]["port"]["code"] == "SAN-YSIDRO"
    views = client.get("/api/v1/audit/views", headers=steward).json()
    assert any(v["user_id"] == FGR.user_id and CROSSING in v["record_ids"] for v in views)
    assert client.get("/api/v1/audit/views", headers=fgr).status_code == 403  # an analyst audits nothing
    too_long = client.post(f"/api/v1/access-requests/{request_id}/decision", headers=steward,
                           json={"approve": True, "days": 400})  # fmt: skip
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "body.days"


def test_a_steward_reads_the_agencys_quarantine_only(loaded):
    from tests.policy.test_access import HSI_STEWARD

    client, tokens = serving(loaded, FGR, CBP_STEWARD, HSI_STEWARD)
    seen = {}
    for steward in (CBP_STEWARD, HSI_STEWARD):
        h = headers(tokens[steward.user_id], lang="es")
        rows = client.get("/api/v1/quarantine", params={"status": "all"}, headers=h).json()
        assert all(r["owner"] == steward.agency and r["reason_es"] and r["reason_en"] for r in rows)
        seen[steward.agency] = rows
    assert any(seen.values())  # the samples' bad rows
    fgr = headers(tokens[FGR.user_id])
    assert client.get("/api/v1/quarantine", headers=fgr).status_code == 403  # an analyst: not a steward
