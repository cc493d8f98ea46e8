"""The link chart's answers as plain data, the same for the API, the console and the command line:
nodes, edges with their evidence and why in English and Spanish, paths hop by hop, communities."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from puente.model.labels import record_type_label
from puente.network.analysis import Community, Hop, neighbourhood, paths
from puente.network.explain import edge_why, kind_text
from puente.network.graph import Edge, Graph

KIND_LABELS = {  # the node kinds, as a chart's legend names them
    "person": ("Person", "Persona"), "organization": ("Organization", "Organización"),
    "vehicle": ("Vehicle", "Vehículo"), "firearm": ("Firearm", "Arma de fuego"),
    "phone": ("Phone", "Teléfono"), "address": ("Address", "Domicilio"),
}  # fmt: skip


def node_view(graph: Graph, node_id: str, degree: int | None = None) -> dict[str, Any]:
    n = graph.nodes[node_id]
    en, es = KIND_LABELS[n.kind]
    return {"id": n.id, "kind": n.kind, "kind_en": en, "kind_es": es, "label": n.label, "records": n.records,
            "first": n.first, "last": n.last, "degree": degree}  # fmt: skip


def edge_view(graph: Graph, e: Edge) -> dict[str, Any]:
    return {
        "a": e.a, "b": e.b, "kind": e.kind, "weight": e.weight,
        "kind_en": kind_text(e.kind, "en"), "kind_es": kind_text(e.kind, "es"),
        "records": [_evidence(graph, r) for r in e.records],
        "why_en": edge_why(graph, e, "en"), "why_es": edge_why(graph, e, "es"),
    }  # fmt: skip


def _evidence(graph: Graph, record_id: str) -> dict[str, Any]:
    record_type, named, day = graph.docs[record_id]
    return {"id": record_id, "type": record_type, "type_en": record_type_label(record_type, "en"),
            "type_es": record_type_label(record_type, "es"), "title": named, "day": day}  # fmt: skip


def chart(graph: Graph, nodes: Iterable[str], edges: Iterable[Edge]) -> dict[str, Any]:
    """Nodes (with their degree in the whole graph, so a chart shows what more there is to expand)
    and edges."""
    adj = graph.adjacency()
    return {
        "nodes": [node_view(graph, n, len(adj.get(n, ()))) for n in sorted(set(nodes))],
        "edges": [edge_view(graph, e) for e in sorted(edges, key=lambda e: (e.a, e.b, e.kind))],
    }


def around(
    graph: Graph, start: str, *, depth: int = 1, kinds: set[str] | None = None,
    since: str | None = None, until: str | None = None, limit: int = 300,
) -> dict[str, Any] | None:  # fmt: skip
    """An entity's neighbourhood as a chart; None when the viewer's graph has no such entity."""
    if start not in graph.nodes:
        return None
    kept, edges = neighbourhood(graph, start, depth=depth, kinds=kinds, since=since, until=until, limit=limit)
    return {"center": start, **chart(graph, kept, edges)}


def hops_view(graph: Graph, hops: list[Hop]) -> dict[str, Any]:
    nodes = [hops[0].a] + [h.b for h in hops]
    return {
        "nodes": [node_view(graph, n) for n in nodes],
        "hops": [{"a": h.a, "b": h.b, "edges": [edge_view(graph, e) for e in h.edges]} for h in hops],
    }


def path_views(graph: Graph, source: str, target: str, *, k: int = 3) -> list[dict[str, Any]]:
    return [hops_view(graph, hops) for hops in paths(graph, source, target, k=k)]


def community_view(graph: Graph, c: Community) -> dict[str, Any]:
    kinds: dict[str, int] = {}
    for m in c.members:
        kinds[graph.nodes[m].kind] = kinds.get(graph.nodes[m].kind, 0) + 1
    return {
        "id": c.id, "size": c.size, "persons": c.persons, "kinds": kinds, "first": c.first, "last": c.last,
        "players": [{**node_view(graph, p.node, p.degree), "score": p.score, "reaches": p.reaches}
                    for p in c.players],
        "members": c.members,
    }  # fmt: skip


def find(graph: Graph, text: str, *, kind: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """The viewer's entities whose label holds every word of ``text`` (accents and case ignored)."""
    from puente.normalize.text import fold

    words = fold(text).split()
    if not words:
        return []
    if "folded" not in graph.cache:  # folded once per graph: a search box asks often
        graph.cache["folded"] = [(n.id, n.kind, fold(n.label)) for n in graph.nodes.values()]
    found = []
    for node_id, node_kind, label in graph.cache["folded"]:
        if (kind is None or node_kind == kind) and all(w in label for w in words):
            found.append(node_id)
            if len(found) >= limit:
                break
    return [node_view(graph, n) for n in sorted(found, key=lambda n: (graph.nodes[n].label, n))]
