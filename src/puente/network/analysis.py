"""What an analyst asks of a viewer's graph: its communities (igraph's Leiden), the key players and the
brokers between communities, the short paths between two entities with the evidence of each hop, a
neighbourhood, and the timeline of a community's activity."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace

import igraph as ig

from puente.network.graph import EVENT_TYPES, Edge, Graph

SEED = 20240601  # Leiden starts from random moves: one seed, so a viewer sees the same communities twice


@dataclass(frozen=True)
class Indexed:
    """The graph as igraph holds it: one vertex per node, one weighted edge per pair of nodes (the
    kinds of evidence between them summed)."""

    graph: ig.Graph
    ids: list[str]
    index: dict[str, int]


def indexed(graph: Graph) -> Indexed:
    """The igraph form of a graph, made once per graph (a kept graph answers many questions)."""
    if "indexed" in graph.cache:
        return graph.cache["indexed"]  # type: ignore[no-any-return]
    ids = sorted(graph.nodes)
    index = {n: i for i, n in enumerate(ids)}
    weight: Counter[tuple[int, int]] = Counter()
    for e in graph.edges.values():
        weight[(index[e.a], index[e.b])] += e.weight
    pairs = list(weight)
    g = ig.Graph(n=len(ids), edges=pairs)
    g.es["weight"] = [float(weight[p]) for p in pairs]
    graph.cache["indexed"] = Indexed(g, ids, index)
    return graph.cache["indexed"]  # type: ignore[no-any-return]


def leiden(g: ig.Graph, *, resolution: float = 1.0, seed: int = SEED) -> list[int]:
    """Community of each vertex: Leiden on modularity, two passes (igraph's default; iterating until
    stable costs six times as much for the same partition within a percent)."""
    import random

    random.seed(seed)  # igraph draws from Python's generator unless told otherwise
    ig.set_random_number_generator(random)
    parts = g.community_leiden(
        objective_function="modularity", weights="weight" if g.ecount() else None,
        resolution=resolution, n_iterations=2,
    )  # fmt: skip
    return list(parts.membership)


@dataclass(frozen=True)
class Player:
    node: str
    community: int
    score: float  # betweenness among the community's persons, the community's most central at 1
    betweenness: float  # the same, not scaled: comparable across communities
    degree: int  # persons of the community it is linked to, directly or through a shared thing
    reaches: int  # other communities its neighbours belong to (a broker reaches some)


@dataclass(frozen=True)
class Community:
    id: int
    size: int
    persons: int
    members: list[str]
    players: list[Player]  # the community's persons, most central first
    first: str | None
    last: str | None


def _memberships(graph: Graph) -> list[int]:
    if "membership" not in graph.cache:
        graph.cache["membership"] = leiden(indexed(graph).graph)
    return graph.cache["membership"]  # type: ignore[no-any-return]


def _persons_between(
    ix: Indexed, kinds: list[str], vs: list[int]
) -> tuple[list[int], list[float], list[int]]:
    """The persons of a community, their betweenness and degree among its persons: two persons are
    linked when a record names both or they share a gun, a vehicle, a phone or an address. Persons
    are who an analyst acts on; on the whole graph, a straw purchaser's guns would make him a hub of
    leaves, central to nothing."""
    inside = set(vs)
    persons = [v for v in vs if kinds[v] == "person"]
    local = {v: i for i, v in enumerate(persons)}
    pairs: set[tuple[int, int]] = set()
    for v in vs:
        near = sorted({u for u in ix.graph.neighbors(v) if u in inside and kinds[u] == "person"})
        if kinds[v] == "person":
            pairs |= {(min(local[u], local[v]), max(local[u], local[v])) for u in near if u != v}
        else:
            pairs |= {(local[a], local[b]) for i, a in enumerate(near) for b in near[i + 1 :]}
    projected = ig.Graph(n=len(persons), edges=sorted(pairs))
    return persons, projected.betweenness(directed=False), projected.degree()


def communities(graph: Graph, *, min_persons: int = 2, top: int = 5) -> list[Community]:
    """The communities with at least ``min_persons`` persons, most persons first, each with its
    ``top`` key players: the persons who stand between most of the community's persons, and who reach
    other communities (brokers). A community's number does not depend on ``min_persons``."""
    return [replace(c, players=c.players[:top]) for c in _ranked(graph) if c.persons >= min_persons]


def community(graph: Graph, number: int) -> Community | None:
    """Community ``number`` as the list numbers it (among every community with a person), or None."""
    return next((c for c in _ranked(graph) if c.id == number), None)


