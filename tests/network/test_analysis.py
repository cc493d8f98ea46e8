"""Communities, key players, paths, neighbourhoods and timelines on the tiny synthetic world, scored
against its true organizations."""

from __future__ import annotations

import csv

import pytest

from puente.network.analysis import communities, indexed, key_players, leiden, neighbourhood, paths, timeline
from puente.network.graph import build
from puente.store import connect
from puente.synth.generate import generate
from puente.synth.scoring import score_communities, score_ranking, true_persons
from tests.network.test_graph import settle
from tests.policy.test_access import PURPOSE, person
from tests.resolve.test_batch import load_world

HSI = person("ines.hsi", "US/HSI", "analyst")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("network")
    generate("tiny", 11, folder / "world", blocks=4)  # a few organizations to tell apart
    db = connect(f"sqlite:///{folder / 'puente.db'}", blob_dir=folder / "files")
    db.upgrade()
    load_world(db, folder / "world")
    settle(db)
    yield db, folder / "world" / "truth"
    db.dispose()


def truths(folder):
    with (folder / "records.csv").open(encoding="utf-8") as f:
        person_of = {
            r["record_id"]: r["entity_id"] for r in csv.DictReader(f) if r["record_type"] == "person"
        }
    with (folder / "organizations.csv").open(encoding="utf-8") as f:
        roles = {r["person_id"]: (r["org_id"], r["role"]) for r in csv.DictReader(f)}
    return person_of, roles


def test_communities_find_the_true_organizations(tiny):
    db, folder = tiny
    graph = build(db, HSI, PURPOSE)
    person_of, roles = truths(folder)
    who = true_persons({n.id: n.records for n in graph.nodes.values() if n.kind == "person"}, person_of)
    ix = indexed(graph)
    membership = dict(zip(ix.ids, leiden(ix.graph), strict=True))
    scores = score_communities(membership, {n: roles[p][0] for n, p in who.items() if p in roles})
    assert scores.persons > 20 and scores.organizations > 1
    assert scores.nmi > 0.7 and scores.ari > 0.4, scores
    assert leiden(ix.graph) == leiden(ix.graph)  # the same communities twice
    found = communities(graph)
    assert found and all(c.persons >= 2 and c.players for c in found)
    assert [c.id for c in found] == list(range(1, len(found) + 1))
    # a community's number is the same however many persons the list asks for (a timeline names it)
    every = {c.id: c.members for c in communities(graph, min_persons=1)}
    assert all(every[c.id] == c.members for c in found) and len(every) > len(found)
    # key players: the persons who hold their community together are mostly its true organization's
    ranked = [p.node for p in key_players(graph, k=10)]
    members = {n for n, p in who.items() if p in roles}
    assert score_ranking(ranked, members, ks=(10,)).precision_at[10] >= 0.5


def test_a_path_between_two_members_names_the_records_of_each_hop(tiny):
    db, folder = tiny
    graph = build(db, HSI, PURPOSE)
    person_of, roles = truths(folder)
    who = true_persons({n.id: n.records for n in graph.nodes.values() if n.kind == "person"}, person_of)
    by_org: dict[str, list[str]] = {}
    for node, p in sorted(who.items()):
        if p in roles:
            by_org.setdefault(roles[p][0], []).append(node)
    found = None
    for nodes in by_org.values():
        for a in nodes:
            for b in nodes:
                if a < b and (found := paths(graph, a, b)):
                    break
            if found:
                break
        if found:
            break
    assert found, "two members of one organization are linked in the records"
    for hops in found:
        assert hops[0].a != hops[-1].b
        for hop in hops:
            assert hop.edges and all(e.records and {e.a, e.b} == {hop.a, hop.b} for e in hop.edges)
        assert all(x.b == y.a for x, y in zip(hops, hops[1:], strict=False))
    assert len(found[0]) <= len(found[-1])  # shortest first
    assert paths(graph, found[0][0].a, "EP-nosuch") == []


def test_a_neighbourhood_keeps_the_kinds_and_the_period_asked(tiny):
    db, _ = tiny
    graph = build(db, HSI, PURPOSE)
    start = max((n for n in graph.nodes.values() if n.kind == "person"),
                key=lambda n: (sum(1 for e in graph.edges.values() if n.id in (e.a, e.b)), n.id))  # fmt: skip
    kept, edges = neighbourhood(graph, start.id, depth=2)
    assert start.id in kept and edges and all(e.a in kept and e.b in kept for e in edges)
    persons, _ = neighbourhood(graph, start.id, depth=2, kinds={"person"})
    assert all(graph.nodes[n].kind == "person" for n in persons - {start.id})
    days = sorted(graph.days(r for e in edges for r in e.records))
    since = days[len(days) // 2]
    _, late = neighbourhood(graph, start.id, depth=2, since=since)
    assert all(any(d >= since for d in graph.days(e.records)) for e in late)
    small, _ = neighbourhood(graph, start.id, depth=3, limit=3)
    assert len(small) <= 3


def test_a_communitys_timeline_is_its_dated_records_oldest_first(tiny):
    db, _ = tiny
    graph = build(db, HSI, PURPOSE)
    community = communities(graph)[0]
    events = timeline(graph, community.members)
    assert events and [e[0] for e in events] == sorted(e[0] for e in events)
    assert all(graph.docs[r][0] != "person" for _, r, _, _ in events)
    assert community.first <= events[0][0] and events[-1][0] <= community.last
