"""A link chart as files another tool reads: GraphML (yEd, Gephi, i2 through its importers) and
FollowTheMoney entities (Aleph, OpenSanctions' tools), each edge with the records behind it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

import igraph as ig
import orjson
from followthemoney import model

from puente.network.explain import edge_why
from puente.network.graph import Edge, Graph, Node

# The FollowTheMoney schema each kind of entity is written as: FtM has no firearm or phone schema,
# so a gun is an Asset and a phone a UserAccount of the telephone service.
FTM_SCHEMA = {"person": "Person", "organization": "Organization", "vehicle": "Vehicle", "firearm": "Asset",
              "phone": "UserAccount", "address": "Address"}  # fmt: skip
PUBLISHER = "Puente"


def graphml(graph: Graph, nodes: Iterable[str], edges: Iterable[Edge]) -> str:
    """The nodes and edges as GraphML: kind, label and days on nodes; kind, weight, records and the
    explanation in both languages on edges."""
    ids = sorted(set(nodes))
    index = {n: i for i, n in enumerate(ids)}
    chosen = [e for e in edges if e.a in index and e.b in index]
    g = ig.Graph(n=len(ids), edges=[(index[e.a], index[e.b]) for e in chosen])
    g.vs["name"] = ids
    g.vs["kind"] = [graph.nodes[n].kind for n in ids]
    g.vs["label"] = [graph.nodes[n].label for n in ids]
    g.vs["first"] = [graph.nodes[n].first or "" for n in ids]
    g.vs["last"] = [graph.nodes[n].last or "" for n in ids]
    g.es["kind"] = [e.kind for e in chosen]
    g.es["weight"] = [float(e.weight) for e in chosen]
    g.es["records"] = [" ".join(e.records) for e in chosen]
    g.es["why_en"] = [edge_why(graph, e, "en") for e in chosen]
    g.es["why_es"] = [edge_why(graph, e, "es") for e in chosen]
    handle, path = tempfile.mkstemp(suffix=".graphml")  # igraph writes to a file by name
    os.close(handle)
    try:
        g.write_graphml(path)
        with open(path, encoding="utf-8") as f:
            return f.read()
    finally:
        os.unlink(path)


def ftm_entities(graph: Graph, nodes: Iterable[str], edges: Iterable[Edge]) -> Iterator[dict[str, Any]]:
    """FollowTheMoney entities: one per node, and a link per edge (Associate between two persons,
    UnknownLink otherwise) whose recordId lists the records behind it."""
    kept = set(nodes)
    for n in sorted(kept):
        yield _ftm_node(graph.nodes[n]).to_dict()
    for e in edges:
        if e.a not in kept or e.b not in kept:
            continue
        a, b = graph.nodes[e.a], graph.nodes[e.b]
        both_persons = a.kind == b.kind == "person"
        link = model.make_entity("Associate" if both_persons else "UnknownLink")
        link.make_id("puente-edge", e.a, e.b, e.kind)
        if both_persons:
            link.add("person", _ftm_id(a))
            link.add("associate", _ftm_id(b))
            link.add("relationship", e.kind)
        else:
            link.add("subject", _ftm_id(a))
            link.add("object", _ftm_id(b))
            link.add("role", e.kind)
        link.add("recordId", e.records)
        link.add("description", edge_why(graph, e, "en"))
        link.add("summary", edge_why(graph, e, "es"))
        days = sorted(graph.days(e.records))
        if days:
            link.add("startDate", days[0])
            link.add("endDate", days[-1])
        link.add("publisher", PUBLISHER)
        yield link.to_dict()


def _ftm_id(node: Node) -> str:
    return model.make_entity(FTM_SCHEMA[node.kind]).make_id("puente", node.id) or node.id


def _ftm_node(node: Node) -> Any:
    entity = model.make_entity(FTM_SCHEMA[node.kind])
    entity.make_id("puente", node.id)
    entity.add("name", node.label)
    if node.kind == "phone":
        entity.add("service", "telephone")
        entity.add("username", node.label)
    elif node.kind == "address":
        entity.add("full", node.label)
    elif node.kind == "firearm":
        entity.add("description", "firearm / arma de fuego")
    entity.add("notes", f"Puente entity {node.id}")
    entity.add("publisher", PUBLISHER)
    return entity


def ftm_lines(graph: Graph, nodes: Iterable[str], edges: Iterable[Edge]) -> bytes:
    """The FtM entities as JSON lines, as ``ftm`` tools read them."""
    return b"".join(orjson.dumps(entity) + b"\n" for entity in ftm_entities(graph, list(nodes), list(edges)))


def export_file(graph: Graph, entity: str, format: str, depth: int) -> tuple[bytes, str, str]:
    """(body, media type, file name) of an entity's neighbourhood as GraphML or FtM lines."""
    from puente.network.analysis import neighbourhood

    nodes, edges = neighbourhood(graph, entity, depth=depth, limit=2000)
    if format == "ftm":
        return ftm_lines(graph, nodes, edges), "application/x-ndjson", f"puente-{entity}.ftm.json"
    return graphml(graph, nodes, edges).encode(), "application/graphml+xml", f"puente-{entity}.graphml"
