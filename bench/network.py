"""Link analysis: the organizations found in the synthetic world, and community detection at 1M nodes.

Part A, the world. The settled world of the bench scale (the leads benchmark's database: every feed
loaded, persons, phones and addresses resolved, the search index built) is copied once into
bench/.cache/network/ and its firearms, vehicles and organizations resolved. For an analyst of each
of three agencies (HSI, ATF, FGR) the viewer's graph is built from the records they may see (timed),
its communities found by Leiden (timed), and scored against the world's true organizations: the
adjusted Rand index and normalised mutual information over the persons who belong to one; and the
key players (the most central persons of each community) against the true leaders and brokers
(the leader, the recruiter and the transporters who carry the guns south), precision@k. A path and
a neighbourhood between two members of one organization are timed as the console asks them.

Part B, the budget: Leiden on a graph of 1M nodes and 5M edges (planted communities of 20 to 80
nodes, 85% of edges inside them) in 60 s at most, with the score against the planted communities.
Scales below 1m shrink Part B in proportion.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.common import figure, log, peak_rss_mib, scale_size

NETWORK_DB_VERSION = 1  # bump when what the cached network database holds changes
BUDGET_LEIDEN_S = 60.0
NODES_1M, EDGES_1M = 1_000_000, 5_000_000
INSIDE_SHARE = 0.85
PURPOSE = "link analysis benchmark"
KEY_ROLES = ("leader", "recruiter", "transporter")  # the true leaders and brokers
VIEWERS = (("bench.hsi", "US/HSI"), ("bench.atf", "US/ATF"), ("bench.fgr", "MX/FGR"))
KS = (10, 50, 100)


def _principal(user_id: str, agency: str) -> Any:
    from puente.policy.principals import Principal, Role

    return Principal(user_id=user_id, name=user_id, agency=agency, roles=frozenset({Role.ANALYST}))


def _network_database(args: Any) -> tuple[Path, Path, dict[str, Any]]:
    """The world's folder and a copy of its settled database with every kind of entity resolved."""
    from bench.leads import derived_world
    from puente.resolve.batch import resolve_things

    def prepare(db: Any) -> dict[str, Any]:
        started = time.perf_counter()
        for kind in ("firearm", "vehicle", "organization"):
            log(f"resolving {kind} records")
            resolve_things(db, kind)
        return {"resolve_things_seconds": round(time.perf_counter() - started, 1)}

    folder, path, info, _ = derived_world(args, "network", f"n{NETWORK_DB_VERSION}", prepare)
    return folder, path, info


def _truth(folder: Path) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    with (folder / "truth" / "records.csv").open(encoding="utf-8") as handle:
        person_of = {
            r["record_id"]: r["entity_id"] for r in csv.DictReader(handle) if r["record_type"] == "person"
        }
    with (folder / "truth" / "organizations.csv").open(encoding="utf-8") as handle:
        roles = {r["person_id"]: (r["org_id"], r["role"]) for r in csv.DictReader(handle)}
    return person_of, roles


def _world(args: Any) -> list[dict[str, Any]]:
    from puente.network.analysis import communities, indexed, key_players, leiden, neighbourhood, paths
    from puente.store import connect
    from puente.synth.scoring import score_communities, score_ranking, true_persons

    folder, path, info = _network_database(args)
    person_of, roles = _truth(folder)
    db = connect(f"sqlite:///{path}", blob_dir=path.parent / f"{path.stem}-files")
    out: list[dict[str, Any]] = []
    try:
        for user_id, agency in VIEWERS:
            viewer = _principal(user_id, agency)
            from puente.network.graph import build

            started = time.perf_counter()
            graph = build(db, viewer, PURPOSE)
            build_s = time.perf_counter() - started
            kinds = Counter(n.kind for n in graph.nodes.values())
            started = time.perf_counter()
            ix = indexed(graph)
            membership = leiden(ix.graph)
            leiden_s = time.perf_counter() - started
            who = true_persons(
                {n.id: n.records for n in graph.nodes.values() if n.kind == "person"}, person_of
            )
            truth = {n: roles[p][0] for n, p in who.items() if p in roles}
            scores = score_communities(dict(zip(ix.ids, membership, strict=True)), truth)
            started = time.perf_counter()
            found = communities(graph, top=10**6)
            players_s = time.perf_counter() - started
            ranked = [p.node for p in key_players(graph, k=max(KS))]
            key = {n for n, p in who.items() if p in roles and roles[p][1] in KEY_ROLES}
            members = {n for n, p in who.items() if p in roles}
            key_scores = score_ranking(ranked, key, ks=KS)
            member_scores = score_ranking(ranked, members, ks=KS)
            query_ms = _queries(graph, who, roles, paths, neighbourhood)
            tag = agency.split("/")[1].lower()
            common = {
                "viewer": agency,
                "nodes": len(graph.nodes),
                "edges": len(graph.edges),
                "kinds": dict(kinds),
                "edge_kinds": dict(Counter(e.kind for e in graph.edges.values())),
            }
            log(
                f"{agency}: {len(graph.nodes):,} nodes, {len(graph.edges):,} edges, built in {build_s:.1f}s, "
                f"Leiden {leiden_s:.1f}s; ARI {scores.ari}, NMI {scores.nmi} over {scores.persons} org "
                f"members of {scores.organizations} organizations; key players P@10 "
                f"{key_scores.precision_at[10]:.2f}"
            )
            out += [
                figure(args, f"network.{tag}.graph_build_s", build_s, "s", **common),
                figure(args, f"network.{tag}.leiden_s", leiden_s, "s", communities=len(set(membership))),
                figure(args, f"network.{tag}.key_players_s", players_s, "s", communities=len(found)),
                figure(args, f"network.{tag}.ari", scores.ari, "ratio", **scores.as_dict()),
                figure(args, f"network.{tag}.nmi", scores.nmi, "ratio", **scores.as_dict()),
                figure(
                    args,
                    f"network.{tag}.key_players_precision_at_10",
                    key_scores.precision_at[10],
                    "ratio",
                    truth_is="leaders, recruiters and transporters",
                    true_key_players=len(key),
                    **key_scores.as_dict(),
                ),
                figure(
                    args,
                    f"network.{tag}.members_precision_at_50",
                    member_scores.precision_at[50],
                    "ratio",
                    truth_is="members of a trafficking organization",
                    true_members=len(members),
                    **member_scores.as_dict(),
                ),
                figure(
                    args,
                    f"network.{tag}.path_ms",
                    query_ms["path"],
                    "ms",
                    pairs=query_ms["pairs"],
                    found=query_ms["found"],
                    mean_hops=query_ms["hops"],
                ),
                figure(args, f"network.{tag}.neighbourhood_ms", query_ms["around"], "ms", depth=2),
            ]
        out.append(figure(args, "network.world_db", None, "info", **info))
    finally:
        db.dispose()
    return out