def _ranked(graph: Graph) -> list[Community]:
    """Every community with a person, numbered most persons first, with all its players; made once
    per graph (the list, a timeline and the key players all ask for it)."""
    if "communities" in graph.cache:
        return graph.cache["communities"]  # type: ignore[no-any-return]
    ix = indexed(graph)
    membership = _memberships(graph)
    kinds = [graph.nodes[n].kind for n in ix.ids]
    groups: dict[int, list[int]] = defaultdict(list)
    for v, c in enumerate(membership):
        groups[c].append(v)
    out = []
    for c, vs in groups.items():
        count = sum(1 for v in vs if kinds[v] == "person")
        if not count:
            continue
        if count == 1:  # no one to stand between
            persons, between, degree = [v for v in vs if kinds[v] == "person"], [0.0], [0]
        else:
            persons, between, degree = _persons_between(ix, kinds, vs)
        scale = max(between) or 1.0
        players = []
        for k, v in enumerate(persons):
            other = {membership[u] for u in ix.graph.neighbors(v)} - {c}
            score = round(between[k] / scale, 4)
            players.append(Player(ix.ids[v], c, score, between[k], degree[k], len(other)))
        players.sort(key=lambda p: (-p.betweenness, -p.degree, p.node))
        members = sorted(ix.ids[v] for v in vs)
        days = [d for m in members for d in (graph.nodes[m].first, graph.nodes[m].last) if d]
        out.append(Community(c, len(vs), len(persons), members, players,
                             min(days) if days else None, max(days) if days else None))  # fmt: skip
    out.sort(key=lambda k: (-k.persons, -k.size, k.members[0]))
    graph.cache["communities"] = [
        replace(k, id=n, players=[replace(p, community=n) for p in k.players]) for n, k in enumerate(out, 1)
    ]
    return graph.cache["communities"]  # type: ignore[no-any-return]


def key_players(graph: Graph, k: int = 20) -> list[Player]:
    """The persons of the whole graph most worth looking at: who stands between most persons of their
    community (a big community's broker before a small one's), brokers between communities first
    among equals."""
    ranked = [p for c in _ranked(graph) if c.persons >= 2 for p in c.players]
    ranked.sort(key=lambda p: (-p.betweenness, -p.reaches, -p.degree, p.node))
    return ranked[:k]


@dataclass(frozen=True)
class Hop:
    a: str
    b: str
    edges: list[Edge]  # every kind of evidence between the two


def paths(graph: Graph, source: str, target: str, *, k: int = 3, max_hops: int = 6) -> list[list[Hop]]:
    """Up to ``k`` shortest paths from one entity to another (fewest hops; strongest evidence breaks
    ties), each hop with the records behind it. Empty when either is not in the viewer's graph."""
    if source not in graph.nodes or target not in graph.nodes or source == target:
        return []
    ix = indexed(graph)
    source_v, target_v = ix.index[source], ix.index[target]
    part = sorted(ix.graph.subcomponent(source_v))  # their component alone (subgraph keeps id order)
    if target_v not in set(part):
        return []
    g = ix.graph.subgraph(part)
    local = {v: i for i, v in enumerate(part)}
    cost = [1.0 + 1.0 / (1.0 + w) for w in g.es["weight"]] if g.ecount() else []
    found = g.get_k_shortest_paths(local[source_v], to=local[target_v], k=k, weights=cost or None)
    adj = graph.adjacency()
    out = []
    for vs in found:
        if not vs or len(vs) - 1 > max_hops:
            continue
        names = [ix.ids[part[v]] for v in vs]
        pairs = zip(names, names[1:], strict=False)
        out.append([Hop(a, b, [e for e in adj[a] if b in (e.a, e.b)]) for a, b in pairs])
    return out


def neighbourhood(
    graph: Graph,
    start: str,
    *,
    depth: int = 1,
    kinds: set[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 300,
) -> tuple[set[str], list[Edge]]:
    """The entities within ``depth`` hops of ``start`` and the edges among them, through edges whose
    evidence falls in the period and nodes of the kinds asked (the start is always kept); at most
    ``limit`` nodes, nearest first."""
    if start not in graph.nodes:
        return set(), []
    adj = graph.adjacency()

    def in_period(e: Edge) -> bool:
        if since or until:
            return any((not since or d >= since) and (not until or d <= until) for d in graph.days(e.records))
        return True

    kept, frontier = {start}, [start]
    for _ in range(depth):
        nxt = []
        for n in frontier:
            for e in sorted(adj.get(n, ()), key=lambda e: (-e.weight, e.a, e.b, e.kind)):
                other = e.b if e.a == n else e.a
                if other in kept or len(kept) >= limit or not in_period(e):
                    continue
                if kinds is None or graph.nodes[other].kind in kinds:
                    kept.add(other)
                    nxt.append(other)
        frontier = nxt
    shown = {(e.a, e.b, e.kind): e for n in kept for e in adj.get(n, ()) if e.a in kept and e.b in kept}
    return kept, [e for e in shown.values() if in_period(e)]


def timeline(graph: Graph, members: list[str]) -> list[tuple[str, str, str, str]]:
    """(day, record, record type, title) of every dated record behind the edges among ``members``,
    oldest first: what a community did, and when."""
    inside, adj = set(members), graph.adjacency()
    events = {
        (graph.docs[r][2], r, graph.docs[r][0], graph.docs[r][1])
        for m in inside
        for e in adj.get(m, ())
        if e.a in inside and e.b in inside
        for r in e.records
        if graph.docs[r][0] in EVENT_TYPES and graph.docs[r][2]
    }
    return sorted(events)  # type: ignore[arg-type]
