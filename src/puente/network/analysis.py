"""What an analyst asks of a viewer's graph: its communities (igraph's Leiden), the key players and the
brokers between communities, the short paths between two entities with the evidence of each hop, a
neighbourhood, and the timeline of a community's activity."""

from __future__ import annotations

import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass

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
    ids = sorted(graph.nodes)
    index = {n: i for i, n in enumerate(ids)}
    weight: Counter[tuple[int, int]] = Counter()
    for e in graph.edges.values():
        weight[(index[e.a], index[e.b])] += e.weight
    pairs = list(weight)
    g = ig.Graph(n=len(ids), edges=pairs)
    g.es["weight"] = [float(weight[p]) for p in pairs]
    return Indexed(g, ids, index)


def leiden(g: ig.Graph, *, resolution: float = 1.0, seed: int = SEED) -> list[int]:
    """Community of each vertex: Leiden on modularity, iterated until stable."""
    import random

    random.seed(seed)  # igraph draws from Python's generator unless told otherwise
    ig.set_random_number_generator(random)
    parts = g.community_leiden(
        objective_function="modularity", weights="weight" if g.ecount() else None,
        resolution=resolution, n_iterations=-1,
    )  # fmt: skip
    return list(parts.membership)


@dataclass(frozen=True)
class Player:
    node: str
    community: int
    score: float  # betweenness inside the community, normalised to [0, 1]
    degree: int
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


def communities(graph: Graph, *, min_persons: int = 2, top: int = 5) -> list[Community]:
    """The communities with at least ``min_persons`` persons, largest first, each with its key players:
    the persons who stand between most of the community's members (betweenness inside it), and who
    reach other communities."""
    ix = indexed(graph)
    membership = leiden(ix.graph)
    groups: dict[int, list[int]] = defaultdict(list)
    for v, c in enumerate(membership):
        groups[c].append(v)
    out = []
    for c, vs in groups.items():
        persons = [v for v in vs if graph.nodes[ix.ids[v]].kind == "person"]
        if len(persons) < min_persons:
            continue
        sub = ix.graph.subgraph(vs)
        between = sub.betweenness(weights=None, directed=False)
        scale = max(between) or 1.0
        local = {v: k for k, v in enumerate(vs)}
        players = []
        for v in persons:
            other = {membership[u] for u in ix.graph.neighbors(v)} - {c}
            score = round(between[local[v]] / scale, 4)
            players.append(Player(ix.ids[v], c, score, ix.graph.degree(v), len(other)))
        players.sort(key=lambda p: (-p.score, -p.degree, p.node))
        members = sorted(ix.ids[v] for v in vs)
        days = [d for m in members for d in (graph.nodes[m].first, graph.nodes[m].last) if d]
        out.append(Community(c, len(vs), len(persons), members, players[:top],
                             min(days) if days else None, max(days) if days else None))  # fmt: skip
    out.sort(key=lambda k: (-k.persons, -k.size, k.members[0]))
    return [Community(n, k.size, k.persons, k.members, [_renumber(p, n) for p in k.players], k.first, k.last)
            for n, k in enumerate(out, 1)]  # fmt: skip


def _renumber(p: Player, community: int) -> Player:
    return Player(p.node, community, p.score, p.degree, p.reaches)


def key_players(graph: Graph, k: int = 20) -> list[Player]:
    """The persons of the whole graph most worth looking at: the most central of each community, then
    by centrality, with those who broker between communities first among equals."""
    ranked = [p for c in communities(graph, top=10**6) for p in c.players]
    ranked.sort(key=lambda p: (-p.score, -p.reaches, -p.degree, p.node))
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
    g = ix.graph
    cost = [1.0 + 1.0 / (1.0 + w) for w in g.es["weight"]] if g.ecount() else []
    with warnings.catch_warnings():  # igraph warns when the two are not connected: that is an answer
        warnings.simplefilter("ignore", RuntimeWarning)
        found = g.get_k_shortest_paths(ix.index[source], to=ix.index[target], k=k, weights=cost or None)
    between: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    for e in graph.edges.values():
        between[(e.a, e.b)].append(e)
    out = []
    for vs in found:
        if not vs or len(vs) - 1 > max_hops:
            continue
        hops = []
        for u, v in zip(vs, vs[1:], strict=False):
            a, b = ix.ids[u], ix.ids[v]
            hops.append(Hop(a, b, between[(min(a, b), max(a, b))]))
        out.append(hops)
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

    def usable(e: Edge, other: str) -> bool:
        if kinds is not None and graph.nodes[other].kind not in kinds:
            return False
        if since or until:
            days = graph.days(e.records)
            return any((not since or d >= since) and (not until or d <= until) for d in days)
        return True

    kept, frontier = {start}, [start]
    for _ in range(depth):
        nxt = []
        for n in frontier:
            for e in sorted(adj.get(n, ()), key=lambda e: (-e.weight, e.a, e.b, e.kind)):
                other = e.b if e.a == n else e.a
                if other not in kept and usable(e, other) and len(kept) < limit:
                    kept.add(other)
                    nxt.append(other)
        frontier = nxt
    shown = [e for e in graph.edges.values() if e.a in kept and e.b in kept and usable(e, e.b)]
    return kept, shown


def timeline(graph: Graph, members: list[str]) -> list[tuple[str, str, str, str]]:
    """(day, record, record type, title) of every dated record behind the edges among ``members``,
    oldest first: what a community did, and when."""
    inside = set(members)
    events = {
        (graph.docs[r][2], r, graph.docs[r][0], graph.docs[r][1])
        for e in graph.edges.values()
        if e.a in inside and e.b in inside
        for r in e.records
        if graph.docs[r][0] in EVENT_TYPES and graph.docs[r][2]
    }
    return sorted(events)  # type: ignore[arg-type]
