"""A steward uploads an export with bad rows over the API and reads them in the quarantine; the
upload is the agency's own, through a bundled profile, by a steward only."""

from __future__ import annotations

from importlib import resources

from puente.policy.principals import Role
from tests.api.test_records import headers, serving
from tests.policy.test_access import FGR, person

FGR_STEWARD = person("eva.fgr", "MX/FGR", Role.STEWARD)


def test_a_steward_uploads_an_export_and_reads_its_bad_rows(db):
    client, tokens = serving(db, FGR, FGR_STEWARD)
    steward = headers(tokens[FGR_STEWARD.user_id], lang="es")
    sample = (resources.files("puente.samples") / "fgr_aseguramientos.csv").read_bytes()
    bad = "FGR-TAM-2023-9999;31/02/2023;Cateo;Reynosa;Tamaulipas;X;1;Ana;Ruiz;;;;M;;;;;;;;;\r\n"
    body = sample.rstrip(b"\r\n") + b"\r\n" + bad.encode("cp1252")
    files = {"file": ("../../aseguramientos.csv", body, "text/csv")}
    fgr_profile = {"profile": "fgr-aseguramientos"}
    made = client.post("/api/v1/uploads", headers=steward, files=files, data=fgr_profile)
    assert made.status_code == 201, made.text
    report = made.json()
    assert report["status"] == "completed" and report["records_new"] > 0 and report["rows_quarantined"] >= 1
    assert report["file"] == "aseguramientos.csv"  # the client's directories are dropped
    run = client.get(f"/api/v1/runs/{report['run_id']}", headers=steward).json()
    assert run["status"] == "completed" and run["rows_quarantined"] == report["rows_quarantined"]
    assert run["id"] in [r["id"] for r in client.get("/api/v1/runs", headers=steward).json()]
    rows = client.get("/api/v1/quarantine", headers=steward).json()
    assert any(r["file_name"] == "aseguramientos.csv" and r["reason_es"] for r in rows)
    again = client.post("/api/v1/uploads", headers=steward, files=files, data=fgr_profile)
    assert again.json()["records_new"] == 0  # a reload changes nothing
    analyst = headers(tokens[FGR.user_id])
    assert client.post("/api/v1/uploads", headers=analyst, files=files, data=fgr_profile).status_code == 403
    other = client.post("/api/v1/uploads", headers=steward, files=files, data={"profile": "cbp-crossings"})
    assert other.status_code == 403 and "MX/FGR" not in other.json()["detail"]
    unknown = client.post("/api/v1/uploads", headers=steward, files=files, data={"profile": "/etc/passwd"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_profile"