def _queries(
    graph: Any, who: dict[str, str], roles: dict[str, tuple[str, str]], paths: Any, around: Any
) -> dict[str, Any]:
    """Mean time of a path between two members of one organization and of a neighbourhood of two
    hops, over up to 50 pairs."""
    by_org: dict[str, list[str]] = {}
    for node, person in sorted(who.items()):
        if person in roles:
            by_org.setdefault(roles[person][0], []).append(node)
    pairs = [(ns[0], ns[-1]) for ns in by_org.values() if len(ns) > 1][:50]
    if not pairs:
        return {"path": None, "around": None, "pairs": 0, "found": 0, "hops": None}
    started = time.perf_counter()
    found = [paths(graph, a, b) for a, b in pairs]
    path_ms = (time.perf_counter() - started) * 1000 / len(pairs)
    started = time.perf_counter()
    for a, _ in pairs:
        around(graph, a, depth=2)
    around_ms = (time.perf_counter() - started) * 1000 / len(pairs)
    hops = [len(f[0]) for f in found if f]
    return {
        "path": path_ms,
        "around": around_ms,
        "pairs": len(pairs),
        "found": len(hops),
        "hops": sum(hops) / len(hops) if hops else None,
    }


def _planted(nodes: int, edges: int, seed: int) -> tuple[Any, Any]:
    """A graph with planted communities of 20 to 80 nodes: (edge array, community of each node)."""
    import numpy as np

    gen = np.random.default_rng(seed)
    sizes = gen.integers(20, 81, size=nodes // 20)
    sizes = sizes[np.cumsum(sizes) <= nodes]
    sizes = np.append(sizes, nodes - sizes.sum()) if sizes.sum() < nodes else sizes
    community = np.repeat(np.arange(len(sizes)), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    inside = int(edges * INSIDE_SHARE)
    a = gen.integers(0, nodes, size=inside)
    c = community[a]
    b = starts[c] + gen.integers(0, sizes[c])
    outside = edges - inside
    pairs = np.concatenate([np.stack([a, b], axis=1), gen.integers(0, nodes, size=(outside, 2))])
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return pairs, community


def _planted_edges(nodes: int, edges: int, seed: int) -> tuple[Any, Any]:
    """As ``_planted``, drawing a few more so that ``edges`` remain once self-loops are dropped."""
    pairs, community = _planted(nodes, int(edges * 1.03), seed)
    return pairs[:edges], community


def _speed(args: Any) -> list[dict[str, Any]]:
    import igraph as ig

    from puente.network.analysis import leiden
    from puente.synth.scoring import score_communities

    share = min(scale_size(args.scale) / 1_000_000, 1.0)
    nodes, edges = int(NODES_1M * share), int(EDGES_1M * share)
    started = time.perf_counter()
    pairs, community = _planted_edges(nodes, edges, getattr(args, "seed", 20230314))
    g = ig.Graph(n=nodes, edges=pairs.tolist())
    g.es["weight"] = [1.0] * g.ecount()
    build_s = time.perf_counter() - started
    log(f"planted graph: {g.vcount():,} nodes, {g.ecount():,} edges, built in {build_s:.1f}s; Leiden ...")
    started = time.perf_counter()
    membership = leiden(g)
    leiden_s = time.perf_counter() - started
    ids = [str(v) for v in range(nodes)]
    scores = score_communities(
        dict(zip(ids, membership, strict=True)), dict(zip(ids, map(str, community), strict=True))
    )
    log(
        f"Leiden on {nodes:,} nodes and {g.ecount():,} edges: {leiden_s:.1f}s, "
        f"{len(set(membership)):,} communities, ARI {scores.ari}, NMI {scores.nmi}"
    )
    return [
        figure(
            args,
            "network.leiden_1m_s",
            leiden_s,
            "s",
            BUDGET_LEIDEN_S if share == 1.0 else None,
            higher_is_better=False,
            nodes=nodes,
            edges=g.ecount(),
            build_s=round(build_s, 1),
            communities=len(set(membership)),
            planted=int(community.max()) + 1,
            ari=scores.ari,
            nmi=scores.nmi,
            peak_rss_mib=round(peak_rss_mib()),
        )
    ]


def run(args: Any) -> list[dict[str, Any]]:
    return _world(args) + _speed(args)
