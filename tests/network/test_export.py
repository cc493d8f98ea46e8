"""A link chart as GraphML (read back by igraph) and as FollowTheMoney entities (read back by the
followthemoney package), every edge with its records and why in both languages."""

from __future__ import annotations

import igraph as ig
import orjson
from followthemoney import model

from puente.network.analysis import neighbourhood
from puente.network.export import export_file, ftm_lines, graphml
from puente.network.graph import build
from tests.network.test_graph import DETAINEE, SEIZURE, node_of, samples  # noqa: F401
from tests.policy.test_access import FGR, PURPOSE


def test_graphml_reads_back_with_its_evidence(samples, tmp_path):  # noqa: F811
    graph = build(samples, FGR, PURPOSE)
    start = node_of(graph, DETAINEE).id
    nodes, edges = neighbourhood(graph, start, depth=2)
    path = tmp_path / "chart.graphml"
    path.write_text(graphml(graph, nodes, edges), encoding="utf-8")
    back = ig.Graph.Read_GraphML(str(path))
    assert back.vcount() == len(nodes) and back.ecount() == len(edges)
    assert set(back.vs["name"]) == nodes and start in back.vs["name"]
    assert any(SEIZURE in r.split() for r in back.es["records"])
    assert all(w.startswith(graph.nodes[start].label) or " — " in w for w in back.es["why_en"])
    assert all("según" in w for w in back.es["why_es"])


def test_ftm_entities_load_in_followthemoney(samples):  # noqa: F811
    graph = build(samples, FGR, PURPOSE)
    start = node_of(graph, DETAINEE).id
    body, media, name = export_file(graph, start, "ftm", 2)
    assert media == "application/x-ndjson" and name.endswith(".ftm.json")
    proxies = [model.get_proxy(orjson.loads(line)) for line in body.splitlines()]
    things = {p.id: p for p in proxies if p.schema.is_a("Thing")}
    links = [p for p in proxies if not p.schema.is_a("Thing")]
    nodes, edges = neighbourhood(graph, start, depth=2)
    assert len(things) == len(nodes) and len(links) == len(edges)
    assert {p.schema.name for p in things.values()} >= {"Person", "Asset"}
    for link in links:
        ends = [
            v for prop in ("person", "associate", "subject", "object") for v in link.get(prop, quiet=True)
        ]
        assert len(ends) == 2 and set(ends) <= set(things)
        assert link.get("recordId") and link.get("description") and link.get("summary")
    assert any(SEIZURE in link.get("recordId") for link in links)
    assert ftm_lines(graph, [], []) == b""
