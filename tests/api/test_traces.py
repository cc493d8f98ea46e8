"""The tracing endpoints: submit, bulk, list, one, patterns and ranking, each from what the viewer
may see."""

from __future__ import annotations

import pytest

from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import load_profile
from puente.policy.principals import Role
from tests.api.test_records import headers, serving
from tests.ingest.test_bad_input import write
from tests.policy.test_access import GN, person
from tests.trace.test_engine import ACQUISITIONS, SEIZURES

HSI = person("ines.hsi", "US/HSI", Role.ANALYST, certificates=frozenset({"tracing"}))
FGR_TRACER = person("eva.fgr", "MX/FGR", Role.ANALYST, certificates=frozenset({"tracing"}))


@pytest.fixture
def api(db, tmp_path):
    ingest_file(db, write(tmp_path, ACQUISITIONS, "acq.csv"), load_profile("atf-acquisitions"))
    ingest_file(db, write(tmp_path, SEIZURES, "fgr.csv", "latin-1"), load_profile("fgr-aseguramientos"))
    return serving(db, HSI, FGR_TRACER, GN)


def test_submit_a_firearm_and_read_its_result(api):
    client, tokens = api
    body = {
        "make": "Glock",
        "serial": "ABC-123",
        "model": "19",
        "recovered_on": "2023-05-01",
        "state": "MX-JAL",
    }
    answer = client.post("/api/v1/traces", json=body, headers=headers(tokens["ines.hsi"]))
    assert answer.status_code == 201, answer.text
    trace = answer.json()
    assert trace["status"] == "completed" and trace["result"]["dealer"]["name"] == "Rio Guns"
    assert {i["code"] for i in trace["indicators"]} >= {"short_time_to_crime", "multiple_sale"}
    again = client.get(f"/api/v1/traces/{trace['id']}", headers=headers(tokens["ines.hsi"]))
    assert again.json()["id"] == trace["id"]
    # another agency's analyst gets no sign of it
    hidden = client.get(f"/api/v1/traces/{trace['id']}", headers=headers(tokens["luis.gn"]))
    assert hidden.status_code == 404


def test_bulk_patterns_and_ranking(api):
    client, tokens = api
    run = client.post("/api/v1/trace-runs", headers=headers(tokens["eva.fgr"])).json()
    assert run["submitted"] == 8 and run["completed"] == 3
    listed = client.get(
        "/api/v1/traces", params={"status": "failed"}, headers=headers(tokens["eva.fgr"])
    ).json()
    assert len(listed) == 5 and all(t["result"]["reason"]["es"] for t in listed)
    found = client.get("/api/v1/traces/patterns", headers=headers(tokens["eva.fgr"])).json()
    assert found["guns_traced"] == 3
    ranked = client.get("/api/v1/traces/ranking", headers=headers(tokens["eva.fgr"])).json()
    assert ranked[0]["guns"] == 2 and ranked[0]["reasons"][0]["en"]
    # GN may see FGR's seizures but none of the sales behind FGR's results
    gn = client.get("/api/v1/traces/patterns", headers=headers(tokens["luis.gn"])).json()
    assert gn["guns_traced"] == 0


def test_tracing_without_the_certificate_or_a_purpose_is_refused(api):
    client, tokens = api
    refused = client.post("/api/v1/trace-runs", headers=headers(tokens["luis.gn"]))
    assert refused.status_code == 403 and "tracing" in refused.text
    no_purpose = client.post("/api/v1/trace-runs", headers=headers(tokens["eva.fgr"], purpose=None))
    assert no_purpose.status_code == 403
