"""The viewer's graph: made of what they may see alone, every edge with its records, rebuilt when the
records, the resolution or a marking change."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import load_profile
from puente.network.graph import EVENT_TYPES, build, viewer_graph
from puente.policy import access
from puente.policy.principals import Principal, Role
from puente.samples import sample_files
from puente.store.schema import records
from tests.policy.test_access import ATF, CBP, FGR, GN, HSI_STEWARD, PURPOSE

VIEWERS = [FGR, GN, ATF, CBP, HSI_STEWARD]
DETAINEE = "MX/FGR:person:FGR-TAM-2023-0117-1"
SEIZURE = "MX/FGR:seizure:FGR-TAM-2023-0117"


def settle(db):
    """Resolve every kind of entity and index the records, as a load's settling does."""
    from puente.resolve.batch import resolve_persons, resolve_things
    from puente.search import refresh

    resolve_persons(db)
    for kind in ("firearm", "vehicle", "organization", "phone", "address"):
        resolve_things(db, kind)
    refresh(db)
    return db


@pytest.fixture
def samples(db):
    for path, profile in sample_files():
        ingest_file(db, path, load_profile(profile))
    return settle(db)


def visible_ids(db, viewer):
    with db.engine.connect() as conn:
        return set(conn.execute(select(records.c.record_id).where(access.visible(viewer))).scalars())


def node_of(graph, record_id):
    return next(n for n in graph.nodes.values() if record_id in n.records)


def test_every_node_and_edge_stands_on_records_the_viewer_may_see(samples):
    for viewer in VIEWERS:
        graph = build(samples, viewer, PURPOSE)
        seen = visible_ids(samples, viewer)
        cited = {r for n in graph.nodes.values() for r in n.records}
        cited |= {r for e in graph.edges.values() for r in e.records} | set(graph.docs)
        assert cited <= seen, (viewer.user_id, sorted(cited - seen)[:5])
        assert all(e.records and e.a < e.b for e in graph.edges.values())
        assert graph.nodes, viewer.user_id


def test_a_seizure_links_its_detainee_and_its_gun(samples):
    graph = build(samples, FGR, PURPOSE)
    detainee = node_of(graph, DETAINEE)
    linked = [e for e in graph.edges.values() if detainee.id in (e.a, e.b) and e.kind == "seizure"]
    assert linked and all(SEIZURE in e.records for e in linked)
    assert {graph.nodes[e.b if e.a == detainee.id else e.a].kind for e in linked} >= {"firearm"}
    assert detainee.first and detainee.first == graph.docs[SEIZURE][2]  # dated by its events only
    # the Guardia Nacional may not see the FGR's detainee's ATF trace: the gun's trace is no edge of its
    gn = build(samples, GN, PURPOSE)
    assert all(gn.docs[r][0] != "trace_request" or r in visible_ids(samples, GN)
               for e in gn.edges.values() for r in e.records)  # fmt: skip


def test_edges_come_from_events_and_from_what_a_record_carries(samples):
    graph = build(samples, ATF, PURPOSE)
    kinds = {e.kind for e in graph.edges.values()}
    assert {"trace_request", "seizure"} <= kinds  # a purchaser and the traced gun, the gun and its seizure
    for e in graph.edges.values():
        types = {graph.docs[r][0] for r in e.records}
        assert e.kind in types or types <= {
            "person",
            "organization",
            "vehicle",
            "firearm",
            "phone",
            "location",
        }
        assert e.kind not in EVENT_TYPES or types == {e.kind}


def test_the_kept_graph_follows_loads_and_markings(samples, tmp_path):
    from puente.policy.remark import remark

    steward = Principal(user_id="ana.steward", name="Ana", agency="MX/FGR", roles=frozenset({Role.STEWARD}))
    before = viewer_graph(samples, ATF, PURPOSE)
    assert viewer_graph(samples, ATF, PURPOSE) is before  # kept while nothing changed
    assert any(SEIZURE in e.records for e in before.edges.values())
    remark(samples, steward, SEIZURE, {"releasable_to": ["MX/FGR"], "disclosure": "none"}, "sealed", PURPOSE)
    after = viewer_graph(samples, ATF, PURPOSE)
    assert after is not before
    assert not any(SEIZURE in e.records for e in after.edges.values()) and SEIZURE not in after.docs
    assert any(SEIZURE in e.records for e in viewer_graph(samples, FGR, PURPOSE).edges.values())


def test_every_read_of_the_graph_is_audited(samples):
    from puente.store.schema import audit_log

    viewer_graph(samples, CBP, PURPOSE)
    viewer_graph(samples, CBP, PURPOSE)
    with samples.engine.connect() as conn:
        reads = conn.execute(select(audit_log.c.user_id).where(audit_log.c.action == "read_graph")).all()
    assert [r.user_id for r in reads].count(CBP.user_id) == 2


def test_a_phone_is_named_by_its_number_and_a_withheld_phone_links_nothing(samples):
    from puente.policy.remark import remark

    def phones_of(graph, record_id):
        own = node_of(graph, record_id).id
        return [graph.nodes[e.b if e.a == own else e.a] for e in graph.edges.values()
                if own in (e.a, e.b) and e.kind == "phone" and record_id in e.records]  # fmt: skip

    [phone] = phones_of(build(samples, ATF, PURPOSE), DETAINEE)
    assert phone.label.replace(" ", "").endswith("8991234567") and phone.kind == "phone"
    steward = Principal(user_id="ana.steward", name="Ana", agency="MX/FGR", roles=frozenset({Role.STEWARD}))
    markings = {"releasable_to": ["MX", "US/ATF", "US/HSI"], "disclosure": "pointer",
                "restricted_fields": {"phones": ["MX"]}}  # fmt: skip
    remark(samples, steward, DETAINEE, markings, "the number is a source's", PURPOSE)
    assert phones_of(build(samples, ATF, PURPOSE), DETAINEE) == []  # ATF may not see his phones
    assert len(phones_of(build(samples, FGR, PURPOSE), DETAINEE)) == 1  # FGR may
