"""The lead endpoints: the inbox, one lead, the workflow with its errors, the figures, webhooks, and
the live stream of changes (server-sent events)."""

from __future__ import annotations

import threading
import time

import pytest

from puente.leads.generate import generate
from tests.api.test_records import headers, serving
from tests.leads.test_generate import HSI, HSI_BOSS, crafted
from tests.policy.test_access import FGR


@pytest.fixture
def api(db, tmp_path):
    crafted(db, tmp_path)
    generate(db)
    return db, *serving(db, HSI, HSI_BOSS, FGR)


def test_the_inbox_and_a_lead_are_the_agency_told_only(api):
    _, client, tokens = api
    hsi, fgr = headers(tokens["ines.hsi"]), headers(tokens["ana.fgr"], lang="es")
    found = client.get("/api/v1/leads", headers=hsi).json()
    assert len(found) == 2 and {f["rule"] for f in found} == {"case_subject"}
    assert all(f["en"] and f["es"] and f["task_force"] for f in found)
    lead = found[0]["id"]
    one = client.get(f"/api/v1/leads/{lead}", headers=hsi).json()
    assert one["history"][0]["kind"] == "created"
    assert client.get("/api/v1/leads", headers=fgr).json() == []
    missing = client.get(f"/api/v1/leads/{lead}", headers=fgr)
    assert missing.status_code == 404 and "pista" in missing.json()["detail"]
    assert client.get("/api/v1/leads", params={"status": "closed"}, headers=hsi).json() == []


def test_the_workflow_over_the_api(api):
    _, client, tokens = api
    hsi, boss = headers(tokens["ines.hsi"]), headers(tokens["rosa.hsi"])
    lead = client.get("/api/v1/leads", headers=hsi).json()[0]["id"]
    assert (
        client.post(f"/api/v1/leads/{lead}/assign", json={"assignee": "rosa.hsi"}, headers=hsi).status_code
        == 403
    )
    assert (
        client.post(f"/api/v1/leads/{lead}/assign", json={"assignee": "ines.hsi"}, headers=boss).status_code
        == 200
    )
    mine = client.get("/api/v1/leads", params={"mine": True}, headers=hsi).json()
    assert [m["id"] for m in mine] == [lead]
    assert (
        client.post(f"/api/v1/leads/{lead}/action", json={"note": "interviewed"}, headers=hsi).status_code
        == 200
    )
    closed = client.post(f"/api/v1/leads/{lead}/close", json={"outcome": "case_opened"}, headers=hsi)
    assert closed.status_code == 200
    again = client.post(f"/api/v1/leads/{lead}/action", json={"note": "again"}, headers=hsi)
    assert again.status_code == 409
    assert (
        client.post(f"/api/v1/leads/{lead}/close", json={"outcome": "party"}, headers=hsi).status_code == 422
    )
    assert client.post("/api/v1/leads/999999/comments", json={"text": "x"}, headers=hsi).status_code == 404
    numbers = client.get("/api/v1/lead-figures", headers=hsi).json()
    assert numbers["by_outcome"] == {"case_opened": 1} and numbers["lead_to_action_hours"] is not None
    assert (
        client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x"}, headers=hsi).status_code == 403
    )
    assert (
        client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x"}, headers=boss).status_code == 201
    )


def test_the_stream_tells_each_change_as_it_happens(api):
    db, client, tokens = api
    hsi = headers(tokens["ines.hsi"])
    lead = client.get("/api/v1/leads", headers=hsi).json()[0]["id"]

    def later() -> None:
        time.sleep(1.5)
        client.post(f"/api/v1/leads/{lead}/comments", json={"text": "on my way"}, headers=hsi)

    threading.Thread(target=later, daemon=True).start()
    seen = []
    with client.stream("GET", "/api/v1/lead-stream", headers=hsi) as answer:  # from now on
        assert answer.headers["content-type"].startswith("text/event-stream")
        for line in answer.iter_lines():
            if line.startswith("data:"):
                seen.append(line)
                break
    assert '"kind":"comment"' in seen[0] and f'"lead_id":{lead}' in seen[0]
    fgr = headers(tokens["ana.fgr"])
    with client.stream("GET", "/api/v1/lead-stream", params={"after": 0}, headers=fgr) as answer:
        lines = []
        for line in answer.iter_lines():
            lines.append(line)
            if len(lines) > 4:
                break
    assert not any(line.startswith("data:") for line in lines)  # HSI's leads are not FGR's news


def test_watches_are_set_listed_and_stopped_over_the_api(api):
    _, client, tokens = api
    hsi, fgr = headers(tokens["ines.hsi"]), headers(tokens["ana.fgr"])
    body = {"kind": "identifier", "value": "3VWFE21C04M000001", "label": "Jetta", "case_id": "US/HSI:case:X"}
    made = client.post("/api/v1/watches", json=body, headers=hsi)
    assert made.status_code == 201
    watch = made.json()["watch"]
    listed = client.get("/api/v1/watches", headers=hsi).json()
    assert [(w["id"], w["label"], w["case_id"], w["active"]) for w in listed] == [
        (watch, "Jetta", "US/HSI:case:X", True)
    ]
    assert client.get("/api/v1/watches", headers=fgr).json() == []  # one's own watches only
    assert client.post(f"/api/v1/watches/{watch}/stop", headers=fgr).status_code == 404
    assert client.post(f"/api/v1/watches/{watch}/stop", headers=hsi).status_code == 204
    assert client.get("/api/v1/watches", headers=hsi).json()[0]["active"] is False
