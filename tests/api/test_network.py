"""The link-analysis endpoints: find, neighbourhood, paths, communities, timelines and exports, each
from what the token's person may see."""

from __future__ import annotations

import igraph as ig
import orjson
import pytest
from followthemoney import model

from tests.api.test_records import headers, serving
from tests.network.test_graph import DETAINEE, SEIZURE, samples  # noqa: F401 (a fixture)
from tests.policy.test_access import CBP, FGR


@pytest.fixture
def api(samples):  # noqa: F811
    return serving(samples, FGR, CBP)


def _find(client, token, q):
    return client.get("/api/v1/network/entities", params={"q": q}, headers=headers(token)).json()


def test_a_neighbourhood_with_its_evidence_and_a_path_hop_by_hop(api, tmp_path):
    client, tokens = api
    h = headers(tokens[FGR.user_id])
    [him] = [
        f for f in _find(client, tokens[FGR.user_id], "jose luis hernandez gomez") if f["kind"] == "person"
    ]
    chart = client.get(f"/api/v1/network/entities/{him['id']}", params={"depth": 2}, headers=h).json()
    assert (
        chart["center"] == him["id"]
        and DETAINEE in next(n for n in chart["nodes"] if n["id"] == him["id"])["records"]
    )
    seized = [e for e in chart["edges"] if e["kind"] == "seizure"]
    assert seized and all(SEIZURE in [r["id"] for r in e["records"]] for e in seized)
    assert all(e["why_en"] and e["why_es"] and e["records"] for e in chart["edges"])
    persons = client.get(
        f"/api/v1/network/entities/{him['id']}", params={"depth": 2, "kinds": "person"}, headers=h
    )
    assert {n["kind"] for n in persons.json()["nodes"]} == {"person"}
    late = client.get(
        f"/api/v1/network/entities/{him['id']}", params={"from": "2030-01-01"}, headers=h
    ).json()
    assert late["edges"] == [] and [n["id"] for n in late["nodes"]] == [him["id"]]
    garzas = [f["id"] for f in _find(client, tokens[FGR.user_id], "ricardo garza")]
    asked = [
        client.get("/api/v1/network/paths", params={"from": him["id"], "to": g}, headers=h) for g in garzas
    ]
    found = [p for answer in asked for p in answer.json()["paths"]]
    assert found and all(e["records"] for hop in found[0]["hops"] for e in hop["edges"])
    graphml = client.get(f"/api/v1/network/entities/{him['id']}/export", headers=h)
    assert graphml.status_code == 200 and graphml.headers["content-type"].startswith(
        "application/graphml+xml"
    )
    (tmp_path / "c.graphml").write_bytes(graphml.content)
    near = client.get(f"/api/v1/network/entities/{him['id']}", headers=h).json()  # depth 1, as exported
    back = ig.Graph.Read_GraphML(str(tmp_path / "c.graphml"))
    assert sorted(back.vs["name"]) == sorted(n["id"] for n in near["nodes"]) and back.ecount() == len(
        near["edges"]
    )
    ftm = client.get(f"/api/v1/network/entities/{him['id']}/export", params={"format": "ftm"}, headers=h)
    assert "attachment" in ftm.headers["content-disposition"]
    assert all(model.get_proxy(orjson.loads(line)).id for line in ftm.content.splitlines())


def test_communities_and_their_timelines(api):
    client, tokens = api
    h = headers(tokens[FGR.user_id])
    found = client.get("/api/v1/network/communities", headers=h).json()
    assert found and found[0]["id"] == 1 and found[0]["players"]
    assert all(p["score"] <= 1 for c in found for p in c["players"])
    events = client.get("/api/v1/network/communities/1/timeline", headers=h).json()
    assert events and [e["day"] for e in events] == sorted(e["day"] for e in events)
    missing = client.get(
        "/api/v1/network/communities/999/timeline", headers=headers(tokens[FGR.user_id], lang="es")
    )
    assert missing.status_code == 404 and "comunidad" in missing.json()["detail"]


def test_an_entity_hidden_from_the_viewer_is_as_unknown_as_no_entity(api):
    client, tokens = api
    [him] = [
        f for f in _find(client, tokens[FGR.user_id], "jose luis hernandez gomez") if f["kind"] == "person"
    ]
    cbp = headers(tokens[CBP.user_id])  # CBP may not see FGR's seizures: its entity ids are not CBP's
    seized_gun = [f["id"] for f in _find(client, tokens[FGR.user_id], "1-AB4512-19")]
    for entity in [*seized_gun, "EP-0000000000000000"]:
        answer = client.get(f"/api/v1/network/entities/{entity}", headers=cbp)
        assert answer.status_code == 404 and answer.json()["title"]
        assert "Romarm" not in answer.text
    aimless = headers(tokens[FGR.user_id], purpose=None, lang="es-MX")
    refused = client.get(f"/api/v1/network/entities/{him['id']}", headers=aimless)
    assert refused.status_code == 403 and "propósito" in refused.json()["detail"]
    bad = client.get("/api/v1/network/entities/%3Cscript%3E", headers=cbp)
    assert bad.status_code == 422
